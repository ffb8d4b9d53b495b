"""Printing: certificates on the A4 printer through CUPS (`document/`), receipts on an ESC/POS
thermal printer (`receipt/`).

Each room has its real backend and, beside it, a simulated twin with the same interface; both
printers report their readiness (ready, degraded, unavailable, in `readiness`) before a
journey, and fail with the errors of `errors`. Never imports Kivy, and holds no words of
any language: the receipt's come in with its content.
"""

from devices.printing.escpos_cache import use_capabilities_cache

use_capabilities_cache()  # before any escpos import below or in the modules

from devices.printing.document.cups_printer import CupsDocumentPrinter
from devices.printing.document.printer import (
    DocumentPrinter,
    JobOutcome,
    JobProgress,
    JobState,
    PurgeReport,
    print_pdf,
)
from devices.printing.document.simulated import SimulatedDocumentPrinter
from devices.printing.readiness import Level, Readiness
from devices.printing.receipt.escpos_printer import EscposReceiptPrinter
from devices.printing.receipt.layout import ReceiptContent, ReceiptLabels, build_receipt
from devices.printing.receipt.no_printer import NoReceiptPrinter
from devices.printing.receipt.printer import ReceiptOutcome, ReceiptPrinter
from devices.printing.receipt.simulated import SimulatedReceiptPrinter
from devices.printing.receipt.status import ReceiptState, ReceiptStatus

__all__ = [
    "CupsDocumentPrinter",
    "DocumentPrinter",
    "EscposReceiptPrinter",
    "JobOutcome",
    "JobProgress",
    "JobState",
    "Level",
    "NoReceiptPrinter",
    "PurgeReport",
    "Readiness",
    "ReceiptContent",
    "ReceiptLabels",
    "ReceiptOutcome",
    "ReceiptPrinter",
    "ReceiptState",
    "ReceiptStatus",
    "SimulatedDocumentPrinter",
    "SimulatedReceiptPrinter",
    "build_receipt",
    "print_pdf",
]
