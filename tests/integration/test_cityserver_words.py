"""The city's words, language by language, as its server has always said them: the catalogue
(document names and descriptions), a refusal's reason, a certificate and its specimen, and the
verification answer's title. Written out here in full, so that a change in where the words are
kept (the gettext catalogues, i18n) cannot change one of them unnoticed."""

from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
from pypdf import PdfReader

from cityserver.catalogue import BY_ID
from cityserver.specimen import PLACEHOLDER_CODE, PLACEHOLDER_DATE, PLACEHOLDER_URL, specimen_pdf
from devices.eid.emulator import build_card, shared_test_pki
from kiosk.cityclient import CityApiClient
from kiosk.config import CityApiSettings
from tests.harness.cityserver import (
    CityServer,
    enrol,
    foreign_profile,
    insert_card,
    start_cityserver,
    write_test_roots,
)

pytestmark = pytest.mark.integration

LANGUAGES = ("fr", "nl", "en", "de")

# The catalogue: each document's name and description.
NAMES = {
    "fr": {
        "residence": "Certificat de résidence",
        "household": "Composition de ménage",
        "nationality": "Certificat de nationalité belge",
        "life": "Certificat de vie",
        "population_extract": "Extrait du registre de la population",
        "residence_history": "Certificat de résidence avec historique",
        "legal_cohabitation": "Attestation de cohabitation légale",
        "good_conduct": "Extrait de casier judiciaire",
    },
    "nl": {
        "residence": "Getuigschrift van woonst",
        "household": "Samenstelling van het gezin",
        "nationality": "Getuigschrift van Belgische nationaliteit",
        "life": "Attest van leven",
        "population_extract": "Uittreksel uit het bevolkingsregister",
        "residence_history": "Getuigschrift van woonst met historiek",
        "legal_cohabitation": "Attest van wettelijke samenwoning",
        "good_conduct": "Uittreksel uit het strafregister",
    },
    "en": {
        "residence": "Residence certificate",
        "household": "Household composition",
        "nationality": "Certificate of Belgian nationality",
        "life": "Life certificate",
        "population_extract": "Extract from the population register",
        "residence_history": "Residence certificate with history",
        "legal_cohabitation": "Certificate of legal cohabitation",
        "good_conduct": "Extract from the criminal record",
    },
    "de": {
        "residence": "Wohnsitzbescheinigung",
        "household": "Haushaltszusammensetzung",
        "nationality": "Bescheinigung der belgischen Staatsangehörigkeit",
        "life": "Lebensbescheinigung",
        "population_extract": "Auszug aus dem Bevölkerungsregister",
        "residence_history": "Wohnsitzbescheinigung mit Verlauf",
        "legal_cohabitation": "Bescheinigung über gesetzliches Zusammenwohnen",
        "good_conduct": "Auszug aus dem Strafregister",
    },
}

DESCRIPTIONS = {
    "fr": {
        "residence": "Prouve votre adresse actuelle.",
        "household": "Les personnes qui vivent avec vous.",
        "nationality": "Prouve que vous êtes Belge.",
        "life": "Pour votre pension ou une caisse à l'étranger.",
        "population_extract": "Vos données au registre de la population.",
        "residence_history": "Vos adresses successives. Prêt sous 3 jours ouvrables.",
        "legal_cohabitation": "Prouve une déclaration de cohabitation légale.",
        "good_conduct": "Souvent demandé pour un emploi. Prêt sous 2 jours ouvrables.",
    },
    "nl": {
        "residence": "Bewijst uw huidige adres.",
        "household": "De personen die bij u wonen.",
        "nationality": "Bewijst dat u Belg bent.",
        "life": "Voor uw pensioen of een kas in het buitenland.",
        "population_extract": "Uw gegevens in het bevolkingsregister.",
        "residence_history": "Uw opeenvolgende adressen. Klaar binnen 3 werkdagen.",
        "legal_cohabitation": "Bewijst een verklaring van wettelijke samenwoning.",
        "good_conduct": "Vaak gevraagd voor een job. Klaar binnen 2 werkdagen.",
    },
    "en": {
        "residence": "Proves your current address.",
        "household": "The people who live with you.",
        "nationality": "Proves that you are Belgian.",
        "life": "For your pension or a fund abroad.",
        "population_extract": "Your details in the population register.",
        "residence_history": "Your past addresses. Ready within 3 working days.",
        "legal_cohabitation": "Proves a declaration of legal cohabitation.",
        "good_conduct": "Often asked for a job. Ready within 2 working days.",
    },
    "de": {
        "residence": "Weist Ihre aktuelle Anschrift nach.",
        "household": "Die Personen, die mit Ihnen wohnen.",
        "nationality": "Weist nach, dass Sie Belgier sind.",
        "life": "Für Ihre Rente oder eine Kasse im Ausland.",
        "population_extract": "Ihre Daten im Bevölkerungsregister.",
        "residence_history": "Ihre früheren Anschriften. Fertig in 3 Werktagen.",
        "legal_cohabitation": "Weist eine Erklärung des gesetzlichen Zusammenwohnens nach.",
        "good_conduct": "Oft für eine Arbeitsstelle verlangt. Fertig in 2 Werktagen.",
    },
}

