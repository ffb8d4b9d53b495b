"""Card and reader events from PC/SC, delivered from a worker thread.

A loop on SCardGetStatusChange (the call pyscard's CardMonitor polls too, here with
`\\\\?PnP?\\Notification` so reader plug and unplug wake it at once) reports insertions,
removals and readers coming and going to a callback. The callback runs on the worker
thread; the kiosk hops to the Kivy thread with Clock.schedule_once. The loop wakes at least
every `poll` seconds to notice `stop()`, and survives pcscd restarts.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

from smartcard import scard

log = logging.getLogger(__name__)

PNP_NOTIFICATION = "\\\\?PnP?\\Notification"

EventKind = Literal["card_inserted", "card_removed", "reader_added", "reader_removed"]


@dataclass(frozen=True)
class ReaderEvent:
    kind: EventKind
    reader: str
    atr: bytes = b""


class CardMonitor:
    def __init__(self, callback: Callable[[ReaderEvent], None], poll: float = 0.5) -> None:
        self._callback = callback
        self._poll_ms = int(poll * 1000)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="eid-monitor", daemon=True)
        self._context: int | None = None

    def start(self) -> CardMonitor:
        self._thread.start()
        return self

    def stop(self, timeout: float = 5.0) -> None:
        self._stop.set()
        if self._context is not None:
            scard.SCardCancel(self._context)  # wake a blocked SCardGetStatusChange now
        self._thread.join(timeout)

    def _emit(self, event: ReaderEvent) -> None:
        try:
            self._callback(event)
        except Exception:  # a faulty listener must not kill the monitor
            log.exception("card event listener failed")

    def _run(self) -> None:
        known: dict[str, int] = {}  # reader -> last event state
        while not self._stop.is_set():
            result, context = scard.SCardEstablishContext(scard.SCARD_SCOPE_USER)
            if result != scard.SCARD_S_SUCCESS:
                self._stop.wait(self._poll_ms / 1000)  # pcscd not (yet) there
                continue
            self._context = context
            try:
                self._watch(context, known)
            finally:
                self._context = None
                scard.SCardReleaseContext(context)
        log.debug("card monitor stopped")

    def _watch(self, context: int, known: dict[str, int]) -> None:
        pnp_state = scard.SCARD_STATE_UNAWARE
        while not self._stop.is_set():
            result, names = scard.SCardListReaders(context, [])
            names = list(names) if result == scard.SCARD_S_SUCCESS else []
            for gone in [r for r in known if r not in names]:
                if known.pop(gone) & scard.SCARD_STATE_PRESENT:
                    self._emit(ReaderEvent("card_removed", gone))
                self._emit(ReaderEvent("reader_removed", gone))
            for new in [r for r in names if r not in known]:
                known[new] = scard.SCARD_STATE_UNAWARE
                self._emit(ReaderEvent("reader_added", new))
            states = [(r, known[r]) for r in names] + [(PNP_NOTIFICATION, pnp_state)]
            result, changed = scard.SCardGetStatusChange(context, self._poll_ms, states)
            if result in (scard.SCARD_E_TIMEOUT, scard.SCARD_E_CANCELLED):
                continue
            if result != scard.SCARD_S_SUCCESS:
                if result in (scard.SCARD_E_NO_SERVICE, scard.SCARD_E_SERVICE_STOPPED):
                    return  # pcscd went away: establish a new context
                self._stop.wait(self._poll_ms / 1000)
                continue
            for name, state, atr in changed:
                if name == PNP_NOTIFICATION:
                    pnp_state = state & ~scard.SCARD_STATE_CHANGED
                    continue
                self._reader_changed(name, state & ~scard.SCARD_STATE_CHANGED, bytes(atr), known)

    def _reader_changed(self, name: str, state: int, atr: bytes, known: dict[str, int]) -> None:
        before = known.get(name, scard.SCARD_STATE_UNAWARE)
        known[name] = state
        was_present = bool(before & scard.SCARD_STATE_PRESENT)
        is_present = bool(state & scard.SCARD_STATE_PRESENT)
        if is_present and not was_present:
            self._emit(ReaderEvent("card_inserted", name, atr))
        elif was_present and not is_present:
            self._emit(ReaderEvent("card_removed", name))
