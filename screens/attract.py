"""The attract screen: a calm loop inviting a passer-by to touch, in four languages."""

from __future__ import annotations

from pathlib import Path

from kivy.clock import Clock
from kivy.lang import Builder
from kivy.properties import ListProperty, NumericProperty, StringProperty
from kivy.uix.screenmanager import Screen

Builder.load_file(str(Path(__file__).with_suffix(".kv")))

# Shown before the citizen has chosen a language, so every language is on screen at once.
INVITATIONS = {
    "fr": "Touchez l'écran pour commencer",
    "nl": "Raak het scherm aan om te beginnen",
    "en": "Touch the screen to start",
    "de": "Berühren Sie den Bildschirm, um zu beginnen",
}

CYCLE_SECONDS = 4.0


class AttractScreen(Screen):
    city_name = StringProperty("Bruxelles · Brussel · Brussels")
    languages = ListProperty(list(INVITATIONS))
    index = NumericProperty(0)
    invitation = StringProperty(INVITATIONS["fr"])
    all_invitations = StringProperty("\n".join(INVITATIONS.values()))

    def on_enter(self, *_args: object) -> None:
        # A slow cycle, not an animation: one redraw every few seconds keeps idle CPU near zero.
        self._cycle = Clock.schedule_interval(self._next_language, CYCLE_SECONDS)

    def on_leave(self, *_args: object) -> None:
        self._cycle.cancel()

    def _next_language(self, _dt: float) -> None:
        self.index = (self.index + 1) % len(self.languages)
        self.invitation = INVITATIONS[self.languages[self.index]]
