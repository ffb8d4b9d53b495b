"""`kiosk cityapi`: serve the reference city API, or talk to one.

  serve      run the reference server (needs the `cityapi` extra: fastapi, uvicorn, fpdf2)
  ping       is the configured city API answering?
  enrol      spend an enrolment code and keep this terminal's token
  catalogue  show the documents the city API offers this terminal

Exit codes: 0 success; 2 usage or configuration; 3 the service is unreachable, too slow or
failing (or `serve` cannot listen); 4 this terminal is not authorised; 5 the service refused;
6 the service's answer was unusable.
"""

from __future__ import annotations

import argparse
import json
import socket
from pathlib import Path
from typing import Any

import kiosk
from kiosk.config import load_settings
from kiosk.errors import KioskError, UsageError

HELP = "serve the reference city API, or talk to one"

EXIT_UNAVAILABLE = 3
EXIT_UNAUTHORISED = 4
EXIT_REFUSED = 5
EXIT_BAD_RESPONSE = 6


def register(sub: Any) -> None:
    parser = sub.add_parser("cityapi", help=HELP, description=__doc__.split("\n\n", 1)[1])
    parser.formatter_class = argparse.RawDescriptionHelpFormatter
    actions = parser.add_subparsers(dest="cityapi_action", metavar="ACTION", required=True)

    serve = actions.add_parser("serve", help="run the reference city API server")
    serve.add_argument("--host", default="127.0.0.1", help="address to listen on (127.0.0.1)")
    serve.add_argument("--port", type=int, default=8080, help="port (0: any free port; 8080)")
    serve.add_argument(
        "--data", type=Path, default=Path("cityapi-data"), help="folder for the SQLite database"
    )
    serve.add_argument(
        "--trust-roots",
        type=Path,
        action="append",
        default=[],
        metavar="PEM",
        help="extra trust roots for cards, besides the Belgium Root CAs (repeatable)",
    )
    serve.add_argument(
        "--enrolment-code",
        action="append",
        default=[],
        metavar="CODE",
        help="accept this one-time enrolment code (repeatable; one is made up if none is left)",
    )
    serve.add_argument("--public-url", default="", help="base URL printed in verification QRs")
    serve.add_argument(
        "--challenge-ttl", type=float, default=120.0, metavar="S", help="challenge lifetime"
    )
    serve.add_argument(
        "--citizen-token-ttl", type=float, default=600.0, metavar="S", help="citizen token life"
    )
    serve.set_defaults(handler=run_serve)

    ping = actions.add_parser("ping", help="check that the configured city API answers")
    ping.set_defaults(handler=run_ping)

    enrol = actions.add_parser("enrol", help="enrol this terminal with a one-time code")
    enrol.add_argument("code", help="the enrolment code from the city's IT")
    enrol.add_argument("--terminal-id", help="terminal id (default: terminal.id from config)")
    enrol.set_defaults(handler=run_enrol)

    catalogue = actions.add_parser("catalogue", help="show the offered documents")
    catalogue.add_argument("--json", action="store_true", help="print the catalogue as JSON")
    catalogue.set_defaults(handler=run_catalogue)


def run_serve(args: argparse.Namespace) -> int:
    try:
        from kiosk.refserver.config import ServerConfig
        from kiosk.refserver.serve import serve
    except ImportError as exc:
        raise UsageError(
            f"the reference server needs the 'cityapi' extra ({exc.name} is missing): "
            "pip install 'brussels-kiosk[cityapi]'"
        ) from None
    from devices.eid.trust import TrustRootError, default_roots, load_pem_roots

    if not 0 <= args.port <= 65535:
        raise UsageError("--port must be 0..65535")
    if args.challenge_ttl <= 0 or args.citizen_token_ttl <= 0:
        raise UsageError("lifetimes must be positive")
    try:
        roots = default_roots() + load_pem_roots(args.trust_roots)
    except TrustRootError as exc:
        raise UsageError(str(exc)) from None
    config = ServerConfig(
        data_dir=args.data,
        trust_roots=roots,
        enrolment_codes=list(args.enrolment_code),
        challenge_ttl_s=args.challenge_ttl,
        citizen_token_ttl_s=args.citizen_token_ttl,
        public_url=args.public_url.rstrip("/"),
    )
    try:
        args.data.mkdir(parents=True, exist_ok=True)
        serve(config, args.host, args.port)
    except (socket.gaierror, OSError) as exc:
        raise KioskError(
            f"cannot serve on {args.host}:{args.port} with data in {args.data}: "
            f"{getattr(exc, 'strerror', None) or exc}",
            EXIT_UNAVAILABLE,
        ) from None
    return 0


def _client(args: argparse.Namespace) -> Any:
    from kiosk.cityapi import CityApiClient

    settings = load_settings(args.config)
    if not settings.cityapi.url:
        raise UsageError("cityapi.url is not set in the configuration")
    try:
        return CityApiClient(settings.cityapi), settings
    except ValueError as exc:
        raise UsageError(f"cityapi.url: {exc}") from None


def _failure(exc: Exception) -> KioskError:
    from kiosk.cityapi import ErrorKind

    kind = getattr(exc, "kind", None)
    codes = {
        ErrorKind.UNAUTHORISED: EXIT_UNAUTHORISED,
        ErrorKind.REFUSED: EXIT_REFUSED,
        ErrorKind.BAD_RESPONSE: EXIT_BAD_RESPONSE,
    }
    return KioskError(str(exc), codes.get(kind, EXIT_UNAVAILABLE))  # type: ignore[arg-type]


def run_ping(args: argparse.Namespace) -> int:
    from kiosk.cityapi import CityApiError

    client, _settings = _client(args)
    with client:
        try:
            info = client.status()
        except CityApiError as exc:
            raise _failure(exc) from None
    print(f"city API {info.status} (API {info.api_version}, server {info.software_version})")
    return 0


def run_enrol(args: argparse.Namespace) -> int:
    from kiosk.cityapi import CityApiError

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
    from kiosk.cityapi import CityApiError

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
