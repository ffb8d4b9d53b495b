"""Simple line icons drawn with the Kivy canvas: no image files, crisp at any size, and they
follow the theme's colour. Always shown next to words (never an icon alone).

Each drawing works in a unit square (0..1, origin bottom left); `Pen` maps it to the widget.
"""

from __future__ import annotations

import math
from collections.abc import Callable

from kivy.clock import Clock
from kivy.graphics import Color, Ellipse, Line, Rectangle, Triangle
from kivy.properties import ColorProperty, StringProperty
from kivy.uix.widget import Widget


class Pen:
    def __init__(self, x: float, y: float, size: float) -> None:
        self.x, self.y, self.s = x, y, size
        self.w = max(1.5, size * 0.06)  # stroke width

    def p(self, *coords: float) -> list[float]:
        out: list[float] = []
        for i, c in enumerate(coords):
            out.append((self.x if i % 2 == 0 else self.y) + c * self.s)
        return out

    def line(self, *coords: float, close: bool = False, width: float | None = None) -> None:
        Line(points=self.p(*coords), width=width or self.w, cap="round", joint="round", close=close)

    def circle(self, cx: float, cy: float, r: float, start: float = 0, end: float = 360) -> None:
        x, y = self.p(cx, cy)
        Line(circle=(x, y, r * self.s, start, end), width=self.w, cap="round")

    def disc(self, cx: float, cy: float, r: float) -> None:
        x, y = self.p(cx - r, cy - r)
        Ellipse(pos=(x, y), size=(2 * r * self.s, 2 * r * self.s))

    def half_disc(self, cx: float, cy: float, r: float) -> None:
        x, y = self.p(cx - r, cy - r)
        # Kivy's angles start at the top and turn clockwise: 0..180 is the right half.
        Ellipse(pos=(x, y), size=(2 * r * self.s, 2 * r * self.s), angle_start=0, angle_end=180)

    def rect(self, x: float, y: float, w: float, h: float) -> None:
        px, py = self.p(x, y)
        Line(rectangle=(px, py, w * self.s, h * self.s), width=self.w, joint="round")

    def fill(self, x: float, y: float, w: float, h: float) -> None:
        px, py = self.p(x, y)
        Rectangle(pos=(px, py), size=(w * self.s, h * self.s))

    def tri(self, *coords: float) -> None:
        Triangle(points=self.p(*coords))

    def bezier(self, *coords: float) -> None:
        Line(bezier=self.p(*coords), width=self.w, cap="round")


def _arrow_left(p: Pen) -> None:
    p.line(0.85, 0.5, 0.15, 0.5)
    p.line(0.45, 0.82, 0.15, 0.5, 0.45, 0.18)


def _arrow_right(p: Pen) -> None:
    p.line(0.15, 0.5, 0.85, 0.5)
    p.line(0.55, 0.82, 0.85, 0.5, 0.55, 0.18)


def _close(p: Pen) -> None:
    p.line(0.2, 0.2, 0.8, 0.8)
    p.line(0.2, 0.8, 0.8, 0.2)


def _check(p: Pen) -> None:
    p.line(0.12, 0.5, 0.4, 0.22, 0.88, 0.8)


def _speaker_body(p: Pen) -> None:
    p.line(0.08, 0.38, 0.25, 0.38, 0.48, 0.18, 0.48, 0.82, 0.25, 0.62, 0.08, 0.62, close=True)


def _speaker(p: Pen) -> None:
    _speaker_body(p)
    p.circle(0.48, 0.5, 0.2, 45, 135)
    p.circle(0.48, 0.5, 0.36, 45, 135)


def _quieter(p: Pen) -> None:
    _speaker_body(p)
    p.line(0.62, 0.5, 0.92, 0.5)


def _louder(p: Pen) -> None:
    _speaker_body(p)
    p.line(0.62, 0.5, 0.92, 0.5)
    p.line(0.77, 0.35, 0.77, 0.65)


def _repeat(p: Pen) -> None:
    p.circle(0.5, 0.5, 0.32, 30, 320)
    p.line(0.62, 0.92, 0.72, 0.76, 0.54, 0.7)


def _contrast(p: Pen) -> None:
    p.circle(0.5, 0.5, 0.38)
    p.half_disc(0.5, 0.5, 0.38)  # the right half filled


