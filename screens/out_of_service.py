"""Out of service: the reader or the printer is missing, or a wipe could not be verified.
Says where to go instead. IT reaches maintenance by the hidden gesture."""

from __future__ import annotations

from kivy.properties import StringProperty

from screens.base import KioskScreen
from screens.rules import load_rules
from screens.translate import tr
from session.context import SessionContext
from session.states import State

load_rules(__file__)


class OutOfServiceScreen(KioskScreen):
    where = StringProperty("")

    def update(self, state: State, context: SessionContext) -> None:
        self.title = tr._("This kiosk is out of service")
        self.summary = tr._("Sorry. Please use another kiosk, or ask at the counter.")
        counter = self.port.location() if self.port is not None else ""
        self.where = tr._("Counter: {place}").format(place=counter) if counter else ""
