"""`kiosk cityapi`: talk to the city API this terminal is configured for.

  ping       is the configured city API answering?
  enrol      spend an enrolment code and keep this terminal's token
  catalogue  show the documents the city API offers this terminal
  admin      city IT: make an enrolment code or an animator account, list the documents
             (`admin documents [--not-handed-over] [--terminal-id ID]`: one line per
             document, then their count) (--admin-token-file)
  register add  city IT: add a citizen to the population register (admin token from a file
             or stdin; see `kiosk cityapi register add --help`)

`enrol` reads the code city IT made for this terminal id from --code-file FILE or from stdin
(asked without echo on a terminal), never from the command line. `admin` reads city IT's
token from a file of mode 0600 and prints the new code or animator token alone on stdout.

Exit codes: 0 success; 2 usage or configuration (no code given); 3 the service is
unreachable, too slow or failing; 4 this terminal is not authorised (enrol: the code is not
valid, was used, or has expired); 5 the service refused (enrol: the code was made for another
terminal id, or too many wrong codes were tried: wait a minute); 6 the service's answer was
unusable.

The city's reference server is a command of its own: `cityserver serve` (the `server` extra).
"""

from __future__ import annotations

import argparse
import getpass
import json
import sys
from pathlib import Path
from typing import Any

import kiosk
from kiosk.config import load_settings
from kiosk.errors import KioskError, UsageError

HELP = "talk to the city API: ping, enrol, catalogue, admin, register add"

EXIT_UNAVAILABLE = 3
EXIT_UNAUTHORISED = 4
EXIT_REFUSED = 5
EXIT_BAD_RESPONSE = 6


def register(sub: Any) -> None:
    parser = sub.add_parser("cityapi", help=HELP, description=__doc__.split("\n\n", 1)[1])
    parser.formatter_class = argparse.RawDescriptionHelpFormatter
    actions = parser.add_subparsers(dest="cityapi_action", metavar="ACTION", required=True)

    ping = actions.add_parser("ping", help="check that the configured city API answers")
    ping.set_defaults(handler=run_ping)

    enrol = actions.add_parser("enrol", help="enrol this terminal with a one-time code")
    enrol.add_argument(
        "--code-file",
        type=Path,
        metavar="FILE",
        help="read the enrolment code from FILE (default: from stdin)",
    )
    enrol.add_argument(
        "--terminal-id", help="terminal id: must be terminal.id from the configuration (checked)"
    )
    enrol.set_defaults(handler=run_enrol)

    admin = actions.add_parser("admin", help="city IT: enrolment codes, animator accounts")
    admin.add_argument(
        "--admin-token-file",
        type=Path,
        required=True,
        metavar="FILE",
        help="mode 0600; - for stdin",
    )
    admin_actions = admin.add_subparsers(dest="admin_action", metavar="WHAT", required=True)
    code = admin_actions.add_parser("enrolment-code", help="a one-time code for one terminal")
    code.add_argument("terminal_id", metavar="TERMINAL_ID")
    code.add_argument("--location", required=True, help="the terminal's location")
    code.add_argument("--valid-for", type=int, metavar="S", help="seconds (server default)")
    code.set_defaults(handler=run_admin_code)
    animator = admin_actions.add_parser("animator", help="an animator account and its token")
    animator.add_argument("username", metavar="USERNAME")
    animator.add_argument("--name", required=True, help="the name shown")
    animator.add_argument(
        "--location", action="append", required=True, help="a location it serves (repeatable)"
    )
    animator.set_defaults(handler=run_admin_animator)
    documents = admin_actions.add_parser(
        "documents", help="the documents issued: one line each (newest first), then a count"
    )
    documents.add_argument(
        "--not-handed-over",
        action="store_true",
        help="only those issued but not printed (print failed, abandoned, unknown, not reported)",
    )
    documents.add_argument("--terminal-id", metavar="ID", help="only this terminal's")
    documents.set_defaults(handler=run_admin_documents)

    catalogue = actions.add_parser("catalogue", help="show the offered documents")
    catalogue.add_argument("--json", action="store_true", help="print the catalogue as JSON")
    catalogue.set_defaults(handler=run_catalogue)

    from kiosk.commands.cityapi_register import register as register_commands

    register_commands(actions)


def _client(args: argparse.Namespace) -> Any:
    from kiosk.cityclient import CityApiClient

    settings = load_settings(args.config)
    if not settings.cityapi.url:
        raise UsageError("cityapi.url is not set in the configuration")
    try:
        return CityApiClient(settings.cityapi), settings
    except ValueError as exc:
        raise UsageError(f"cityapi.url: {exc}") from None


def _failure(exc: Exception) -> KioskError:
    from kiosk.cityclient import ErrorKind

    kind = getattr(exc, "kind", None)
    codes = {
        ErrorKind.UNAUTHORISED: EXIT_UNAUTHORISED,
        ErrorKind.REFUSED: EXIT_REFUSED,
        ErrorKind.BAD_RESPONSE: EXIT_BAD_RESPONSE,
    }
    return KioskError(str(exc), codes.get(kind, EXIT_UNAVAILABLE))  # type: ignore[arg-type]


