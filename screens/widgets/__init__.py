"""Shared widgets: labels, buttons (icon + words), layout frame, progress, PIN pad, tiles, the
idle overlay and the accessibility bar. Importing this package registers them and their rules."""

from __future__ import annotations

from pathlib import Path

from kivy.lang import Builder

from screens.widgets import (  # noqa: F401  (Kivy's Factory learns the classes on import)
    accessbar,
    buttons,
    icon,
    layout,
    overlay,
    pinpad,
    progress,
    text,
    tile,
)

_HERE = Path(__file__).parent
_RULES = ("text", "buttons", "layout", "progress", "pinpad", "tile", "overlay", "accessbar")

for _name in _RULES:
    _path = str(_HERE / f"{_name}.kv")
    if _path not in Builder.files:
        Builder.load_file(_path)
