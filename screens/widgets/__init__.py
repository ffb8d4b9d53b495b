"""Shared widgets: labels, buttons (icon + words), layout frame, the idle overlay and the
accessibility bar. Importing this package registers them and their rules.

The PIN pad, the catalogue's tiles and the progress rows are not loaded here: the screens that
show them import them (and so their rules), after the first frame is drawn (cold start)."""

from __future__ import annotations

from screens.rules import load_rules
from screens.widgets import (  # noqa: F401  (Kivy's Factory learns the classes on import)
    accessbar,
    buttons,
    icon,
    layout,
    overlay,
    text,
)

for _module in (text, buttons, layout, overlay, accessbar):
    load_rules(_module.__file__ or "")
