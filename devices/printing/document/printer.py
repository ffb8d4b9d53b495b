"""What the session needs from the certificate printer, and what both backends share.

The CUPS backend (cups_printer) and its simulated twin (simulated) have this interface;
`print_pdf`, which submits a job and follows it to its end, is written once here for both,
so the twin cannot drift from the real printer.
"""

from __future__ import annotations

import enum
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from devices.printing.errors import NotAPdf
from devices.printing.readiness import Readiness


class JobState(enum.IntEnum):
    """IPP job-state values."""

    PENDING = 3
    HELD = 4
    PROCESSING = 5
    STOPPED = 6
    CANCELED = 7
    ABORTED = 8
    COMPLETED = 9

    @property
    def final(self) -> bool:
        # "stopped" is final for a kiosk: nobody is there to restart the printer mid-journey.
        return self >= JobState.STOPPED

    @property
    def label(self) -> str:
        return self.name.lower()


@dataclass(frozen=True)
class JobProgress:
    job_id: int
    state: JobState
    pages_done: int
    reasons: tuple[str, ...]
    elapsed: float


@dataclass(frozen=True)
class JobOutcome:
    job_id: int
    state: JobState | None
    """The last state seen; None if not even that could be read."""
    timed_out: bool
    reason: str
    pages_done: int
    elapsed: float

    @property
    def completed(self) -> bool:
        return self.state is JobState.COMPLETED and not self.timed_out

    @property
    def status(self) -> str:
        """completed, canceled, aborted, stopped or timed-out."""
        if self.timed_out:
            return "timed-out"
        return self.state.label if self.state is not None else "unknown"

    def as_dict(self) -> dict[str, Any]:
        return {
            "job_id": self.job_id,
            "status": self.status,
            "reason": self.reason,
            "pages_done": self.pages_done,
            "elapsed_s": round(self.elapsed, 3),
        }


@dataclass(frozen=True)
class PurgeReport:
    purged: tuple[int, ...]
    left: tuple[int, ...]
    """Jobs CUPS still lists after the purge: the wipe must report them."""

    @property
    def clean(self) -> bool:
        return not self.left


ProgressCallback = Callable[[JobProgress], None]


class DocumentPrinter(Protocol):
    """What the session needs from the certificate printer (CUPS or the simulated twin)."""

    @property
    def queue(self) -> str: ...

    def readiness(self) -> Readiness: ...

    def submit(
        self, pdf: Path, *, session_id: str, copies: int = 1, two_sided: bool = False
    ) -> int: ...

    def follow(
        self, job_id: int, *, timeout: float, on_progress: ProgressCallback | None = None
    ) -> JobOutcome: ...

    def cancel(self, job_id: int, *, purge: bool = False) -> bool: ...

    def purge_session(self, session_id: str) -> PurgeReport: ...

    def known_job_ids(self) -> set[int] | None:
        """Every job the printer still lists for this kiosk, finished or not; None when it
        keeps no such list (the spool then goes by the jobs it recorded)."""

    def close(self) -> None: ...


def check_pdf(pdf: Path) -> None:
    """A readable file that starts like a PDF, or NotAPdf."""
    try:
        with pdf.open("rb") as handle:
            head = handle.read(1024)
    except OSError as exc:
        raise NotAPdf(f"{pdf}: cannot read it ({exc.strerror})") from None
    # The PDF spec allows junk before the header within the first 1024 bytes.
    if b"%PDF-" not in head:
        raise NotAPdf(f"{pdf}: not a PDF file")


def print_options(copies: int, two_sided: bool) -> dict[str, str]:
    if not 1 <= copies <= 10:
        raise ValueError("copies must be between 1 and 10")
    return {
        "copies": str(copies),
        "media": "A4",
        "sides": "two-sided-long-edge" if two_sided else "one-sided",
    }


def print_pdf(
    printer: DocumentPrinter,
    pdf: Path,
    *,
    session_id: str,
    timeout: float,
    copies: int = 1,
    on_progress: ProgressCallback | None = None,
) -> JobOutcome:
    """Submit and follow. A job that did not complete is cancelled and purged, so it
    cannot come out later, when the citizen has gone."""
    job_id = printer.submit(pdf, session_id=session_id, copies=copies)
    outcome = printer.follow(job_id, timeout=timeout, on_progress=on_progress)
    if not outcome.completed:
        printer.cancel(job_id, purge=True)
    return outcome
