"""The on-screen PIN pad: large digits in the familiar 1-2-3 layout, the PIN masked as dots.

Privacy: the digits live in one bytearray that is handed over (and zeroed by the receiver) or
zeroed here; no digit is ever put in a label, a log or speech. PIN keys do not tell the
press listeners what they are (the speech guide only hears "digit 3 of 4 entered").
"""

from __future__ import annotations

from kivy.clock import Clock
from kivy.graphics import Color, Ellipse, Line
from kivy.metrics import dp
from kivy.properties import BooleanProperty, ColorProperty, NumericProperty
from kivy.uix.boxlayout import BoxLayout
from kivy.uix.widget import Widget

from screens.rules import load_rules
from screens.widgets.buttons import KioskButton
from screens.widgets.layout import needed_width

load_rules(__file__)

MIN_PIN = 4
MAX_PIN = 12


class PinKey(KioskButton):
    """A digit key. Says nothing to the press listeners: digits must never be spoken."""

    digit = NumericProperty(-1)

    def on_press(self) -> None:
        pass


class PinDots(Widget):
    """`count` filled dots, then empty rings up to `capacity`: how many digits, never which."""

    count = NumericProperty(0)
    capacity = NumericProperty(MIN_PIN)
    color = ColorProperty((0, 0, 0, 1))

    def __init__(self, **kwargs: object) -> None:
        super().__init__(**kwargs)
        # Drawn once a frame, when the layout has settled. Redrawn at every step of a screen's
        # first layout instead (a size of 20, then 0, then the real one, in one frame), the
        # dots of the first showing of the maintenance code's pad stood off the left edge.
        redraw = Clock.create_trigger(self._redraw, -1)
        for name in ("count", "capacity", "color", "pos", "size"):
            self.fbind(name, redraw)
        redraw()

    def _redraw(self, *_args: object) -> None:
        self.canvas.clear()
        places = max(int(self.capacity), int(self.count))
        if places == 0 or self.height <= 0:
            return
        radius = min(self.height * 0.4, dp(20))
        gap = radius * 1.2
        total = places * 2 * radius + (places - 1) * gap
        x = self.center_x - total / 2
        with self.canvas:
            Color(*self.color)
            for i in range(places):
                cx = x + radius + i * (2 * radius + gap)
                if i < self.count:
                    Ellipse(pos=(cx - radius, self.center_y - radius), size=(2 * radius,) * 2)
                else:
                    Line(circle=(cx, self.center_y, radius - dp(2)), width=dp(2))


class PinPad(BoxLayout):
    """Emits `on_digits(count)` after each change and `on_done(pin)` with the PIN's bytes."""

    scale = NumericProperty(1.0)  # THEME.scale, set by the class rule

    count = NumericProperty(0)
    ready = BooleanProperty(False)
    max_length = NumericProperty(MAX_PIN)
    min_length = NumericProperty(MIN_PIN)
    min_width = NumericProperty(0)  # three keys wide enough for "Erase" and "OK" unbroken

    __events__ = ("on_digits", "on_done", "on_too_short")

    def __init__(self, **kwargs: object) -> None:
        self._buffer = bytearray(MAX_PIN)
        super().__init__(**kwargs)
        self._measure = Clock.create_trigger(self._fit_words, -1)
        self.fbind("scale", self._measure)

    def on_kv_post(self, _base: object) -> None:
        for key in (self.ids.erase, self.ids.ok):
            key.fbind("text", self._measure)
            key.ids.lbl.fbind("height", self._measure)
        self.ids.grid.fbind("height", self._measure)
        self._measure()

    def _fit_words(self, *_args: object) -> None:
        keys = self.ids.grid
        widest = max(needed_width(key) for key in keys.children)
        self.min_width = widest * keys.cols + keys.spacing[0] * (keys.cols - 1)
        # Erase and OK have their icon above their word: on a short pad (large text on a small
        # screen) the icon gives up some size so that the word keeps its own.
        row = (keys.height - keys.spacing[1] * 3) / 4
        for key in (self.ids.erase, self.ids.ok):
            room = row - key.ids.lbl.height - dp(6) - dp(16)
            key.icon_size = max(dp(24), min(dp(48), room))

    def press_digit(self, digit: int) -> None:
        if self.count >= self.max_length:
            return
        self._buffer[self.count] = 0x30 + digit
        self._set_count(self.count + 1)

    def erase(self) -> None:
        if self.count:
            self._buffer[self.count - 1] = 0
            self._set_count(self.count - 1)

    def submit(self) -> None:
        if self.count < self.min_length:
            self.dispatch("on_too_short")
            return
        pin = self._buffer[: self.count]  # a new bytearray; the receiver zeroes it after use
        self.clear()
        self.dispatch("on_done", pin)

    def clear(self) -> None:
        """Zero the digits, silently (no on_digits: clearing is not the citizen's doing)."""
        self._buffer[:] = bytes(len(self._buffer))
        self._set_count(0, notify=False)

    def _set_count(self, count: int, notify: bool = True) -> None:
        self.count = count
        self.ready = count >= self.min_length
        if notify:
            self.dispatch("on_digits", count)

    def on_digits(self, count: int) -> None:
        pass

    def on_done(self, pin: bytearray) -> None:
        pass

    def on_too_short(self) -> None:
        pass
