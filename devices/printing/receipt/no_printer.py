"""The stand-in for a kiosk without a receipt printer."""

from __future__ import annotations

from devices.printing.errors import ReceiptPrinterNotReady
from devices.printing.readiness import Readiness
from devices.printing.receipt.layout import ReceiptContent
from devices.printing.receipt.printer import ReceiptOutcome
from devices.printing.receipt.status import ReceiptState, ReceiptStatus


class NoReceiptPrinter:
    """Stands in when no receipt printer is configured: never offered, never printing."""

    profile = "TM-T88V"

    def status(self) -> ReceiptStatus:
        return ReceiptStatus(ReceiptState.NO_PRINTER)

    def readiness(self) -> Readiness:
        return self.status().readiness()

    def print_receipt(self, content: ReceiptContent) -> ReceiptOutcome:
        raise ReceiptPrinterNotReady("no receipt printer configured")

    def print_bytes(self, data: bytes) -> ReceiptOutcome:
        raise ReceiptPrinterNotReady("no receipt printer configured")
