"""Card and reader events from pcscd, turned into session events.

`CardMonitor` reports every reader; the kiosk follows one: the configured one (by exact name
or a unique part, as `PcscContext.pick_reader`), or, when none is configured, the first
reader it sees. Its callback runs on the monitor thread, so events go out through `emit`,
which the runtime makes hop to the UI thread.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

from devices.eid.monitor import CardMonitor, ReaderEvent
from session import events as ev

log = logging.getLogger(__name__)

Emit = Callable[[ev.Event], None]


class ReaderWatch:
    def __init__(self, wanted: str, emit: Emit, *, poll: float = 0.5) -> None:
        self.wanted = wanted
        self._emit = emit
        self._followed: str | None = None
        self._lock = threading.Lock()
        self._monitor = CardMonitor(self._on_event, poll=poll)

    def start(self) -> None:
        self._monitor.start()

    def stop(self, timeout: float) -> None:
        self._monitor.stop(timeout)

    def _matches(self, reader: str) -> bool:
        if self._followed is not None:
            return reader == self._followed
        if not self.wanted:
            return True
        return reader == self.wanted or self.wanted.lower() in reader.lower()

    def _on_event(self, event: ReaderEvent) -> None:
        with self._lock:
            if not self._matches(event.reader):
                return
            if event.kind == "reader_added":
                self._followed = event.reader
                log.info("card reader available: %s", event.reader)
                self._emit(ev.ReaderAvailable())
            elif event.kind == "reader_removed":
                self._followed = None
                log.warning("card reader gone: %s", event.reader)
                self._emit(ev.ReaderGone())
            elif event.kind == "card_inserted":
                self._followed = event.reader
                self._emit(ev.CardInserted())
            elif event.kind == "card_removed":
                self._emit(ev.CardRemoved())
