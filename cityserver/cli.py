"""The `cityserver` command: run the city's reference server, and make enrolment codes.

  cityserver serve [--host H] [--port P] [--data DIR] [--trust-roots PEM ...]
                   [--crl FILE ...] [--enrolment-codes FILE|-] [--admin-token-file FILE]
                   [--register FILE] [--secrets-key-file FILE]
                   [--public-url URL] ...
  cityserver enrolment-code TERMINAL_ID --location LOCATION [--data DIR] [--valid-for S]

When it listens, `serve` prints one line on stdout, `cityserver: serving http://HOST:PORT`
(with the port it got for --port 0). Enrolment codes are secrets, never on the command line:
`serve` reads them from a file (mode 0600) or, with `-`, from stdin: one a line,
`TERMINAL_ID LOCATION CODE` (# comments); each enrols that terminal id only, once, within
--enrolment-code-ttl seconds of the start (24 h). `enrolment-code`, on the server's host,
makes a new code for one terminal id (replacing its unused one) in the server's data folder
and prints it alone on stdout; city IT may also ask the running server for one
(POST /v1/admin/enrolment-codes, with the admin token).
`--register FILE` records the citizens of a JSON list (national_number, surname,
first_names, nationality, street_and_number, zip_code, municipality) in the population
register, which certificates are made from; city IT adds more with POST /v1/admin/register
(`kiosk cityapi register add`).
The secrets key seals the answers kept for retries that carry a token: the base64 of 32
random bytes, e.g. `head -c 32 /dev/urandom | base64 > FILE` (mode 0600). Without it, a key
made up at start and held in memory only: a retry across a restart then gets 410 and the
terminal starts afresh.

Exit codes (on SIGTERM or Ctrl-C `serve` shuts down gracefully, then ends by that signal):
  0  stopped normally (stdin closed with --until-stdin-closes); the code was made
  1  unexpected internal error (one line on stderr; -v for the traceback)
  2  usage error: bad arguments, an unreadable trust-root, CRL, codes, register,
     admin-token or secrets-key file (or one open to others), a missing extra
  3  cannot serve: the address is taken or not ours, or the data folder is not writable
"""

from __future__ import annotations

import argparse
import datetime
import hashlib
import logging
import re
import sqlite3
import stat
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from cityserver.config import EnrolmentCodeLine

EXIT_OK = 0
EXIT_INTERNAL = 1
EXIT_USAGE = 2
EXIT_CANNOT_SERVE = 3

# The length the contract allows an enrolment code (cityapi.models.EnrolmentRequest).
CODE_LENGTHS = range(8, 65)
# cityapi.models.Identifier: terminal ids and locations.
IDENTIFIER = re.compile(r"[a-z0-9][a-z0-9_-]{0,63}")
DEFAULT_CODE_TTL_S = 24 * 3600.0

log = logging.getLogger(__name__)


class ServerCliError(Exception):
    """An expected failure: shown as one line; `exit_code` is returned."""

    def __init__(self, message: str, exit_code: int = EXIT_USAGE) -> None:
        super().__init__(message)
        self.exit_code = exit_code


class _Parser(argparse.ArgumentParser):
    """argparse prints usage plus a message; we keep it to one line and exit 2."""

    def error(self, message: str) -> None:  # type: ignore[override]
        self.exit(EXIT_USAGE, f"{self.prog}: {message} (see --help)\n")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="cityserver",
        description=__doc__.split("\n\n", 1)[0],
        epilog=__doc__.split("\n\n", 1)[1],
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("-v", "--verbose", action="store_true", help="show tracebacks")
    actions = parser.add_subparsers(
        dest="action", metavar="COMMAND", required=True, parser_class=_Parser
    )
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
        "--crl",
        type=Path,
        action="append",
        default=[],
        metavar="FILE",
        help="a citizen CA's revocation list, PEM or DER: its certificates are refused "
        "(repeatable)",
    )
    serve.add_argument(
        "--enrolment-codes",
        type=Path,
        metavar="FILE",
        help="accept the one-time enrolment codes in FILE (mode 0600; '-': stdin), "
        "one a line: TERMINAL_ID LOCATION CODE",
    )
    serve.add_argument(
        "--enrolment-code-ttl",
        type=float,
        default=DEFAULT_CODE_TTL_S,
        metavar="S",
        help="how long a new enrolment code is valid (86400)",
    )
    serve.add_argument(
        "--admin-token-file",
        type=Path,
        metavar="FILE",
        help="city IT's admin token, one line in FILE (mode 0600); without it, no admin calls",
    )
    serve.add_argument(
        "--register",
        type=Path,
        metavar="FILE",
        help="record the citizens of FILE (a JSON list, mode 0600) in the population register",
    )
    serve.add_argument(
        "--secrets-key-file",
        type=Path,
        metavar="FILE",
        help="the key sealing kept answers that carry a token: base64 of 32 bytes (mode 0600); "
        "without it, one in memory only",
    )
    serve.add_argument("--public-url", default="", help="base URL printed in verification QRs")
    serve.add_argument(
        "--challenge-ttl", type=float, default=120.0, metavar="S", help="challenge lifetime"
    )
    serve.add_argument(
        "--citizen-token-ttl", type=float, default=300.0, metavar="S", help="citizen token life"
    )
    serve.add_argument(
        "--fault-injection",
        action="store_true",
        help="tests only: answer PUT/GET/DELETE /_faults from loopback to make calls fail on "
        "purpose; never in production",
    )
    serve.add_argument(
        "--until-stdin-closes",
        action="store_true",
        help="stop when stdin reaches its end (the process that started the server is gone)",
    )
    code = actions.add_parser(
        "enrolment-code",
        help="make a one-time enrolment code for one terminal id; printed once on stdout",
    )
    code.add_argument("terminal_id", metavar="TERMINAL_ID", help="the terminal it enrols")
    code.add_argument("--location", required=True, help="the terminal's location")
    code.add_argument(
        "--data", type=Path, default=Path("cityapi-data"), help="the server's data folder"
    )
    code.add_argument(
        "--valid-for",
        type=float,
        default=DEFAULT_CODE_TTL_S,
        metavar="S",
        help="seconds it stays valid (86400)",
    )
    return parser


