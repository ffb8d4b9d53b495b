"""The Kivy application: builds the screens and, when asked, photographs the first frame.

Imported only after `kiosk.kivy_setup.prepare_kivy()`.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path

from kivy.app import App
from kivy.clock import Clock
from kivy.core.window import Window
from kivy.uix.screenmanager import NoTransition, ScreenManager

from kiosk.config import Settings
from screens.attract import AttractScreen
from screens.theme import register_fonts

log = logging.getLogger(__name__)


class KioskApp(App):
    title = "Brussels kiosk"

    def __init__(self, settings: Settings, screenshot: Path | None = None) -> None:
        super().__init__()
        self.settings = settings
        self.screenshot_path = screenshot
        self.screenshot_taken: Path | None = None

    def build(self) -> ScreenManager:
        register_fonts()
        Window.bind(on_request_close=self._refuse_close)
        manager = ScreenManager(transition=NoTransition())
        manager.add_widget(AttractScreen(name="attract"))
        if self.screenshot_path is not None:
            self._after_first_frame(self._photograph_and_stop)
        return manager

    def _refuse_close(self, *_args: object, **_kwargs: object) -> bool:
        # A citizen must never close the kiosk; only the process manager stops it.
        return True

    def _after_first_frame(self, action: Callable[[], None]) -> None:
        def on_flip(*_args: object) -> None:
            Window.unbind(on_flip=on_flip)
            # The flip that just happened is the first frame; photograph the next tick.
            Clock.schedule_once(lambda _dt: action(), 0)

        Window.bind(on_flip=on_flip)

    def _photograph_and_stop(self) -> None:
        assert self.screenshot_path is not None
        self.screenshot_path.parent.mkdir(parents=True, exist_ok=True)
        # Kivy inserts a counter before the extension; rename to the name asked for.
        written = Path(Window.screenshot(name=str(self.screenshot_path.resolve())))
        written.replace(self.screenshot_path)
        self.screenshot_taken = self.screenshot_path
        self.stop()
