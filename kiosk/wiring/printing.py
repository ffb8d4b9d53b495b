"""The printers' side of the runtime: certificate jobs, receipts, readiness, the spool port.

`print_certificate` runs on the print worker: it writes the holder's document into the
session's tmpfs directory only for as long as the printer needs the file (CUPS and the
simulated twin take a copy at submit), then follows the job and reports through `emit`.
"""

from __future__ import annotations

import contextlib
import logging
import os
import threading
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any

from devices.printing import (
    DocumentPrinter,
    JobOutcome,
    JobProgress,
    JobState,
    Level,
    ReceiptContent,
    ReceiptPrinter,
)
from devices.printing.errors import JobRefused, PrintingError, QueueNotFound
from kiosk.wiring.api import zero_and_unlink
from session import events as ev
from session.problems import PrinterStatus, PrintProblem
from session.wipe import prepare_session_dir

log = logging.getLogger(__name__)

Emit = Callable[[ev.Event], None]
CERTIFICATE_FILE = "certificate.pdf"


def printer_status(level: Level) -> PrinterStatus:
    return {
        Level.READY: PrinterStatus.READY,
        Level.DEGRADED: PrinterStatus.DEGRADED,
        Level.UNAVAILABLE: PrinterStatus.UNAVAILABLE,
    }[level]


def submit_problem(exc: BaseException) -> PrintProblem:
    if isinstance(exc, JobRefused | QueueNotFound):
        return PrintProblem.UNAVAILABLE
    return PrintProblem.FAILED


def outcome_problem(outcome: JobOutcome) -> PrintProblem:
    if outcome.timed_out:
        return PrintProblem.TIMEOUT
    reason = outcome.reason.lower()
    if "media-empty" in reason or "media-needed" in reason or "paper" in reason:
        return PrintProblem.PAPER_OUT
    if "jam" in reason:
        return PrintProblem.JAM
    if outcome.state is JobState.STOPPED:
        return PrintProblem.UNAVAILABLE
    return PrintProblem.FAILED


class Spool:
    """The `PrintSpool` port over a DocumentPrinter, plus which session each job belongs to.

    Thread-safe: the print worker records jobs, the wipe purges them. A job submitted after
    its session was wiped is purged at once (`record` says so), so a late job never prints
    for a citizen who has gone.
    """

    def __init__(self, printer: DocumentPrinter) -> None:
        self.printer = printer
        self._owner: dict[int, str] = {}
        self._wiped: set[str] = set()
        self._lock = threading.Lock()

    def record(self, job_id: int, session_id: str) -> bool:
        """Remember the job; False when its session was already wiped (then purge it)."""
        with self._lock:
            self._owner[job_id] = session_id
            return session_id not in self._wiped

    def is_wiped(self, session_id: str) -> bool:
        with self._lock:
            return session_id in self._wiped

    def wiped(self, session_id: str) -> tuple[int, ...]:
        """Mark the session wiped; the jobs it has in the spool."""
        with self._lock:
            if session_id:
                self._wiped.add(session_id)
            return tuple(sorted(j for j, s in self._owner.items() if s == session_id))

    # -- PrintSpool ------------------------------------------------------------------------

    def purge(self, job_ids: Sequence[int]) -> None:
        with self._lock:
            sessions = {self._owner[j] for j in job_ids if j in self._owner}
            strays = [j for j in job_ids if j not in self._owner]
        for session_id in sorted(sessions):
            report = self.printer.purge_session(session_id)
            with self._lock:
                for job in report.purged:
                    self._owner.pop(job, None)
        for job in strays:  # jobs of a dead process (crash recovery)
            self.printer.cancel(job, purge=True)

    def remaining(self, job_ids: Sequence[int]) -> list[int]:
        known = self.printer.known_job_ids()
        if known is not None:
            return sorted(j for j in job_ids if j in known)
        with self._lock:
            return sorted(j for j in job_ids if j in self._owner)

    def active_jobs(self) -> list[int]:
        known = self.printer.known_job_ids()
        if known is not None:
            return sorted(known)
        with self._lock:
            return sorted(self._owner)


def write_private(path: Path, data: bytearray) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o600)
    with os.fdopen(fd, "wb", buffering=0) as handle:
        handle.write(data)


def print_certificate(
    printer: DocumentPrinter,
    spool: Spool,
    document: bytearray,
    session_dir: Path,
    session_id: str,
    *,
    pages: int,
    timeout: float,
    emit: Emit,
) -> None:
    """Print the holder's document; every outcome goes out as an event through `emit`."""
    if spool.is_wiped(session_id):
        return  # too late: the session is gone, and its folder must stay gone
    prepare_session_dir(session_dir)
    pdf = session_dir / CERTIFICATE_FILE
    try:
        zero_and_unlink(pdf)  # a retried print writes afresh
        write_private(pdf, document)
        job_id = printer.submit(pdf, session_id=session_id)
    except (PrintingError, OSError) as exc:
        log.warning("certificate not accepted by the printer: %s", type(exc).__name__)
        emit(ev.PrintFailed(submit_problem(exc)))
        return
    finally:
        zero_and_unlink(pdf)
    if not spool.record(job_id, session_id):
        spool.purge([job_id])
        return
    emit(ev.PrintQueued(job_id))
    total = max(1, pages)

    def progress(update: JobProgress) -> None:
        emit(ev.PrintProgress(min(update.pages_done, total), total))

    try:
        outcome = printer.follow(job_id, timeout=timeout, on_progress=progress)
    except PrintingError as exc:
        log.warning("lost track of certificate job %d: %s", job_id, type(exc).__name__)
        emit(ev.PrintFailed(PrintProblem.FAILED))
        return
    if outcome.completed:
        emit(ev.PrintCompleted())
        return
    log.warning("certificate job %d: %s", job_id, outcome.reason)
    with contextlib.suppress(PrintingError):
        printer.cancel(job_id, purge=True)  # it must not come out later, when the citizen has gone
    emit(ev.PrintFailed(outcome_problem(outcome)))


def print_receipt(printer: ReceiptPrinter, content: ReceiptContent) -> bool:
    """Whether the receipt is confirmed printed: the printer answered after it and was not
    then out of paper, open or offline (a receipt cut short by the roll's end is no receipt).
    Never logs the content (its verification code proves the document)."""
    try:
        outcome = printer.print_receipt(content)
    except PrintingError as exc:  # the printer's state or the link's error: no receipt words
        log.warning("receipt not printed: %s", exc)
        return False
    except OSError as exc:  # a link that broke in a way the backend does not name
        log.warning("receipt not printed: %s", type(exc).__name__)
        return False
    if not outcome.confirmed:
        log.warning("receipt sent but the printer did not confirm it")
        return False
    if outcome.after.level is Level.UNAVAILABLE:
        log.warning("receipt printer unavailable after the receipt: %s", outcome.after.state.value)
        return False
    return True


def job_ids(values: Iterable[Any]) -> tuple[int, ...]:
    return tuple(sorted({int(v) for v in values}))