def run_ping(args: argparse.Namespace) -> int:
    from kiosk.cityclient import CityApiError

    client, _settings = _client(args)
    with client:
        try:
            info = client.status()
        except CityApiError as exc:
            raise _failure(exc) from None
    print(f"city API {info.status} (API {info.api_version}, server {info.software_version})")
    return 0


def read_enrolment_code(code_file: Path | None) -> str:
    """The code's first non-empty line, from the file or stdin; never an argument (argv is
    readable by every local user, and stays in shell history)."""
    try:
        if code_file is not None:
            text = code_file.read_text(encoding="utf-8")
        elif sys.stdin.isatty():
            text = getpass.getpass("enrolment code: ")
        else:
            text = sys.stdin.read(4096)  # a code is one short line
    except (OSError, UnicodeDecodeError) as exc:
        source = code_file or "stdin"
        raise UsageError(f"cannot read the enrolment code from {source}: {exc}") from None
    except EOFError:
        text = ""
    code = next((line.strip() for line in text.splitlines() if line.strip()), "")
    if not code:
        raise UsageError("no enrolment code given (on stdin or with --code-file)")
    return code


def run_enrol(args: argparse.Namespace) -> int:
    from kiosk.cityclient import CityApiError

    code = read_enrolment_code(args.code_file)
    client, settings = _client(args)
    terminal_id = args.terminal_id or settings.terminal.id
    if terminal_id != settings.terminal.id:
        # The card signs for the configured id (devices.eid.challenge): a token for another id
        # would have the city refuse every citizen at this terminal.
        raise UsageError(
            f"--terminal-id {terminal_id} is not this terminal's terminal.id "
            f"({settings.terminal.id}); set terminal.id in the configuration instead"
        )
    with client:
        try:
            enrolled = client.enrol(code, terminal_id, kiosk.__version__)
        except CityApiError as exc:
            raise _failure(exc) from None
        except ValueError:  # the code or id does not fit the contract
            raise UsageError("the enrolment code or terminal id is not valid") from None
        except OSError as exc:
            token_file = settings.cityapi.token_file
            raise KioskError(f"cannot write {token_file}: {exc.strerror}") from None
    print(f"enrolled as {enrolled}; token saved in {settings.cityapi.token_file}")
    return 0


def _admin_client(args: argparse.Namespace) -> Any:
    from kiosk.cityclient.admin import AdminTokenError, CityAdminClient, read_admin_token

    settings = load_settings(args.config)
    if not settings.cityapi.url:
        raise UsageError("cityapi.url is not set in the configuration")
    try:
        return CityAdminClient(settings.cityapi, read_admin_token(args.admin_token_file))
    except AdminTokenError as exc:
        raise UsageError(str(exc)) from None
    except ValueError as exc:
        raise UsageError(f"cityapi.url: {exc}") from None


def run_admin_code(args: argparse.Namespace) -> int:
    from kiosk.cityclient import CityApiError

    with _admin_client(args) as client:
        try:
            made = client.enrolment_code(args.terminal_id, args.location, args.valid_for)
        except CityApiError as exc:
            raise _failure(exc) from None
        except ValueError:
            raise UsageError("the terminal id, location or lifetime is not valid") from None
    print(made.enrolment_code)
    until = made.expires_at.isoformat(timespec="seconds")
    print(
        f"enrolment code for {made.terminal_id} at {made.location}, until {until}", file=sys.stderr
    )
    return 0


def run_admin_animator(args: argparse.Namespace) -> int:
    from kiosk.cityclient import CityApiError

    with _admin_client(args) as client:
        try:
            made = client.create_animator(args.username, args.name, args.location)
        except CityApiError as exc:
            raise _failure(exc) from None
        except ValueError:
            raise UsageError("the username, name or a location is not valid") from None
    print(made.token)
    places = ", ".join(made.account.locations)
    print(f"animator {made.account.username} for {places}", file=sys.stderr)
    return 0


def run_admin_documents(args: argparse.Namespace) -> int:
    from kiosk.cityclient import CityApiError

    handed_over = False if args.not_handed_over else None
    with _admin_client(args) as client:
        try:
            listing = client.documents(args.terminal_id, handed_over)
        except CityApiError as exc:
            raise _failure(exc) from None
    for doc in listing.documents:
        created = doc.created_at.isoformat(timespec="seconds")
        outcome = doc.outcome or "-"
        print(
            f"{doc.document_id}  {doc.terminal_id}  {doc.document_type}  {doc.status}  "
            f"{outcome}  {created}"
        )
    which = " not handed over" if args.not_handed_over else ""
    print(f"{len(listing.documents)} document(s){which}")
    return 0


def run_catalogue(args: argparse.Namespace) -> int:
    from kiosk.cityclient import CityApiError

    client, settings = _client(args)
    language = settings.terminal.start_language
    with client:
        try:
            result = client.catalogue()
        except CityApiError as exc:
            raise _failure(exc) from None
    if args.json:
        print(json.dumps(result.catalogue.model_dump(mode="json"), ensure_ascii=False, indent=2))
    else:
        for item in result.catalogue.items:
            price = f"{item.price_cents / 100:.2f} EUR" if item.price_cents else "free"
            print(f"{item.id:20} {price:>10}  {item.name.get(language)}")
    if result.offline:
        print("(offline: the last catalogue received)")
    return 0
