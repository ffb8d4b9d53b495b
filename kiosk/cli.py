"""The `kiosk` command: one entry point, one module per subcommand under kiosk/commands/.

Exit codes shared by every subcommand (a subcommand documents its own extra codes):
  0  success
  1  unexpected internal error (one line on stderr; details in the log)
  2  usage error, bad configuration, or a feature not available yet
"""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Sequence

import kiosk
from kiosk.commands import COMMANDS
from kiosk.errors import KioskError

EXIT_OK = 0
EXIT_INTERNAL = 1
EXIT_USAGE = 2

log = logging.getLogger(__name__)


class _Parser(argparse.ArgumentParser):
    """argparse prints usage plus a message; we keep it to one line and exit 2."""

    def error(self, message: str) -> None:  # type: ignore[override]
        if message.startswith("unrecognized arguments:"):
            # Not repeated: a secret typed on the command line (an enrolment code, a PIN)
            # would go from shell history to the screen and any log of it too.
            message = "unexpected arguments (not repeated here; secrets never go on the line)"
        self.exit(EXIT_USAGE, f"{self.prog}: {message} (see --help)\n")


class _VersionAction(argparse.Action):
    """argparse's own "version" action needs the text up front; reading the installed
    version costs about 40 ms, which `kiosk run` should not pay on its way to the screen."""

    def __call__(self, parser: argparse.ArgumentParser, *_args: object) -> None:
        print(f"kiosk {kiosk.__version__}")
        parser.exit(EXIT_OK)


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="kiosk",
        description="Brussels self-service kiosk and public-access terminal.",
    )
    parser.add_argument("--version", action=_VersionAction, nargs=0, help="show the version")
    parser.add_argument(
        "--config",
        metavar="FILE",
        help="configuration file (default: $KIOSK_CONFIG, then /etc/kiosk/kiosk.toml)",
    )
    parser.add_argument("-v", "--verbose", action="store_true", help="log debug messages")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    for command in COMMANDS:
        command.register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    from kiosk.logs import setup_logging

    # Commands for IT and scripts speak in one line; only warnings join it. The long-running
    # `run` and `demo` set the configured level themselves.
    setup_logging(verbose=args.verbose, level="warning")
    if not getattr(args, "handler", None):
        parser.print_help()
        return EXIT_USAGE
    try:
        code = int(args.handler(args))
    except KioskError as exc:
        print(f"kiosk: {exc}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        return 130
    except Exception as exc:  # the last line of defence: never a traceback on the terminal
        log.debug("unexpected error", exc_info=True)
        print(
            f"kiosk: internal error ({type(exc).__name__}); run with -v for details",
            file=sys.stderr,
        )
        return EXIT_INTERNAL
    return code


def entry() -> None:
    sys.exit(main())


if __name__ == "__main__":
    entry()
