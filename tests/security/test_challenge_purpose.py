"""Finding 6: the card must not be a signing oracle for whoever speaks as the city API.

Tried as an attacker would: a city API that is compromised or impersonated sends nonces of
its own choosing (another length, a TLS handshake's hash), and a terminal replays a signature
over the bare nonce (the old convention) or one made at another terminal. The kiosk refuses
a nonce that is not 32 bytes before the card is asked anything; the card signs only this
protocol's message; the real server verifies only that message, for its own terminal.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
from collections.abc import Iterator
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler
from pathlib import Path

import pytest
import requests
from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature
from hypothesis import given, settings
from hypothesis import strategies as st

from devices.eid.card import AUTH_CERTIFICATE, BelpicCard
from devices.eid.card_session import CITIZEN_CA_CERTIFICATE
from devices.eid.challenge import PROTOCOL, NotAChallenge, is_signed_message, signed_message
from devices.eid.emulator import BelpicApplet, SimReader, build_card, canary_profile
from devices.eid.emulator.testpki import Applet, shared_test_pki
from devices.eid.integrity import der_length
from devices.eid.model import CardFiles
from devices.eid.reader import read_files
from devices.eid.simulated import SimulatedTransport
from kiosk.cityclient import CityApiClient, CityApiError, ErrorKind
from kiosk.config import CityApiSettings
from kiosk.wiring.api import api_problem
from session.problems import ApiProblem
from tests.harness.cityserver import CityServer, enrol, start_cityserver, write_test_roots
from tests.harness.http import serve_http

pytestmark = pytest.mark.integration

TERMINAL_ID = "kiosk-purpose-01"
# What a TLS 1.2 client authentication asks an RSA key to sign: Hash(handshake messages).
TLS_TRANSCRIPT = b"\x01\x00\x01\xfc\x03\x03" + bytes(range(256)) * 2


@dataclass
class UnlockedCard:
    """An emulated card read and unlocked the way the kiosk does it (PIN 1234)."""

    applet: BelpicApplet
    card: BelpicCard
    files: CardFiles
    citizen_ca: bytes

    @property
    def certificate(self) -> x509.Certificate:
        data = bytes(self.applet.content.files[(0x3F00, *AUTH_CERTIFICATE)])
        return x509.load_der_x509_certificate(data[: der_length(data)])


def unlocked_card(applet: Applet, n: int) -> UnlockedCard:
    emulated = BelpicApplet(build_card(canary_profile(n), shared_test_pki(), applet))
    card = BelpicCard(SimulatedTransport(SimReader(emulated)))
    card.recognise()
    files = read_files(card)
    citizen_ca = card.read_file(CITIZEN_CA_CERTIFICATE, der=True)
    assert citizen_ca is not None
    card.verify_pin(bytearray(b"1234"))
    return UnlockedCard(emulated, card, files, bytes(citizen_ca))


def client_for(url: str, token: str, folder: Path) -> CityApiClient:
    settings = CityApiSettings(
        token_file=folder / "token", catalogue_cache=folder / "c.json", retries=0
    )
    return CityApiClient(settings, url, token=token)


# -- a city API that is not the city's: the nonce is the attacker's choice ----------------------


def hostile_api(nonce: bytes, seen: list[tuple[str, bytes]]) -> type[BaseHTTPRequestHandler]:
    class Hostile(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            seen.append((self.path, body))
            if self.path == "/v1/citizen/challenges":
                answer = {
                    "challenge_id": "c1",
                    "nonce": base64.b64encode(nonce).decode(),
                    "expires_at": "2030-01-01T00:00:00Z",
                }
                status = 201
            else:
                answer = {"type": "about:blank", "title": "Forbidden", "status": 403}
                status = 403
            data = json.dumps(answer).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, *_args: object) -> None:
            pass

    return Hostile


@pytest.mark.parametrize(
    "nonce",
    [
        os.urandom(31),
        os.urandom(33),
        os.urandom(64),
        b"",
        TLS_TRANSCRIPT,
    ],
    ids=["31-bytes", "33-bytes", "64-bytes", "empty", "tls-transcript"],
)
def test_a_nonce_that_is_not_32_bytes_never_reaches_the_card(nonce: bytes, tmp_path: Path) -> None:
    unlocked = unlocked_card("1.8", 601)
    seen: list[tuple[str, bytes]] = []
    asked = unlocked.applet.apdu_count
    with serve_http(hostile_api(nonce, seen)) as url, pytest.raises(CityApiError) as refused:
        client_for(url, "terminal-token", tmp_path).authenticate_citizen(
            unlocked.files,
            unlocked.card.sign_challenge,
            unlocked.citizen_ca,
            terminal_id=TERMINAL_ID,
        )
    assert refused.value.kind is ErrorKind.BAD_RESPONSE
    assert api_problem(refused.value) is ApiProblem.SERVER_ERROR  # the "service" sentence
    assert unlocked.applet.apdu_count == asked, "the card was asked to sign"
    assert [path for path, _ in seen] == ["/v1/citizen/challenges"]


@pytest.mark.parametrize("applet", ["1.7", "1.8"])
def test_a_32_byte_value_of_the_attackers_choice_is_never_what_the_card_signed(
    applet: Applet, tmp_path: Path
) -> None:
    # The attacker's 32 bytes: the SHA-256 of a TLS handshake they want a signature for.
    chosen = hashlib.sha256(TLS_TRANSCRIPT).digest()
    unlocked = unlocked_card(applet, 602)
    seen: list[tuple[str, bytes]] = []
    with serve_http(hostile_api(chosen, seen)) as url, pytest.raises(CityApiError):
        client_for(url, "terminal-token", tmp_path).authenticate_citizen(
            unlocked.files,
            unlocked.card.sign_challenge,
            unlocked.citizen_ca,
            terminal_id=TERMINAL_ID,
        )
    ((_, body),) = [entry for entry in seen if entry[0] == "/v1/citizen/sessions"]
    signature = base64.b64decode(json.loads(body)["challenge_signature"])
    key = unlocked.certificate.public_key()
    # What the attacker got verifies only as this protocol's message for this terminal ...
    assert verifies(key, signature, signed_message(TERMINAL_ID, chosen))
    # ... never over their value, nor over the TLS transcript it stands for.
    assert not verifies(key, signature, chosen)
    assert not verifies(key, signature, TLS_TRANSCRIPT)


def verifies(key: object, signature: bytes, message: bytes) -> bool:
    from cryptography.hazmat.primitives.asymmetric import padding, rsa

    try:
        if isinstance(key, rsa.RSAPublicKey):
            key.verify(signature, message, padding.PKCS1v15(), hashes.SHA256())
        else:
            assert isinstance(key, ec.EllipticCurvePublicKey)
            half = len(signature) // 2
            der = encode_dss_signature(
                int.from_bytes(signature[:half], "big"), int.from_bytes(signature[half:], "big")
            )
            key.verify(der, message, ec.ECDSA(hashes.SHA384()))
    except InvalidSignature:
        return False
    return True


# -- the card layer itself: nothing but this protocol's message is signed -----------------------

_ONE_CARD = unlocked_card("1.8", 603)


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=200) | st.builds(lambda tail: PROTOCOL + tail, st.binary(max_size=120)))
def test_the_card_refuses_any_foreign_value_before_a_single_apdu(foreign: bytes) -> None:
    if is_signed_message(foreign):
        return  # well-formed messages are the only thing it signs (hypothesis rarely finds one)
    asked = _ONE_CARD.applet.apdu_count
    with pytest.raises(NotAChallenge):
        _ONE_CARD.card.sign_challenge(foreign)
    assert _ONE_CARD.applet.apdu_count == asked


@pytest.mark.parametrize(
    "foreign",
    [
        hashlib.sha256(TLS_TRANSCRIPT).digest(),
        hashlib.sha384(TLS_TRANSCRIPT).digest(),
        TLS_TRANSCRIPT,
        os.urandom(32),  # a bare nonce: the old convention
        PROTOCOL + bytes([len(TERMINAL_ID)]) + TERMINAL_ID.encode() + os.urandom(33),
        PROTOCOL + bytes([len(TERMINAL_ID) + 1]) + TERMINAL_ID.encode() + os.urandom(32),
    ],
    ids=["tls-sha256", "tls-sha384", "tls-transcript", "bare-nonce", "long-nonce", "bad-length"],
)
def test_the_card_refuses_values_chosen_elsewhere(foreign: bytes) -> None:
    asked = _ONE_CARD.applet.apdu_count
    with pytest.raises(NotAChallenge):
        _ONE_CARD.card.sign_challenge(foreign)
    assert _ONE_CARD.applet.apdu_count == asked


# -- the real server: only the message for its own terminal counts ------------------------------


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[CityServer]:
    roots = write_test_roots(tmp_path_factory.mktemp("roots"))
    running = start_cityserver(tmp_path_factory.mktemp("purpose") / "data", [roots])
    yield running
    running.stop()


@pytest.fixture(scope="module")
def token(server: CityServer) -> str:
    return enrol(server, TERMINAL_ID)


def old_kiosk_signature(unlocked: UnlockedCard, data: bytes) -> bytes:
    """What the card returns when a host sends it the hash of `data` itself (the old kiosk)."""
    rsa_card = unlocked.applet.content.applet == "1.7"
    algorithm = 0x08 if rsa_card else 0x02
    digest = (hashlib.sha256 if rsa_card else hashlib.sha384)(data).digest()
    transport = unlocked.card.transport
    _, sw = transport.transmit(
        bytes([0x00, 0x22, 0x41, 0xB6, 0x05, 0x04, 0x80, algorithm, 0x84, 0x82])
    )
    assert sw == 0x9000
    signature, sw = transport.transmit(bytes([0x00, 0x2A, 0x9E, 0x9A, len(digest)]) + digest)
    assert sw == 0x9000
    return signature


def answer(unlocked: UnlockedCard, challenge_id: str, signature: bytes) -> str:
    def b64(data: bytes | bytearray) -> str:
        return base64.b64encode(bytes(data)).decode()

    files = unlocked.files
    certificate = unlocked.applet.content.files[(0x3F00, *AUTH_CERTIFICATE)]
    return json.dumps(
        {
            "challenge_id": challenge_id,
            "identity": b64(files.identity),
            "identity_signature": b64(files.identity_signature),
            "address": b64(files.address),
            "address_signature": b64(files.address_signature),
            "rrn_certificate": b64(files.rrn_certificate),
            "authentication_certificate": b64(certificate),
            "citizen_ca_certificate": b64(unlocked.citizen_ca),
            "challenge_signature": b64(signature),
        }
    )


def post(server: CityServer, token: str, path: str, body: str | None = None) -> requests.Response:
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    return requests.post(f"{server.url}{path}", data=body, headers=headers, timeout=10)


def new_challenge(server: CityServer, token: str) -> tuple[str, bytes]:
    challenge = post(server, token, "/v1/citizen/challenges").json()
    nonce = base64.b64decode(challenge["nonce"])
    assert len(nonce) == 32
    return challenge["challenge_id"], nonce


@pytest.mark.parametrize("applet", ["1.7", "1.8"])
def test_the_server_refuses_a_signature_over_the_bare_nonce(
    server: CityServer, token: str, applet: Applet
) -> None:
    unlocked = unlocked_card(applet, 611)
    challenge_id, nonce = new_challenge(server, token)
    bare = old_kiosk_signature(unlocked, nonce)
    refused = post(server, token, "/v1/citizen/sessions", answer(unlocked, challenge_id, bare))
    assert refused.status_code == 403, refused.text
    assert refused.json()["code"] == "bad_signature"


def test_the_server_refuses_a_signature_made_for_another_terminal(
    server: CityServer, token: str
) -> None:
    unlocked = unlocked_card("1.8", 612)
    challenge_id, nonce = new_challenge(server, token)
    elsewhere, _ = unlocked.card.sign_challenge(signed_message("kiosk-purpose-02", nonce))
    refused = post(server, token, "/v1/citizen/sessions", answer(unlocked, challenge_id, elsewhere))
    assert refused.status_code == 403 and refused.json()["code"] == "bad_signature"
    # The same card, the protocol's message for this terminal: accepted.
    challenge_id, nonce = new_challenge(server, token)
    here, _ = unlocked.card.sign_challenge(signed_message(TERMINAL_ID, nonce))
    accepted = post(server, token, "/v1/citizen/sessions", answer(unlocked, challenge_id, here))
    assert accepted.status_code == 201, accepted.text
