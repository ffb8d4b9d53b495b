"""Take your card (and, when printed, the document and the receipt). Taking the card out ends
the session; in the demo the receipt is shown as the picture the receipt printer printed."""

from __future__ import annotations

from kivy.properties import BooleanProperty, ObjectProperty

from screens.base import KioskScreen
from screens.rules import load_rules
from screens.translate import tr
from session.context import SessionContext
from session.states import State

load_rules(__file__)


class TakeCardScreen(KioskScreen):
    completed = BooleanProperty(False)
    receipt = ObjectProperty(None, allownone=True)  # a Kivy texture of the receipt (demo only)

    def update(self, state: State, context: SessionContext) -> None:
        self.completed = context.completed
        if context.completed:
            self.title = tr._("Take your card, your document and your receipt")
            self.summary = tr._("Your document is printed. Take your card out of the reader.")
        else:
            self.title = tr._("Take your card")
            self.summary = tr._("Take your card out of the reader.")

    def show_receipt(self, texture: object) -> None:
        self.receipt = texture

    def reset(self) -> None:
        super().reset()
        self.receipt = None
        self.completed = False
