"""The attract screen: a calm loop inviting a passer-by to touch, in four languages.

Calm and cheap: one highlighted invitation moves to the next language every few seconds; no
animation runs, so the window redraws once per cycle and idle CPU stays near zero.
"""

from __future__ import annotations

from kivy.clock import Clock
from kivy.properties import ListProperty, NumericProperty, StringProperty

from kiosk.i18n import gettext_for
from kiosk.i18n.kivy_tr import tr
from screens.base import KioskScreen, load_rules
from screens.names import CITY_NAME, N_
from session.events import Start
from session.machine import SessionContext
from session.states import State

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
        self.send(Start())

    def _next_language(self, _dt: float) -> None:
        self.index = (self.index + 1) % len(self.lines)
