"""Language choice: one large button per language the terminal offers (terminal.languages, in
its order), each language named in itself."""

from __future__ import annotations

from collections.abc import Sequence

from kivy.properties import ListProperty, StringProperty

import i18n
from i18n import gettext_for
from screens.base import KioskScreen
from screens.discard import unbind_rules
from screens.names import N_
from screens.rules import load_rules
from screens.translate import tr
from screens.widgets.buttons import BigButton
from session.context import SessionContext
from session.events import Back, ChooseLanguage
from session.states import State

load_rules(__file__)

TITLE = N_("Choose your language")


class LanguageButton(BigButton):
    """The button of one language: its name in itself (the rule in language.kv styles it)."""

    language = StringProperty("")


class LanguageScreen(KioskScreen):
    # The codes offered, in order: the shell's (terminal.languages) once it has a port.
    languages = ListProperty(list(i18n.CODES))
    # The title in every language: nobody has chosen one yet.
    other_titles = StringProperty("")
    endonyms = ListProperty([])

    def __init__(self, **kwargs: object) -> None:
        super().__init__(**kwargs)
        self.on_languages()

    def update(self, state: State, context: SessionContext) -> None:
        if self.port is not None:
            self.languages = list(self.port.languages())
        self.title = tr._(TITLE)
        others = [gettext_for(code)(TITLE) for code in self.languages if code != context.language]
        self.other_titles = " · ".join(others)
        self.summary = " ".join(self.endonyms)

    def on_languages(self, *_args: object) -> None:
        """One button per language offered, built again only when the list changes."""
        self.endonyms = [i18n.language(code).endonym for code in self.languages]
        choices = self.ids.get("choices")
        if choices is None:
            return  # the rules are not applied yet; __init__ builds them
        old = list(choices.children)
        choices.clear_widgets()
        unbind_rules(*old)
        for code, endonym in zip(self.languages, self.endonyms, strict=True):
            button = LanguageButton(language=code, text=endonym)
            button.bind(on_release=lambda pressed: self.choose(pressed.language))
            choices.add_widget(button)

    def buttons(self) -> Sequence[LanguageButton]:
        """The language buttons, in the order shown."""
        return list(reversed(self.ids.choices.children))

    def choose(self, language: str) -> None:
        self.send(ChooseLanguage(language))

    def back(self) -> None:
        self.send(Back())
