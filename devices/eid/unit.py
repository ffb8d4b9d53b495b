"""One eID reader unit: the interface the kiosk drives, whatever the backend.

Two backends: PC/SC through pcscd (`devices.eid.pcsc.PcscReader`) and its simulated twin
(`devices.eid.simulated.SimulatedReader`). Both report the reader's events through the same
monitor (`devices.eid.monitor.ReaderMonitor`), and a `CardSession` opens and ends the card
connection for either.
"""

from __future__ import annotations

from typing import Protocol

from devices.eid.monitor import ReaderCallback, ReaderMonitor
from devices.eid.transport import Transport


class EidReader(Protocol):
    wanted: str  # the reader to follow: a name or a part of one; "" for the first one seen

    def connect(self) -> Transport:
        """A connection to the card in the reader (raises NoReader, NoCard, ...)."""
        ...

    def reader_present(self) -> bool:
        """Whether the reader is there now (blocks: not on the UI thread)."""
        ...

    def monitor(self, callback: ReaderCallback, poll: float = 0.5) -> ReaderMonitor:
        """A monitor, not started yet, that calls `callback` with the followed reader's
        events (insertions, removals, the reader coming and going) on its own thread."""
        ...

    def close(self) -> None: ...
