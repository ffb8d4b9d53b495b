"""Subcommands whose capability has not landed yet answer with one line and exit 2."""

from __future__ import annotations

import argparse
from typing import Any

from kiosk.errors import NotAvailableYet


def register_pending(sub: Any, name: str, help_text: str) -> argparse.ArgumentParser:
    parser: argparse.ArgumentParser = sub.add_parser(name, help=help_text, description=help_text)
    parser.add_argument("rest", nargs=argparse.REMAINDER, help=argparse.SUPPRESS)

    def handler(_args: argparse.Namespace) -> int:
        raise NotAvailableYet(f"'kiosk {name}' is not available yet in this version")

    parser.set_defaults(handler=handler)
    return parser
