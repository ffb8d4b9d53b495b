"""The simulated twin of the PC/SC transport: the emulated BELPIC card, in process.

`kiosk demo` uses it so the whole eID path (recognise, read, verify, PIN, sign) runs on a
laptop with no reader and no pcscd; only the last hop differs from production.
"""

from __future__ import annotations

from devices.eid.emulator.applet import CardMuteError, CardRemovedError
from devices.eid.emulator.simreader import SimReader
from devices.eid.errors import CardCommunicationError, CardRemoved, NoCard
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
