"""The idle warning: a panel at the top of the screen with a countdown and one big "More
time" button. Shown with a tone and speech too (EAA: more than one sense), by the app.

One countdown: the presenter sets `seconds_left` and `message` together, from the session's
deadline, at every tick; the panel has no clock of its own, so its number and its sentence
cannot disagree.

Not modal. A touch anywhere counts as "More time" (the session takes any Touch during the
warning as one). A touch on the panel is for the warning only; every other touch goes on to
the screen below, whose buttons stay visible under the veil and act as usual: a citizen who
was reaching for "Try again" when the warning came gets both more time and the retry, never
a touch swallowed by the warning. The panel sits at the top, over the page's title, so it
covers words rather than the buttons, which are at the bottom of every page.

Its rules load with this module, which the shell imports when it first builds the overlay, in
the calm after the first frame (cold start)."""

from __future__ import annotations

from typing import Any

from kivy.properties import BooleanProperty, NumericProperty, StringProperty
from kivy.uix.floatlayout import FloatLayout

from screens.rules import load_rules

load_rules(__file__)


class IdleOverlay(FloatLayout):
    seconds_left = NumericProperty(0)
    can_extend = BooleanProperty(True)
    message = StringProperty("")  # the warning's sentence (translated), with `seconds_left`

    __events__ = ("on_more_time",)

    def show_time(self, seconds_left: int, can_extend: bool, message: str) -> None:
        """The countdown and its sentence, from one value."""
        self.seconds_left = seconds_left
        self.can_extend = can_extend
        self.message = message

    def on_panel(self, touch: Any) -> bool:
        return bool(self.ids.panel.collide_point(*touch.pos))

    def on_more_time(self) -> None:
        pass

    # Only the panel takes touches; elsewhere they reach the screen below.
    def on_touch_down(self, touch: Any) -> bool:
        if not self.on_panel(touch):
            return False
        super().on_touch_down(touch)
        return True

    def on_touch_move(self, touch: Any) -> bool:
        if not self.on_panel(touch):
            return False
        super().on_touch_move(touch)
        return True

    def on_touch_up(self, touch: Any) -> bool:
        if not self.on_panel(touch) and touch.grab_current is not self:
            return False
        super().on_touch_up(touch)
        return True
