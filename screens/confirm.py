"""Confirm: what will be printed, for whom (the name only), the price, and a preview of the
certificate's first page. No document exists before the citizen confirms, so the preview is
the city's specimen of that document (its real template with placeholder data, marked
SPECIMEN) when the kiosk has it, else a drawing of a page. The name label has markup off and
is emptied at every wipe."""

from __future__ import annotations

from typing import Any

from kivy.clock import Clock
from kivy.properties import NumericProperty, ObjectProperty, StringProperty
from kivy.uix.image import Image
from kivy.uix.widget import Widget

from screens.base import KioskScreen
from screens.rules import load_rules
from screens.translate import tr
from session.context import SessionContext
from session.events import Back, Cancel, Confirm
from session.states import State

load_rules(__file__)

# The specimen is fetched in the background when the catalogue arrives and may come while
# this screen shows. Asking the shell for it is a dictionary lookup, so polling a few times
# a second for a few seconds is simpler than a new channel from the runtime to the screens.
SPECIMEN_POLL_S = 0.25
SPECIMEN_POLLS = 40


class SpecimenPage(Widget):
    """An A4 page in miniature: the city's header band, a title line and text lines."""

    page_w = NumericProperty(0.0)
    page_h = NumericProperty(0.0)
    page_x = NumericProperty(0.0)
    page_y = NumericProperty(0.0)


class SpecimenImage(Image):
    """The specimen picture: the page's own proportions, a thin border around it."""


class ConfirmScreen(KioskScreen):
    holds_citizen_data = True  # the citizen's name
    document = StringProperty("")
    icon = StringProperty("document")
    price = StringProperty("")
    citizen = StringProperty("")
    specimen = ObjectProperty(None, allownone=True)  # texture of the specimen; None: the drawing

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._specimen_for: tuple[str, str] = ("", "")  # (document, language) shown or awaited
        self._polls_left = 0
        self._poll = Clock.create_trigger(self._poll_specimen, SPECIMEN_POLL_S)

    def update(self, state: State, context: SessionContext) -> None:
        self.title = tr._("Check before printing")
        self.summary = tr._("Is this the right document? Touch Print to print it.")
        document_id = context.document_id or ""
        self.document, self.icon = self.describe(document_id) if document_id else ("", "")
        price = next((o.price_cents for o in context.offers if o.document_id == document_id), 0)
        self.price = tr.price(price)
        self.citizen = self.port.citizen_name() if self.port is not None else ""
        self._want_specimen(document_id, context.language)
        self._describe()

    def _describe(self) -> None:
        # Said, not shown (the screen shows each part on its own): a citizen who cannot see
        # the screen hears what will be printed, for whom and for how much.
        details = tr._("{document}, for {name}. Price: {price}.").format(
            document=self.document, name=self.citizen, price=self.price
        )
        if self.specimen is not None:
            details += " " + tr._("A specimen of the first page is shown.")
        self.spoken_details = details

    def _want_specimen(self, document_id: str, language: str) -> None:
        wanted = (document_id, language)
        if wanted == self._specimen_for and (self.specimen is not None or self._polls_left):
            return  # already shown, or already awaited
        self._specimen_for = wanted
        self.specimen = None
        self._polls_left = SPECIMEN_POLLS if document_id else 0
        self._poll_specimen()

    def _poll_specimen(self, *_args: object) -> None:
        if not self._polls_left or self.port is None:
            return
        self._polls_left -= 1
        texture = self.port.document_specimen(self._specimen_for[0])
        if texture is not None:
            self._polls_left = 0
            self.specimen = texture
            self._describe()
            self.port.screen_changed(self, tr._("A specimen of the first page is shown."))
        elif self._polls_left:
            self._poll()

    def on_leave(self, *args: object) -> None:
        super().on_leave(*args)
        self._polls_left = 0
        self._poll.cancel()

    def reset(self) -> None:
        super().reset()
        self.citizen = ""
        self.document = ""
        self.price = ""
        self.spoken_details = ""
        self.specimen = None
        self._specimen_for = ("", "")
        self._polls_left = 0
        self._poll.cancel()

    def confirm(self) -> None:
        self.send(Confirm())

    def back(self) -> None:
        self.send(Back())

    def stop(self) -> None:
        self.send(Cancel())
