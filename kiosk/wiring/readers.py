"""Card and reader events from pcscd, turned into session events.

The monitor reports every reader; `FollowReader` keeps the one the kiosk follows. Its
callback runs on the monitor thread, so events go out through `emit`, which the runtime
makes hop to the UI thread.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from devices.eid.monitor import FollowReader, ReaderEvent, ReaderMonitor
from devices.eid.pcsc import PcscReaderStates
from session import events as ev

log = logging.getLogger(__name__)

Emit = Callable[[ev.Event], None]


class ReaderWatch:
    def __init__(self, wanted: str, emit: Emit, *, poll: float = 0.5) -> None:
        self.wanted = wanted
        self._emit = emit
        follow = FollowReader(wanted, self._on_event)
        self._monitor = ReaderMonitor(PcscReaderStates(), follow, poll=poll)

    def start(self) -> None:
        self._monitor.start()

    def stop(self, timeout: float) -> None:
        self._monitor.stop(timeout)

    def _on_event(self, event: ReaderEvent) -> None:
        if event.kind == "reader_added":
            log.info("card reader available: %s", event.reader)
            self._emit(ev.ReaderAvailable())
        elif event.kind == "reader_removed":
            log.warning("card reader gone: %s", event.reader)
            self._emit(ev.ReaderGone())
        elif event.kind == "card_inserted":
            self._emit(ev.CardInserted())
        elif event.kind == "card_removed":
            self._emit(ev.CardRemoved())
