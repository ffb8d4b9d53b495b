"""Thank you: the session is over and its data deleted. Goes back to the start by itself.

When the card came out of the reader while the kiosk was using it, the session ended for that
reason: this screen says so instead, and how to start again (the data is deleted all the same).
"""

from __future__ import annotations

from kivy.properties import StringProperty

from screens.base import KioskScreen
from screens.rules import load_rules
from screens.translate import tr
from session.context import SessionContext
from session.events import Touch
from session.problems import CardProblem
from session.states import State

load_rules(__file__)


class ThankYouScreen(KioskScreen):
    icon = StringProperty("check")

    def update(self, state: State, context: SessionContext) -> None:
        gone = tr._("Nothing of your data stays on this kiosk.")
        if context.problem is CardProblem.CARD_REMOVED:
            self.icon = "card"
            self.title = tr._("The card came out of the reader before the end.")
            again = tr._("Please put it back in the reader to start again.")
            self.summary = f"{again} {gone}"
        else:
            self.icon = "check"
            self.title = tr._("Thank you. Goodbye!")
            self.summary = gone

    def finish(self) -> None:
        self.send(Touch())
