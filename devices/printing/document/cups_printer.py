"""The certificate printer through CUPS (pycups): submit, follow, check, purge.

Every CUPS call runs in one worker thread (see cups_worker). A job is followed by polling
its job-state until a final state or the timeout; the caller gets each change through a
callback (the screens show it). Jobs are remembered per session so that the wipe can
cancel and purge them all, and then check that CUPS has none of them left.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from devices.printing.document.cups_readiness import cups_readiness
from devices.printing.document.cups_worker import CupsWorker
from devices.printing.document.printer import (
    JobOutcome,
    JobProgress,
    JobState,
    ProgressCallback,
    PurgeReport,
    check_pdf,
    print_options,
)
from devices.printing.errors import (
    CupsUnreachable,
    JobRefused,
    PrintingError,
    QueueNotFound,
)
from devices.printing.readiness import Level, Readiness

log = logging.getLogger(__name__)

PRINTER_ATTRIBUTES = [
    "printer-state",
    "printer-state-reasons",
    "printer-state-message",
    "printer-is-accepting-jobs",
]
JOB_ATTRIBUTES = [
    "job-state",
    "job-state-reasons",
    "job-impressions-completed",
    "job-printer-state-message",
]
# IPP status codes (RFC 8011 / CUPS ipp.h) that pycups reports in IPPError.args[0].
IPP_NOT_FOUND = 0x0406
IPP_NOT_POSSIBLE = 0x0404
IPP_NOT_ACCEPTING = 0x0506

POLL_INTERVAL = 0.05
QUEUE_CHECK_INTERVAL = 1.0


def _ipp_status(exc: Exception) -> int:
    return int(exc.args[0]) if exc.args and isinstance(exc.args[0], int) else -1


def _ipp_message(exc: Exception) -> str:
    return str(exc.args[1]) if len(exc.args) > 1 else str(exc)


class CupsDocumentPrinter:
    """The real certificate printer: one CUPS queue through pycups."""

    def __init__(
        self, queue: str = "", *, server: str | None = None, call_timeout: float = 30.0
    ) -> None:
        self._queue = queue
        self._worker = CupsWorker(server, call_timeout)
        self._jobs: dict[str, list[int]] = {}
        self._jobs_lock = threading.Lock()
        self._sequence = 0

    # -- the queue ---------------------------------------------------------------------------

    @property
    def queue(self) -> str:
        """The configured queue, or the server's default destination when none is set."""
        if not self._queue:
            default = self._worker.call(lambda conn: conn.getDefault())
            if not default:
                raise QueueNotFound("no queue is configured and CUPS has no default destination")
            self._queue = str(default)
        return self._queue

    def attributes(self) -> dict[str, Any]:
        import cups

        queue = self.queue

        def fetch(conn: Any) -> dict[str, Any]:
            try:
                return dict(
                    conn.getPrinterAttributes(queue, requested_attributes=PRINTER_ATTRIBUTES)
                )
            except cups.IPPError as exc:
                if _ipp_status(exc) == IPP_NOT_FOUND:
                    raise QueueNotFound(f"CUPS has no queue named {queue!r}") from None
                raise CupsUnreachable(
                    f"CUPS refused to describe {queue!r}: {_ipp_message(exc)}"
                ) from None

        return self._worker.call(fetch)

    def readiness(self) -> Readiness:
        """Ready, degraded or unavailable, never an exception: a missing CUPS is 'unavailable'."""
        try:
            return cups_readiness(self.attributes())
        except PrintingError as exc:
            return Readiness(Level.UNAVAILABLE, str(exc))

    # -- jobs --------------------------------------------------------------------------------

    def submit(
        self,
        pdf: Path,
        *,
        session_id: str,
        copies: int = 1,
        two_sided: bool = False,
        hold: bool = False,
    ) -> int:
        """Queue the PDF; the job id. The job is remembered under `session_id` for the wipe.

        `hold` queues it held until released (`lp -i N -H resume`): for IT, and for tests
        that need a job caught half-way."""
        import cups

        check_pdf(pdf)
        options = print_options(copies, two_sided)
        if hold:
            options["job-hold-until"] = "indefinite"
        queue = self.queue
        with self._jobs_lock:
            self._sequence += 1
            # The title ends up in CUPS logs and some backends' file names: no citizen data.
            title = f"kiosk-{session_id[:8]}-{self._sequence}"

        def send(conn: Any) -> int:
            try:
                return int(conn.printFile(queue, str(pdf), title, options))
            except cups.IPPError as exc:
                status, message = _ipp_status(exc), _ipp_message(exc)
                if status == IPP_NOT_ACCEPTING:
                    raise JobRefused(f"queue {queue!r} is not accepting jobs") from None
                if status == IPP_NOT_FOUND or not self._exists(conn, queue):
                    raise QueueNotFound(f"CUPS has no queue named {queue!r}") from None
                raise JobRefused(f"CUPS refused the job on {queue!r}: {message}") from None

        job_id = self._worker.call(send)
        with self._jobs_lock:
            self._jobs.setdefault(session_id, []).append(job_id)
        log.debug("certificate job %d queued on %s", job_id, queue)
        return job_id

    @staticmethod
    def _exists(conn: Any, queue: str) -> bool:
        # CUPS answers printFile on an unknown queue with a vague internal error.
        return queue in conn.getPrinters()

    def job_progress(self, job_id: int, started: float) -> JobProgress:
        import cups

        def fetch(conn: Any) -> dict[str, Any]:
            try:
                return dict(conn.getJobAttributes(job_id, requested_attributes=JOB_ATTRIBUTES))
            except cups.IPPError as exc:
                raise PrintingError(f"job {job_id}: {_ipp_message(exc)}") from None

        attributes = self._worker.call(fetch)
        reasons = attributes.get("job-state-reasons") or []
        return JobProgress(
            job_id=job_id,
            state=JobState(int(attributes["job-state"])),
            pages_done=int(attributes.get("job-impressions-completed") or 0),
            reasons=tuple([reasons] if isinstance(reasons, str) else reasons),
            elapsed=time.monotonic() - started,
        )

    def follow(
        self, job_id: int, *, timeout: float, on_progress: ProgressCallback | None = None
    ) -> JobOutcome:
        """Poll the job until a final state or `timeout`; every change goes to `on_progress`.

        A job still waiting while its queue has become unavailable (paused, rejecting, out
        of paper) is reported as stopped right away rather than at the timeout.
        """
        started = time.monotonic()
        deadline = started + timeout
        last: JobProgress | None = None
        next_queue_check = started + QUEUE_CHECK_INTERVAL
        while True:
            progress = self.job_progress(job_id, started)
            if on_progress is not None and (
                last is None
                or (progress.state, progress.pages_done) != (last.state, last.pages_done)
            ):
                on_progress(progress)
            last = progress
            if progress.state.final:
                return JobOutcome(
                    job_id,
                    progress.state,
                    False,
                    self._final_reason(progress),
                    progress.pages_done,
                    progress.elapsed,
                )
            now = time.monotonic()
            if progress.state in (JobState.PENDING, JobState.HELD) and now >= next_queue_check:
                next_queue_check = now + QUEUE_CHECK_INTERVAL
                queue = self.readiness()
                if queue.level is Level.UNAVAILABLE:
                    return JobOutcome(
                        job_id, JobState.STOPPED, False, queue.reason, 0, progress.elapsed
                    )
            if now >= deadline:
                return JobOutcome(
                    job_id,
                    progress.state,
                    True,
                    f"not printed within {timeout:.0f} s (job {progress.state.label})",
                    progress.pages_done,
                    progress.elapsed,
                )
            time.sleep(min(POLL_INTERVAL, max(0.0, deadline - now)))

    def _final_reason(self, progress: JobProgress) -> str:
        if progress.state is JobState.COMPLETED:
            return "printed"
        reasons = [r for r in progress.reasons if r not in ("none", "processing-to-stop-point")]
        detail = f" ({', '.join(reasons)})" if reasons else ""
        return f"job {progress.state.label}{detail}"

    def cancel(self, job_id: int, *, purge: bool = False) -> bool:
        """Cancel (and purge) one job; False if CUPS no longer knows it."""
        import cups

        def cancel(conn: Any) -> bool:
            try:
                conn.cancelJob(job_id, purge_job=purge)
            except cups.IPPError as exc:
                if _ipp_status(exc) == IPP_NOT_FOUND:
                    return False
                # Already completed and not purging: nothing to cancel.
                if _ipp_status(exc) == IPP_NOT_POSSIBLE and not purge:
                    return False
                raise PrintingError(f"cannot cancel job {job_id}: {_ipp_message(exc)}") from None
            return True

        return self._worker.call(cancel)

    def known_job_ids(self) -> set[int]:
        """Every job CUPS still lists on the kiosk's queue, finished or not.

        Only this queue: a CUPS server may serve other queues (and other clients), whose
        jobs are none of the kiosk's business, not even after a crash.
        """
        queue = self.queue

        def fetch(conn: Any) -> set[int]:
            name = queue or conn.getDefault() or ""
            ids: set[int] = set()
            for which in ("not-completed", "completed"):
                # pycups lists nothing unless job-id is among the attributes asked for.
                wanted = ["job-id", "job-printer-uri"]
                jobs = conn.getJobs(which_jobs=which, requested_attributes=wanted)
                ids.update(
                    job_id
                    for job_id, attributes in jobs.items()
                    if str(attributes.get("job-printer-uri", "")).endswith(f"/printers/{name}")
                )
            return ids

        return self._worker.call(fetch)

    def session_jobs(self, session_id: str) -> tuple[int, ...]:
        with self._jobs_lock:
            return tuple(self._jobs.get(session_id, ()))

    def purge_session(self, session_id: str) -> PurgeReport:
        """Cancel and purge every job of the session, finished ones too, then check."""
        jobs = self.session_jobs(session_id)
        for job_id in jobs:
            self.cancel(job_id, purge=True)
        return self._verify_gone(session_id, jobs)

    def purge_queue(self) -> PurgeReport:
        """Cancel and purge every job on the kiosk's queue (at start-up, after a crash)."""
        queue = self.queue
        before = self.known_job_ids()
        self._worker.call(lambda conn: conn.cancelAllJobs(name=queue, purge_jobs=True))
        left = self.known_job_ids() & before
        return PurgeReport(tuple(sorted(before - left)), tuple(sorted(left)))

    def _verify_gone(self, session_id: str, jobs: Iterable[int]) -> PurgeReport:
        asked = set(jobs)
        left = asked & self.known_job_ids()
        with self._jobs_lock:
            remaining = [job for job in self._jobs.pop(session_id, []) if job in left]
            if remaining:
                self._jobs[session_id] = remaining  # a later wipe retries them
        if left:
            log.warning("purge left %d job(s) in the CUPS spool", len(left))
        return PurgeReport(tuple(sorted(asked - left)), tuple(sorted(left)))

    def test_page(self) -> int:
        """CUPS's own test page on the queue; the job id (not tied to any session)."""
        import cups

        queue = self.queue

        def send(conn: Any) -> int:
            try:
                return int(conn.printTestPage(queue))
            except cups.IPPError as exc:
                if _ipp_status(exc) == IPP_NOT_ACCEPTING:
                    raise JobRefused(f"queue {queue!r} is not accepting jobs") from None
                raise JobRefused(f"CUPS refused the test page: {_ipp_message(exc)}") from None

        return self._worker.call(send)

    def close(self) -> None:
        self._worker.close()
