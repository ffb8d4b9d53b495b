"""The simulated twin of the PC/SC backend: the emulated BELPIC card in an in-process slot.

`kiosk demo` uses it so the whole eID path (recognise, read, verify, PIN, sign, and the
monitor's insert and remove events) runs on a laptop with no reader and no pcscd; only the
last hop differs from production. A card put in or taken out wakes the monitor at once.
"""

from __future__ import annotations

import threading
from collections import deque

from devices.eid.emulator.applet import CardMuteError, CardRemovedError
from devices.eid.emulator.simreader import SimReader
from devices.eid.errors import CardCommunicationError, CardRemoved, NoCard
from devices.eid.monitor import FollowReader, ReaderCallback, ReaderMonitor, ReaderView
from devices.eid.transport import exchange_t0


class SimulatedTransport:
    def __init__(self, reader: SimReader) -> None:
        if not reader.present:
            raise NoCard(f"no card in {reader.name}")
        self.reader = reader
        self._atr = reader.atr()

    @property
    def atr(self) -> bytes:
        return self._atr

    def _raw(self, apdu: bytes | bytearray) -> bytes:
        try:
            return self.reader.transmit(apdu)
        except CardRemovedError:
            raise CardRemoved("the card was removed") from None
        except CardMuteError:
            raise CardCommunicationError("the card does not answer") from None

    def transmit(self, apdu: bytes | bytearray) -> tuple[bytes, int]:
        return exchange_t0(self._raw, apdu)

    def close(self) -> None:
        """Nothing to release: the simulated card stays in its slot."""


class SimulatedReaderStates:
    """The slot's insertions and removals, each one a view for the monitor, in order (a
    card taken out and put back at once is two events, not none)."""

    def __init__(self, reader: SimReader) -> None:
        self._name = reader.name
        self._views: deque[ReaderView] = deque()
        self._cond = threading.Condition()
        self._cancelled = False
        self._unwatch = reader.watch(self._changed)

    def _changed(self, atr: bytes | None) -> None:
        with self._cond:
            self._views.append({self._name: atr})
            self._cond.notify_all()

    def wait(self, timeout: float) -> ReaderView | None:
        with self._cond:
            self._cond.wait_for(lambda: self._views or self._cancelled, timeout)
            if self._cancelled or not self._views:
                return None
            return self._views.popleft()

    def cancel(self) -> None:
        with self._cond:
            self._cancelled = True
            self._cond.notify_all()

    def close(self) -> None:
        self._unwatch()


class SimulatedReader:
    """The eID reader unit with the simulated slot (see `devices.eid.unit.EidReader`): always
    connected, holding whatever card is put in `slot`."""

    def __init__(self, slot: SimReader) -> None:
        self.slot = slot
        self.wanted = slot.name

    def connect(self) -> SimulatedTransport:
        return SimulatedTransport(self.slot)

    def reader_present(self) -> bool:
        return True

    def monitor(self, callback: ReaderCallback, poll: float = 0.5) -> ReaderMonitor:
        return ReaderMonitor(
            SimulatedReaderStates(self.slot), FollowReader(self.wanted, callback), poll
        )

    def close(self) -> None:
        """Nothing to release: the slot lives as long as the demo."""
