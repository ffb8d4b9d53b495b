"""A finger for the driver: a touch posted to Kivy's event loop, as the window's input
provider posts a real one, so it travels the same dispatch path to the widgets.

Written here rather than taken from Kivy's `kivy.tests.common.UnitTestTouch` because that
module imports pytest: 8 MB more in the kiosk process for `kiosk demo --headless` and the
bench.
"""

from __future__ import annotations

from typing import Any

from kivy.base import EventLoop
from kivy.input.motionevent import MotionEvent


class SyntheticTouch(MotionEvent):
    def __init__(self, x: float, y: float) -> None:
        super().__init__("SyntheticTouch", 99, self._relative(x, y), is_touch=True, type_id="touch")
        self.profile = ["pos"]

    @staticmethod
    def _relative(x: float, y: float) -> dict[str, float]:
        # MotionEvent positions are fractions of the window (0..1), as input providers give.
        window = EventLoop.window
        return {"x": x / (window.width - 1.0), "y": y / (window.height - 1.0)}

    def depack(self, args: Any) -> None:
        self.sx, self.sy = args["x"], args["y"]
        super().depack(args)

    def touch_down(self) -> None:
        EventLoop.post_dispatch_input("begin", self)

    def touch_move(self, x: float, y: float) -> None:
        self.move(self._relative(x, y))
        EventLoop.post_dispatch_input("update", self)

    def touch_up(self) -> None:
        EventLoop.post_dispatch_input("end", self)
