"""A catalogue tile: a large touch area with an icon, the document's name and its price."""

from __future__ import annotations

from kivy.properties import StringProperty
from kivy.uix.behaviors import ButtonBehavior
from kivy.uix.boxlayout import BoxLayout

from screens.rules import load_rules
from screens.widgets.buttons import press_listeners

load_rules(__file__)


class DocumentTile(ButtonBehavior, BoxLayout):
    document_id = StringProperty("")
    icon = StringProperty("document")
    text = StringProperty("")
    price = StringProperty("")

    def on_press(self) -> None:
        for listener in press_listeners:
            listener(f"{self.text}. {self.price}")
