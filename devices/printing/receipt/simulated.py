"""The receipt printer's simulated twin, for `kiosk demo` and tests: no printer.

It records the ESC/POS bytes, which the renderer can turn into a picture. Its state can be
set, so the demo can show paper-out and the like.
"""

from __future__ import annotations

from devices.printing.errors import ReceiptPrinterNotReady
from devices.printing.readiness import Level, Readiness
from devices.printing.receipt.layout import ReceiptContent, build_receipt
from devices.printing.receipt.printer import ReceiptOutcome
from devices.printing.receipt.status import ReceiptState, ReceiptStatus


class SimulatedReceiptPrinter:
    def __init__(self, profile: str = "TM-T88V") -> None:
        self.profile = profile
        self.state = ReceiptState.READY
        self.printed: list[bytes] = []

    def status(self) -> ReceiptStatus:
        return ReceiptStatus(self.state, "simulated")

    def readiness(self) -> Readiness:
        return self.status().readiness()

    def print_receipt(self, content: ReceiptContent) -> ReceiptOutcome:
        return self.print_bytes(build_receipt(content, self.profile))

    def print_bytes(self, data: bytes) -> ReceiptOutcome:
        before = self.status()
        if before.level is Level.UNAVAILABLE:
            raise ReceiptPrinterNotReady(before.readiness().reason)
        self.printed.append(bytes(data))
        return ReceiptOutcome(len(data), before, self.status())

    def last_png(self) -> bytes:
        """The last receipt as a PNG picture (what `kiosk demo` shows)."""
        from devices.printing.receipt.escpos_render import render_png

        if not self.printed:
            raise LookupError("nothing printed yet")
        return render_png(self.printed[-1], self.profile)
