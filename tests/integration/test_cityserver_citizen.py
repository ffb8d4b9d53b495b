"""Citizen authentication end to end: emulated eID cards (applets 1.7 and 1.8), the kiosk's
client, and the reference server over HTTP, which checks everything itself.

Accepted: genuine cards. Refused: a forged card, altered card data, a replayed challenge, an
expired challenge, a challenge signed by another card's key, a genuine card's signature over
someone else's files, and a challenge issued to another terminal.
"""

from __future__ import annotations

import base64
import json
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests

from devices.eid.challenge import signed_message
from devices.eid.emulator import (
    EmulatedCardContent,
    build_card,
    canary_profile,
    demo_profile,
    shared_test_pki,
    with_altered_identity,
)
from kiosk.cityclient import CityApiClient, CityApiError, ErrorKind
from kiosk.config import CityApiSettings
from tests.harness.cityserver import (
    CityServer,
    InsertedCard,
    enrol,
    insert_card,
    start_cityserver,
    write_test_roots,
)

pytestmark = pytest.mark.integration

TERMINAL_ID = "kiosk-citizen-01"


@pytest.fixture(scope="module")
def roots(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_test_roots(tmp_path_factory.mktemp("roots"))


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory, roots: Path) -> Iterator[CityServer]:
    running = start_cityserver(tmp_path_factory.mktemp("citizen") / "data", [roots])
    yield running
    running.stop()


@pytest.fixture(scope="module")
def token(server: CityServer) -> str:
    return enrol(server, TERMINAL_ID)


@pytest.fixture
def client(server: CityServer, token: str, tmp_path: Path) -> Iterator[CityApiClient]:
    settings = CityApiSettings(token_file=tmp_path / "token", catalogue_cache=tmp_path / "c.json")
    with CityApiClient(settings, server.url, token=token) as made:
        yield made


def refusal(client: CityApiClient, card: InsertedCard, **kwargs: Any) -> CityApiError:
    with pytest.raises(CityApiError) as refused:
        client.authenticate_citizen(
            card.files, card.sign, card.citizen_ca, terminal_id=TERMINAL_ID, **kwargs
        )
    assert refused.value.kind is ErrorKind.REFUSED and refused.value.status == 403
    return refused.value


def b64(data: bytes | bytearray) -> str:
    return base64.b64encode(bytes(data)).decode()


def answer_body(
    card: InsertedCard,
    challenge: dict[str, str],
    signer: InsertedCard,
    terminal_id: str = TERMINAL_ID,
) -> str:
    """The authentication body, with the challenge signed by `signer` (maybe another card)."""
    message = signed_message(terminal_id, base64.b64decode(challenge["nonce"]))
    signature, certificate = signer.sign(message)
    return json.dumps(
        {
            "challenge_id": challenge["challenge_id"],
            "identity": b64(card.files.identity),
            "identity_signature": b64(card.files.identity_signature),
            "address": b64(card.files.address),
            "address_signature": b64(card.files.address_signature),
            "rrn_certificate": b64(card.files.rrn_certificate),
            "authentication_certificate": b64(certificate),
            "citizen_ca_certificate": b64(signer.citizen_ca),
            "challenge_signature": b64(signature),
        }
    )


def post(server: CityServer, token: str, path: str, body: str | None = None) -> requests.Response:
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    return requests.post(f"{server.url}{path}", data=body, headers=headers, timeout=10)


@pytest.mark.parametrize("applet", ["1.7", "1.8"])
def test_a_genuine_card_gets_a_citizen_token_and_its_certificate(
    client: CityApiClient, applet: str
) -> None:
    card = insert_card(build_card(canary_profile(7), shared_test_pki(), applet))  # type: ignore[arg-type]
    session = client.authenticate_citizen(
        card.files, card.sign, card.citizen_ca, terminal_id=TERMINAL_ID
    )
    assert session.citizen_token not in repr(session)
    document = client.request_document(session, "residence", "en")
    assert document.status == "ready"


def test_a_forged_card_is_refused(client: CityApiClient) -> None:
    forged = insert_card(build_card(demo_profile(), shared_test_pki().forged(), "1.8"))
    assert refusal(client, forged).code == "card_not_authentic"


