"""What `kiosk demo` adds to the runtime: a simulated card to put in and take out, and what
came out of the printers (kiosk.runtime.DemoControls)."""

from __future__ import annotations

import socket
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
from session.problems import PrinterStatus

if TYPE_CHECKING:
    from kiosk.wiring.cityserver_process import CityServerProcess
    from kiosk.wiring.kiosk_runtime import KioskRuntime

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
        self._city_api_url: str | None = None  # while cut off: where the client pointed
        self._closed_port: socket.socket | None = None

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

    def cut_city_api(self) -> None:
        """The city API becomes unreachable from the kiosk: its client is pointed at a
        loopback port that is bound but never listens (every connection is refused), as
        when the network is down. The server itself runs on."""
        transport = self._runtime.devices.api.transport
        if self._closed_port is None:
            self._closed_port = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            self._closed_port.bind(("127.0.0.1", 0))
        if self._city_api_url is None:
            self._city_api_url = transport.base_url
        transport.base_url = f"http://127.0.0.1:{self._closed_port.getsockname()[1]}"

    def restore_city_api(self) -> None:
        """The city API can be reached again (after `cut_city_api`)."""
        if self._city_api_url is not None:
            self._runtime.devices.api.transport.base_url = self._city_api_url
            self._city_api_url = None
        if self._closed_port is not None:
            self._closed_port.close()
            self._closed_port = None
