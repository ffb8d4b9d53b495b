"""Printing: certificates on the A4 printer through CUPS, receipts on an ESC/POS thermal printer.

Each has a real backend and a simulated twin with the same interface; both report their
readiness (ready, degraded, unavailable) before a journey. Never imports Kivy.
"""

from devices.printing.escpos_cache import use_capabilities_cache

use_capabilities_cache()  # before any escpos import below or in the modules

from devices.printing.documents import (
    CupsDocumentPrinter,
    DocumentPrinter,
    JobOutcome,
    JobProgress,
    JobState,
    PurgeReport,
)
from devices.printing.readiness import Level, Readiness
from devices.printing.receipt_layout import ReceiptContent, build_receipt
from devices.printing.receipt_status import ReceiptState, ReceiptStatus
from devices.printing.receipts import (
    EscposReceiptPrinter,
    NoReceiptPrinter,
    ReceiptOutcome,
    ReceiptPrinter,
)
from devices.printing.simulated import SimulatedDocumentPrinter, SimulatedReceiptPrinter

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
    "ReceiptOutcome",
    "ReceiptPrinter",
    "ReceiptState",
    "ReceiptStatus",
    "SimulatedDocumentPrinter",
    "SimulatedReceiptPrinter",
    "build_receipt",
]
