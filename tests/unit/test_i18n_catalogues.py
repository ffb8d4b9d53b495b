"""The four catalogues are complete, current and well-formed; they compile and load.

When one of these fails after a screen changed: run `python -m i18n.extract`, translate the
new entries in i18n/locale/*/LC_MESSAGES/kiosk.po, and run the tests again.
"""

from __future__ import annotations

import gettext
import io
import os
import re
import shutil
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog, Message
from babel.messages.pofile import read_po

from i18n import CITY_CONTEXT, CODES, catalogs, gettext_for, pgettext_for
from i18n.catalogs import compile_po, po_path
from i18n.compile import main as compile_main
from i18n.extract import POT_PATH, merged, plural_forms, render_po, stable_lines, template
from i18n.sources import collect

PLACEHOLDER = re.compile(r"\{(\w*)\}")


def load(lang: str) -> Catalog:
    with po_path(lang).open("rb") as src:
        return read_po(src, locale=lang)


def entries(catalog: Catalog) -> list[Message]:
    return [message for message in catalog if message.id]


def forms(value: str | tuple[str, ...] | list[str] | None) -> list[str]:
    if value is None:
        return [""]
    return [value] if isinstance(value, str) else list(value)


@pytest.mark.parametrize("lang", CODES)
def test_every_entry_is_translated_and_none_is_fuzzy(lang: str) -> None:
    catalog = load(lang)
    untranslated = [m.id for m in entries(catalog) if not all(s.strip() for s in forms(m.string))]
    fuzzy = [m.id for m in entries(catalog) if m.fuzzy]
    assert not untranslated, f"{lang}: untranslated entries: {untranslated}"
    assert not fuzzy, f"{lang}: fuzzy entries: {fuzzy}"
    assert not catalog.fuzzy, f"{lang}: the catalogue header is marked fuzzy"
    assert not catalog.obsolete, f"{lang}: obsolete entries left in the file"


@pytest.mark.parametrize("lang", CODES)
def test_translations_keep_the_placeholders(lang: str) -> None:
    for message in entries(load(lang)):
        ids = [message.id] if isinstance(message.id, str) else list(message.id)
        wanted = {name for text in ids for name in PLACEHOLDER.findall(text)}
        for text in forms(message.string):
            assert set(PLACEHOLDER.findall(text)) <= wanted, f"{lang}: {text!r}"
            # A singular may leave its count out ("une fois"); the other forms must keep it.
        assert set(PLACEHOLDER.findall(forms(message.string)[-1])) == wanted, f"{lang}: {ids}"


@pytest.mark.parametrize("lang", CODES)
def test_plural_rules_are_the_usual_ones(lang: str) -> None:
    catalog = load(lang)
    assert catalog.plural_forms == plural_forms(lang)
    for message in entries(catalog):
        if message.pluralizable:
            assert len(forms(message.string)) == catalog.num_plurals


@pytest.mark.parametrize("lang", CODES)
def test_every_msgid_used_in_the_code_is_in_the_catalogue(lang: str) -> None:
    have = {
        (m.context, m.id if isinstance(m.id, str) else tuple(m.id)) for m in entries(load(lang))
    }
    missing = sorted(
        f"{f.path}:{f.line}: {f.msgid!r}" for f in collect() if (f.context, f.msgid) not in have
    )
    assert not missing, "not in the catalogue (run python -m i18n.extract):\n" + "\n".join(missing)


def test_the_template_and_catalogues_are_what_extraction_writes() -> None:
    pot = template()
    assert stable_lines(POT_PATH.read_bytes()) == stable_lines(render_po(pot)), "kiosk.pot is stale"
    for lang in CODES:
        assert stable_lines(po_path(lang).read_bytes()) == stable_lines(
            render_po(merged(lang, pot))
        ), f"{lang}/kiosk.po is not as extraction leaves it: run python -m i18n.extract"


