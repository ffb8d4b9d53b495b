"""The accessibility bar at the foot of every screen: audio guidance (with repeat and volume
when it is on), high contrast, large text and help. Contrast and text size act on the theme
here; the rest is the app's business, told through events."""

from __future__ import annotations

from typing import Any

from kivy.clock import Clock
from kivy.core.text import Label as CoreLabel
from kivy.factory import Factory
from kivy.metrics import dp
from kivy.properties import BooleanProperty, NumericProperty
from kivy.uix.gridlayout import GridLayout

from screens.theme import THEME


class AccessBar(GridLayout):
    scale = NumericProperty(1.0)  # THEME.scale, set by the class rule
    speech_on = BooleanProperty(False)

    __events__ = ("on_speech", "on_repeat", "on_quieter", "on_louder", "on_help")

    def __init__(self, **kwargs: object) -> None:
        super().__init__(**kwargs)
        self._trigger = Clock.create_trigger(self._reflow, -1)
        for name in ("width", "children"):
            self.fbind(name, self._trigger)
        self.fbind("scale", self._trigger)

    def on_kv_post(self, _base: object) -> None:
        # Strong references: ids are weak, and a chip off the bar must not be collected.
        names = ("speech", "contrast", "large_text", "help")
        self._chips = [self.ids[name].__self__ for name in names]
        self._audio: list[Any] = []
        for chip in self._chips:
            self._watch(chip)
        self._arrange()
        self.fbind("speech_on", self._arrange)

    def _watch(self, chip: Any) -> None:
        for name in ("text", "state_text"):
            chip.fbind(name, self._trigger)
        chip.ids.words.fbind("height", self._trigger)

    def audio_chips(self) -> list[Any]:
        """Repeat, quieter, louder: built on first use, as most citizens never turn audio on
        (and hidden widgets would cost at every start)."""
        if not self._audio:
            for kind, event in (
                ("Repeat", "on_repeat"),
                ("Quieter", "on_quieter"),
                ("Louder", "on_louder"),
            ):
                chip = Factory.get(f"{kind}Chip")()
                chip.bind(on_release=lambda *_, event=event: self.dispatch(event))
                self._watch(chip)
                self._audio.append(chip)
        return self._audio

    def _arrange(self, *_args: object) -> None:
        # Repeat and volume only while audio guidance is on: fewer controls for everyone else.
        self.clear_widgets()
        speech, *others = self._chips
        for chip in [speech, *(self.audio_chips() if self.speech_on else []), *others]:
            self.add_widget(chip)

    def _reflow(self, *_args: object) -> None:
        # As many columns as the chips' words fit in, each column as wide as its widest chip
        # needs: large text or a long language gives the bar a second row, never a cut word.
        chips = list(reversed(self.children))
        if not chips or self.width <= 0:
            return
        needs = [chip_width(chip) for chip in chips]
        room = self.width - self.padding[0] - self.padding[2]
        cols = len(chips)
        while cols > 1 and sum(widest_by_column(needs, cols)) + self.spacing[0] * (cols - 1) > room:
            cols -= 1
        rows = -(-len(chips) // cols)
        cols = -(-len(chips) // rows)  # rows as even as they can be: 2 + 2, not 3 + 1
        self.cols = cols
        self.cols_minimum = {i: min(w, room) for i, w in enumerate(widest_by_column(needs, cols))}
        # One height for every chip, so that the rows line up whatever their words.
        tallest = max(chip.ids.words.height for chip in chips) + dp(16)
        for chip in chips:
            chip.min_height = max(dp(64), tallest)

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


def chip_width(chip: Any) -> float:
    """The width that shows a chip's icon and its words on one line."""
    label = chip.ids.name
    core = CoreLabel(font_name=label.font_name, font_size=label.font_size, bold=True)
    words = max(core.get_extents(text)[0] for text in (chip.text, chip.state_text))
    return float(words + chip.icon_size + chip.spacing + chip.padding[0] * 2 + dp(4))


def widest_by_column(needs: list[float], cols: int) -> list[float]:
    return [max(needs[col::cols]) for col in range(cols)]
