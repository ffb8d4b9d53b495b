"""PIN entry on the on-screen pad: large digits, masked, tries left shown in words.

The PIN goes straight from the pad's buffer to the card (`ShellPort.submit_pin`), then the pad
dispatches `PinSubmitted()` (no digits in it) through the runtime's submit_pin.
"""

from __future__ import annotations

from kivy.properties import StringProperty

from screens.base import KioskScreen
from screens.rules import load_rules
from screens.translate import tr
from screens.widgets.pinpad import MAX_PIN
from session.context import SessionContext
from session.events import Back
from session.states import State

load_rules(__file__)


class PinScreen(KioskScreen):
    holds_citizen_data = True  # the pad's buffer
    tries = StringProperty("")

    def on_kv_post(self, _base: object) -> None:
        pad = self.ids.pad
        pad.bind(on_digits=self._digits, on_done=self._done, on_too_short=self._too_short)

    def update(self, state: State, context: SessionContext) -> None:
        self.title = tr._("Type your PIN code")
        self.summary = tr._("Use the keys on the screen, then touch OK.")
        left = context.pin_tries_left
        if left is None:
            self.tries = ""
        elif left == 1:
            self.tries = tr._("Last try: if this code is wrong, the card will be blocked.")
        else:
            self.tries = tr.n_("{count} try left", "{count} tries left", left).format(count=left)

    def on_leave(self, *_args: object) -> None:
        super().on_leave()
        self.ids.pad.clear()

    def reset(self) -> None:
        super().reset()
        self.ids.pad.clear()
        self.tries = ""

    def back(self) -> None:
        self.ids.pad.clear()
        self.send(Back())

    def _digits(self, _pad: object, count: int) -> None:
        # (Every touch already restarts the idle timer: the presenter sends Touch on touch-down.)
        if self.port is not None:
            self.port.pin_progress(count, MAX_PIN)

    def _too_short(self, _pad: object) -> None:
        self.notice = tr._("The PIN code has at least 4 digits.")

    def _done(self, _pad: object, pin: bytearray) -> None:
        self.notice = ""
        if self.port is not None:
            self.port.submit_pin(pin)
        else:
            pin[:] = bytes(len(pin))