def _identifier(value: str, what: str) -> str:
    if not IDENTIFIER.fullmatch(value):
        raise ServerCliError(f"{what}: lower-case letters, digits, '-' and '_', 1 to 64")
    return value


def parse_enrolment_codes(text: str, source: str) -> list[EnrolmentCodeLine]:
    """`TERMINAL_ID LOCATION CODE` lines; the line of a bad one is said, never its content."""
    from cityserver.config import EnrolmentCodeLine

    codes = []
    for number, raw in enumerate(text.splitlines(), 1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        fields = line.split()
        if (
            len(fields) != 3
            or not IDENTIFIER.fullmatch(fields[0])
            or not IDENTIFIER.fullmatch(fields[1])
            or len(fields[2]) not in CODE_LENGTHS
            or not fields[2].isprintable()
        ):
            raise ServerCliError(
                f"{source}, line {number}: expected TERMINAL_ID LOCATION CODE "
                "(a code is 8 to 64 printable characters)"
            )
        codes.append(EnrolmentCodeLine(*fields))
    return codes


def read_enrolment_codes(path: Path) -> list[EnrolmentCodeLine]:
    if str(path) == "-":
        try:
            return parse_enrolment_codes(sys.stdin.read(), "stdin")
        except UnicodeDecodeError:
            raise ServerCliError("cannot read enrolment codes from stdin: not UTF-8") from None
    text = _read_private(path, "enrolment codes", refuse_if_open=False)
    return parse_enrolment_codes(text, str(path))


def _read_private(path: Path, what: str, *, refuse_if_open: bool, encoding: str = "utf-8") -> str:
    """The text of a file holding secrets; one line on failure. A file others may read is
    refused (`refuse_if_open`) or warned about."""
    try:
        text = path.read_text(encoding=encoding)
        mode = path.stat().st_mode
    except (OSError, UnicodeDecodeError) as exc:
        reason = getattr(exc, "strerror", None) or f"not {encoding.upper()} text"
        raise ServerCliError(f"cannot read the {what} from {path}: {reason}") from None
    if mode & (stat.S_IRWXG | stat.S_IRWXO):
        if refuse_if_open:
            raise ServerCliError(f"{path} is open to others; keep the {what} in mode 0600")
        print(
            f"cityserver: warning: {path} is open to others; keep the {what} in mode 0600",
            file=sys.stderr,
        )
    return text


def read_admin_token_hash(path: Path) -> str:
    """The admin token's SHA-256: only the hash stays in memory."""
    token = _read_private(path, "admin token", refuse_if_open=True).strip()
    if len(token) < 16 or not token.isprintable() or any(c.isspace() for c in token):
        raise ServerCliError(f"{path}: the admin token is one line of 16 or more characters")
    return hashlib.sha256(token.encode()).hexdigest()


def read_register(path: Path) -> list[Any]:
    """The citizens of a register seed file (cityserver.register)."""
    from cityserver.register import RegisterFileError, read_register_file

    try:
        citizens, open_to_others = read_register_file(path)
    except RegisterFileError as exc:
        raise ServerCliError(str(exc)) from None
    if open_to_others:
        print(
            f"cityserver: warning: {path} is open to others; keep citizen data in mode 0600",
            file=sys.stderr,
        )
    return citizens


def read_secrets_key(path: Path) -> bytes:
    from cityserver.sealing import read_key

    text = _read_private(path, "secrets key", refuse_if_open=True, encoding="ascii")
    try:
        return read_key(text)
    except ValueError as exc:
        raise ServerCliError(f"{path}: the secrets key is the base64 of 32 bytes ({exc})") from None


def run_serve(args: argparse.Namespace) -> int:
    if not 0 <= args.port <= 65535:
        raise ServerCliError("--port must be 0..65535")
    if args.challenge_ttl <= 0 or args.citizen_token_ttl <= 0 or args.enrolment_code_ttl <= 0:
        raise ServerCliError("lifetimes must be positive")
    if str(args.enrolment_codes) == "-" and args.until_stdin_closes:
        raise ServerCliError("--enrolment-codes - and --until-stdin-closes both need stdin")
    codes = read_enrolment_codes(args.enrolment_codes) if args.enrolment_codes else []
    admin = read_admin_token_hash(args.admin_token_file) if args.admin_token_file else None
    key = read_secrets_key(args.secrets_key_file) if args.secrets_key_file else None
    try:
        from cityserver.config import ServerConfig
        from cityserver.serve import serve
    except ImportError as exc:
        raise ServerCliError(
            f"the server needs the 'server' extra ({exc.name} is missing): "
            "pip install 'brussels-kiosk[server]'"
        ) from None
    register = read_register(args.register) if args.register else []
    from cityserver.revocation import RevocationListError, load_crls
    from devices.eid.trust import TrustRootError, default_roots, load_pem_roots

    try:
        roots = default_roots() + load_pem_roots(args.trust_roots)
        crls = load_crls(args.crl)
    except (TrustRootError, RevocationListError) as exc:
        raise ServerCliError(str(exc)) from None
    config = ServerConfig(
        data_dir=args.data,
        trust_roots=roots,
        revocation_lists=crls,
        enrolment_codes=codes,
        enrolment_code_ttl_s=args.enrolment_code_ttl,
        admin_token_hash=admin,
        register=register,
        secrets_key=key,
        challenge_ttl_s=args.challenge_ttl,
        citizen_token_ttl_s=args.citizen_token_ttl,
        public_url=args.public_url.rstrip("/"),
        fault_injection=args.fault_injection,
    )
    try:
        args.data.mkdir(parents=True, exist_ok=True)
        serve(config, args.host, args.port, until_stdin_closes=args.until_stdin_closes)
    except OSError as exc:  # socket.gaierror is one
        raise ServerCliError(
            f"cannot serve on {args.host}:{args.port} with data in {args.data}: "
            f"{getattr(exc, 'strerror', None) or exc}",
            EXIT_CANNOT_SERVE,
        ) from None
    return EXIT_OK


def run_enrolment_code(args: argparse.Namespace) -> int:
    """A new code in the server's database (beside the running server: WAL allows it)."""
    terminal_id = _identifier(args.terminal_id, "TERMINAL_ID")
    location = _identifier(args.location, "--location")
    if args.valid_for <= 0:
        raise ServerCliError("--valid-for must be positive")
    from cityserver.config import ServerConfig
    from cityserver.store import Store

    database = ServerConfig(data_dir=args.data).database
    if not database.exists():
        raise ServerCliError(f"no server database in {args.data} (see --data)")
    now = datetime.datetime.now(datetime.UTC)
    try:
        store = Store(database)
        try:
            code = store.new_enrolment_code(
                terminal_id, location, now.timestamp(), now.timestamp() + args.valid_for
            )
        finally:
            store.close()
    except sqlite3.Error as exc:
        raise ServerCliError(f"cannot write {database}: {exc}", EXIT_CANNOT_SERVE) from None
    until = (now + datetime.timedelta(seconds=args.valid_for)).isoformat(timespec="seconds")
    print(code, flush=True)
    print(
        f"cityserver: enrolment code for {terminal_id} at {location}, valid until {until}",
        file=sys.stderr,
    )
    return EXIT_OK


HANDLERS = {"serve": run_serve, "enrolment-code": run_enrolment_code}


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    logging.basicConfig(level=logging.DEBUG if args.verbose else logging.WARNING)
    try:
        return int(HANDLERS[args.action](args))
    except ServerCliError as exc:
        print(f"cityserver: {exc}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        return 130
    except Exception as exc:  # the last line of defence: never a traceback on the terminal
        log.debug("unexpected error", exc_info=True)
        print(
            f"cityserver: internal error ({type(exc).__name__}); run with -v for details",
            file=sys.stderr,
        )
        return EXIT_INTERNAL


def entry() -> None:
    sys.exit(main())


if __name__ == "__main__":
    entry()
