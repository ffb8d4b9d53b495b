"""`kiosk receipt`: ask the receipt printer how it is, print a test receipt.

Exit codes: 0 ready, or test receipt printed and confirmed by the printer; 2 usage, bad
configuration, bad printer address, or no receipt printer configured; 3 printer unreachable
(connection refused, no such USB or serial device); 4 printer unavailable (paper out, cover
open, offline, error: nothing was printed); 5 the connection broke during the receipt;
6 the printer did not answer the status query (state unknown; a test receipt was sent but
not confirmed); 7 degraded (paper roll near its end).
"""

from __future__ import annotations

import argparse
import json
from datetime import datetime
from typing import Any

from kiosk.config import load_settings
from kiosk.errors import KioskError, UsageError

HELP = "ask the receipt printer how it is, print a test receipt"

EXIT_UNREACHABLE = 3
EXIT_UNAVAILABLE = 4
EXIT_CONNECTION_LOST = 5
EXIT_NO_ANSWER = 6
EXIT_DEGRADED = 7

TEST_DOCUMENT = "Test é è ë ç ß €"


def register(sub: Any) -> None:
    parser = sub.add_parser(
        "receipt", help=HELP, description=HELP + ". " + __doc__.split("\n\n")[1]
    )
    actions = parser.add_subparsers(dest="receipt_action", metavar="ACTION", required=True)
    status = actions.add_parser("status", help="ask the printer for its online and paper state")
    _common(status)
    status.set_defaults(handler=run_status)
    test = actions.add_parser("test", help="print a test receipt (accents, euro sign, QR code)")
    _common(test)
    test.set_defaults(handler=run_test)


def _common(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--printer",
        metavar="URI",
        help="tcp://host:port, usb://VID:PID or serial:///dev/ttyS0?baud=N (default: receipt.uri)",
    )
    parser.add_argument("--json", action="store_true", help="print exactly one JSON object")


def _printer(args: argparse.Namespace) -> Any:
    from devices.printing.errors import ReceiptUriError
    from devices.printing.receipt.escpos_printer import EscposReceiptPrinter

    settings = load_settings(args.config).receipt
    uri = args.printer if args.printer is not None else settings.uri
    if not uri.strip():
        raise UsageError("no receipt printer configured: set receipt.uri or give --printer URI")
    try:
        return EscposReceiptPrinter(uri, profile=settings.profile, timeout=settings.timeout)
    except ReceiptUriError as exc:
        raise UsageError(str(exc)) from None


def _status_exit(status: Any) -> int:
    from devices.printing.readiness import Level
    from devices.printing.receipt.status import ReceiptState

    if status.state is ReceiptState.UNREACHABLE:
        return EXIT_UNREACHABLE
    if status.state in (ReceiptState.NO_ANSWER, ReceiptState.INVALID_ANSWER):
        return EXIT_NO_ANSWER
    return {Level.READY: 0, Level.DEGRADED: EXIT_DEGRADED, Level.UNAVAILABLE: EXIT_UNAVAILABLE}[
        status.level
    ]


def run_status(args: argparse.Namespace) -> int:
    printer = _printer(args)
    status = printer.status()
    if args.json:
        print(json.dumps({"printer": str(printer.address), **status.as_dict()}))
    else:
        print(f"{printer.address}: {status.level.label}: {status.readiness().reason}")
    return _status_exit(status)


def run_test(args: argparse.Namespace) -> int:
    from devices.printing import errors
    from kiosk.wiring.receipt_content import receipt_in

    settings = load_settings(args.config)
    printer = _printer(args)
    now = datetime.now().replace(second=0, microsecond=0)
    content = receipt_in(
        settings.terminal.start_language,
        document_name=TEST_DOCUMENT,
        issued_at=now,
        terminal_id=settings.terminal.id,
        reference=f"TEST-{now:%Y%m%d-%H%M}",
        verification_code="TEST",
        verification_url="https://www.brussels.be/",
        price_cents=0,
    )
    try:
        outcome = printer.print_receipt(content)
    except errors.ReceiptPrinterUnreachable as exc:
        raise KioskError(str(exc), EXIT_UNREACHABLE) from None
    except errors.ReceiptPrinterNotReady as exc:
        raise KioskError(f"nothing printed: {exc}", EXIT_UNAVAILABLE) from None
    except errors.ReceiptConnectionLost as exc:
        raise KioskError(f"receipt cut short: {exc}", EXIT_CONNECTION_LOST) from None
    if args.json:
        print(json.dumps({"printer": str(printer.address), **outcome.as_dict()}))
    elif outcome.confirmed:
        print(f"{printer.address}: test receipt printed ({outcome.after.readiness().reason})")
    else:
        print(f"{printer.address}: test receipt sent, but the printer did not confirm it")
    if not outcome.confirmed:
        return EXIT_NO_ANSWER
    return 0
