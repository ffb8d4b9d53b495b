"""The seeded catalogue: certificates the City of Brussels' e-guichet delivers, with demo prices.

Names follow the city's own wording in each language. The words are msgids (cityserver.words),
in the gettext catalogues with their translations. `statement` is the sentence the certificate
PDF makes (server-side only, not part of the catalogue answer); `{name}` and `{address}` come
from the verified card data.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from typing import Literal

from cityapi.models import Catalogue, CatalogueItem
from cityserver.words import N_, in_language, language_codes, localized

CATALOGUE_VERSION = "2026.1"

REGISTERED = N_(
    "{name} is registered in the population register of the City of Brussels, "
    "at the address {address}."
)


@dataclass(frozen=True)
class CertificateKind:
    """A certificate the city delivers. Its words are msgids, looked up where they are used."""

    id: str
    name: str
    description: str
    price_cents: int
    icon: str
    statement: str = REGISTERED
    delivery: Literal["instant", "manual_review"] = "instant"
    belgians_only: bool = False

    def title(self, language: str) -> str:
        return in_language(self.name, language)

    def statement_in(self, language: str, *, name: str, address: str) -> str:
        return in_language(self.statement, language).format(name=name, address=address)

    def item(self, languages: Iterable[str] | None = None) -> CatalogueItem:
        """As the catalogue offers it, in `languages` (by default every language i18n knows)."""
        codes = language_codes() if languages is None else tuple(languages)
        return CatalogueItem(
            id=self.id,
            name=localized(self.name, codes),
            description=localized(self.description, codes),
            price_cents=self.price_cents,
            authentication="eid_pin",
            delivery=self.delivery,
            icon=self.icon,
        )


KINDS: tuple[CertificateKind, ...] = (
    CertificateKind(
        "residence", N_("Residence certificate"), N_("Proves your current address."), 0, "house"
    ),
    CertificateKind(
        "household",
        N_("Household composition"),
        N_("The people who live with you."),
        0,
        "family",
        N_("{name}, residing at {address}, belongs to a household registered at this address."),
    ),
    CertificateKind(
        "nationality",
        N_("Certificate of Belgian nationality"),
        N_("Proves that you are Belgian."),
        0,
        "flag",
        N_("{name}, residing at {address}, holds Belgian nationality."),
        belgians_only=True,
    ),
    CertificateKind(
        "life",
        N_("Life certificate"),
        N_("For your pension or a fund abroad."),
        0,
        "heart",
        N_("{name}, residing at {address}, is alive on the date of this certificate."),
    ),
    CertificateKind(
        "population_extract",
        N_("Extract from the population register"),
        N_("Your details in the population register."),
        350,
        "register",
    ),
    CertificateKind(
        "residence_history",
        N_("Residence certificate with history"),
        N_("Your past addresses. Ready within 3 working days."),
        500,
        "history",
        delivery="manual_review",
    ),
    CertificateKind(
        "legal_cohabitation",
        N_("Certificate of legal cohabitation"),
        N_("Proves a declaration of legal cohabitation."),
        350,
        "rings",
    ),
    CertificateKind(
        "good_conduct",
        N_("Extract from the criminal record"),
        N_("Often asked for a job. Ready within 2 working days."),
        0,
        "scales",
        delivery="manual_review",
    ),
)

BY_ID: dict[str, CertificateKind] = {kind.id: kind for kind in KINDS}

NOT_BELGIAN = N_("This certificate is only for people with Belgian nationality.")


@dataclass(frozen=True)
class PublishedCatalogue:
    """The catalogue as GET /v1/catalogue answers it: the model, its JSON and its ETag."""

    catalogue: Catalogue
    json: str
    etag: str


def published_catalogue() -> PublishedCatalogue:
    """The catalogue in every language i18n knows now (one added at run time too)."""
    return _published(language_codes())


@cache
def _published(languages: tuple[str, ...]) -> PublishedCatalogue:
    catalogue = Catalogue(version=CATALOGUE_VERSION, items=[kind.item(languages) for kind in KINDS])
    text = catalogue.model_dump_json()
    etag = '"' + hashlib.sha256(text.encode()).hexdigest()[:32] + '"'
    return PublishedCatalogue(catalogue, text, etag)


# Nationality as the card prints it (tag 0A), in the register's languages.
BELGIAN_NATIONALITY = {"belge", "belg", "belgier", "belgian", "belgisch", "belgique", "belgië"}


def is_belgian(nationality: str) -> bool:
    return nationality.strip().lower() in BELGIAN_NATIONALITY
