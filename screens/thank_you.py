"""Thank you: the session is over and its data deleted. Goes back to the start by itself."""

from __future__ import annotations

from screens.base import KioskScreen
from screens.rules import load_rules
from screens.translate import tr
from session.context import SessionContext
from session.events import Touch
from session.states import State

load_rules(__file__)


class ThankYouScreen(KioskScreen):
    def update(self, state: State, context: SessionContext) -> None:
        self.title = tr._("Thank you. Goodbye!")
        self.summary = tr._("Nothing of your data stays on this kiosk.")

    def finish(self) -> None:
        self.send(Touch())
