"""Labels in the kiosk's font and colours. Markup is always off: card data (a name such as
`[b]x[/b]`) is displayed literally, never interpreted.

Class rules here bind to the theme; instances only set constants (role, tone, halign), never
re-bind a property the class rule binds (Kivy would keep both bindings).
"""

from __future__ import annotations

from kivy.properties import OptionProperty
from kivy.uix.label import Label

ROLES = ["title", "big", "body", "small"]
TONES = ["text", "muted", "danger", "primary_ink"]


class KioskLabel(Label):
    """Text that wraps to its width and takes the height it needs."""

    role = OptionProperty("body", options=ROLES)
    tone = OptionProperty("text", options=TONES)


class TitleLabel(KioskLabel):
    """A screen's title: the first thing read and spoken."""


class NoteLabel(KioskLabel):
    """Secondary text (hints), still high contrast."""


class ButtonLabel(Label):
    """A button's words: wraps; the button sets its size and colour."""


class InlineLabel(Label):
    """One line as wide as its text; the parent sets size and colour."""
