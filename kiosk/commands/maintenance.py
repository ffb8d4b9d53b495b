"""`kiosk maintenance code`: set the code that opens the maintenance screen.

The code is read without echo (twice, to catch a typo) or, when standard input is not a
terminal, as one line from it (provisioning scripts). Only its argon2id hash is kept. Without
`--write` the command prints the line to put under `[ui]`; with it, the line goes into the
configuration file itself, whose other keys, comments and layout are kept.

Exit codes: 0 set (or printed); 2 a code that is not 6 to 12 digits, two codes that differ,
or a configuration file that cannot be read, is not valid, or cannot be written (nothing is
changed then); 130 interrupted.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from typing import Any

from kiosk.errors import UsageError

# The maintenance screen's pad takes 4 to 12 digits (screens.widgets.pinpad); this code guards
# the whole terminal, so it asks for at least 6.
MIN_DIGITS, MAX_DIGITS = 6, 12
HELP = "the maintenance screen: set the code that opens it"


def register(sub: Any) -> None:
    parser = sub.add_parser("maintenance", help=HELP, description=HELP)
    actions = parser.add_subparsers(dest="maintenance_action", metavar="ACTION", required=True)
    code = actions.add_parser(
        "code",
        help="set the code (asked twice, not shown; kept as an argon2id hash)",
        description=__doc__.split("\n\n")[1],
    )
    code.add_argument(
        "--write",
        action="store_true",
        help="write it into the configuration file instead of printing the line for [ui]",
    )
    code.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from kiosk.maintenance_pin import hash_maintenance_pin

    line_value = hash_maintenance_pin(read_code())
    if not args.write:
        print(f'maintenance_pin_hash = "{line_value}"')
        return 0
    from kiosk.config import resolve_path

    path, _ = resolve_path(args.config)
    write_hash(path, line_value)
    print(f"maintenance code set in {path}; restart the kiosk (systemctl restart kiosk) to use it")
    if path.stat().st_mode & 0o004:
        # A short code is found from its hash by trying every one: the hash must stay private.
        print(f"kiosk: warning: everyone can read {path}; chmod o-r it", file=sys.stderr)
    return 0


def read_code() -> str:
    """The new code, checked: digits only, MIN_DIGITS to MAX_DIGITS long."""
    if sys.stdin.isatty():
        import getpass

        try:
            first = getpass.getpass(f"New maintenance code ({MIN_DIGITS} to {MAX_DIGITS} digits): ")
            again = getpass.getpass("The same code again: ")
        except EOFError:  # Ctrl-D at a prompt
            raise UsageError("no code was given; nothing was changed") from None
        if first != again:
            raise UsageError("the two codes differ; nothing was changed")
    else:
        first = sys.stdin.readline().rstrip("\r\n")
    if not (first.isascii() and first.isdigit() and MIN_DIGITS <= len(first) <= MAX_DIGITS):
        raise UsageError(
            f"the maintenance code must be {MIN_DIGITS} to {MAX_DIGITS} digits "
            "(the maintenance screen has a digit pad); nothing was changed"
        )
    return first


def write_hash(path: Path, value: str) -> None:
    """Set `[ui] maintenance_pin_hash` in the file at `path`, keeping everything else.

    The result is validated as the kiosk would read it before it replaces the file, in one
    rename: a kiosk starting meanwhile reads either the old file or the new one.
    """
    import tomlkit  # keeps comments and layout, which tomllib cannot write back
    from tomlkit.exceptions import TOMLKitError

    from kiosk.config import parse_settings

    try:
        text = path.read_text(encoding="utf-8")
        document = tomlkit.parse(text)
    except FileNotFoundError:
        raise UsageError(f"{path}: configuration file not found; nothing was changed") from None
    except (OSError, UnicodeDecodeError) as exc:
        reason = getattr(exc, "strerror", None) or "not UTF-8 text"
        raise UsageError(f"{path}: cannot read it ({reason}); nothing was changed") from None
    except TOMLKitError as exc:
        raise UsageError(f"{path}: not valid TOML ({exc}); nothing was changed") from None
    parse_settings(text.encode(), path)  # an invalid file is refused as it stands (exit 2)
    ui = document.get("ui")
    if ui is None:
        ui = tomlkit.table()
        document["ui"] = ui
    ui["maintenance_pin_hash"] = value
    new_text = tomlkit.dumps(document)
    parse_settings(new_text.encode(), path)
    _replace(path, new_text)


def _replace(path: Path, text: str) -> None:
    """Write `text` to a file beside `path`, with its mode and owner, then rename it over.
    A symbolic link (a configuration managed elsewhere) stays one: its target is replaced."""
    import tempfile  # not at the top: `kiosk run` imports every subcommand's module

    path = path.resolve()
    try:
        before = path.stat()
        handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    except OSError as exc:
        raise UsageError(
            f"{path}: cannot write beside it ({exc.strerror}); nothing was changed"
        ) from None
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            out.write(text)
            out.flush()
            os.fsync(out.fileno())
        os.chmod(temporary, before.st_mode & 0o7777)
        if os.geteuid() == 0:
            os.chown(temporary, before.st_uid, before.st_gid)
        os.replace(temporary, path)
    except OSError as exc:
        Path(temporary).unlink(missing_ok=True)
        raise UsageError(f"{path}: cannot write it ({exc.strerror}); nothing was changed") from None
