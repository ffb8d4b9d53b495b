"""Finding 2, old addresses replay: an attacker shows the city an address the card once had.

The National Register signs a card's address file over `address || identity signature`, and
the identity signature does not change when the commune rewrites the address: every address
ever written on the card still verifies. Here the attacker holds a genuine card (it signs the
challenge with its own key after the PIN) whose address files were put back to the ones
signed before the citizen moved. The server must state the population register's current
address, never the card's; a genuine card of someone not in the register gets no document.
"""

from __future__ import annotations

import dataclasses
import io
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
from pypdf import PdfReader

from devices.eid.emulator import build_card, canary_profile, shared_test_pki
from devices.eid.emulator.cardfiles import (
    ADDRESS_FILE,
    ADDRESS_SIGNATURE,
    ID_SIGNATURE,
    EmulatedCardContent,
    address_file,
    rrn_sign,
)
from kiosk.cityclient import CityApiClient, CityApiError, ErrorKind
from kiosk.config import CityApiSettings
from tests.harness.cityserver import CityServer, enrol, insert_card, start_cityserver
from tests.harness.cityserver import write_test_roots as write_roots

pytestmark = pytest.mark.integration

OLD_STREET = "Rue du Vieux Marché 3"  # where the citizen lived before they moved
OLD_ZIP, OLD_MUNICIPALITY = "1130", "Haren"
MOVER = 61  # canary_profile(61) is in the test servers' register, at their current address
STRANGER = 22_000  # canary_profile(22000) is not in any test register


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[CityServer]:
    folder = tmp_path_factory.mktemp("stale-address")
    running = start_cityserver(folder / "data", [write_roots(folder)])
    yield running
    running.stop()


TERMINAL = "kiosk-attacker-01"


@pytest.fixture(scope="module")
def client(server: CityServer, tmp_path_factory: pytest.TempPathFactory) -> Iterator[CityApiClient]:
    folder = tmp_path_factory.mktemp("client")
    settings = CityApiSettings(
        token_file=folder / "token", catalogue_cache=folder / "catalogue.json", retries=0
    )
    with CityApiClient(settings, server.url, token=enrol(server, TERMINAL)) as api:
        yield api


def card_with_old_address(applet: str) -> EmulatedCardContent:
    """The mover's genuine card, its address files swapped back to the pre-move ones.

    The RRN's address signature is over the address and the (unchanged) identity signature,
    so the old pair verifies on today's card: it is what the RRN signed before the move.
    """
    pki = shared_test_pki()
    today = build_card(canary_profile(MOVER), pki, applet)  # type: ignore[arg-type]
    before = dataclasses.replace(
        canary_profile(MOVER),
        street_and_number=OLD_STREET,
        zip_code=OLD_ZIP,
        municipality=OLD_MUNICIPALITY,
    )
    old_address = address_file(before, applet)  # type: ignore[arg-type]
    signed = old_address.rstrip(b"\x00") + today.files[ID_SIGNATURE]
    old_signature = rrn_sign(pki.rrn(applet).key, signed)  # type: ignore[arg-type]
    return today.with_file(ADDRESS_FILE, old_address).with_file(ADDRESS_SIGNATURE, old_signature)


def pdf_text(pdf: bytes) -> str:
    return " ".join(
        "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages).split()
    )


def certificate(client: CityApiClient, card: EmulatedCardContent, folder: Path) -> str:
    inserted = insert_card(card)
    session = client.authenticate_citizen(
        inserted.files, inserted.sign, inserted.citizen_ca, terminal_id=TERMINAL
    )
    document = client.request_document(session, "residence", "fr")
    assert document.status == "ready"
    return pdf_text(client.download_document(session, document, folder).read_bytes())


@pytest.mark.parametrize("applet", ["1.7", "1.8"])
def test_a_replayed_old_address_does_not_reach_the_certificate(
    client: CityApiClient, applet: str, tmp_path: Path
) -> None:
    text = certificate(client, card_with_old_address(applet), tmp_path)
    current = canary_profile(MOVER)
    assert OLD_STREET not in text and OLD_MUNICIPALITY not in text
    assert f"{current.street_and_number}, {current.zip_code} {current.municipality}" in text


def test_a_move_recorded_by_city_it_is_on_the_next_certificate(
    server: CityServer, client: CityApiClient, tmp_path: Path
) -> None:
    # The card still carries the address it was last written with; the commune records a move.
    profile = canary_profile(MOVER + 1)
    moved = {
        "national_number": profile.national_number,
        "surname": profile.surname,
        "first_names": profile.first_names,
        "nationality": profile.nationality,
        "street_and_number": "Boulevard Émile Jacqmain 150",
        "zip_code": "1000",
        "municipality": "Bruxelles",
    }
    answer = requests.post(
        f"{server.url}/v1/admin/register", json=moved, headers=server.admin_headers(), timeout=10
    )
    assert answer.status_code == 200, answer.text  # replaced: the citizen was registered
    text = certificate(client, build_card(profile, shared_test_pki(), "1.8"), tmp_path)
    assert "Boulevard Émile Jacqmain 150, 1000 Bruxelles" in text
    assert profile.street_and_number not in text


def test_a_genuine_card_not_in_the_register_gets_no_document(
    server: CityServer, client: CityApiClient
) -> None:
    card = insert_card(build_card(canary_profile(STRANGER), shared_test_pki(), "1.8"))
    with pytest.raises(CityApiError) as refused:
        client.authenticate_citizen(card.files, card.sign, card.citizen_ca, terminal_id=TERMINAL)
    assert refused.value.kind is ErrorKind.REFUSED
    assert (refused.value.status, refused.value.code) == (403, "not_in_register")
    stranger = canary_profile(STRANGER)
    assert not server.query(
        "SELECT 1 FROM citizen_sessions WHERE citizen LIKE ?", (f"%{stranger.national_number}%",)
    )


def test_a_citizen_taken_out_of_the_register_gets_no_more_documents(
    server: CityServer, client: CityApiClient
) -> None:
    # Authenticated while registered; the commune then takes them out (they moved away).
    profile = canary_profile(MOVER + 2)
    card = insert_card(build_card(profile, shared_test_pki(), "1.8"))
    session = client.authenticate_citizen(
        card.files, card.sign, card.citizen_ca, terminal_id=TERMINAL
    )
    removal = {"national_number": profile.national_number}
    url = f"{server.url}/v1/admin/register/removals"
    answer = requests.post(url, json=removal, headers=server.admin_headers(), timeout=10)
    assert answer.status_code == 204, answer.text
    with pytest.raises(CityApiError) as refused:
        client.request_document(session, "residence", "fr")
    assert (refused.value.status, refused.value.code) == (403, "not_in_register")
    again = requests.post(url, json=removal, headers=server.admin_headers(), timeout=10)
    assert (again.status_code, again.json()["code"]) == (404, "not_in_register")
