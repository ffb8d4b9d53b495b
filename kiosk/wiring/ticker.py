"""A daemon thread that calls a function at a fixed interval until stopped (the session's
Tick about once a second, the printer's readiness every few seconds)."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

log = logging.getLogger(__name__)


class Periodic:
    def __init__(
        self, name: str, interval: float, action: Callable[[], None], *, at_once: bool = False
    ) -> None:
        self.interval = interval
        self._action = action
        self._at_once = at_once
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name=name, daemon=True)

    def start(self) -> Periodic:
        self._thread.start()
        return self

    def stop(self, timeout: float) -> None:
        self._stop.set()
        if self._thread.is_alive() and self._thread is not threading.current_thread():
            self._thread.join(timeout)

    def _run(self) -> None:
        if self._at_once:
            self._call()
        while not self._stop.wait(self.interval):
            self._call()

    def _call(self) -> None:
        try:
            self._action()
        except Exception as exc:  # one bad round must not stop the clock
            log.error("%s failed (%s)", self._thread.name, type(exc).__name__)
