"""Subcommands of `kiosk`, in the order `kiosk --help` lists them.

Each module exposes `register(subparsers)`, which adds its parser and sets `handler`,
a function taking the parsed arguments and returning an exit code.
"""

from __future__ import annotations

from types import ModuleType

from kiosk.commands import (
    animator,
    cityapi,
    demo,
    doctor,
    eid,
    health,
    maintenance,
    print_,
    provision,
    receipt,
    run,
)

COMMANDS: list[ModuleType] = [
    run,
    demo,
    eid,
    print_,
    receipt,
    health,
    doctor,
    provision,
    maintenance,
    cityapi,
    animator,
]
