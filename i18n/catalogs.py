"""Loading the gettext catalogues: the compiled .mo when present, else the .po compiled in memory.

The .mo files are built by `python -m i18n.compile` (and gitignored); the fallback keeps a
fresh checkout working without that step.
"""

from __future__ import annotations

import gettext
import io
import logging
from functools import cache
from pathlib import Path

DOMAIN = "kiosk"
LOCALE_DIR = Path(__file__).parent / "locale"
LANGUAGES = ("fr", "nl", "en", "de")

log = logging.getLogger(__name__)


def po_path(lang: str) -> Path:
    return LOCALE_DIR / lang / "LC_MESSAGES" / f"{DOMAIN}.po"


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


@cache
def translations(lang: str) -> gettext.NullTranslations:
    """The catalogue of `lang`; a language without any catalogue falls back to the English
    source strings (the msgids)."""
    if lang not in LANGUAGES:
        raise ValueError(f"unsupported language {lang!r}; expected one of {LANGUAGES}")
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
    translations.cache_clear()
