"""`kiosk eid`: list readers, read and check a Belgian eID, test a PIN (for IT and scripts).

Exit codes: 0 read and authentic (or PIN correct); 2 usage; 3 no reader; 4 no card (after
--wait); 5 card data not authentic (`--json`: the failed checks), or genuine data on a chip
that cannot prove the card's basic key, a clone (`--json`: error ChipNotAuthentic); 6 card
communication failed (card removed, mute card, another program holding the card, PIN wrong
or blocked for `pin`); 7 not a Belgian eID.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from kiosk.config import load_settings
from kiosk.errors import UsageError

HELP = "read and check a Belgian eID, list readers, test a PIN"

EXIT_NO_READER = 3
EXIT_NO_CARD = 4
EXIT_NOT_AUTHENTIC = 5
EXIT_COMMUNICATION = 6
EXIT_NOT_EID = 7


def register(sub: Any) -> None:
    parser = sub.add_parser("eid", help=HELP, description=HELP + ". " + __doc__.split("\n\n")[1])
    actions = parser.add_subparsers(dest="eid_action", metavar="ACTION", required=True)

    readers = actions.add_parser("readers", help="list the PC/SC readers, one per line")
    readers.set_defaults(handler=run_readers)

    read = actions.add_parser("read", help="read the card, check its integrity, print it")
    _reader_arguments(read)
    read.add_argument(
        "--trust-root",
        metavar="PEM",
        action="append",
        default=[],
        help="also trust this root (repeatable)",
    )
    read.add_argument("--photo", metavar="FILE", type=Path, help="write the photo (JPEG) to FILE")
    read.add_argument("--json", action="store_true", help="print exactly one JSON object")
    read.set_defaults(handler=run_read)

    pin = actions.add_parser("pin", help="verify a PIN typed here and report the tries left")
    _reader_arguments(pin)
    pin.set_defaults(handler=run_pin)


def _reader_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--reader", metavar="NAME", default=None, help="reader name or a unique part of it"
    )
    parser.add_argument(
        "--wait",
        metavar="SECONDS",
        type=float,
        default=0.0,
        help="wait this long for a card (default 0)",
    )


def run_readers(_args: argparse.Namespace) -> int:
    from devices.eid.errors import NoReader
    from devices.eid.pcsc import PcscContext

    try:
        with PcscContext() as context:
            names = context.readers()
    except NoReader as exc:
        print(f"kiosk eid: {exc}", file=sys.stderr)
        return EXIT_NO_READER
    if not names:
        print("kiosk eid: no smart-card reader is connected", file=sys.stderr)
        return EXIT_NO_READER
    for name in names:
        print(name)
    return 0


def _exit_code(exc: Exception) -> int:
    from devices.eid import errors

    table: list[tuple[type[Exception], int]] = [
        (errors.NoReader, EXIT_NO_READER),
        (errors.NoCard, EXIT_NO_CARD),
        (errors.CardNotAuthentic, EXIT_NOT_AUTHENTIC),
        (errors.NotBelgianEid, EXIT_NOT_EID),
        (errors.EidError, EXIT_COMMUNICATION),
    ]
    return next(code for kind, code in table if isinstance(exc, kind))


def _open_card(args: argparse.Namespace, reader_setting: str) -> tuple[Any, Any]:
    """(context, card) for the chosen reader, after waiting up to --wait for a card."""
    from devices.eid.card import BelpicCard
    from devices.eid.errors import NoCard
    from devices.eid.pcsc import PcscContext

    if args.wait < 0:
        raise UsageError("--wait must be zero or more seconds")
    context = PcscContext()
    try:
        reader = context.pick_reader(args.reader if args.reader is not None else reader_setting)
        if not context.wait_for_card(reader, args.wait):
            raise NoCard(f"no card in {reader}")
        return context, BelpicCard(context.connect(reader))
    except BaseException:
        context.close()
        raise


def _trust_roots(args: argparse.Namespace, extra: list[Path]) -> list[Any]:
    from devices.eid.trust import TrustRootError, default_roots, load_pem_roots

    try:
        return default_roots() + load_pem_roots([*extra, *args.trust_root])
    except TrustRootError as exc:
        raise UsageError(str(exc)) from None


def run_read(args: argparse.Namespace) -> int:
    from devices.eid.errors import EidError
    from devices.eid.reader import NotAuthentic, read_eid

    settings = load_settings(args.config)
    roots = _trust_roots(args, settings.eid.trust_roots)
    context = None
    try:
        context, card = _open_card(args, settings.eid.reader)
        try:
            result = read_eid(card, roots)
        finally:
            card.transport.close()
    except NotAuthentic as exc:
        integrity = _integrity_json(exc.report)
        if args.json:
            print(json.dumps({"integrity": integrity}))
        print(f"kiosk eid: {exc}", file=sys.stderr)
        return EXIT_NOT_AUTHENTIC
    except EidError as exc:
        code = _exit_code(exc)
        if args.json:
            print(json.dumps({"error": type(exc).__name__, "exit_code": code}))
        print(f"kiosk eid: {exc}", file=sys.stderr)
        return code
    finally:
        if context is not None:
            context.close()
    try:
        if args.photo is not None:
            args.photo.write_bytes(bytes(result.files.photo))
        document = _read_json(result)
        if args.json:
            print(json.dumps(document, ensure_ascii=False))
        else:
            _print_summary(document)
    finally:
        result.files.zero()
    return 0


def _integrity_json(report: Any) -> dict[str, bool]:
    return {
        "identity_signature": report.identity_signature,
        "address_signature": report.address_signature,
        "photo_hash": report.photo_hash,
        "rrn_chain": report.rrn_chain,
    }


def _read_json(result: Any) -> dict[str, Any]:
    import hashlib  # here: every `kiosk` command loads this module, the kiosk first of all

    identity, address = result.identity, result.address
    photo = bytes(result.files.photo)
    return {
        "card": {
            "applet_version": result.card.applet_label,
            "card_number": identity.card_number,
            "chip_number": identity.chip_number.hex(),
            "validity_begin": identity.validity_begin.isoformat(),
            "validity_end": identity.validity_end.isoformat(),
            "delivery_municipality": identity.delivery_municipality,
            "document_type": identity.document_type,
        },
        "citizen": {
            "national_number": identity.national_number,
            "surname": identity.surname,
            "first_names": identity.first_names,
            "third_initial": identity.third_initial,
            "nationality": identity.nationality,
            "birth_place": identity.birth_place,
            "birth_date": identity.birth_date.iso(),
            "sex": identity.sex,
            "noble_condition": identity.noble_condition,
            "special_status": identity.special_status,
        },
        "address": {
            "street_and_number": address.street_and_number,
            "zip": address.zip,
            "municipality": address.municipality,
        },
        "photo": {"sha256": hashlib.sha256(photo).hexdigest(), "bytes": len(photo)},
        "integrity": _integrity_json(result.integrity),
    }


def _print_summary(document: dict[str, Any]) -> None:
    for section in ("card", "citizen", "address", "photo", "integrity"):
        print(f"{section}:")
        for key, value in document[section].items():
            print(f"  {key.replace('_', ' ')}: {value}")


def run_pin(args: argparse.Namespace) -> int:
    from devices.eid.errors import EidError, PinBlocked, PinError, WrongPin

    settings = load_settings(args.config)
    context = None
    pin = bytearray()
    try:
        context, card = _open_card(args, settings.eid.reader)
        try:
            card.recognise()
            before = card.pin_tries_left()
            if before is not None:
                print(f"PIN tries left before: {before}")
            import getpass  # termios: only for this command

            pin = bytearray(getpass.getpass("PIN (not shown): ").encode("ascii", "replace"))
            card.verify_pin(pin)
            print("PIN correct")
            return 0
        finally:
            pin[:] = bytes(len(pin))
            card.transport.close()
    except WrongPin as exc:
        print(f"kiosk eid: wrong PIN; {exc.tries_left} tries left", file=sys.stderr)
        return EXIT_COMMUNICATION
    except PinBlocked:
        print(
            "kiosk eid: the PIN is blocked; the citizen must ask their commune for a new PIN code",
            file=sys.stderr,
        )
        return EXIT_COMMUNICATION
    except PinError as exc:
        raise UsageError(str(exc)) from None
    except EidError as exc:
        print(f"kiosk eid: {exc}", file=sys.stderr)
        return _exit_code(exc)
    finally:
        if context is not None:
            context.close()
