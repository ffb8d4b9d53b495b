"""Reading the card, checking the PIN, connecting to the city: the steps, with the current one
marked, and a bar that shows the kiosk is working (the card gives no finer measure)."""

from __future__ import annotations

from kivy.properties import BooleanProperty, ListProperty, NumericProperty

import screens.widgets.progress  # noqa: F401  (the progress rows its rules use)
from screens.base import KioskScreen
from screens.rules import load_rules
from screens.translate import tr
from session.context import SessionContext
from session.events import Cancel
from session.states import State

load_rules(__file__)

STEP_OF = {State.READING: 0, State.CHECKING_PIN: 1, State.AUTHENTICATING: 2}


class ReadingScreen(KioskScreen):
    steps = ListProperty([])
    current = NumericProperty(0)
    can_stop = BooleanProperty(True)

    def update(self, state: State, context: SessionContext) -> None:
        self.current = STEP_OF.get(state, 0)
        self.steps = [
            tr._("Read your card"),
            tr._("Check your PIN code"),
            tr._("Connect to the city's service"),
        ]
        self.can_stop = state is not State.CHECKING_PIN
        if state is State.READING:
            self.title = tr._("Reading your card")
        elif state is State.CHECKING_PIN:
            self.title = tr._("Checking your PIN code")
        else:
            self.title = tr._("Connecting to the city's service")
        self.summary = tr._("Please wait. Leave your card in the reader.")

    def stop(self) -> None:
        self.send(Cancel())
