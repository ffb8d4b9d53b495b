"""Preparing and printing the document, with real progress: the city prepares it (no measure:
the bar pulses), then the printer reports pages done out of pages total."""

from __future__ import annotations

from kivy.properties import BooleanProperty, ListProperty, NumericProperty, StringProperty

import screens.widgets.progress  # noqa: F401  (the progress rows its rules use)
from screens.base import KioskScreen
from screens.rules import load_rules
from screens.translate import tr
from session.context import SessionContext
from session.events import Cancel
from session.states import State

load_rules(__file__)


class PrintingScreen(KioskScreen):
    steps = ListProperty([])
    current = NumericProperty(0)
    fraction = NumericProperty(0.0)
    measured = BooleanProperty(False)
    pages_text = StringProperty("")
    can_stop = BooleanProperty(True)

    def __init__(self, **kwargs: object) -> None:
        super().__init__(**kwargs)
        self._pages: tuple[int, int] | None = None
        self._state: State | None = None

    def update(self, state: State, context: SessionContext) -> None:
        if state is not self._state:
            self._pages = None
            self._state = state
        self.steps = [tr._("Prepare your document"), tr._("Print your document")]
        self.current = 0 if state is State.FETCHING else 1
        self.can_stop = state is State.FETCHING
        self.measured = state is State.PRINTING
        if state is State.FETCHING:
            self.title = tr._("Preparing your document")
        elif context.completed:  # the document is out; the receipt printer has a few seconds
            self.title = tr._("Printing your receipt")
        else:
            self.title = tr._("Printing your document")
        if context.completed:
            self.summary = tr._("Your document is printed. Please wait a few seconds.")
        else:
            self.summary = tr._("Please wait. This takes less than a minute.")
        self._show_pages()

    def announce(self, key: str, params: dict[str, str | int], text: str) -> None:
        if key == "print.progress":
            self._pages = (int(params.get("done", 0)), int(params.get("total", 1)))
            self._show_pages()
            return
        super().announce(key, params, text)

    def _show_pages(self) -> None:
        if self._pages is None:
            self.fraction = 0.0
            self.pages_text = ""
            return
        done, total = self._pages
        self.fraction = done / max(1, total)
        self.pages_text = tr._("Page {done} of {total} printed").format(done=done, total=total)

    def reset(self) -> None:
        super().reset()
        self._pages = None
        self._state = None

    def stop(self) -> None:
        self.send(Cancel())
