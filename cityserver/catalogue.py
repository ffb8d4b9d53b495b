"""The seeded catalogue: certificates the City of Brussels' e-guichet delivers, with demo prices.

Names follow the city's own wording in each language. `statement` is the sentence the
certificate PDF makes (server-side only, not part of the catalogue answer); `{name}` and
`{address}` come from the verified card data.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from cityapi.models import Catalogue, CatalogueItem, Localized

CATALOGUE_VERSION = "2026.1"


@dataclass(frozen=True)
class CertificateKind:
    item: CatalogueItem
    statement: Localized
    belgians_only: bool = False


def _l(fr: str, nl: str, en: str, de: str) -> Localized:
    return Localized(fr=fr, nl=nl, en=en, de=de)


_REGISTERED = _l(
    "{name} est inscrit(e) au registre de la population de la Ville de Bruxelles, "
    "à l'adresse {address}.",
    "{name} is ingeschreven in het bevolkingsregister van de Stad Brussel, op het adres {address}.",
    "{name} is registered in the population register of the City of Brussels, "
    "at the address {address}.",
    "{name} ist im Bevölkerungsregister der Stadt Brüssel unter der Anschrift {address} "
    "eingetragen.",
)


def _kind(
    id_: str,
    name: Localized,
    description: Localized,
    price_cents: int,
    icon: str,
    statement: Localized = _REGISTERED,
    *,
    manual: bool = False,
    belgians_only: bool = False,
) -> CertificateKind:
    item = CatalogueItem(
        id=id_,
        name=name,
        description=description,
        price_cents=price_cents,
        authentication="eid_pin",
        delivery="manual_review" if manual else "instant",
        icon=icon,
    )
    return CertificateKind(item, statement, belgians_only)


KINDS: tuple[CertificateKind, ...] = (
    _kind(
        "residence",
        _l(
            "Certificat de résidence",
            "Getuigschrift van woonst",
            "Residence certificate",
            "Wohnsitzbescheinigung",
        ),
        _l(
            "Prouve votre adresse actuelle.",
            "Bewijst uw huidige adres.",
            "Proves your current address.",
            "Weist Ihre aktuelle Anschrift nach.",
        ),
        0,
        "house",
    ),
    _kind(
        "household",
        _l(
            "Composition de ménage",
            "Samenstelling van het gezin",
            "Household composition",
            "Haushaltszusammensetzung",
        ),
        _l(
            "Les personnes qui vivent avec vous.",
            "De personen die bij u wonen.",
            "The people who live with you.",
            "Die Personen, die mit Ihnen wohnen.",
        ),
        0,
        "family",
        _l(
            "{name}, domicilié(e) {address}, est chef(fe) de ménage ou membre d'un ménage "
            "inscrit à cette adresse.",
            "{name}, gedomicilieerd {address}, maakt deel uit van een gezin ingeschreven "
            "op dit adres.",
            "{name}, residing at {address}, belongs to a household registered at this address.",
            "{name}, wohnhaft {address}, gehört zu einem an dieser Anschrift gemeldeten Haushalt.",
        ),
    ),
    _kind(
        "nationality",
        _l(
            "Certificat de nationalité belge",
            "Getuigschrift van Belgische nationaliteit",
            "Certificate of Belgian nationality",
            "Bescheinigung der belgischen Staatsangehörigkeit",
        ),
        _l(
            "Prouve que vous êtes Belge.",
            "Bewijst dat u Belg bent.",
            "Proves that you are Belgian.",
            "Weist nach, dass Sie Belgier sind.",
        ),
        0,
        "flag",
        _l(
            "{name}, domicilié(e) {address}, possède la nationalité belge.",
            "{name}, gedomicilieerd {address}, heeft de Belgische nationaliteit.",
            "{name}, residing at {address}, holds Belgian nationality.",
            "{name}, wohnhaft {address}, besitzt die belgische Staatsangehörigkeit.",
        ),
        belgians_only=True,
    ),
    _kind(
        "life",
        _l("Certificat de vie", "Attest van leven", "Life certificate", "Lebensbescheinigung"),
        _l(
            "Pour votre pension ou une caisse à l'étranger.",
            "Voor uw pensioen of een kas in het buitenland.",
            "For your pension or a fund abroad.",
            "Für Ihre Rente oder eine Kasse im Ausland.",
        ),
        0,
        "heart",
        _l(
            "{name}, domicilié(e) {address}, est en vie à la date de ce certificat.",
            "{name}, gedomicilieerd {address}, is in leven op de datum van dit attest.",
            "{name}, residing at {address}, is alive on the date of this certificate.",
            "{name}, wohnhaft {address}, ist am Datum dieser Bescheinigung am Leben.",
        ),
    ),
    _kind(
        "population_extract",
        _l(
            "Extrait du registre de la population",
            "Uittreksel uit het bevolkingsregister",
            "Extract from the population register",
            "Auszug aus dem Bevölkerungsregister",
        ),
        _l(
            "Vos données au registre de la population.",
            "Uw gegevens in het bevolkingsregister.",
            "Your details in the population register.",
            "Ihre Daten im Bevölkerungsregister.",
        ),
        350,
        "register",
    ),
    _kind(
        "residence_history",
        _l(
            "Certificat de résidence avec historique",
            "Getuigschrift van woonst met historiek",
            "Residence certificate with history",
            "Wohnsitzbescheinigung mit Verlauf",
        ),
        _l(
            "Vos adresses successives. Prêt sous 3 jours ouvrables.",
            "Uw opeenvolgende adressen. Klaar binnen 3 werkdagen.",
            "Your past addresses. Ready within 3 working days.",
            "Ihre früheren Anschriften. Fertig in 3 Werktagen.",
        ),
        500,
        "history",
        manual=True,
    ),
    _kind(
        "legal_cohabitation",
        _l(
            "Attestation de cohabitation légale",
            "Attest van wettelijke samenwoning",
            "Certificate of legal cohabitation",
            "Bescheinigung über gesetzliches Zusammenwohnen",
        ),
        _l(
            "Prouve une déclaration de cohabitation légale.",
            "Bewijst een verklaring van wettelijke samenwoning.",
            "Proves a declaration of legal cohabitation.",
            "Weist eine Erklärung des gesetzlichen Zusammenwohnens nach.",
        ),
        350,
        "rings",
    ),
    _kind(
        "good_conduct",
        _l(
            "Extrait de casier judiciaire",
            "Uittreksel uit het strafregister",
            "Extract from the criminal record",
            "Auszug aus dem Strafregister",
        ),
        _l(
            "Souvent demandé pour un emploi. Prêt sous 2 jours ouvrables.",
            "Vaak gevraagd voor een job. Klaar binnen 2 werkdagen.",
            "Often asked for a job. Ready within 2 working days.",
            "Oft für eine Arbeitsstelle verlangt. Fertig in 2 Werktagen.",
        ),
        0,
        "scales",
        manual=True,
    ),
)

BY_ID: dict[str, CertificateKind] = {kind.item.id: kind for kind in KINDS}

CATALOGUE = Catalogue(version=CATALOGUE_VERSION, items=[kind.item for kind in KINDS])
CATALOGUE_JSON = CATALOGUE.model_dump_json()
CATALOGUE_ETAG = '"' + hashlib.sha256(CATALOGUE_JSON.encode()).hexdigest()[:32] + '"'

NOT_BELGIAN = _l(
    "Ce certificat est réservé aux personnes de nationalité belge.",
    "Dit getuigschrift is enkel voor personen met de Belgische nationaliteit.",
    "This certificate is only for people with Belgian nationality.",
    "Diese Bescheinigung gibt es nur für Personen mit belgischer Staatsangehörigkeit.",
)

# Nationality as the card prints it (tag 0A), in the register's languages.
BELGIAN_NATIONALITY = {"belge", "belg", "belgier", "belgian", "belgisch", "belgique", "belgië"}


def is_belgian(nationality: str) -> bool:
    return nationality.strip().lower() in BELGIAN_NATIONALITY
