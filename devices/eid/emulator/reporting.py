"""A BelpicApplet that says what happened to it, one line each: for the emulator running as a
process of its own (`python -m devices.eid.emulator`), whose callers cannot look inside it."""

from __future__ import annotations

from collections.abc import Callable

from devices.eid.emulator.applet import BelpicApplet
from devices.eid.emulator.cardfiles import EmulatedCardContent

INS_VERIFY, INS_LOG_OFF = 0x20, 0xE6
SW_OK = b"\x90\x00"


class ReportingApplet(BelpicApplet):
    """Reports LOG OFF, the PIN checks (never the PIN) and a card that pulls itself out after
    some APDUs (`pull_out_after`) through `report`."""

    def __init__(
        self, content: EmulatedCardContent, pin: str, *, report: Callable[[str], None]
    ) -> None:
        super().__init__(content, pin)
        self._report = report
        self._pulling = False

    def pull_out_after(self, n_apdus: int) -> None:
        """As BelpicApplet's; says "card: removed" when the card leaves."""
        self._pulling = n_apdus > 0
        super().pull_out_after(n_apdus)

    def process(self, apdu: bytes | bytearray) -> bytes:
        try:
            response = super().process(apdu)
        finally:
            if self._pulling and not self.present:
                self._pulling = False
                self._report("card: removed")
        ins = apdu[1] if len(apdu) > 1 else None
        if ins == INS_LOG_OFF and response[-2:] == SW_OK:
            self._report("card: log off")
        elif ins == INS_VERIFY and len(apdu) > 5:  # a PIN presented (not a tries-left query)
            self._report("card: pin verified" if response[-2:] == SW_OK else "card: pin wrong")
        return response