def test_altered_card_data_is_refused(client: CityApiClient) -> None:
    genuine = build_card(canary_profile(3), shared_test_pki(), "1.8")
    altered = insert_card(with_altered_identity(genuine))
    assert refusal(client, altered).code == "card_not_authentic"


def test_a_replayed_challenge_is_refused(server: CityServer, token: str) -> None:
    card = insert_card(build_card(canary_profile(11), shared_test_pki(), "1.8"))
    challenge = post(server, token, "/v1/citizen/challenges").json()
    body = answer_body(card, challenge, card)
    first = post(server, token, "/v1/citizen/sessions", body)
    assert first.status_code == 201
    replay = post(server, token, "/v1/citizen/sessions", body)
    assert replay.status_code == 403
    assert replay.headers["Content-Type"] == "application/problem+json"
    assert replay.json()["code"] == "challenge_used"


def test_an_expired_challenge_is_refused(tmp_path: Path, roots: Path) -> None:
    short = start_cityserver(tmp_path / "data", [roots], "--challenge-ttl", "0.3")
    try:
        token = enrol(short, "kiosk-citizen-02")
        card = insert_card(build_card(canary_profile(12), shared_test_pki(), "1.8"))
        challenge = post(short, token, "/v1/citizen/challenges").json()
        time.sleep(0.5)
        body = answer_body(card, challenge, card, "kiosk-citizen-02")
        late = post(short, token, "/v1/citizen/sessions", body)
        assert late.status_code == 403 and late.json()["code"] == "challenge_expired"
    finally:
        short.stop()


def test_a_signature_by_another_cards_key_is_refused(server: CityServer, token: str) -> None:
    card = insert_card(build_card(canary_profile(21), shared_test_pki(), "1.8"))
    other = insert_card(build_card(canary_profile(22), shared_test_pki(), "1.8"))
    # Another card signs, and its own certificate comes along: it names someone else.
    challenge = post(server, token, "/v1/citizen/challenges").json()
    mismatch = post(server, token, "/v1/citizen/sessions", answer_body(card, challenge, other))
    assert mismatch.status_code == 403 and mismatch.json()["code"] == "card_mismatch"
    # Another card signs, but the certificate sent is the right card's: the signature fails.
    challenge = post(server, token, "/v1/citizen/challenges").json()
    body = json.loads(answer_body(card, challenge, other))
    _, certificate = card.card.sign_challenge(signed_message(TERMINAL_ID, bytes(32)))
    body["authentication_certificate"] = b64(certificate)
    bad = post(server, token, "/v1/citizen/sessions", json.dumps(body))
    assert bad.status_code == 403 and bad.json()["code"] == "bad_signature"


def test_genuine_files_with_a_forged_authentication_key_are_refused(
    server: CityServer, token: str
) -> None:
    profile = canary_profile(31)
    genuine = insert_card(build_card(profile, shared_test_pki(), "1.8"))
    # Same person, same national number, but a key certified by a look-alike PKI.
    impostor = insert_card(build_card(profile, shared_test_pki().forged(), "1.8"))
    challenge = post(server, token, "/v1/citizen/challenges").json()
    answer = post(server, token, "/v1/citizen/sessions", answer_body(genuine, challenge, impostor))
    assert answer.status_code == 403 and answer.json()["code"] == "untrusted_certificate"


def test_a_challenge_from_another_terminal_is_refused(server: CityServer, token: str) -> None:
    other_token = enrol(server, "kiosk-citizen-03")
    card = insert_card(build_card(canary_profile(41), shared_test_pki(), "1.8"))
    challenge = post(server, other_token, "/v1/citizen/challenges").json()
    stolen = post(server, token, "/v1/citizen/sessions", answer_body(card, challenge, card))
    assert stolen.status_code == 403 and stolen.json()["code"] == "challenge_unknown"


def test_refusals_say_nothing_about_the_card(server: CityServer, token: str) -> None:
    content: EmulatedCardContent = build_card(canary_profile(51), shared_test_pki(), "1.8")
    card = insert_card(with_altered_identity(content))
    challenge = post(server, token, "/v1/citizen/challenges").json()
    answer = post(server, token, "/v1/citizen/sessions", answer_body(card, challenge, card))
    assert answer.status_code == 403
    assert "Canari0051" not in answer.text
    assert content.profile.national_number not in answer.text
