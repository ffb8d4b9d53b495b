"""Which concrete devices a runtime gets: production from the configuration, or the demo set.

Production (`kiosk run`): the PC/SC reader through pcscd (or, when `eid.simulated`, the
simulated reader, empty, with the demo card beside it for a test's hand), CUPS (or a PDF
folder when `printer.pdf_folder`), the ESC/POS receipt printer (or none), the city API at
`cityapi.url`.

Demo (`kiosk demo`, tests, benchmarks): the simulated reader holding no card until the demo
inserts it, the city's reference server in a child process on loopback with the test PKI's
roots trusted and this terminal enrolled, CUPS when a queue is configured and ready (a
cups-pdf queue) else the PDF folder twin, and the simulated receipt printer. Works on any
laptop.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from cryptography import x509
from msgspec.structs import replace

from devices.eid.emulator import (
    EmulatedCardContent,
    SimReader,
    build_card,
    demo_profile,
    shared_test_pki,
)
from devices.eid.pcsc import PcscReader
from devices.eid.simulated import SimulatedReader
from devices.eid.trust import TrustRootError, default_roots, load_pem_roots
from devices.eid.unit import EidReader
from devices.printing import (
    CupsDocumentPrinter,
    DocumentPrinter,
    EscposReceiptPrinter,
    Level,
    NoReceiptPrinter,
    ReceiptPrinter,
    SimulatedDocumentPrinter,
    SimulatedReceiptPrinter,
)
from devices.printing.errors import ReceiptUriError
from kiosk.cityclient import CityApiClient
from kiosk.config import ConfigError, Settings
from kiosk.wiring.cityserver_process import CityServerProcess, start_demo_server

log = logging.getLogger(__name__)

DEMO_PIN = "1234"


@dataclass
class DeviceSet:
    """Everything a runtime drives. `closers` run at stop, in order."""

    eid: EidReader
    document_printer: DocumentPrinter
    receipt_printer: ReceiptPrinter
    api: CityApiClient
    sim_reader: SimReader | None = None  # the simulated reader's slot, to put a card in
    demo_card: EmulatedCardContent | None = None
    pdf_folder: Path | None = None  # where simulated certificates land
    closers: list[Callable[[], None]] = field(default_factory=list)


def trust_roots(settings: Settings, *extra: x509.Certificate) -> list[x509.Certificate]:
    try:
        return [*default_roots(), *load_pem_roots(settings.eid.trust_roots), *extra]
    except TrustRootError as exc:
        raise ConfigError(f"eid.trust_roots: {exc}") from None


def test_pki_roots() -> list[x509.Certificate]:
    return x509.load_pem_x509_certificates(shared_test_pki().root_pem())


def demo_card() -> EmulatedCardContent:
    return build_card(demo_profile(), shared_test_pki(), "1.8")


def receipt_printer(settings: Settings) -> ReceiptPrinter:
    if not settings.receipt.uri:
        return NoReceiptPrinter()
    try:
        return EscposReceiptPrinter(
            settings.receipt.uri, profile=settings.receipt.profile, timeout=settings.receipt.timeout
        )
    except ReceiptUriError as exc:
        raise ConfigError(f"receipt.uri: {exc}") from None


def cups_printer(settings: Settings) -> CupsDocumentPrinter:
    return CupsDocumentPrinter(settings.printer.queue, server=settings.printer.server or None)


def production_devices(settings: Settings) -> DeviceSet:
    """The configured devices. A missing device is not an error here: the session shows
    out-of-service until it comes. A configuration that cannot work is (ConfigError)."""
    if not settings.cityapi.url:
        raise ConfigError("cityapi.url is empty: `kiosk run` needs the city API (try `kiosk demo`)")
    try:
        api = CityApiClient(settings.cityapi)
    except ValueError as exc:
        raise ConfigError(f"cityapi.url: {exc}") from None
    receipts = receipt_printer(settings)
    if settings.printer.pdf_folder is not None and not settings.eid.simulated:
        # Certificates of real citizens must never pile up in an ordinary folder.
        raise ConfigError("printer.pdf_folder is for the demo only (with eid.simulated = true)")
    if settings.printer.pdf_folder is not None:
        folder = settings.printer.pdf_folder
        printer: DocumentPrinter = SimulatedDocumentPrinter(folder)
    else:
        folder, printer = None, cups_printer(settings)
    if settings.eid.simulated:
        # Empty, as the demo's: a card in the slot at start would begin a session at once.
        card, reader = demo_card(), SimReader()
        devices = DeviceSet(SimulatedReader(reader), printer, receipts, api, reader, card, folder)
    else:
        devices = DeviceSet(
            PcscReader(settings.eid.reader), printer, receipts, api, pdf_folder=folder
        )
    devices.closers += [devices.eid.close, printer.close, api.close]
    return devices


# The demo's folder printer, when paced: a page in about two seconds (queued, then done), as
# an office printer's first page, so that people watching the demo see the printing screen.
DEMO_PAGES_PER_SECOND = 1.0


def demo_devices(
    settings: Settings,
    workdir: Path,
    *,
    paced_printing: bool = False,
    server: CityServerProcess | None = None,
    fault_injection: bool = False,
) -> tuple[DeviceSet, CityServerProcess]:
    """The demo set and the city's server process (to stop last): `server` when the caller
    started it already (kiosk.wiring.cityserver_process.start_demo_server), else one started
    here. `settings.cityapi` paths are moved under `workdir` so the demo never touches
    /var/lib/kiosk. `paced_printing`: the folder printer takes a printer's time (tests and
    benchmarks leave it instant). `fault_injection`: the server started here mounts its fault
    injector, for tests that make the city API fail (never for `kiosk demo`)."""
    # Started first: the server's start-up overlaps with the devices' below.
    if server is None:
        server = start_demo_server(workdir, settings.terminal.id, fault_injection=fault_injection)
    try:
        card = demo_card()
        reader = SimReader()
        pace = DEMO_PAGES_PER_SECOND if paced_printing else 0.0
        printer, folder = _demo_document_printer(settings, workdir, pace)
        receipts = SimulatedReceiptPrinter(settings.receipt.profile)
        api_settings = replace(
            settings.cityapi,
            token_file=workdir / "token",
            catalogue_cache=workdir / "catalogue.json",
        )
        api = CityApiClient(api_settings, base_url=server.wait_ready())
        (terminal_id, _location, code) = server.enrolment_codes[0]
        api.enrol(code, terminal_id)
    except BaseException:
        server.stop()
        raise
    devices = DeviceSet(SimulatedReader(reader), printer, receipts, api, reader, card, folder)
    devices.closers += [devices.eid.close, printer.close, api.close]
    return devices, server


def _demo_document_printer(
    settings: Settings, workdir: Path, pages_per_second: float
) -> tuple[DocumentPrinter, Path | None]:
    if settings.printer.queue and settings.printer.pdf_folder is None:
        cups = cups_printer(settings)
        readiness = cups.readiness()
        if readiness.level is not Level.UNAVAILABLE:
            return cups, None
        log.info("demo: CUPS queue not usable (%s); printing to a folder", readiness.reason)
        cups.close()
    folder = settings.printer.pdf_folder or workdir / "printed"
    return SimulatedDocumentPrinter(folder, pages_per_second=pages_per_second), folder