def _letter_a(p: Pen, x: float, w: float, h: float) -> None:
    p.line(x, 0.15, x + w / 2, 0.15 + h, x + w, 0.15)
    p.line(x + w * 0.22, 0.15 + h * 0.4, x + w * 0.78, 0.15 + h * 0.4)


def _text_size(p: Pen) -> None:
    _letter_a(p, 0.05, 0.32, 0.4)
    _letter_a(p, 0.42, 0.53, 0.7)


def _help(p: Pen) -> None:
    p.circle(0.5, 0.5, 0.44)
    p.circle(0.5, 0.62, 0.14, -90, 180)
    p.line(0.5, 0.48, 0.5, 0.38)
    p.disc(0.5, 0.24, 0.05)


def _globe(p: Pen) -> None:
    p.circle(0.5, 0.5, 0.4)
    x, y = p.p(0.32, 0.1)
    Line(ellipse=(x, y, 0.36 * p.s, 0.8 * p.s), width=p.w)
    p.line(0.1, 0.5, 0.9, 0.5)
    p.line(0.5, 0.1, 0.5, 0.9)


def _card(p: Pen) -> None:
    p.rect(0.08, 0.22, 0.84, 0.56)
    p.fill(0.18, 0.42, 0.16, 0.16)  # the chip
    p.line(0.45, 0.36, 0.82, 0.36)
    p.line(0.45, 0.5, 0.7, 0.5)


def _lock(p: Pen) -> None:
    p.rect(0.2, 0.1, 0.6, 0.45)
    p.circle(0.5, 0.55, 0.2, -90, 90)
    p.line(0.3, 0.55, 0.3, 0.6)
    p.line(0.7, 0.55, 0.7, 0.6)
    p.disc(0.5, 0.32, 0.06)


def _hourglass(p: Pen) -> None:
    p.line(0.25, 0.9, 0.75, 0.9, 0.25, 0.1, 0.75, 0.1, close=True)
    p.tri(0.38, 0.15, 0.62, 0.15, 0.5, 0.35)


def _printer(p: Pen) -> None:
    p.rect(0.08, 0.3, 0.84, 0.35)
    p.rect(0.25, 0.65, 0.5, 0.25)
    p.rect(0.25, 0.1, 0.5, 0.3)
    p.line(0.33, 0.25, 0.67, 0.25)


def _receipt(p: Pen) -> None:
    p.line(0.25, 0.12, 0.25, 0.9, 0.75, 0.9, 0.75, 0.12)
    p.line(0.25, 0.12, 0.33, 0.2, 0.42, 0.12, 0.5, 0.2, 0.58, 0.12, 0.67, 0.2, 0.75, 0.12)
    for y in (0.72, 0.56, 0.4):
        p.line(0.35, y, 0.65, y)


def _document(p: Pen) -> None:
    p.line(0.2, 0.08, 0.2, 0.92, 0.6, 0.92, 0.8, 0.72, 0.8, 0.08, close=True)
    p.line(0.6, 0.92, 0.6, 0.72, 0.8, 0.72)
    for y in (0.55, 0.4, 0.25):
        p.line(0.32, y, 0.68, y)


def _house(p: Pen) -> None:
    p.line(0.08, 0.48, 0.5, 0.88, 0.92, 0.48)
    p.line(0.2, 0.56, 0.2, 0.1, 0.8, 0.1, 0.8, 0.56)
    p.rect(0.42, 0.1, 0.16, 0.28)


def _person(p: Pen, x: float, scale: float) -> None:
    p.circle(x, 0.3 + 0.42 * scale, 0.1 * scale)
    p.circle(x, 0.1, 0.26 * scale, -70, 70)


def _family(p: Pen) -> None:
    _person(p, 0.28, 1.0)
    _person(p, 0.72, 1.0)
    _person(p, 0.5, 0.7)


def _flag(p: Pen) -> None:
    p.line(0.18, 0.06, 0.18, 0.94)
    p.line(0.18, 0.9, 0.82, 0.9, 0.82, 0.5, 0.18, 0.5)
    p.fill(0.38, 0.5, 0.22, 0.4)


def _heart(p: Pen) -> None:
    p.bezier(0.5, 0.15, 0.05, 0.5, 0.15, 0.95, 0.5, 0.7)
    p.bezier(0.5, 0.7, 0.85, 0.95, 0.95, 0.5, 0.5, 0.15)


