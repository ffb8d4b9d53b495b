"""Language choice: four large buttons, each language named in itself."""

from __future__ import annotations

from kivy.properties import ListProperty, StringProperty

from i18n import gettext_for
from screens.base import KioskScreen
from screens.names import ENDONYMS, N_
from screens.rules import load_rules
from screens.translate import tr
from session.context import SessionContext
from session.events import Back, ChooseLanguage
from session.states import State

load_rules(__file__)

TITLE = N_("Choose your language")


class LanguageScreen(KioskScreen):
    # The title in every language: nobody has chosen one yet.
    other_titles = StringProperty("")
    endonyms = ListProperty(list(ENDONYMS.values()))

    def update(self, state: State, context: SessionContext) -> None:
        self.title = tr._(TITLE)
        others = [gettext_for(lang)(TITLE) for lang in ENDONYMS if lang != context.language]
        self.other_titles = " · ".join(others)
        self.summary = " ".join(self.endonyms)

    def choose(self, index: int) -> None:
        self.send(ChooseLanguage(list(ENDONYMS)[index]))

    def back(self) -> None:
        self.send(Back())
