"""Simulated twins for `kiosk demo` and tests: same interfaces, no CUPS, no printer.

The document printer "prints" by copying the PDF into a folder (printer.pdf_folder);
the receipt printer records the ESC/POS bytes, which the renderer can turn into a picture.
Their readiness can be set, so the demo can show paper-out and the like.
"""

from __future__ import annotations

import itertools
import shutil
import threading
import time
from pathlib import Path

from devices.printing.documents import (
    JobOutcome,
    JobProgress,
    JobState,
    ProgressCallback,
    PurgeReport,
    check_pdf,
    print_options,
)
from devices.printing.errors import JobRefused, ReceiptPrinterNotReady
from devices.printing.readiness import READY, Level, Readiness
from devices.printing.receipt_layout import ReceiptContent, build_receipt
from devices.printing.receipt_status import ReceiptState, ReceiptStatus
from devices.printing.receipts import ReceiptOutcome


class SimulatedDocumentPrinter:
    def __init__(
        self, folder: Path, *, queue: str = "simulated", pages_per_second: float = 0
    ) -> None:
        self.folder = folder
        self._queue = queue
        self._readiness = READY
        self._ids = itertools.count(1)
        self._jobs: dict[int, tuple[str, Path]] = {}
        self._lock = threading.Lock()
        self.delay = 0.0 if not pages_per_second else 1.0 / pages_per_second

    @property
    def queue(self) -> str:
        return self._queue

    def set_readiness(self, readiness: Readiness) -> None:
        self._readiness = readiness

    def readiness(self) -> Readiness:
        return self._readiness

    def submit(
        self, pdf: Path, *, session_id: str, copies: int = 1, two_sided: bool = False
    ) -> int:
        check_pdf(pdf)
        print_options(copies, two_sided)
        if self._readiness.level is Level.UNAVAILABLE:
            raise JobRefused(f"queue {self._queue!r} is not accepting jobs")
        self.folder.mkdir(parents=True, exist_ok=True)
        job_id = next(self._ids)
        target = self.folder / f"kiosk-{session_id[:8]}-{job_id}.pdf"
        shutil.copyfile(pdf, target)
        with self._lock:
            self._jobs[job_id] = (session_id, target)
        return job_id

    def follow(
        self, job_id: int, *, timeout: float, on_progress: ProgressCallback | None = None
    ) -> JobOutcome:
        started = time.monotonic()
        for state in (JobState.PROCESSING, JobState.COMPLETED):
            if self.delay:
                time.sleep(min(self.delay, timeout))
            if on_progress is not None:
                on_progress(
                    JobProgress(
                        job_id,
                        state,
                        int(state is JobState.COMPLETED),
                        (),
                        time.monotonic() - started,
                    )
                )
        return JobOutcome(
            job_id, JobState.COMPLETED, False, "printed", 1, time.monotonic() - started
        )

    def print_pdf(
        self,
        pdf: Path,
        *,
        session_id: str,
        timeout: float,
        copies: int = 1,
        on_progress: ProgressCallback | None = None,
    ) -> JobOutcome:
        job_id = self.submit(pdf, session_id=session_id, copies=copies)
        return self.follow(job_id, timeout=timeout, on_progress=on_progress)

    def purge_session(self, session_id: str) -> PurgeReport:
        # The PDFs in the folder are the demo's "paper": handed over, they stay.
        with self._lock:
            mine = [job for job, (owner, _) in self._jobs.items() if owner == session_id]
            for job in mine:
                del self._jobs[job]
        return PurgeReport(tuple(mine), ())

    def close(self) -> None:
        pass


class SimulatedReceiptPrinter:
    def __init__(self, profile: str = "TM-T88V") -> None:
        self.profile = profile
        self.state = ReceiptState.READY
        self.printed: list[bytes] = []

    def status(self) -> ReceiptStatus:
        return ReceiptStatus(self.state, "simulated")

    def readiness(self) -> Readiness:
        return self.status().readiness()

    def print_receipt(self, content: ReceiptContent) -> ReceiptOutcome:
        return self.print_bytes(build_receipt(content, self.profile))

    def print_bytes(self, data: bytes) -> ReceiptOutcome:
        before = self.status()
        if before.level is Level.UNAVAILABLE:
            raise ReceiptPrinterNotReady(before.readiness().reason)
        self.printed.append(bytes(data))
        return ReceiptOutcome(len(data), before, self.status())

    def last_png(self) -> bytes:
        """The last receipt as a PNG picture (what `kiosk demo` shows)."""
        from devices.printing.escpos_render import render_png

        if not self.printed:
            raise LookupError("nothing printed yet")
        return render_png(self.printed[-1], self.profile)
