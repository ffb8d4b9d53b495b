"""THE list of the kiosk's languages. Everything else takes it from here: the configuration
(`terminal.languages` chooses among them), the catalogues, the locale formats, the language
screen's buttons, the attract screen's invitations, the city API's language codes and the
speech voices.

Adding a language is one entry below, its catalogue (`python -m i18n.extract` starts
`locale/<code>/LC_MESSAGES/kiosk.po`; translate it, then `python -m i18n.compile`) and an
espeak-ng voice; nothing else.

Pure data, no Babel: the configuration reads this before the first frame.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Language:
    code: str  # ISO 639-1: configuration value, catalogue folder, the city API's language
    endonym: str  # the language named in itself, as its button shows it
    locale: str  # CLDR locale of prices, dates and times (the Belgian variant when CLDR has it)
    voice: str  # espeak-ng voice (`espeak-ng --voices`)
    # The gettext Plural-Forms of its catalogue; "" takes CLDR's (through Babel).
    plural_forms: str = ""
    # The folder that holds <code>/LC_MESSAGES/kiosk.po (and .mo); None: the kiosk's own,
    # i18n/locale. Another folder serves a language added at run time (`add_language`).
    catalogue_dir: Path | None = None


LANGUAGES: tuple[Language, ...] = (
    # The usual gettext rule: CLDR's French rule adds a form for millions we never need.
    Language("fr", "Français", "fr_BE", "fr-be", plural_forms="nplurals=2; plural=(n > 1);"),
    Language("nl", "Nederlands", "nl_BE", "nl"),
    Language("en", "English", "en_BE", "en-gb"),  # en_BE writes "12,50 €", as locals do
    Language("de", "Deutsch", "de_BE", "de"),
)
CODES: tuple[str, ...] = tuple(language.code for language in LANGUAGES)

# The shipped languages, then those added at run time beside them, each with its own catalogue
# folder (a test's language, say). Added ones are not valid in the configuration.
_known: dict[str, Language] = {found.code: found for found in LANGUAGES}


def known() -> tuple[Language, ...]:
    """The shipped languages, then the added ones."""
    return tuple(_known.values())


def language(code: str) -> Language:
    """The language of `code`; ValueError names the known ones."""
    try:
        return _known[code]
    except KeyError:
        raise ValueError(
            f"unsupported language {code!r}; expected one of {tuple(_known)}"
        ) from None


def add_language(extra: Language) -> None:
    """Know one more language, its catalogue in `extra.catalogue_dir` (a .po is enough)."""
    if extra.code in CODES:
        raise ValueError(f"{extra.code!r} is already a language of the kiosk")
    if extra.catalogue_dir is None:
        raise ValueError("an added language brings its own catalogue folder")
    _known[extra.code] = extra


def remove_language(code: str) -> None:
    """Forget a language `add_language` added (nothing when it was not added)."""
    if code not in CODES:
        _known.pop(code, None)


def voices() -> dict[str, str]:
    """The espeak-ng voice of each known language, by code: the speaker's table."""
    return {found.code: found.voice for found in known()}
