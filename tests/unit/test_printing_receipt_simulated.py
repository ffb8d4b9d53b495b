"""The receipt printer's simulated twin behaves like the ESC/POS backend, without a printer."""

from __future__ import annotations

import io

import pytest
import zxingcpp
from PIL import Image

from devices.printing.errors import ReceiptPrinterNotReady
from devices.printing.readiness import Level
from devices.printing.receipt.layout import ReceiptContent, ReceiptLabels
from devices.printing.receipt.simulated import SimulatedReceiptPrinter
from devices.printing.receipt.status import ReceiptState


def test_the_simulated_receipt_printer_records_and_renders() -> None:
    printer = SimulatedReceiptPrinter()
    content = ReceiptContent(
        ReceiptLabels("Receipt", "Date", "Kiosk", "Ref", "Code", "Price", "Scan:", "Bye"),
        "Residence certificate",
        "02/01/2026 03:04",
        "t-1",
        "R",
        "C",
        "https://x.test/v",
    )
    outcome = printer.print_receipt(content)
    assert outcome.confirmed and len(printer.printed) == 1
    found = zxingcpp.read_barcodes(Image.open(io.BytesIO(printer.last_png())))
    assert [r.text for r in found] == ["https://x.test/v"]
    printer.state = ReceiptState.PAPER_OUT
    assert printer.readiness().level is Level.UNAVAILABLE
    with pytest.raises(ReceiptPrinterNotReady):
        printer.print_receipt(content)
    assert len(printer.printed) == 1
