"""A named worker thread with a job queue, stoppable within a bound.

Why not concurrent.futures: its threads cannot be joined with a timeout, and `stop()` must
return in bounded time even when a device call hangs (the thread is a daemon and is left
behind, logged).
"""

from __future__ import annotations

import logging
import queue
import threading
from collections.abc import Callable

log = logging.getLogger(__name__)

Job = Callable[[], None]
_STOP = object()


class Worker:
    """Runs jobs one after the other, in submission order, on one thread."""

    def __init__(self, name: str) -> None:
        self.name = name
        self._jobs: queue.SimpleQueue[object] = queue.SimpleQueue()
        self._thread = threading.Thread(target=self._run, name=name, daemon=True)
        self._started = False
        self._stopped = False

    def start(self) -> Worker:
        if not self._started:
            self._started = True
            self._thread.start()
        return self

    def submit(self, job: Job) -> bool:
        """Queue `job`; False when the worker has stopped and the job will never run."""
        if self._stopped:
            log.debug("%s: job refused after stop", self.name)
            return False
        self.start()
        self._jobs.put(job)
        return True

    def stop_soon(self) -> None:
        """Refuse new jobs and end after the queued ones, without waiting (`stop` waits)."""
        if self._stopped:
            return
        self._stopped = True
        if self._started:
            self._jobs.put(_STOP)

    def stop(self, timeout: float) -> bool:
        """Stop after the queued jobs; True when the thread ended within `timeout`."""
        self.stop_soon()
        if not self._started:
            return True
        self._thread.join(timeout)
        if self._thread.is_alive():
            log.warning("%s: still busy after %.1f s; left behind", self.name, timeout)
            return False
        return True

    @property
    def on_this_thread(self) -> bool:
        return threading.current_thread() is self._thread

    def _run(self) -> None:
        while True:
            job = self._jobs.get()
            if job is _STOP:
                return
            try:
                job()  # type: ignore[operator]
            except Exception as exc:  # a job's own errors are its business; never kill the thread
                log.error("%s: a job failed (%s)", self.name, type(exc).__name__)
