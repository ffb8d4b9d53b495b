"""Buttons: always an icon plus words, at least 48 dp (most are 96 dp), with visible press
feedback on touch-down (a lighter fill and a thicker border, not colour alone)."""

from __future__ import annotations

from collections.abc import Callable

from kivy.metrics import dp
from kivy.properties import (
    BooleanProperty,
    ColorProperty,
    NumericProperty,
    OptionProperty,
    StringProperty,
)
from kivy.uix.behaviors import ButtonBehavior
from kivy.uix.boxlayout import BoxLayout

MIN_TARGET_DP = 48

# The app listens here to speak the label of what was touched (audio guidance).
press_listeners: list[Callable[[str], None]] = []


class KioskButton(ButtonBehavior, BoxLayout):
    text = StringProperty("")
    icon = StringProperty("")
    kind = OptionProperty("secondary", options=["primary", "secondary", "quiet"])
    min_height = NumericProperty(dp(96))
    icon_size = NumericProperty(dp(48))
    fg = ColorProperty((0, 0, 0, 1))  # words and icon (set by the .kv rule from the theme)
    fill = ColorProperty((1, 1, 1, 1))
    chip = BooleanProperty(False)
    digits = BooleanProperty(False)  # a PIN key: one large centred digit, no icon
    stacked = BooleanProperty(False)  # icon above the words (narrow keys)
    align = OptionProperty(
        "left", options=["left", "center"]
    )  # a small control: smaller words, no fill when idle

    def on_press(self) -> None:
        for listener in press_listeners:
            listener(self.text)


class BigButton(KioskButton):
    """The screen's main action (kind="primary") or a way back (kind="secondary")."""


class ChipButton(ButtonBehavior, BoxLayout):
    """A control of the accessibility bar: icon, words, and its state in words below them
    ("On" / "Off"), so the state never rests on colour."""

    text = StringProperty("")
    icon = StringProperty("")
    state_text = StringProperty("")
    fg = ColorProperty((0, 0, 0, 1))
    fill = ColorProperty((1, 1, 1, 1))
    icon_size = NumericProperty(dp(36))
    min_height = NumericProperty(dp(64))  # the bar gives all its chips one height

    def on_press(self) -> None:
        for listener in press_listeners:
            listener(f"{self.text}. {self.state_text}" if self.state_text else self.text)
