"""Loading the gettext catalogues: the compiled .mo when present, else the .po compiled in memory.

One catalogue per language of i18n.languages. The .mo files are built by
`python -m i18n.compile` (and gitignored); the fallback keeps a fresh checkout working without
that step.
"""

from __future__ import annotations

import gettext
import io
import logging
from functools import cache
from pathlib import Path

from i18n.languages import Language, language

DOMAIN = "kiosk"
LOCALE_DIR = Path(__file__).parent / "locale"  # the shipped languages' catalogues
# The city's words (its server's catalogue and certificates, cityserver/) are the city's official
# wording, which may differ from the kiosk's own words for the same English: "Residence
# certificate" is "Getuigschrift van woonst" on the city's certificate and "Bewijs van woonst" on
# the kiosk's screen. Their msgids carry this gettext context (msgctxt), so the two never mix.
CITY_CONTEXT = "city"

log = logging.getLogger(__name__)


def po_path(lang: str) -> Path:
    folder = language(lang).catalogue_dir or LOCALE_DIR
    return folder / lang / "LC_MESSAGES" / f"{DOMAIN}.po"


def mo_path(lang: str) -> Path:
    return po_path(lang).with_suffix(".mo")


def compile_po(po: Path) -> bytes:
    """The .mo bytes for a .po file (fuzzy entries left out, as msgfmt does)."""
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    with po.open("rb") as src:
        catalog = read_po(src)
    out = io.BytesIO()
    write_mo(out, catalog, use_fuzzy=False)
    return out.getvalue()


def translations(lang: str) -> gettext.NullTranslations:
    """The catalogue of `lang`; a language without any catalogue falls back to the English
    source strings (the msgids). ValueError for a language i18n.languages does not know."""
    return _load(language(lang))


@cache
def _load(entry: Language) -> gettext.NullTranslations:
    lang = entry.code
    mo, po = mo_path(lang), po_path(lang)
    if mo.exists() and (not po.exists() or mo.stat().st_mtime >= po.stat().st_mtime):
        with mo.open("rb") as src:
            return gettext.GNUTranslations(src)
    if po.exists():
        # Correct but slow (about 10 ms a language, before the first frame): say so.
        log.warning("%s is missing or older than its .po; run python -m i18n.compile", mo)
        return gettext.GNUTranslations(io.BytesIO(compile_po(po)))
    return gettext.NullTranslations()


def reload() -> None:
    """Forget the loaded catalogues (after extraction or compilation rewrote them)."""
    _load.cache_clear()
