"""Card and reader events, the same for every backend, delivered from a worker thread.

A backend says which readers it has and what each holds (`ReaderStates`): PC/SC by waiting
in SCardGetStatusChange (`devices.eid.pcsc`), the simulated reader the moment its card goes
in or out (`devices.eid.simulated`). The monitor compares each view with the one before and
reports insertions, removals and readers coming and going to a callback. The callback runs
on the monitor's thread; the kiosk hops to the Kivy thread itself. The monitor wakes at
least every `poll` seconds to notice `stop()`.

`FollowReader` narrows the events to the one reader the kiosk follows.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Literal, Protocol

log = logging.getLogger(__name__)

EventKind = Literal["card_inserted", "card_removed", "reader_added", "reader_removed"]

# Reader name -> the ATR of the card in it, None when it holds none.
ReaderView = Mapping[str, bytes | None]


@dataclass(frozen=True)
class ReaderEvent:
    kind: EventKind
    reader: str
    atr: bytes = b""


ReaderCallback = Callable[[ReaderEvent], None]


class ReaderStates(Protocol):
    """What a backend tells the monitor. Used by the monitor's thread only, but `cancel`."""

    def wait(self, timeout: float) -> ReaderView | None:
        """The readers now, as soon as something may have changed, or after `timeout`
        seconds; None when the backend cannot tell (the monitor keeps what it knew)."""
        ...

    def cancel(self) -> None:
        """Wake a `wait` in progress now, from another thread: the monitor is stopping."""
        ...

    def close(self) -> None: ...


class ReaderMonitor:
    def __init__(self, states: ReaderStates, callback: ReaderCallback, poll: float = 0.5) -> None:
        self._states = states
        self._callback = callback
        self._poll = poll
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="eid-monitor", daemon=True)

    def start(self) -> ReaderMonitor:
        self._thread.start()
        return self

    def stop(self, timeout: float = 5.0) -> None:
        self._stop.set()
        self._states.cancel()
        self._thread.join(timeout)

    def _emit(self, event: ReaderEvent) -> None:
        try:
            self._callback(event)
        except Exception as exc:  # a faulty listener must not kill the monitor
            # Its type only: the listener's message may hold what the card said.
            log.error("card event listener failed (%s)", type(exc).__name__)

    def _run(self) -> None:
        known: dict[str, bytes | None] = {}
        try:
            while not self._stop.is_set():
                view = self._states.wait(self._poll)
                if view is not None:
                    self._compare(known, view)
        finally:
            self._states.close()
        log.debug("card monitor stopped")

    def _compare(self, known: dict[str, bytes | None], view: ReaderView) -> None:
        for gone in [r for r in known if r not in view]:
            if known.pop(gone) is not None:
                self._emit(ReaderEvent("card_removed", gone))
            self._emit(ReaderEvent("reader_removed", gone))
        for new in [r for r in view if r not in known]:
            known[new] = None
            self._emit(ReaderEvent("reader_added", new))
        for reader, atr in view.items():
            before, known[reader] = known[reader], atr
            if atr is not None and before is None:
                self._emit(ReaderEvent("card_inserted", reader, atr))
            elif before is not None and atr is None:
                self._emit(ReaderEvent("card_removed", reader))


class FollowReader:
    """Passes on the events of one reader: the configured one (by exact name or a part of
    it, as `PcscContext.pick_reader`), or, when none is configured, the first reader seen;
    once a reader is followed, that one until it goes away."""

    def __init__(self, wanted: str, callback: ReaderCallback) -> None:
        self.wanted = wanted
        self._callback = callback
        self._followed: str | None = None
        self._lock = threading.Lock()

    def _matches(self, reader: str) -> bool:
        if self._followed is not None:
            return reader == self._followed
        if not self.wanted:
            return True
        return reader == self.wanted or self.wanted.lower() in reader.lower()

    def __call__(self, event: ReaderEvent) -> None:
        with self._lock:
            if not self._matches(event.reader):
                return
            if event.kind in ("reader_added", "card_inserted"):
                self._followed = event.reader
            elif event.kind == "reader_removed":
                self._followed = None
            self._callback(event)
