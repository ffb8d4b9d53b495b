"""Prices, dates and times as a Brussels reader of each language expects them (Babel, CLDR)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Literal

from i18n.catalogs import translations
from i18n.languages import language

Width = Literal["full", "long", "medium", "short"]


def locale_for(lang: str) -> str:
    """The CLDR locale of `lang` (i18n.languages); ValueError for an unknown language."""
    return language(lang).locale


def format_price(cents: int, lang: str) -> str:
    """ "Free" in words for 0; otherwise euros in the language's Belgian format."""
    if cents < 0:
        raise ValueError("a price cannot be negative")
    if cents == 0:
        return translations(lang).gettext("Free")
    from babel.numbers import format_currency  # Babel loads in ~15 ms: not before the first frame

    return format_currency(Decimal(cents) / 100, "EUR", locale=locale_for(lang))


def format_date(day: dt.date, lang: str, width: Width = "long") -> str:
    """E.g. "5 mars 2026", "5 maart 2026", "5 March 2026", "5. März 2026"."""
    from babel.dates import format_date as babel_date

    return babel_date(day, format=width, locale=locale_for(lang))


def format_time(moment: dt.time | dt.datetime, lang: str, width: Width = "short") -> str:
    """E.g. "14:05" in each of the kiosk's languages."""
    from babel.dates import format_time as babel_time

    return babel_time(moment, format=width, locale=locale_for(lang))
