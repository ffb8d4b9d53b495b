"""`python -m cityserver ...` is the `cityserver` command (how `kiosk demo` starts it)."""

from cityserver.cli import entry

entry()
