"""The kiosk's languages (the one list: i18n.languages), their gettext catalogues, the current
language, locale formats and the sentences spoken or shown for the session machine's
announcements.

Pure Python (no Kivy): `screens.translate.tr` is the Kivy-bound face of the same catalogues.
msgids are the English source strings.
"""

from __future__ import annotations

from collections.abc import Callable

from i18n.announcements import announcement
from i18n.catalogs import CITY_CONTEXT, translations
from i18n.formats import format_date, format_price, format_time
from i18n.languages import (
    CODES,
    LANGUAGES,
    Language,
    add_language,
    language,
    remove_language,
    voices,
)

__all__ = [
    "CITY_CONTEXT",
    "CODES",
    "DEFAULT_LANGUAGE",
    "LANGUAGES",
    "Language",
    "add_language",
    "add_language_listener",
    "announcement",
    "current_language",
    "format_date",
    "format_price",
    "format_time",
    "gettext_for",
    "language",
    "ngettext_for",
    "pgettext_for",
    "remove_language",
    "set_language",
    "voices",
]

DEFAULT_LANGUAGE = CODES[0]  # the current language before anyone sets one

_current = DEFAULT_LANGUAGE
_listeners: list[Callable[[str], None]] = []


def gettext_for(lang: str) -> Callable[[str], str]:
    """The translating function `_` of one language."""
    return translations(lang).gettext


def ngettext_for(lang: str) -> Callable[[str, str, int], str]:
    """The plural-aware translating function of one language: (singular, plural, n)."""
    return translations(lang).ngettext


def pgettext_for(lang: str) -> Callable[[str, str], str]:
    """The translating function of one language for msgids with a context: (context, msgid)."""
    return translations(lang).pgettext


def current_language() -> str:
    return _current


def set_language(lang: str) -> None:
    """Switch the current language and tell the listeners (the Kivy `tr` too, once loaded)."""
    global _current
    translations(lang)  # validates, and loads before anyone re-renders
    _current = lang
    for listener in tuple(_listeners):
        listener(lang)


def add_language_listener(listener: Callable[[str], None]) -> None:
    """Call `listener(lang)` after every `set_language`."""
    _listeners.append(listener)
