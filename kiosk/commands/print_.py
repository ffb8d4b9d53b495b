"""`kiosk print`: check the certificate printer, print a PDF or a test page through CUPS.

Exit codes: 0 ready, or printed (completed), or queued (without --wait); 2 usage, bad
configuration or not a PDF; 3 CUPS unreachable or no such queue; 4 printer unavailable, or
the queue refused the job; 5 the job ended without printing (canceled, aborted, stopped);
6 the job did not finish within the timeout (it is left in the queue for IT to look at);
7 printer degraded (status: printing works, but IT should look, e.g. toner low).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from kiosk.config import load_settings
from kiosk.errors import KioskError, UsageError

HELP = "check the certificate printer, print a PDF or a test page through CUPS"

EXIT_UNREACHABLE = 3
EXIT_UNAVAILABLE = 4
EXIT_NOT_PRINTED = 5
EXIT_TIMED_OUT = 6
EXIT_DEGRADED = 7


def register(sub: Any) -> None:
    parser = sub.add_parser("print", help=HELP, description=HELP + ". " + __doc__.split("\n\n")[1])
    actions = parser.add_subparsers(dest="print_action", metavar="ACTION", required=True)

    status = actions.add_parser("status", help="is the printer ready, degraded or unavailable")
    _common(status)
    status.set_defaults(handler=run_status)

    pdf = actions.add_parser("pdf", help="print a PDF file (A4, one-sided)")
    pdf.add_argument("file", metavar="FILE", type=Path, help="the PDF to print")
    pdf.add_argument("--copies", type=int, default=1, help="number of copies, 1 to 10 (default 1)")
    _common(pdf)
    _waiting(pdf)
    pdf.set_defaults(handler=run_pdf)

    test_page = actions.add_parser("test-page", help="print CUPS's test page")
    _common(test_page)
    _waiting(test_page)
    test_page.set_defaults(handler=run_test_page)


def _common(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--printer", metavar="QUEUE", help="CUPS queue (default: printer.queue)")
    parser.add_argument("--json", action="store_true", help="print exactly one JSON object")


def _waiting(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--wait", action="store_true", help="follow the job until it ends")
    parser.add_argument(
        "--timeout",
        type=float,
        metavar="SECONDS",
        help="with --wait: give up after this long (default: printer.job_timeout)",
    )


def _printer(args: argparse.Namespace) -> Any:
    from devices.printing.document.cups_printer import CupsDocumentPrinter

    settings = load_settings(args.config).printer
    queue = args.printer if args.printer is not None else settings.queue
    return CupsDocumentPrinter(queue, server=settings.server or None)


def _fail(exc: Exception) -> KioskError:
    from devices.printing import errors

    table: list[tuple[type[Exception], int]] = [
        (errors.NotAPdf, 2),
        (errors.CupsUnreachable, EXIT_UNREACHABLE),
        (errors.QueueNotFound, EXIT_UNREACHABLE),
        (errors.JobRefused, EXIT_UNAVAILABLE),
        (errors.PrintingError, EXIT_NOT_PRINTED),
    ]
    code = next(code for kind, code in table if isinstance(exc, kind))
    return KioskError(str(exc), code)


def run_status(args: argparse.Namespace) -> int:
    from devices.printing.document.cups_readiness import cups_readiness
    from devices.printing.errors import PrintingError
    from devices.printing.readiness import Level

    printer = _printer(args)
    try:
        queue = printer.queue
        readiness = cups_readiness(printer.attributes())
    except PrintingError as exc:
        raise _fail(exc) from None
    finally:
        printer.close()
    if args.json:
        print(json.dumps({"queue": queue, **readiness.as_dict()}))
    else:
        print(f"{queue}: {readiness.level.label}: {readiness.reason}")
    return {Level.READY: 0, Level.DEGRADED: EXIT_DEGRADED, Level.UNAVAILABLE: EXIT_UNAVAILABLE}[
        readiness.level
    ]


def run_pdf(args: argparse.Namespace) -> int:
    from devices.printing.errors import PrintingError

    if not 1 <= args.copies <= 10:
        raise UsageError("--copies must be between 1 and 10")
    printer = _printer(args)
    try:
        try:
            job_id = printer.submit(args.file, session_id="cli", copies=args.copies)
        except PrintingError as exc:
            raise _fail(exc) from None
        return _report(args, printer, job_id)
    finally:
        printer.close()


def run_test_page(args: argparse.Namespace) -> int:
    from devices.printing.errors import PrintingError

    printer = _printer(args)
    try:
        try:
            job_id = printer.test_page()
        except PrintingError as exc:
            raise _fail(exc) from None
        return _report(args, printer, job_id)
    finally:
        printer.close()


def _report(args: argparse.Namespace, printer: Any, job_id: int) -> int:
    from devices.printing.document.printer import JobProgress
    from devices.printing.errors import PrintingError

    if not args.wait:
        if args.json:
            print(json.dumps({"job_id": job_id, "status": "queued", "queue": printer.queue}))
        else:
            print(f"job {job_id} queued on {printer.queue}")
        return 0
    timeout = args.timeout
    if timeout is None:
        timeout = load_settings(args.config).printer.job_timeout
    if timeout <= 0:
        raise UsageError("--timeout must be more than 0 seconds")

    def show(progress: JobProgress) -> None:
        if not args.json:
            print(f"job {job_id}: {progress.state.label}, {progress.pages_done} page(s) done")

    try:
        outcome = printer.follow(job_id, timeout=timeout, on_progress=show)
    except PrintingError as exc:
        raise _fail(exc) from None
    if args.json:
        print(json.dumps({"queue": printer.queue, **outcome.as_dict()}))
    elif outcome.completed:
        print(f"job {job_id}: printed")
    else:
        print(f"kiosk: job {job_id} not printed: {outcome.reason}", file=sys.stderr)
    if outcome.completed:
        return 0
    return EXIT_TIMED_OUT if outcome.timed_out else EXIT_NOT_PRINTED
