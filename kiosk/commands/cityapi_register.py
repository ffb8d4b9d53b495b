"""`kiosk cityapi register add`: city IT adds a citizen to the city's population register, or
records their move (certificates state the register's address, never the card's).

  kiosk cityapi register add CITIZEN.json --admin-token-file FILE

CITIZEN.json is one JSON object: national_number (11 digits), surname, first_names,
nationality, street_and_number, zip_code (4 digits), municipality; `-` reads it from stdin.
The admin token is read from FILE (its first line; the file must not be open to others) or,
with `--admin-token-file -`, from the first line of stdin; never from the command line.
Neither the token nor the citizen's data is printed.

Exit codes: 0 recorded; 2 usage: unreadable or invalid entry or token file, both on stdin;
3 the service is unreachable, too slow or failing; 4 the admin token is not accepted;
5 the service refused (e.g. a terminal's token: only city IT may); 6 unusable answer.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from kiosk.errors import UsageError

STDIN = "-"


def register(actions: Any) -> None:
    """Adds `register add` under `kiosk cityapi`."""
    parser = actions.add_parser(
        "register",
        help="city IT: add a citizen to the population register",
        description=__doc__.split("\n\n", 1)[1],
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    verbs = parser.add_subparsers(dest="register_action", metavar="ACTION", required=True)
    add = verbs.add_parser(
        "add",
        help="add a citizen, or record their new address",
        description=__doc__.split("\n\n", 1)[1],
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    add.add_argument("citizen", help="the citizen's entry: a JSON file, or - for stdin")
    add.add_argument(
        "--admin-token-file",
        required=True,
        metavar="FILE",
        help="city IT's admin token, first line of FILE (or - for stdin)",
    )
    add.set_defaults(handler=run_register_add)


def run_register_add(args: argparse.Namespace) -> int:
    from cityapi.models import RegisteredCitizen
    from kiosk.cityclient import CityApiError
    from kiosk.commands.cityapi import _admin_client, _failure

    if args.citizen == STDIN and args.admin_token_file == STDIN:
        raise UsageError("only one of the entry and the admin token can come from stdin")
    client = _admin_client(args)  # reads the token first: from stdin before the entry
    with client:
        text = _read(args.citizen, "the citizen's entry")
        try:
            citizen = RegisteredCitizen.model_validate_json(text)
        except ValueError as exc:
            # Which field is wrong, never its value: it is citizen data.
            where = _first_error_place(exc)
            raise UsageError(f"the citizen's entry is not valid{where}") from None
        try:
            receipt = client.record_citizen(citizen)
        except CityApiError as exc:
            raise _failure(exc) from None
    print("added to the population register" if receipt.created else "register entry replaced")
    return 0


def _first_error_place(exc: ValueError) -> str:
    errors = getattr(exc, "errors", None)
    if not callable(errors) or not errors():
        return ""
    place = ".".join(str(part) for part in errors()[0].get("loc", ()))
    return f" ({place})" if place else ""


def _read(source: str, what: str) -> str:
    if source == STDIN:
        return sys.stdin.read()
    try:
        return Path(source).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        reason = getattr(exc, "strerror", None) or "not UTF-8 text"
        raise UsageError(f"cannot read {what} from {source}: {reason}") from None
