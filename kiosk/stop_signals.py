"""SIGTERM, SIGINT and SIGHUP stop the kiosk cleanly (`kiosk run`, `kiosk demo`).

By default SDL takes SIGTERM and SIGINT and turns them into a quit request, which the app
refuses like any close request (a citizen must not close the kiosk): systemd's stop then
ended in SIGKILL and the last wipe never ran. kiosk.kivy_setup tells SDL to leave signals
alone; these handlers take them instead.

The stop is the app's own (App.stop -> on_stop -> stop_runtime -> Runtime.stop): the open
session wiped (citizen data, print jobs cancelled and purged, the citizen's session ended
at the city), the card logged off, the workers stopped, each bounded by the runtime's
budget. A guard thread holds the whole stop to `limit_s`: past it (a device that never
answers, a main loop that does not come back) it logs one line and ends the process with
EXIT_STOP_UNFINISHED; the next start wipes what was left (session.recovery). Once the stop
is done, the process has EXIT_GRACE_S to end; a thread that holds its exit (a device
library's pool waiting for a server that does not answer) is cut then: one line, exit 0.

Python runs a handler on the main thread (Kivy's) between two bytecodes, possibly inside
Kivy's own code: the handler only sets an event. The guard thread, started beforehand,
schedules the stop on the Kivy clock (thread-safe) and watches the time.
"""

from __future__ import annotations

import logging
import os
import signal
import threading
import time
from collections.abc import Callable
from types import FrameType

log = logging.getLogger(__name__)

SIGNALS = (signal.SIGTERM, signal.SIGINT, signal.SIGHUP)
LIMIT_S = 10.0  # the runtime's own stop budget is 3 s (kiosk.wiring.kiosk_runtime)
EXIT_GRACE_S = 3.0  # from the end of the stop to the end of the process
EXIT_STOP_UNFINISHED = 1


class StopOnSignals:
    """`StopOnSignals(request_stop).install()`; `request_stop` runs on the Kivy thread (the
    app's `stop`). After the app has stopped, `finished(clean)` logs how the stop went."""

    def __init__(
        self,
        request_stop: Callable[[], None],
        *,
        limit_s: float = LIMIT_S,
        schedule: Callable[[Callable[[], None]], None] | None = None,
    ) -> None:
        self._request_stop = request_stop
        self._limit_s = limit_s
        self._schedule = schedule or _on_kivy_thread
        self._asked = threading.Event()
        self._done = threading.Event()
        self.signal: signal.Signals | None = None
        self._asked_at = 0.0
        self._guard = threading.Thread(target=self._watch, name="kiosk-stop-guard", daemon=True)

    def install(self) -> StopOnSignals:
        self._guard.start()
        for number in SIGNALS:
            signal.signal(number, self._on_signal)
        return self

    def finished(self, clean: bool | None) -> None:
        """The app has stopped: one line when a signal stopped it (none otherwise)."""
        self._done.set()
        if self.signal is None:
            return
        took = time.monotonic() - self._asked_at
        if clean is False:
            log.warning(
                "stopped on %s in %.2f s, not cleanly (see the lines above)", self.signal.name, took
            )
        else:
            log.info(
                "stopped on %s in %.2f s, cleanly: the last wipe verified, the card released",
                self.signal.name,
                took,
            )

    def _on_signal(self, number: int, _frame: FrameType | None) -> None:
        if self.signal is not None:
            return  # already stopping: a second signal changes nothing
        self.signal = signal.Signals(number)
        self._asked_at = time.monotonic()
        self._asked.set()

    def _watch(self) -> None:
        self._asked.wait()
        self._schedule(self._request_stop)
        name = self.signal.name if self.signal is not None else "a signal"
        if not self._done.wait(self._limit_s):
            _exit_now(
                EXIT_STOP_UNFINISHED,
                f"stop on {name} not finished within {self._limit_s:.0f} s: exiting without it "
                "(the next start wipes what is left)",
            )
        # Stopped: the process ends by itself unless a thread it must wait for at exit hangs
        # (a device library's thread pool stuck on a server that does not answer).
        time.sleep(EXIT_GRACE_S)
        _exit_now(
            0,
            f"the process did not end within {EXIT_GRACE_S:.0f} s of its stop on {name} "
            "(a device's thread does not end): ending it",
        )


def _exit_now(code: int, line: str) -> None:
    log.error("%s", line)
    for handler in logging.getLogger().handlers:
        handler.flush()
    os._exit(code)


def _on_kivy_thread(fn: Callable[[], None]) -> None:
    from kivy.clock import Clock

    Clock.schedule_once(lambda _dt: fn(), 0)
