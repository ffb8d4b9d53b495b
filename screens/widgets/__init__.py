"""Shared widgets: labels, buttons (icon + words), layout frame and the accessibility bar.
Importing this package registers them and their rules.

The PIN pad, the catalogue's tiles, the progress rows and the idle overlay are not loaded here:
what shows them imports them (and so their rules), after the first frame is drawn (cold
start)."""

from __future__ import annotations

from screens.rules import load_rules
from screens.widgets import (  # noqa: F401  (Kivy's Factory learns the classes on import)
    accessbar,
    buttons,
    icon,
    layout,
    text,
)

for _module in (text, buttons, layout, accessbar):
    load_rules(_module.__file__ or "")
