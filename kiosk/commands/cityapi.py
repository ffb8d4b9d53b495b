"""`kiosk cityapi`: talk to the city API this terminal is configured for.

  ping       is the configured city API answering?
  enrol      spend an enrolment code and keep this terminal's token
  catalogue  show the documents the city API offers this terminal
  register add  city IT: add a citizen to the population register (admin token from a file
             or stdin; see `kiosk cityapi register add --help`)

Exit codes: 0 success; 2 usage or configuration; 3 the service is unreachable, too slow or
failing; 4 this terminal is not authorised; 5 the service refused;
6 the service's answer was unusable.

The city's reference server is a command of its own: `cityserver serve` (the `server` extra).
"""

from __future__ import annotations

import argparse
import json
from typing import Any

import kiosk
from kiosk.config import load_settings
from kiosk.errors import KioskError, UsageError

HELP = "talk to the city API: ping, enrol, catalogue, register add"

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
    enrol.add_argument("code", help="the enrolment code from the city's IT")
    enrol.add_argument("--terminal-id", help="terminal id (default: terminal.id from config)")
    enrol.set_defaults(handler=run_enrol)

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


def run_enrol(args: argparse.Namespace) -> int:
    from kiosk.cityclient import CityApiError

    client, settings = _client(args)
    terminal_id = args.terminal_id or settings.terminal.id
    with client:
        try:
            enrolled = client.enrol(args.code, terminal_id, kiosk.__version__)
        except CityApiError as exc:
            raise _failure(exc) from None
        except ValueError:  # the code or id does not fit the contract
            raise UsageError("the enrolment code or terminal id is not valid") from None
        except OSError as exc:
            token_file = settings.cityapi.token_file
            raise KioskError(f"cannot write {token_file}: {exc.strerror}") from None
    print(f"enrolled as {enrolled}; token saved in {settings.cityapi.token_file}")
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
