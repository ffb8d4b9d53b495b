"""A language beyond the shipped four, for tests: Esperanto, with a tiny catalogue written into a
temporary folder and added through `i18n.add_language` (removed again afterwards). The catalogue
holds a few of the kiosk's words and a few of the city's (its server's, in the city's context)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.pofile import write_po

import i18n
from i18n.catalogs import CITY_CONTEXT, DOMAIN
from i18n.languages import Language

# A few of the kiosk's msgids in Esperanto: enough to see that the catalogue is the one used.
ESPERANTO = {
    "Choose your language": "Elektu vian lingvon",
    "Touch the screen to start": "Tuŝu la ekranon por komenci",
    "Back": "Reen",
    "Free": "Senpage",
}
# A few of the city's msgids (cityserver) in Esperanto; the others stay English.
ESPERANTO_CITY = {
    "Residence certificate": "Atestilo pri loĝejo",
    "This certificate is only for people with Belgian nationality.": (
        "Ĉi tiu atestilo estas nur por homoj kun belga ŝtataneco."
    ),
}


def write_catalogue(
    folder: Path, code: str, strings: dict[str, str], city: dict[str, str] | None = None
) -> Path:
    """`folder/<code>/LC_MESSAGES/kiosk.po` holding `strings` (msgid -> translation), and the
    city's words `city` in the city's context."""
    catalog = Catalog(locale=code, domain=DOMAIN, fuzzy=False)
    for msgid, text in strings.items():
        catalog.add(msgid, text)
    for msgid, text in (city or {}).items():
        catalog.add(msgid, text, context=CITY_CONTEXT)
    path = folder / code / "LC_MESSAGES" / f"{DOMAIN}.po"
    path.parent.mkdir(parents=True)
    with path.open("wb") as out:
        write_po(out, catalog)
    return path


@contextmanager
def esperanto(folder: Path) -> Iterator[Language]:
    """Esperanto is a language of the kiosk while the block runs."""
    write_catalogue(folder, "eo", ESPERANTO, ESPERANTO_CITY)
    added = Language("eo", "Esperanto", "eo", "eo", catalogue_dir=folder)
    i18n.add_language(added)
    try:
        yield added
    finally:
        i18n.remove_language("eo")
