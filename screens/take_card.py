"""Take your card (and, when printed, the document and the receipt). Taking the card out ends
the session; in the demo the receipt is shown as the picture the receipt printer printed.

A receipt the printer did not confirm is not promised: the screen says it could not be
printed and shows the document's verification code instead (the receipt's proof that the
document is genuine), so nothing is lost. The code is not citizen data, but it is never
logged, and it goes with the session (reset at the wipe)."""

from __future__ import annotations

from kivy.properties import BooleanProperty, ObjectProperty, StringProperty

from screens.base import KioskScreen
from screens.rules import load_rules
from screens.translate import tr
from session.context import SessionContext
from session.states import State

load_rules(__file__)

RECEIPT_MESSAGES = frozenset({"take_card_and_receipt", "receipt.not_printed"})


class TakeCardScreen(KioskScreen):
    completed = BooleanProperty(False)
    receipt_printed = BooleanProperty(False)
    code = StringProperty("")  # the document's verification code, when there is no receipt
    receipt = ObjectProperty(None, allownone=True)  # a Kivy texture of the receipt (demo only)
    holds_citizen_data = True  # the code goes at the wipe

    def update(self, state: State, context: SessionContext) -> None:
        self.completed = context.completed
        # Only a receipt the printer confirmed is promised.
        self.receipt_printed = context.completed and context.receipt_printed is True
        self.code = ""
        if self.receipt_printed:
            self.title = tr._("Take your card, your document and your receipt")
            self.summary = tr._("Your document is printed. Take your card out of the reader.")
        elif context.completed:
            self.code = self.port.verification_code() if self.port is not None else ""
            self.title = tr._("Take your card and your document")
            if self.code:
                self.summary = tr._(
                    "Your receipt could not be printed. Your document is valid: its "
                    "verification code is {code}. Take your card out of the reader."
                ).format(code=self.code)
            else:
                self.summary = tr._(
                    "Your receipt could not be printed. Your document is printed and valid. "
                    "Take your card out of the reader."
                )
        else:
            self.title = tr._("Take your card")
            self.summary = tr._("Take your card out of the reader.")

    def announce(self, key: str, params: dict[str, str | int], text: str) -> None:
        if key in RECEIPT_MESSAGES:
            return  # the title and the summary already say it
        super().announce(key, params, text)

    def show_receipt(self, texture: object) -> None:
        if self.receipt_printed:
            self.receipt = texture

    def reset(self) -> None:
        super().reset()
        self.receipt = None
        self.completed = self.receipt_printed = False
        self.code = ""
