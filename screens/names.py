"""Words and icons for things the session names by key: documents of the catalogue.

Document names are English msgids marked with `N_` (extracted, translated at display time);
a document the kiosk does not know yet shows a tidied form of its id, never nothing.
"""

from __future__ import annotations


def N_(text: str) -> str:
    return text


DOCUMENT_NAMES: dict[str, str] = {
    "residence": N_("Residence certificate"),
    "household": N_("Household composition"),
    "nationality": N_("Certificate of Belgian nationality"),
    "life": N_("Life certificate"),
    "population_extract": N_("Extract from the population register"),
    "residence_history": N_("Residence certificate with history"),
    "legal_cohabitation": N_("Certificate of legal cohabitation"),
    "good_conduct": N_("Extract from the criminal record"),
}

DOCUMENT_ICONS: dict[str, str] = {
    "residence": "house",
    "household": "family",
    "nationality": "flag",
    "life": "heart",
    "population_extract": "register",
    "residence_history": "history",
    "legal_cohabitation": "rings",
    "good_conduct": "scales",
}

CITY_NAME = "Bruxelles · Brussel · Brussels"


def document_msgid(document_id: str) -> str | None:
    return DOCUMENT_NAMES.get(document_id)


def fallback_name(document_id: str) -> str:
    return document_id.replace("_", " ").capitalize()


def document_icon(document_id: str) -> str:
    return DOCUMENT_ICONS.get(document_id, "document")
