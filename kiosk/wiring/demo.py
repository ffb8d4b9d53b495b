"""What `kiosk demo` adds to the runtime: a simulated card to put in and take out, and what
came out of the printers (kiosk.runtime.DemoControls)."""

from __future__ import annotations

import time
from pathlib import Path
from typing import TYPE_CHECKING

from devices.eid.emulator import BelpicApplet, EmulatedCardContent, SimReader
from devices.printing import (
    DocumentPrinter,
    Readiness,
    ReceiptPrinter,
    SimulatedDocumentPrinter,
    SimulatedReceiptPrinter,
)
from kiosk.wiring.devices import DEMO_PIN
from session.kinds import PrinterStatus

if TYPE_CHECKING:
    from kiosk.wiring.cityserver_process import CityServerProcess
    from kiosk.wiring.runtime import KioskRuntime

CUPS_PDF_DIR = Path.home() / "PDF"  # cups-pdf's default output (/etc/cups/cups-pdf.conf)


class SimulatedDemo:
    """The demo's controls over the simulated devices of one `KioskRuntime`."""

    def __init__(
        self,
        runtime: KioskRuntime,
        reader: SimReader,
        card: EmulatedCardContent,
        document_printer: DocumentPrinter,
        receipt_printer: ReceiptPrinter,
        pdf_folder: Path | None,
        server: CityServerProcess,
    ) -> None:
        self._runtime = runtime
        self.reader = reader
        self.card = card
        self.document_printer = document_printer
        self.receipt_printer = receipt_printer
        self.pdf_folder = pdf_folder
        self.server = server  # the city's reference server, a child process
        self._started = time.time()

    # -- DemoControls ----------------------------------------------------------------------

    def insert_card(self, applet: BelpicApplet | None = None) -> None:
        """Put the demo card in (a fresh one, PIN 1234, unless `applet` is given). The
        session hears of it from the reader's monitor, as of a card in a PC/SC reader."""
        self.reader.insert(applet or BelpicApplet(self.card, DEMO_PIN))

    def remove_card(self) -> None:
        self.reader.remove()

    def receipt_png(self) -> bytes | None:
        printer = self.receipt_printer
        if not isinstance(printer, SimulatedReceiptPrinter) or not printer.printed:
            return None
        return printer.last_png()

    def receipt_bytes(self) -> bytes | None:
        """The last receipt's ESC/POS bytes (tests decode them)."""
        printer = self.receipt_printer
        if not isinstance(printer, SimulatedReceiptPrinter) or not printer.printed:
            return None
        return printer.printed[-1]

    def receipt_count(self) -> int:
        printer = self.receipt_printer
        return len(printer.printed) if isinstance(printer, SimulatedReceiptPrinter) else 0

    def printed_pdfs(self) -> list[Path]:
        folder = self.pdf_folder if self.pdf_folder is not None else CUPS_PDF_DIR
        if not folder.is_dir():
            return []
        found = [p for p in folder.glob("*kiosk-*.pdf") if p.stat().st_mtime >= self._started - 1]
        return sorted(found, key=lambda p: p.stat().st_mtime)

    # -- more of the demo ------------------------------------------------------------------

    def set_printer(self, readiness: Readiness) -> PrinterStatus | None:
        """Make the simulated certificate printer ready, degraded or unavailable, and tell
        the session at once (instead of at the next readiness poll)."""
        printer = self.document_printer
        if not isinstance(printer, SimulatedDocumentPrinter):
            return None
        printer.set_readiness(readiness)
        return self._runtime.check_printer()
