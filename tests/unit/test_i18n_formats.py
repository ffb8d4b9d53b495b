"""Prices, dates and times per language (Babel, Belgian locales), and the current language."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest

import i18n
from i18n import format_date, format_price, format_time

NBSP = "\u00a0"


@pytest.fixture(autouse=True)
def back_to_french() -> Iterator[None]:
    yield
    i18n.set_language(i18n.DEFAULT_LANGUAGE)


@pytest.mark.parametrize(
    ("lang", "free", "price"),
    [
        ("fr", "Gratuit", f"3,50{NBSP}€"),
        ("nl", "Gratis", f"€{NBSP}3,50"),
        ("en", "Free", f"3,50{NBSP}€"),
        ("de", "Kostenlos", f"3,50{NBSP}€"),
    ],
)
def test_prices(lang: str, free: str, price: str) -> None:
    assert format_price(0, lang) == free
    assert format_price(350, lang) == price


def test_a_negative_price_is_refused() -> None:
    with pytest.raises(ValueError):
        format_price(-1, "fr")


@pytest.mark.parametrize(
    ("lang", "day"),
    [("fr", "5 mars 2026"), ("nl", "5 maart 2026"), ("en", "5 March 2026"), ("de", "5. März 2026")],
)
def test_dates_and_times(lang: str, day: str) -> None:
    assert format_date(dt.date(2026, 3, 5), lang) == day
    assert format_time(dt.time(14, 5), lang) == "14:05"


def test_set_language_switches_and_tells_listeners() -> None:
    heard: list[str] = []
    i18n.add_language_listener(heard.append)
    i18n.set_language("nl")
    assert i18n.current_language() == "nl"
    assert heard[-1] == "nl"
    with pytest.raises(ValueError):
        i18n.set_language("xx")
    assert i18n.current_language() == "nl"


def test_the_pure_package_does_not_need_kivy() -> None:
    import subprocess
    import sys

    code = "import sys, i18n, screens.speech_guide; print('kivy' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
