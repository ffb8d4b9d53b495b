"""`python -m i18n.extract`: collect the msgids into locale/kiosk.pot and merge them into
each language's kiosk.po (new entries empty, gone entries dropped; English filled with the
source text). Files are rewritten only when an entry changed, so running it twice is a no-op.
The languages are those of i18n.languages: a new entry there gets its kiosk.po here.
"""

from __future__ import annotations

import copy
import io
import sys
from pathlib import Path

from babel import Locale
from babel.messages.catalog import Catalog
from babel.messages.pofile import read_po, write_po

from i18n.catalogs import DOMAIN, LOCALE_DIR, po_path, reload
from i18n.languages import CODES, language
from i18n.sources import collect

PROJECT = "Brussels kiosk"
SOURCE_LANGUAGE = "en"
POT_PATH = LOCALE_DIR / f"{DOMAIN}.pot"
# Header lines that change on every run; ignored when deciding whether a file changed.
_VOLATILE = (b'"POT-Creation-Date:', b'"PO-Revision-Date:')


def english_name(lang: str) -> str:
    """ "French", "Dutch"...: for the header of a catalogue (CLDR's name, through Babel)."""
    return str(Locale.parse(lang).english_name)


def plural_forms(lang: str) -> str:
    """The Plural-Forms header of `lang`'s catalogue: its entry's, else CLDR's."""
    return language(lang).plural_forms or str(Catalog(locale=lang).plural_forms)


def template() -> Catalog:
    pot = Catalog(project=PROJECT, domain=DOMAIN, fuzzy=False, **_identity())
    pot.header_comment = "# Translatable strings of the Brussels kiosk (i18n.extract)."
    for found in collect():
        flags = ["python-brace-format"] if "{" in _first(found.msgid) else []
        pot.add(
            found.msgid,
            locations=[(found.path, found.line)],
            flags=flags,
            context=found.context,
        )
    return pot


def _identity() -> dict[str, str]:
    return {
        "version": "1",
        "copyright_holder": "City of Brussels",
        "msgid_bugs_address": "kiosk@brussels.example",
        "last_translator": "Brussels kiosk team <kiosk@brussels.example>",
    }


def _first(msgid: str | tuple[str, str]) -> str:
    return msgid if isinstance(msgid, str) else msgid[0]


def merged(lang: str, pot: Catalog) -> Catalog:
    """`lang`'s catalogue brought up to `pot`; `pot` is left as it was."""
    path = po_path(lang)
    if path.exists():
        with path.open("rb") as src:
            catalog = read_po(src, locale=lang)
    else:
        catalog = Catalog(locale=lang, project=PROJECT, domain=DOMAIN, fuzzy=False)
    catalog.mime_headers = [
        ("Project-Id-Version", f"{PROJECT} 1"),
        ("Language-Team", f"{english_name(lang)} <{_identity()['msgid_bugs_address']}>"),
        ("Last-Translator", _identity()["last_translator"]),
        ("Report-Msgid-Bugs-To", _identity()["msgid_bugs_address"]),
        ("Plural-Forms", plural_forms(lang)),
    ]
    catalog.header_comment = (
        f"# {english_name(lang)} strings of the Brussels kiosk. Plain words a 12-year-old\n"
        "# understands; formal address (vous / u / Sie). Entries come from i18n.extract."
    )
    # A copy: `update` adopts the template's new Message objects, so without one every
    # catalogue merged after English would share the English text filled in below.
    catalog.update(copy.deepcopy(pot), no_fuzzy_matching=True)
    catalog.obsolete.clear()
    catalog.fuzzy = False
    if lang == SOURCE_LANGUAGE:
        for message in catalog:
            if message.id and not any(_strings(message.string)):
                message.string = message.id
    return catalog


def _strings(value: str | tuple[str, ...] | list[str] | None) -> tuple[str, ...]:
    if value is None:
        return ()
    return (value,) if isinstance(value, str) else tuple(value)


def render_po(catalog: Catalog) -> bytes:
    out = io.BytesIO()
    write_po(out, catalog, width=100, include_lineno=False, ignore_obsolete=True)
    return out.getvalue()


def stable_lines(data: bytes) -> list[bytes]:
    return [line for line in data.splitlines() if not line.startswith(_VOLATILE)]


def write_if_changed(path: Path, data: bytes) -> bool:
    if path.exists() and stable_lines(path.read_bytes()) == stable_lines(data):
        return False
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return True


def main() -> int:
    pot = template()
    changed = [POT_PATH] if write_if_changed(POT_PATH, render_po(pot)) else []
    for lang in CODES:
        if write_if_changed(po_path(lang), render_po(merged(lang, pot))):
            changed.append(po_path(lang))
    reload()
    for path in changed:
        print(f"updated {path}")
    print(f"{len(pot)} msgids; {len(changed)} file(s) changed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
