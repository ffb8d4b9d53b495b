"""One thread that owns the pycups connection and runs every CUPS call, one at a time.

pycups is not thread-safe (a Connection used from two threads crashes, pycups #43) and
libcups keeps its server choice per thread, so the connection is made, used and closed
in this thread only. Callers hand it a function of the connection and wait, bounded,
for the result.
"""

from __future__ import annotations

import concurrent.futures
import logging
import threading
from collections.abc import Callable
from typing import Any, TypeVar

from devices.printing.errors import CupsUnreachable

log = logging.getLogger(__name__)

T = TypeVar("T")


class CupsWorker:
    def __init__(self, server: str | None = None, call_timeout: float = 30.0) -> None:
        """`server`: a unix socket path or host[:port]; None keeps libcups' default
        ($CUPS_SERVER, then client.conf, then the local socket)."""
        self.server = server
        self.call_timeout = call_timeout
        # A single worker thread is exactly "calls serialised, one connection per thread".
        self._executor = concurrent.futures.ThreadPoolExecutor(
            max_workers=1, thread_name_prefix="cups"
        )
        self._connection: Any = None
        self._lock = threading.Lock()
        self._closed = False

    def call(self, action: Callable[[Any], T], timeout: float | None = None) -> T:
        """Run `action(connection)` in the worker thread; its exceptions reach the caller."""
        with self._lock:
            if self._closed:
                raise CupsUnreachable("the CUPS worker is closed")
            future = self._executor.submit(self._run, action)
        try:
            return future.result(timeout=timeout or self.call_timeout)
        except concurrent.futures.TimeoutError:
            raise CupsUnreachable(
                f"CUPS did not answer within {timeout or self.call_timeout:.0f} s"
            ) from None

    def _run(self, action: Callable[[Any], T]) -> T:
        connection = self._connect()
        try:
            return action(connection)
        except RuntimeError as exc:
            # pycups raises RuntimeError when the HTTP link to cupsd breaks: reconnect next time.
            self._connection = None
            raise CupsUnreachable(f"lost the connection to CUPS ({exc})") from None

    def _connect(self) -> Any:
        if self._connection is None:
            import cups

            if self.server:
                cups.setServer(self.server)
            try:
                self._connection = cups.Connection()
            except RuntimeError as exc:
                where = self.server or cups.getServer()
                raise CupsUnreachable(f"cannot reach CUPS at {where} ({exc})") from None
        return self._connection

    def close(self) -> None:
        with self._lock:
            if self._closed:
                return
            self._closed = True
            self._executor.submit(self._drop)
        self._executor.shutdown(wait=True)

    def _drop(self) -> None:
        self._connection = None
