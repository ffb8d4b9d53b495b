"""The Xvfb fixture lets a real Kivy window draw, and a screenshot shows what it drew."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from PIL import Image

from kiosk.display import VirtualDisplay
from tests.ui.conftest import UiKiosk

pytestmark = pytest.mark.ui

WINDOW_SCRIPT = """
import sys
from kiosk.kivy_setup import prepare_kivy
prepare_kivy(fullscreen=False, size=(640, 360))
from kivy.app import App
from kivy.clock import Clock
from kivy.core.window import Window
from kivy.graphics import Color, Rectangle
from kivy.uix.widget import Widget

class Probe(App):
    def build(self):
        root = Widget()
        with root.canvas:
            Color(1, 0, 0, 1)
            Rectangle(pos=(0, 0), size=(320, 360))
        Window.bind(on_flip=self.drawn)
        return root

    def drawn(self, *_args):
        # The first flip has put a frame on screen: photograph it on the next tick.
        Window.unbind(on_flip=self.drawn)
        Clock.schedule_once(self.shoot, 0)

    def shoot(self, _dt):
        print(Window.screenshot(name=sys.argv[1]))
        self.stop()

Probe().run()
"""


def test_a_kivy_window_draws_under_xvfb(xvfb: VirtualDisplay, tmp_path: Path) -> None:
    target = tmp_path / "probe.png"
    script = tmp_path / "probe_window.py"  # Kivy's App looks for its source file
    script.write_text(WINDOW_SCRIPT)
    result = subprocess.run(
        [sys.executable, str(script), str(target)],
        env={**os.environ, "DISPLAY": xvfb.display},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    written = Path(result.stdout.strip().splitlines()[-1])
    image = Image.open(written).convert("RGB")
    assert image.size == (640, 360)
    assert image.getpixel((100, 180)) == (255, 0, 0)  # the red half we drew
    assert image.getpixel((500, 180)) != (255, 0, 0)  # and not the other half


def test_undrawn_frames_draw_nothing_and_a_picture_taken_within_shows_the_screen(
    ui: UiKiosk,
) -> None:
    """`ui.undrawn()` (the layout checks): frames lay out without drawing, and `pixels()`
    within draws the screen as it is, the same picture as in drawn mode."""
    from kivy.core.window import Window
    from kivy.graphics.opengl import GL_RGB, GL_UNSIGNED_BYTE, glReadPixels

    from session.states import State
    from tests.ui.test_checks import gallery, show

    def framebuffer() -> bytes:
        width, height = Window.size
        return bytes(glReadPixels(0, 0, width, height, GL_RGB, GL_UNSIGNED_BYTE))

    screens = {name: context for name, _state, context in gallery("en")}
    show(ui, "language", State.LANGUAGE, screens["language"])
    drawn = ui.pixels()
    show(ui, "pin", State.PIN, screens["pin"])
    before = framebuffer()
    with ui.undrawn():
        show(ui, "language", State.LANGUAGE, screens["language"])
        ui.driver.frames(3)
        assert framebuffer() == before, "an undrawn frame drew"
        assert ui.pixels().tobytes() == drawn.tobytes()