def _register(p: Pen) -> None:
    p.rect(0.18, 0.08, 0.64, 0.84)
    p.line(0.3, 0.08, 0.3, 0.92)
    for y in (0.7, 0.52, 0.34):
        p.line(0.42, y, 0.72, y)


def _history(p: Pen) -> None:
    p.circle(0.5, 0.5, 0.4, 30, 330)
    p.line(0.5, 0.5, 0.5, 0.75)
    p.line(0.5, 0.5, 0.68, 0.4)
    p.line(0.22, 0.92, 0.3, 0.82, 0.16, 0.76)


def _rings(p: Pen) -> None:
    p.circle(0.36, 0.45, 0.26)
    p.circle(0.64, 0.45, 0.26)


def _scales(p: Pen) -> None:
    p.line(0.5, 0.1, 0.5, 0.88)
    p.line(0.3, 0.1, 0.7, 0.1)
    p.line(0.12, 0.78, 0.88, 0.78)
    p.line(0.12, 0.78, 0.04, 0.5, 0.22, 0.5, close=True)
    p.line(0.88, 0.78, 0.78, 0.5, 0.96, 0.5, close=True)


def _warning(p: Pen) -> None:
    p.line(0.5, 0.9, 0.06, 0.1, 0.94, 0.1, close=True)
    p.line(0.5, 0.65, 0.5, 0.36)
    p.disc(0.5, 0.22, 0.05)


def _tools(p: Pen) -> None:
    p.circle(0.5, 0.5, 0.22)
    for i in range(8):
        a = math.radians(i * 45)
        p.line(
            0.5 + 0.3 * math.cos(a),
            0.5 + 0.3 * math.sin(a),
            0.5 + 0.42 * math.cos(a),
            0.5 + 0.42 * math.sin(a),
        )


def _clock(p: Pen) -> None:
    p.circle(0.5, 0.5, 0.42)
    p.line(0.5, 0.5, 0.5, 0.78)
    p.line(0.5, 0.5, 0.7, 0.5)


def _touch(p: Pen) -> None:
    p.disc(0.5, 0.5, 0.1)
    p.circle(0.5, 0.5, 0.25)
    p.circle(0.5, 0.5, 0.42)


def _erase(p: Pen) -> None:
    p.line(0.05, 0.5, 0.3, 0.8, 0.95, 0.8, 0.95, 0.2, 0.3, 0.2, close=True)
    p.line(0.48, 0.36, 0.76, 0.64)
    p.line(0.48, 0.64, 0.76, 0.36)


def _question(p: Pen) -> None:
    _help(p)


DRAWINGS: dict[str, Callable[[Pen], None]] = {
    "back": _arrow_left,
    "next": _arrow_right,
    "close": _close,
    "check": _check,
    "speaker": _speaker,
    "quieter": _quieter,
    "louder": _louder,
    "repeat": _repeat,
    "contrast": _contrast,
    "text_size": _text_size,
    "help": _help,
    "globe": _globe,
    "card": _card,
    "lock": _lock,
    "hourglass": _hourglass,
    "printer": _printer,
    "receipt": _receipt,
    "document": _document,
    "house": _house,
    "family": _family,
    "flag": _flag,
    "heart": _heart,
    "register": _register,
    "history": _history,
    "rings": _rings,
    "scales": _scales,
    "warning": _warning,
    "tools": _tools,
    "clock": _clock,
    "touch": _touch,
    "erase": _erase,
}


class Icon(Widget):
    """A square line drawing named `name`, in `color`, centred in the widget."""

    name = StringProperty("document")
    color = ColorProperty((0, 0, 0, 1))

    def __init__(self, **kwargs: object) -> None:
        super().__init__(**kwargs)
        # Drawn once per frame, however often layout moves it while settling (a screen's
        # first frame moves each icon about ten times).
        redraw = Clock.create_trigger(self._redraw, -1)
        for name in ("pos", "size", "name", "color", "opacity"):
            self.fbind(name, redraw)
        redraw()

    def _redraw(self, *_args: object) -> None:
        self.canvas.clear()
        side = min(self.width, self.height)
        if side <= 0 or self.opacity == 0:
            return  # a hidden icon draws nothing: every stroke costs in every frame
        draw = DRAWINGS.get(self.name, _document)
        pen = Pen(self.center_x - side / 2, self.center_y - side / 2, side)
        with self.canvas:
            Color(*self.color)
            draw(pen)
