"""The accessibility bar at the foot of every screen: audio guidance (with repeat and volume
when it is on), high contrast, large text and help. Contrast and text size act on the theme
here; the rest is the app's business, told through events."""

from __future__ import annotations

from kivy.metrics import dp
from kivy.properties import BooleanProperty
from kivy.uix.gridlayout import GridLayout

from screens.theme import THEME

CHIP_MIN_WIDTH_DP = 250


class AccessBar(GridLayout):
    speech_on = BooleanProperty(False)

    __events__ = ("on_speech", "on_repeat", "on_quieter", "on_louder", "on_help")

    def __init__(self, **kwargs: object) -> None:
        super().__init__(**kwargs)
        for name in ("width", "speech_on", "children"):
            self.fbind(name, self._reflow)

    def on_kv_post(self, _base: object) -> None:
        # Strong references: ids are weak, and a chip off the bar must not be collected.
        names = ("speech", "repeat", "quieter", "louder", "contrast", "large_text", "help")
        self._order = [self.ids[name].__self__ for name in names]
        self._audio = set(self._order[1:4])
        self._arrange()
        self.fbind("speech_on", self._arrange)

    def _arrange(self, *_args: object) -> None:
        # Repeat and volume only while audio guidance is on: fewer controls for everyone else.
        self.clear_widgets()
        for chip in self._order:
            if self.speech_on or chip not in self._audio:
                self.add_widget(chip)

    def _reflow(self, *_args: object) -> None:
        # As many columns as chips fit; the bar grows a second row on narrow screens.
        # The bar keeps its size in large-text mode: its words are 28 px already.
        fit = max(1, int(self.width // dp(CHIP_MIN_WIDTH_DP)))
        self.cols = max(1, min(len(self.children) or 1, fit))

    def toggle_contrast(self) -> None:
        THEME.high_contrast = not THEME.high_contrast

    def toggle_large_text(self) -> None:
        THEME.large_text = not THEME.large_text

    def on_speech(self) -> None:
        pass

    def on_repeat(self) -> None:
        pass

    def on_quieter(self) -> None:
        pass

    def on_louder(self) -> None:
        pass

    def on_help(self) -> None:
        pass
