"""Kivy settings that must be in place before the window exists.

Kivy reads its environment when first imported and its graphics settings when the window is
created, so `prepare_kivy()` runs before any screen module is loaded. Kiosk defaults: no
escape key, no multitouch emulation (the red dot on right-click), no command-line parsing,
no log file in the home directory, no cursor in full screen, a capped frame rate.
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

MAX_FPS = 60


def kivy_environment(home: Path | None = None) -> None:
    """The environment Kivy reads at import (harmless if Kivy is already imported)."""
    os.environ["KIVY_NO_ARGS"] = "1"
    os.environ["KIVY_NO_FILELOG"] = "1"
    os.environ.setdefault("KIVY_NO_CONSOLELOG", "1")
    # Kivy's records go through our logging set-up (and its redaction), at warning level.
    os.environ["KIVY_LOG_MODE"] = "PYTHON"
    os.environ.setdefault("KCFG_KIVY_LOG_LEVEL", "warning")
    kivy_home = home or Path(tempfile.gettempdir()) / f"kiosk-kivy-{os.getuid()}"
    kivy_home.mkdir(mode=0o700, parents=True, exist_ok=True)
    os.environ.setdefault("KIVY_HOME", str(kivy_home))


def prepare_kivy(
    fullscreen: bool, size: tuple[int, int] = (1920, 1080), home: Path | None = None
) -> None:
    if "kivy.core.window" in sys.modules:
        raise RuntimeError("prepare_kivy() must run before the Kivy window is created")
    if "kivy" not in sys.modules:
        kivy_environment(home)
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