# What a certificate states: most say where the citizen is registered, the others their own.
REGISTERED = {
    "fr": (
        "{name} est inscrit(e) au registre de la population de la Ville de Bruxelles, à l'adresse "
        "{address}."
    ),
    "nl": (
        "{name} is ingeschreven in het bevolkingsregister van de Stad Brussel, op het adres "
        "{address}."
    ),
    "en": (
        "{name} is registered in the population register of the City of Brussels, at the address "
        "{address}."
    ),
    "de": (
        "{name} ist im Bevölkerungsregister der Stadt Brüssel unter der Anschrift {address} "
        "eingetragen."
    ),
}

STATEMENTS = {
    "fr": {
        "household": (
            "{name}, domicilié(e) {address}, est chef(fe) de ménage ou membre d'un ménage inscrit "
            "à cette adresse."
        ),
        "nationality": "{name}, domicilié(e) {address}, possède la nationalité belge.",
        "life": "{name}, domicilié(e) {address}, est en vie à la date de ce certificat.",
    },
    "nl": {
        "household": (
            "{name}, gedomicilieerd {address}, maakt deel uit van een gezin ingeschreven op dit "
            "adres."
        ),
        "nationality": "{name}, gedomicilieerd {address}, heeft de Belgische nationaliteit.",
        "life": "{name}, gedomicilieerd {address}, is in leven op de datum van dit attest.",
    },
    "en": {
        "household": (
            "{name}, residing at {address}, belongs to a household registered at this address."
        ),
        "nationality": "{name}, residing at {address}, holds Belgian nationality.",
        "life": "{name}, residing at {address}, is alive on the date of this certificate.",
    },
    "de": {
        "household": (
            "{name}, wohnhaft {address}, gehört zu einem an dieser Anschrift gemeldeten Haushalt."
        ),
        "nationality": "{name}, wohnhaft {address}, besitzt die belgische Staatsangehörigkeit.",
        "life": "{name}, wohnhaft {address}, ist am Datum dieser Bescheinigung am Leben.",
    },
}

# The certificate page's own words: header, date, verification code, footer.
PAGE = {
    "fr": {
        "city": "Ville de Bruxelles",
        "service": "Démographie — Boulevard Anspach 6, 1000 Bruxelles",
        "date": "Délivré le",
        "code": "Code de vérification",
        "check": "Vérifiez ce document en scannant le code QR ou sur",
        "footer": (
            "Document délivré électroniquement par une borne e-guichet de la Ville de Bruxelles."
        ),
    },
    "nl": {
        "city": "Stad Brussel",
        "service": "Demografie — Anspachlaan 6, 1000 Brussel",
        "date": "Afgegeven op",
        "code": "Verificatiecode",
        "check": "Controleer dit document door de QR-code te scannen of op",
        "footer": "Document elektronisch afgegeven door een e-loket-zuil van de Stad Brussel.",
    },
    "en": {
        "city": "City of Brussels",
        "service": "Demography — Boulevard Anspach 6, 1000 Brussels",
        "date": "Issued on",
        "code": "Verification code",
        "check": "Check this document by scanning the QR code or at",
        "footer": "Document issued electronically by a City of Brussels e-guichet terminal.",
    },
    "de": {
        "city": "Stadt Brüssel",
        "service": "Demografie — Boulevard Anspach 6, 1000 Brüssel",
        "date": "Ausgestellt am",
        "code": "Prüfcode",
        "check": "Prüfen Sie dieses Dokument mit dem QR-Code oder unter",
        "footer": (
            "Dokument elektronisch ausgestellt von einem e-Schalter-Terminal der Stadt Brüssel."
        ),
    },
}

# Why a certificate for Belgians only is refused to someone else.
NOT_BELGIAN = {
    "fr": "Ce certificat est réservé aux personnes de nationalité belge.",
    "nl": "Dit getuigschrift is enkel voor personen met de Belgische nationaliteit.",
    "en": "This certificate is only for people with Belgian nationality.",
    "de": "Diese Bescheinigung gibt es nur für Personen mit belgischer Staatsangehörigkeit.",
}

