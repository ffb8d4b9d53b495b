"""Kivy settings that must be in place before the window exists.

Kivy reads its environment when first imported and its graphics settings when the window is
created, so `prepare_kivy()` runs before any screen module is loaded. Kiosk defaults: no
escape key, no multitouch emulation (the red dot on right-click), no command-line parsing,
no log file in the home directory, no cursor in full screen, a capped frame rate, and no
signal handlers of SDL's: SDL would turn SIGTERM and SIGINT into a close request, which the
kiosk refuses; kiosk.stop_signals stops the kiosk cleanly on them instead.

KIVY_HOME (given in the environment, else a private folder under the temporary directory)
holds a `config.ini` that Kivy reads at import and a `mods/` folder whose Python files it
puts on sys.path and runs when config.ini names them. Whoever can write there runs code in
the kiosk, so it must belong to the kiosk's user and be writable by nobody else (the folder,
its config.ini and its mods/), else the kiosk refuses to start (`UnsafeKivyHome`, exit 3)
before Kivy is imported.
"""

from __future__ import annotations

import os
import stat
import sys
import tempfile
from pathlib import Path

from kiosk.errors import KioskError

MAX_FPS = 60
# What Kivy reads or runs from KIVY_HOME, besides the folder itself.
_KIVY_HOME_ENTRIES = ("config.ini", "mods", "icon")


class UnsafeKivyHome(KioskError):
    """KIVY_HOME is owned by another user or writable by group or others."""

    exit_code = 3


def check_private(path: Path) -> None:
    """Raise UnsafeKivyHome unless `path` (KIVY_HOME) and what Kivy reads in it belong to this
    process's user and nobody else may write them. Symbolic links are judged by their target
    and their own owner."""
    uid = os.geteuid()
    mods = path / "mods"
    try:
        inside = sorted(mods.iterdir()) if mods.is_dir() and not mods.is_symlink() else []
    except OSError:
        inside = []  # mods/ itself is judged below
    for entry in (path, *(path / name for name in _KIVY_HOME_ENTRIES), *inside):
        try:
            link = os.lstat(entry)
            st = os.stat(entry)
        except FileNotFoundError:
            continue  # Kivy makes what is missing, with this process's owner and umask
        except OSError as exc:
            raise UnsafeKivyHome(f"KIVY_HOME: cannot check {entry} ({exc.strerror})") from None
        if link.st_uid != uid or st.st_uid != uid:
            raise UnsafeKivyHome(
                f"KIVY_HOME: {entry} belongs to another user (uid {st.st_uid}); "
                "the kiosk will not start"
            )
        if stat.S_IMODE(st.st_mode) & 0o022:
            raise UnsafeKivyHome(
                f"KIVY_HOME: {entry} is writable by group or others; chmod go-w it "
                "(the kiosk will not start)"
            )


def kivy_environment(home: Path | None = None) -> None:
    """The environment Kivy reads at import (harmless if Kivy is already imported). Raises
    UnsafeKivyHome when KIVY_HOME could be written by someone else."""
    os.environ["KIVY_NO_ARGS"] = "1"
    os.environ["KIVY_NO_FILELOG"] = "1"
    os.environ.setdefault("KIVY_NO_CONSOLELOG", "1")
    # Kivy's records go through our logging set-up (and its redaction), at warning level.
    os.environ["KIVY_LOG_MODE"] = "PYTHON"
    os.environ.setdefault("KCFG_KIVY_LOG_LEVEL", "warning")
    given = os.environ.get("KIVY_HOME")
    default = home or Path(tempfile.gettempdir()) / f"kiosk-kivy-{os.getuid()}"
    kivy_home = Path(given).expanduser() if given else default
    try:
        kivy_home.mkdir(mode=0o700, parents=True, exist_ok=True)
    except OSError as exc:
        raise UnsafeKivyHome(f"KIVY_HOME: cannot create {kivy_home} ({exc.strerror})") from None
    # exist_ok: a folder someone else made beforehand is found here, and refused.
    check_private(kivy_home)
    os.environ["KIVY_HOME"] = str(kivy_home)


def prepare_kivy(
    fullscreen: bool, size: tuple[int, int] = (1920, 1080), home: Path | None = None
) -> None:
    if "kivy.core.window" in sys.modules:
        raise RuntimeError("prepare_kivy() must run before the Kivy window is created")
    if "kivy" not in sys.modules:
        kivy_environment(home)
    # Read by SDL_Init, when the window is made.
    os.environ["SDL_NO_SIGNAL_HANDLERS"] = "1"
    from kivy.config import Config

    Config.set("kivy", "exit_on_escape", "0")
    Config.set("kivy", "keyboard_mode", "system")
    Config.set("kivy", "pause_on_minimize", "0")
    Config.set("input", "mouse", "mouse,disable_multitouch")
    Config.set("graphics", "multisamples", "0")
    Config.set("graphics", "maxfps", str(MAX_FPS))
    Config.set("graphics", "fullscreen", "auto" if fullscreen else "0")
    Config.set("graphics", "borderless", "1" if fullscreen else "0")
    Config.set("graphics", "show_cursor", "0" if fullscreen else "1")
    Config.set("graphics", "width", str(size[0]))
    Config.set("graphics", "height", str(size[1]))
    Config.set("graphics", "resizable", "0")
