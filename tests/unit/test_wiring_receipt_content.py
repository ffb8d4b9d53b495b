"""The receipt's words and figures in each language come from the kiosk's wiring (the gettext
catalogues and the receipt's own date and price conventions), and print as they always have."""

from __future__ import annotations

from datetime import datetime

import pytest

import devices.printing  # noqa: F401  (escpos learns its cache folder first)
from devices.printing.receipt.escpos_decode import Cut, decode, text_lines
from devices.printing.receipt.layout import build_receipt
from kiosk.wiring.receipt_content import receipt_in, receipt_labels, receipt_price

URL = "https://e-guichet.brussels/verify/AB12CD34"


def receipt(lang: str, price_cents: int = 350) -> bytes:
    return build_receipt(
        receipt_in(
            lang,
            document_name="Composition de ménage",
            issued_at=datetime(2026, 3, 4, 9, 7),
            terminal_id="bxl-epn-12",
            reference="REF-2026-000123",
            verification_code="AB12-CD34",
            verification_url=URL,
            price_cents=price_cents,
        )
    )


# Recorded from the receipt as it printed when devices/ held its own words (ordinary spaces
# before ":" and "!" in French, not the catalogue's no-break spaces).
PRINTED = {
    "fr": [
        "Reçu",
        "Composition de ménage",
        "Date .................... 04/03/2026 09:07",
        "Borne ......................... bxl-epn-12",
        "Référence ................ REF-2026-000123",
        "Code de vérification ........... AB12-CD34",
        "Prix .............................. 3,50 €",
        "Scannez pour vérifier le document :",
        URL,
        "Merci et à bientôt !",
        "Ville de Bruxelles · Stad Brussel",
    ],
    "nl": [
        "Ontvangstbewijs",
        "Composition de ménage",
        "Datum ................... 04/03/2026 09:07",
        "Terminal ...................... bxl-epn-12",
        "Referentie ............... REF-2026-000123",
        "Verificatiecode ................ AB12-CD34",
        "Prijs ............................. € 3,50",
        "Scan om het document te controleren:",
        URL,
        "Bedankt en tot ziens!",
        "Ville de Bruxelles · Stad Brussel",
    ],
    "en": [
        "Receipt",
        "Composition de ménage",
        "Date .................... 04/03/2026 09:07",
        "Terminal ...................... bxl-epn-12",
        "Reference ................ REF-2026-000123",
        "Verification code .............. AB12-CD34",
        "Price .............................. €3.50",
        "Scan to check the document:",
        URL,
        "Thank you, goodbye!",
        "Ville de Bruxelles · Stad Brussel",
    ],
    "de": [
        "Quittung",
        "Composition de ménage",
        "Datum ................... 04.03.2026 09:07",
        "Terminal ...................... bxl-epn-12",
        "Referenz ................. REF-2026-000123",
        "Prüfcode ....................... AB12-CD34",
        "Preis ............................. 3,50 €",
        "Scannen, um das Dokument zu prüfen:",
        URL,
        "Danke und auf Wiedersehen!",
        "Ville de Bruxelles · Stad Brussel",
    ],
}


@pytest.mark.parametrize("lang", sorted(PRINTED))
def test_the_receipt_prints_in_the_citizens_language_as_it_always_has(lang: str) -> None:
    elements = decode(receipt(lang))
    assert [line for line in text_lines(elements) if line] == PRINTED[lang]
    assert isinstance(elements[-1], Cut) and elements[-1].partial


def test_the_catalogues_no_break_spaces_are_printed_as_spaces() -> None:
    labels = receipt_labels("fr")
    assert (labels.scan_to_check, labels.thanks) == (
        "Scannez pour vérifier le document :",
        "Merci et à bientôt !",
    )
    assert not any("\u00a0" in line for line in text_lines(decode(receipt("fr"))))


def test_price_only_when_not_free() -> None:
    free = " ".join(text_lines(decode(receipt("nl", 0))))
    paid = " ".join(text_lines(decode(receipt("nl", 1250))))
    assert "Prijs" not in free
    assert "Prijs" in paid and "€ 12,50" in paid


def test_prices_follow_belgian_conventions() -> None:
    assert [receipt_price(705, lang) for lang in ("fr", "nl", "en", "de")] == [
        "7,05 €",
        "€ 7,05",
        "€7.05",
        "7,05 €",
    ]
    assert receipt_price(0, "fr") == ""  # free: no price line at all
    with pytest.raises(ValueError, match="negative"):
        receipt_price(-1, "fr")


def test_an_unknown_language_is_refused() -> None:
    with pytest.raises(ValueError, match="unsupported language"):
        receipt_labels("es")