# The address a specimen shows in place of the citizen's.
PLACEHOLDER_ADDRESS = {
    "fr": "Rue Exemple 1, 1000 Bruxelles",
    "nl": "Voorbeeldstraat 1, 1000 Brussel",
    "en": "Example Street 1, 1000 Brussels",
    "de": "Beispielstraße 1, 1000 Brüssel",
}

# The citizen of the demo card, as the server writes them on a certificate.
CITIZEN_NAME = "Élise Marie Van den Broeck-Dupré"
CITIZEN_ADDRESS = "Rue de la Montagne 7 bte 2, 1000 Bruxelles"


def statement(lang: str, document_type: str) -> str:
    return STATEMENTS[lang].get(document_type, REGISTERED[lang])


def page(
    lang: str, document_type: str, *, name: str, address: str, issued: str, code: str, url: str
) -> str:
    """A certificate's text, top to bottom, as its template lays it out."""
    words = PAGE[lang]
    lines = [
        words["city"],
        words["service"],
        NAMES[lang][document_type],
        statement(lang, document_type).format(name=name, address=address),
        f"{words['date']} {issued}",
        f"{words['code']}: {code}",
        words["check"],
        url,
        words["footer"],
    ]
    return flat("\n".join(lines))


def flat(text: str) -> str:
    """Text with its line breaks and runs of spaces as single spaces (PDF text extraction
    breaks lines where the page does and widens justified lines)."""
    return " ".join(text.split())


def pdf_text(pdf: bytes) -> str:
    return flat("\n".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages))


@pytest.mark.parametrize("lang", LANGUAGES)
@pytest.mark.parametrize("document_type", list(NAMES["en"]))
def test_a_specimen_says_what_it_always_said(lang: str, document_type: str) -> None:
    expected = page(
        lang,
        document_type,
        name="SPECIMEN",
        address=PLACEHOLDER_ADDRESS[lang],
        issued=f"{PLACEHOLDER_DATE:%d.%m.%Y}",
        code=PLACEHOLDER_CODE,
        url=PLACEHOLDER_URL,
    )
    assert pdf_text(specimen_pdf(BY_ID[document_type], lang)) == expected + " SPECIMEN SPECIMEN"


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[CityServer]:
    roots = write_test_roots(tmp_path_factory.mktemp("roots"))
    running = start_cityserver(tmp_path_factory.mktemp("words") / "data", [roots])
    yield running
    running.stop()


@pytest.fixture(scope="module")
def token(server: CityServer) -> str:
    return enrol(server, "kiosk-words-01")


@pytest.fixture
def client(server: CityServer, token: str, tmp_path: Path) -> Iterator[CityApiClient]:
    settings = CityApiSettings(token_file=tmp_path / "token", catalogue_cache=tmp_path / "c.json")
    with CityApiClient(settings, server.url, token=token) as made:
        yield made


def test_the_catalogue_says_what_it_always_said(server: CityServer, token: str) -> None:
    answer = requests.get(
        f"{server.url}/v1/catalogue", headers={"Authorization": f"Bearer {token}"}, timeout=5
    )
    assert answer.status_code == 200
    items = answer.json()["items"]
    for lang in LANGUAGES:
        assert {item["id"]: item["name"][lang] for item in items} == NAMES[lang]
        assert {item["id"]: item["description"][lang] for item in items} == DESCRIPTIONS[lang]
    assert all(list(item["name"]) == list(LANGUAGES) for item in items)  # in the list's order


def test_a_refusal_and_a_certificate_say_what_they_always_said(
    server: CityServer, client: CityApiClient, tmp_path: Path
) -> None:
    card = insert_card(build_card(foreign_profile(), shared_test_pki(), "1.8"))
    session = client.authenticate_citizen(
        card.files, card.sign, card.citizen_ca, terminal_id="kiosk-words-01"
    )
    refused = client.request_document(session, "nationality", "fr")
    assert refused.status == "refused" and refused.reason is not None
    assert {lang: refused.reason.get(lang) for lang in LANGUAGES} == NOT_BELGIAN

    for lang in LANGUAGES:
        ready = client.request_document(session, "residence", lang)
        assert ready.status == "ready"
        assert ready.verification_code and ready.verification_url
        pdf = client.download_document(session, ready, tmp_path).read_bytes()
        assert pdf_text(pdf) == page(
            lang,
            "residence",
            name=CITIZEN_NAME,
            address=CITIZEN_ADDRESS,
            issued=f"{ready.created_at:%d.%m.%Y}",
            code=ready.verification_code,
            url=ready.verification_url,
        )
        verified = requests.get(ready.verification_url, timeout=5).json()
        assert verified["valid"]
        assert verified["title"] == {lang: NAMES[lang]["residence"] for lang in LANGUAGES}
