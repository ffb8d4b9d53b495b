"""The idle warning: a modal panel over the screen with a countdown and one big "More time"
button. Shown with a tone and speech too (EAA: more than one sense), by the app.

Its rules load with this module, which the shell imports when it first builds the overlay, in
the calm after the first frame (cold start)."""

from __future__ import annotations

from kivy.clock import Clock
from kivy.properties import BooleanProperty, NumericProperty, StringProperty
from kivy.uix.floatlayout import FloatLayout

from screens.rules import load_rules

load_rules(__file__)


class IdleOverlay(FloatLayout):
    seconds_left = NumericProperty(0)
    can_extend = BooleanProperty(True)
    message = StringProperty("")  # the announcement's words (already translated)

    __events__ = ("on_more_time",)

    def __init__(self, **kwargs: object) -> None:
        super().__init__(**kwargs)
        self._countdown = Clock.schedule_interval(self._tick, 1.0)
        self._countdown.cancel()

    def start(self, seconds_left: int, can_extend: bool, message: str) -> None:
        self.seconds_left = seconds_left
        self.can_extend = can_extend
        self.message = message
        self._countdown.cancel()
        self._countdown = Clock.schedule_interval(self._tick, 1.0)

    def stop(self) -> None:
        self._countdown.cancel()

    def _tick(self, _dt: float) -> None:
        self.seconds_left = max(0, self.seconds_left - 1)

    def on_more_time(self) -> None:
        pass

    # Modal: nothing behind the overlay can be touched while it shows.
    def on_touch_down(self, touch: object) -> bool:
        super().on_touch_down(touch)
        return True

    def on_touch_move(self, touch: object) -> bool:
        super().on_touch_move(touch)
        return True

    def on_touch_up(self, touch: object) -> bool:
        super().on_touch_up(touch)
        return True