def test_a_new_msgid_is_left_empty_in_every_language_but_english() -> None:
    # Extraction merges the languages in this order; English fills in its source text, and
    # that must not reach the catalogues merged after it (German used to get it), or the
    # "untranslated entries" test could not see a missing translation.
    new = "A sentence nobody has translated yet"
    pot = Catalog()
    pot.add(new)
    strings = {lang: merged(lang, pot)[new].string for lang in CODES}
    assert strings.pop("en") == new
    assert not any(strings.values()), strings
    assert not pot[new].string  # the template is left as it was


@pytest.mark.parametrize("lang", CODES)
def test_a_po_compiles_and_loads(lang: str) -> None:
    data = compile_po(po_path(lang))
    assert data == compile_po(po_path(lang))  # deterministic: compiling twice changes nothing
    loaded = gettext.GNUTranslations(io.BytesIO(data))
    assert loaded.gettext("Free") == gettext_for(lang)("Free")
    assert loaded.gettext("Free") != "Free" or lang == "en"  # translated


@pytest.mark.parametrize(
    ("lang", "expected"), [("fr", "Gratuit"), ("nl", "Gratis"), ("en", "Free"), ("de", "Kostenlos")]
)
def test_the_catalogues_say_free_as_expected(lang: str, expected: str) -> None:
    assert gettext_for(lang)("Free") == expected


def test_the_citys_words_keep_apart_from_the_kiosks() -> None:
    # The same English, two wordings: on the city's certificate, and on the kiosk's screen.
    assert pgettext_for("nl")(CITY_CONTEXT, "Residence certificate") == "Getuigschrift van woonst"
    assert gettext_for("nl")("Residence certificate") == "Bewijs van woonst"


def test_the_translations_are_formal() -> None:
    informal = {
        "fr": r"\b(tu|toi|ton|ta|tes)\b",
        "nl": r"\b(je|jij|jouw)\b",
        "de": r"\b(du|dein\w*)\b",
    }
    for lang, pattern in informal.items():
        for message in entries(load(lang)):
            for text in forms(message.string):
                assert not re.search(pattern, text, re.IGNORECASE), f"{lang}: {text!r}"


def test_french_punctuation_uses_non_breaking_spaces() -> None:
    for message in entries(load("fr")):
        for text in forms(message.string):
            assert not re.search(r" [:;?!»]|« ", text), f"breakable space in {text!r}"


def test_an_unknown_language_is_refused() -> None:
    with pytest.raises(ValueError, match="unsupported language"):
        gettext_for("es")


def test_compile_writes_mo_files_once_and_loading_works_without_them(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    for lang in CODES:
        target = tmp_path / lang / "LC_MESSAGES"
        target.mkdir(parents=True)
        shutil.copy(po_path(lang), target / "kiosk.po")
    monkeypatch.setattr(catalogs, "LOCALE_DIR", tmp_path)
    catalogs.reload()
    try:
        assert not catalogs.mo_path("de").exists()
        assert gettext_for("de")("Free") == "Kostenlos"  # compiled in memory from the .po
        assert "i18n.compile" in caplog.text  # slow, so it says how to avoid it
        assert compile_main() == 0
        written = {lang: catalogs.mo_path(lang).stat().st_mtime_ns for lang in CODES}
        assert compile_main() == 0  # idempotent: nothing rewritten
        assert written == {lang: catalogs.mo_path(lang).stat().st_mtime_ns for lang in CODES}
        catalogs.reload()
        caplog.clear()
        assert gettext_for("nl")("Free") == "Gratis"  # now from the .mo
        assert not caplog.text

        # An extraction that rewrites a .po without changing its messages leaves the .mo's
        # bytes as they are, but it must not be taken for stale from then on.
        po, mo = catalogs.po_path("fr"), catalogs.mo_path("fr")
        later = mo.stat().st_mtime + 60
        os.utime(po, (later, later))
        data = mo.read_bytes()
        assert compile_main() == 0
        assert mo.read_bytes() == data
        assert mo.stat().st_mtime >= po.stat().st_mtime
        catalogs.reload()
        assert gettext_for("fr")("Free") == "Gratuit"
        assert not caplog.text
    finally:
        monkeypatch.undo()
        catalogs.reload()
