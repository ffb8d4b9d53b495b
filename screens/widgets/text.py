"""Labels in the kiosk's font and colours. Markup is always off: card data (a name such as
`[b]x[/b]`) is displayed literally, never interpreted.

Class rules here bind to the theme; instances only set constants (role, tone, halign), never
re-bind a property the class rule binds (Kivy would keep both bindings).
"""

from __future__ import annotations

from kivy.properties import BooleanProperty, OptionProperty
from kivy.uix.label import Label

from screens.theme import THEME
from screens.widgets.layout import Collapsible

ROLES = ["title", "big", "body", "small"]
TONES = ["text", "muted", "danger", "primary_ink"]


class KioskLabel(Collapsible, Label):
    """Text that wraps to its width and takes the height it needs. A `secondary` line (a
    tip, a summary the title already says) gives its room up to large text on a short
    screen; it is still spoken."""

    role = OptionProperty("body", options=ROLES)
    tone = OptionProperty("text", options=TONES)
    secondary = BooleanProperty(False)

    def __init__(self, **kwargs: object) -> None:
        super().__init__(**kwargs)
        self.watch_collapse("secondary", theme=("large_text", "short_screen"))

    def collapsed(self) -> bool:
        return bool(self.secondary and THEME.large_text and THEME.short_screen)


class TitleLabel(KioskLabel):
    """A screen's title: the first thing read and spoken."""


class NoteLabel(KioskLabel):
    """Secondary text (hints), still high contrast."""

    def __init__(self, **kwargs: object) -> None:
        kwargs.setdefault("secondary", True)
        super().__init__(**kwargs)


class ButtonLabel(Label):
    """A button's words: wraps; the button sets its size and colour."""


class InlineLabel(Label):
    """One line as wide as its text; the parent sets size and colour."""
