"""The certificate printer's simulated twin, for `kiosk demo` and tests: no CUPS.

It "prints" by copying the PDF into a folder (printer.pdf_folder) at submit, and every job
it follows completes. Its readiness can be set, so the demo can show paper-out and the like.
"""

from __future__ import annotations

import itertools
import shutil
import threading
import time
from pathlib import Path

from devices.printing.document.printer import (
    JobOutcome,
    JobProgress,
    JobState,
    ProgressCallback,
    PurgeReport,
    check_pdf,
    print_options,
)
from devices.printing.errors import JobRefused
from devices.printing.readiness import READY, Level, Readiness


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

    def cancel(self, job_id: int, *, purge: bool = False) -> bool:
        """Jobs here complete at once: as with a completed CUPS job, only a purge removes one."""
        with self._lock:
            if not purge or job_id not in self._jobs:
                return False
            del self._jobs[job_id]
            return True

    def purge_session(self, session_id: str) -> PurgeReport:
        # The PDFs in the folder are the demo's "paper": handed over, they stay.
        with self._lock:
            mine = [job for job, (owner, _) in self._jobs.items() if owner == session_id]
            for job in mine:
                del self._jobs[job]
        return PurgeReport(tuple(mine), ())

    def known_job_ids(self) -> None:
        return None  # no spool to list: the kiosk's own record of its jobs is the truth

    def close(self) -> None:
        pass
