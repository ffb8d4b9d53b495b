"""Insert your card: an animation shows the card going into the reader, chip first."""

from __future__ import annotations

from kivy.animation import Animation
from kivy.properties import NumericProperty
from kivy.uix.widget import Widget

from screens.base import KioskScreen
from screens.rules import load_rules
from screens.translate import tr
from session.context import SessionContext
from session.events import Back, Cancel
from session.states import State

load_rules(__file__)


class CardAnimation(Widget):
    """A card sliding down into a reader's slot; `travel` 0 (above) .. 1 (inside)."""

    travel = NumericProperty(0.0)
    side = NumericProperty(0.0)  # the drawing is a square of this side, centred at the bottom

    def play(self) -> None:
        self.stop()
        anim = (
            Animation(travel=0.0, duration=0.6)
            + Animation(travel=1.0, duration=2.0, t="in_out_sine")
            + Animation(travel=1.0, duration=1.0)
        )
        anim.repeat = True
        anim.start(self)

    def stop(self) -> None:
        Animation.cancel_all(self, "travel")
        self.travel = 0.0


class InsertCardScreen(KioskScreen):
    def on_enter(self, *_args: object) -> None:
        super().on_enter()
        self.ids.animation.play()

    def on_leave(self, *_args: object) -> None:
        super().on_leave()
        self.ids.animation.stop()

    def update(self, state: State, context: SessionContext) -> None:
        self.title = tr._("Put your identity card in the reader")
        self.summary = tr._("Put your card in the slot below the screen, chip first and facing up.")

    def back(self) -> None:
        self.send(Back())

    def stop(self) -> None:
        self.send(Cancel())
