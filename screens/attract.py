"""The attract screen: a calm loop inviting a passer-by to touch, in four languages.

Calm and cheap: one highlighted invitation moves to the next language every few seconds; no
animation runs, so the window redraws once per cycle and idle CPU stays near zero.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from kivy.clock import Clock
from kivy.metrics import dp
from kivy.properties import ListProperty, NumericProperty, StringProperty
from kivy.vector import Vector

from i18n import gettext_for
from screens.base import KioskScreen
from screens.names import CITY_NAME, N_
from screens.rules import load_rules
from screens.translate import tr
from session.states import State

if TYPE_CHECKING:
    from session.context import SessionContext

load_rules(__file__)

LANGUAGES = ("fr", "nl", "en", "de")
CYCLE_SECONDS = 4.0
INVITATION = N_("Touch the screen to start")


def invitations() -> list[str]:
    """The invitation in each language, whatever the current language is."""
    return [gettext_for(lang)(INVITATION) for lang in LANGUAGES]


class AttractScreen(KioskScreen):
    city_name = StringProperty(CITY_NAME)
    lines = ListProperty(invitations())
    index = NumericProperty(0)

    def __init__(self, **kwargs: object) -> None:
        super().__init__(**kwargs)
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

    def _next_language(self, _dt: float) -> None:
        self.index = (self.index + 1) % len(self.lines)

    def on_index(self, *_args: object) -> None:
        # When the invitations do not all fit, the highlighted one is brought into view.
        body = self.ids.body
        if body.scrolls:
            body.scroll_to(self.ids[f"line{int(self.index)}"], padding=dp(16), animate=False)
