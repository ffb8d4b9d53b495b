"""The city's words: each written once, where it is used, as its English msgid marked `N_`, and
looked up in the one store of translated sentences, the gettext catalogues of i18n (in the
city's context, i18n.CITY_CONTEXT: the city's official wording, kept apart from the kiosk's).

The server speaks every language i18n knows, in the list's order, one added beside the list at
run time too; where a catalogue has no translation, the English msgid stands.
"""

from __future__ import annotations

from collections.abc import Iterable

from cityapi.models import Localized
from i18n import CITY_CONTEXT, pgettext_for
from i18n.languages import known


def N_(msgid: str) -> str:
    """Marks `msgid` for extraction (python -m i18n.extract); it is looked up where it is used."""
    return msgid


def language_codes() -> tuple[str, ...]:
    """Every language i18n knows now: the list's, then any added beside it."""
    return tuple(entry.code for entry in known())


def in_language(msgid: str, language: str) -> str:
    """The city's words for `msgid` in one language."""
    return pgettext_for(language)(CITY_CONTEXT, msgid)


def localized(msgid: str, languages: Iterable[str] | None = None) -> Localized:
    """The city's words for `msgid` in `languages` (by default every language i18n knows)."""
    codes = language_codes() if languages is None else languages
    return Localized({code: in_language(msgid, code) for code in codes})
