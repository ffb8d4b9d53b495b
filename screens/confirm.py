"""Confirm: what will be printed, for whom (the name only), the price, and a preview of the
certificate's first page. The preview is a specimen drawing: no document exists before the
citizen confirms. The name label has markup off and is emptied at every wipe."""

from __future__ import annotations

from kivy.properties import NumericProperty, StringProperty
from kivy.uix.widget import Widget

from kiosk.i18n.kivy_tr import tr
from screens.base import KioskScreen, load_rules
from session.events import Back, Cancel, Confirm
from session.machine import SessionContext
from session.states import State

load_rules(__file__)


class SpecimenPage(Widget):
    """An A4 page in miniature: the city's header band, a title line and text lines."""

    page_w = NumericProperty(0.0)
    page_h = NumericProperty(0.0)
    page_x = NumericProperty(0.0)
    page_y = NumericProperty(0.0)


class ConfirmScreen(KioskScreen):
    holds_citizen_data = True  # the citizen's name
    document = StringProperty("")
    icon = StringProperty("document")
    price = StringProperty("")
    citizen = StringProperty("")

    def update(self, state: State, context: SessionContext) -> None:
        self.title = tr._("Check before printing")
        self.summary = tr._("Is this the right document? Touch Print to print it.")
        document_id = context.document_id or ""
        self.document, self.icon = self.describe(document_id) if document_id else ("", "")
        price = next((o.price_cents for o in context.offers if o.document_id == document_id), 0)
        self.price = tr.price(price)
        self.citizen = self.shell.citizen_name() if self.shell is not None else ""
        # Said, not shown (the screen shows each part on its own): a citizen who cannot see
        # the screen hears what will be printed, for whom and for how much.
        self.spoken_details = tr._("{document}, for {name}. Price: {price}.").format(
            document=self.document, name=self.citizen, price=self.price
        )

    def reset(self) -> None:
        super().reset()
        self.citizen = ""
        self.document = ""
        self.price = ""
        self.spoken_details = ""

    def confirm(self) -> None:
        self.send(Confirm())

    def back(self) -> None:
        self.send(Back())

    def stop(self) -> None:
        self.send(Cancel())
