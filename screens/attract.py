"""The attract screen: a calm loop inviting a passer-by to touch, in each language the terminal
offers (terminal.languages, in its order).

Calm and cheap: one highlighted invitation moves to the next language every few seconds; no
animation runs, so the window redraws once per cycle and idle CPU stays near zero.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from kivy.clock import Clock
from kivy.metrics import dp
from kivy.properties import BooleanProperty, ListProperty, NumericProperty, StringProperty
from kivy.uix.boxlayout import BoxLayout
from kivy.vector import Vector

from i18n import CODES, gettext_for
from screens.base import KioskScreen
from screens.discard import unbind_rules
from screens.names import CITY_NAME, N_
from screens.rules import load_rules
from screens.translate import tr
from session.states import State

if TYPE_CHECKING:
    from session.context import SessionContext

load_rules(__file__)

CYCLE_SECONDS = 4.0
INVITATION = N_("Touch the screen to start")


def invitations(languages: Sequence[str]) -> list[str]:
    """The invitation in each language, whatever the current language is."""
    return [gettext_for(lang)(INVITATION) for lang in languages]


class InvitationLine(BoxLayout):
    """One language's invitation; the current one is highlighted (attract.kv)."""

    text = StringProperty("")
    current = BooleanProperty(False)


class AttractScreen(KioskScreen):
    city_name = StringProperty(CITY_NAME)
    # The codes offered, in order: the shell's (terminal.languages) once it has a port.
    languages = ListProperty(list(CODES))
    lines = ListProperty([])
    index = NumericProperty(0)

    def __init__(self, **kwargs: object) -> None:
        super().__init__(**kwargs)
        self.on_languages()
        self._cycle = Clock.schedule_interval(self._next_language, CYCLE_SECONDS)
        self._cycle.cancel()

    def on_enter(self, *_args: object) -> None:
        super().on_enter()
        self._cycle.cancel()
        self._cycle = Clock.schedule_interval(self._next_language, CYCLE_SECONDS)

    def on_leave(self, *_args: object) -> None:
        super().on_leave()
        self._cycle.cancel()

    def update(self, state: State, context: SessionContext) -> None:
        if self.port is not None:
            self.languages = list(self.port.languages())
        self.title = tr._("Welcome")
        self.summary = tr._(INVITATION)

    def start(self) -> None:
        # Imported here: the session's events are not loaded before the first frame.
        from session.events import Start

        self.send(Start())

    def on_touch_up(self, touch: Any) -> bool:
        # The whole screen is the start button. Not a Button under the page: when large text
        # makes the body scroll, the scroll view keeps the touches that fall on it. A touch
        # that began and ended here without travelling (a drag scrolls) begins.
        super().on_touch_up(touch)
        if touch.grab_current is not None:
            return False  # the same touch again, for the widget that grabbed it
        here = self.collide_point(*touch.opos) and self.collide_point(*touch.pos)
        if here and Vector(touch.opos).distance(touch.pos) < dp(20):
            self.start()
            return True
        return False

    def on_languages(self, *_args: object) -> None:
        self.lines = invitations(self.languages)

    def on_lines(self, *_args: object) -> None:
        """One line per invitation, built again only when the languages change."""
        box = self.ids.get("invitations")
        if box is None:
            return  # the rules are not applied yet; __init__ builds them
        old = list(box.children)
        box.clear_widgets()
        unbind_rules(*old)
        self.index = int(self.index) % len(self.lines)
        for number, text in enumerate(self.lines):
            box.add_widget(InvitationLine(text=text, current=number == self.index))

    def invitation_lines(self) -> list[InvitationLine]:
        """The invitation lines, in the order shown."""
        return list(reversed(self.ids.invitations.children))

    def _next_language(self, _dt: float) -> None:
        self.index = (self.index + 1) % len(self.lines)

    def on_index(self, *_args: object) -> None:
        lines = self.invitation_lines()
        for number, line in enumerate(lines):
            line.current = number == int(self.index)
        # When the invitations do not all fit, the highlighted one is brought into view.
        body = self.ids.body
        if body.scrolls and lines:
            body.scroll_to(lines[int(self.index)], padding=dp(16), animate=False)
