"""The one language list: each shipped language is complete (catalogue, CLDR locale, voice), and
a language added beside them with its own catalogue folder is used everywhere i18n answers."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from babel import Locale

import i18n
from i18n import CODES, LANGUAGES, format_date, format_price, gettext_for
from i18n.catalogs import po_path
from i18n.languages import Language
from tests.harness.languages import esperanto


def test_the_list_has_each_language_once() -> None:
    assert {"fr", "nl", "en", "de"} <= set(CODES)  # Brussels' languages, and English
    assert len(set(CODES)) == len(CODES)
    assert len({entry.endonym for entry in LANGUAGES}) == len(LANGUAGES)
    assert all(len(code) == 2 and code.islower() for code in CODES)  # ISO 639-1


@pytest.mark.parametrize("entry", LANGUAGES, ids=CODES)
def test_each_shipped_language_is_complete(entry: Language) -> None:
    assert po_path(entry.code).exists()
    assert Locale.parse(entry.locale).language == entry.code  # CLDR knows it
    assert entry.endonym and entry.voice
    assert i18n.language(entry.code) is entry
    assert i18n.voices()[entry.code] == entry.voice


def test_an_unknown_code_names_the_known_ones() -> None:
    with pytest.raises(ValueError, match=r"unsupported language 'xx'.*'fr', 'nl', 'en', 'de'"):
        i18n.language("xx")


def test_an_added_language_takes_its_catalogue_from_its_own_folder(tmp_path: Path) -> None:
    with esperanto(tmp_path) as added:
        assert i18n.language("eo") is added
        assert gettext_for("eo")("Choose your language") == "Elektu vian lingvon"
        assert gettext_for("eo")("Print") == "Print"  # not translated: the English source
        assert format_price(0, "eo") == "Senpage"
        assert "2026" in format_date(dt.date(2026, 3, 5), "eo")  # its CLDR locale
        assert i18n.voices()["eo"] == "eo"
    with pytest.raises(ValueError):
        gettext_for("eo")  # gone with the block
    assert "eo" not in i18n.voices()


def test_a_shipped_language_cannot_be_added_again_or_removed(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="already"):
        i18n.add_language(Language("fr", "Français", "fr_BE", "fr", catalogue_dir=tmp_path))
    with pytest.raises(ValueError, match="catalogue folder"):
        i18n.add_language(Language("eo", "Esperanto", "eo", "eo"))
    i18n.remove_language("fr")
    assert gettext_for("fr")("Free") == "Gratuit"
