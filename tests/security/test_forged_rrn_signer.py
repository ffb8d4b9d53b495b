"""Finding 1: a forged identity signed by a key that is not the National Register's.

The attacker holds some private key whose certificate sits under a trusted (test) root, signs
an identity and an address of their choosing with it, and puts that certificate in 503C (and
maybe a CA of theirs in 503D). Their own authentication key is genuine, so only the RRN chain
can stop them. Three shapes, each tried on the kiosk's check (`verify_card`) and end to end on
the city's server (POST /v1/citizen/sessions: 403, and no citizen session made):

(a) a non-citizen end entity under the root (a web server's certificate, an encryption one);
(b) an RRN certificate under a rogue intermediate: one nobody pinned, one without
    BasicConstraints;
(c) an expired chain: the RRN certificate, or the root, ended before the card was issued.

Genuine shapes keep working: an RRN certificate that ended after the card was issued, and an
intermediate whose key the verifier pinned (test pins are passed beside the test roots).
"""

from __future__ import annotations

import datetime
from collections.abc import Iterator
from pathlib import Path

import pytest

from devices.eid.emulator import (
    EmulatedCardContent,
    TestPki,
    build_card,
    canary_profile,
    shared_test_pki,
    with_rrn_signer,
)
from devices.eid.emulator.testpki import Applet, Issuer
from devices.eid.integrity import verify_card
from devices.eid.pinned_intermediates import PINNED_RRN_INTERMEDIATES, key_pin
from kiosk.cityclient import CityApiClient, CityApiError, ErrorKind
from kiosk.config import CityApiSettings
from tests.harness.cityserver import (
    CityServer,
    enrol,
    insert_card,
    start_cityserver,
    write_test_roots,
)

pytestmark = pytest.mark.integration

UTC = datetime.UTC
# canary_profile(n) cards are issued on 2024-01-01 + n days (n < 700).
PROFILE = 40
ISSUED = datetime.date(2024, 2, 10)
NOW = datetime.datetime(2026, 6, 1, tzinfo=UTC)


def forged_card(
    applet: Applet, signer: Issuer, rrn_ca: Issuer | None = None
) -> EmulatedCardContent:
    """A card of the shared test PKI (genuine authentication key) whose identity and address
    `signer` signed instead of the RRN."""
    genuine = build_card(canary_profile(PROFILE), shared_test_pki(), applet, fresh_key=False)
    assert genuine.profile.validity_begin == f"{ISSUED:%d.%m.%Y}"
    return with_rrn_signer(genuine, signer, None if rrn_ca is None else rrn_ca.cert)


def kiosk_check(
    card: EmulatedCardContent, pki: TestPki, pins: tuple[bytes, ...] = ()
) -> tuple[bool, tuple[str, ...]]:
    files = insert_card(card).files
    report = verify_card(files, [pki.root(card.applet).cert], now=NOW, pinned_intermediates=pins)
    # The forger's signatures are fine: only the chain can tell.
    assert report.identity_signature and report.address_signature and report.photo_hash
    return report.rrn_chain, report.reasons


def ending(end: datetime.date) -> tuple[datetime.datetime, datetime.datetime]:
    return datetime.datetime(2019, 1, 1, tzinfo=UTC), datetime.datetime.combine(
        end, datetime.time(), tzinfo=UTC
    )


# -- the shapes ---------------------------------------------------------------------------------


def web_server(applet: Applet) -> EmulatedCardContent:
    return forged_card(applet, shared_test_pki().end_entity(applet))


def encryption_key(applet: Applet) -> EmulatedCardContent:
    return forged_card(applet, shared_test_pki().end_entity(applet, usage="encryption"))


def rogue_intermediate(applet: Applet) -> EmulatedCardContent:
    pki = shared_test_pki()
    rogue = pki.intermediate(applet)
    return forged_card(applet, pki.rrn_signer(applet, rogue), rogue)


def intermediate_without_basic_constraints(applet: Applet) -> EmulatedCardContent:
    pki = shared_test_pki()
    rogue = pki.intermediate(applet, basic_constraints=False)
    return forged_card(applet, pki.rrn_signer(applet, rogue), rogue)


def rrn_ended_before_issue(applet: Applet) -> EmulatedCardContent:
    pki = shared_test_pki()
    ended = ending(ISSUED - datetime.timedelta(days=30))
    return forged_card(applet, pki.rrn_signer(applet, validity=ended))


FORGERIES = {
    "a-web-server-certificate": web_server,
    "a-encryption-certificate": encryption_key,
    "b-rogue-intermediate": rogue_intermediate,
    "b-intermediate-without-basic-constraints": intermediate_without_basic_constraints,
    "c-rrn-certificate-ended-before-issue": rrn_ended_before_issue,
}


@pytest.fixture(scope="module")
def ended_root_pki() -> TestPki:
    """A PKI whose root ended on 2021-12-15 (as Belgium Root CA2 did), its citizen and RRN
    certificates still valid: cards issued in 2024 must not chain to it."""
    return TestPki("Kiosk ENDED", root_validity=ending(datetime.date(2021, 12, 15)))


def root_ended_before_issue(pki: TestPki) -> EmulatedCardContent:
    return build_card(canary_profile(PROFILE), pki, "1.8")


# -- on the kiosk ---------------------------------------------------------------------------------


@pytest.mark.parametrize("applet", ["1.7", "1.8"])
@pytest.mark.parametrize("shape", sorted(FORGERIES))
def test_the_kiosk_refuses_a_forged_rrn_signer(shape: str, applet: Applet) -> None:
    chain_ok, reasons = kiosk_check(FORGERIES[shape](applet), shared_test_pki())
    assert chain_ok is False, reasons
    assert any(reason.startswith("RRN chain:") for reason in reasons)


def test_the_kiosk_refuses_a_card_issued_after_its_root_ended(ended_root_pki: TestPki) -> None:
    chain_ok, reasons = kiosk_check(root_ended_before_issue(ended_root_pki), ended_root_pki)
    assert chain_ok is False
    assert "RRN chain: trusted root not valid at the card's issue date" in reasons


def test_a_pinned_intermediate_passed_beside_the_test_root_is_accepted() -> None:
    pki = shared_test_pki()
    intermediate = pki.intermediate("1.8")
    card = forged_card("1.8", pki.rrn_signer("1.8", intermediate), intermediate)
    assert kiosk_check(card, pki, (key_pin(intermediate.cert),)) == (True, ())
    assert key_pin(intermediate.cert) not in PINNED_RRN_INTERMEDIATES  # never shipped


def test_an_rrn_certificate_that_ended_after_the_card_was_issued_still_vouches_for_it() -> None:
    pki = shared_test_pki()
    signer = pki.rrn_signer("1.8", validity=ending(ISSUED + datetime.timedelta(days=1)))
    assert kiosk_check(forged_card("1.8", signer), pki) == (True, ())


# -- on the city's server, end to end -----------------------------------------------------------


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[CityServer]:
    roots = write_test_roots(tmp_path_factory.mktemp("roots"))
    running = start_cityserver(tmp_path_factory.mktemp("forged") / "data", [roots])
    yield running
    running.stop()


@pytest.fixture(scope="module")
def ended_root_server(
    tmp_path_factory: pytest.TempPathFactory, ended_root_pki: TestPki
) -> Iterator[CityServer]:
    roots = tmp_path_factory.mktemp("ended-roots") / "roots.pem"
    roots.write_bytes(ended_root_pki.root_pem("1.8"))
    running = start_cityserver(tmp_path_factory.mktemp("ended") / "data", [roots])
    yield running
    running.stop()


@pytest.fixture(scope="module")
def token(server: CityServer) -> str:
    return enrol(server, TERMINAL)


TERMINAL = "kiosk-forged-01"
ENDED_ROOT_TERMINAL = "kiosk-ended-root"


def client_for(server: CityServer, token: str, folder: Path) -> CityApiClient:
    settings = CityApiSettings(token_file=folder / "token", catalogue_cache=folder / "c.json")
    return CityApiClient(settings, server.url, token=token)


def sessions(server: CityServer) -> int:
    return int(server.query("SELECT COUNT(*) FROM citizen_sessions")[0][0])


def assert_refused_end_to_end(
    server: CityServer,
    card: EmulatedCardContent,
    token: str,
    folder: Path,
    terminal_id: str = TERMINAL,
) -> None:
    inserted = insert_card(card)
    before = sessions(server)
    with client_for(server, token, folder) as client, pytest.raises(CityApiError) as refused:
        client.authenticate_citizen(
            inserted.files, inserted.sign, inserted.citizen_ca, terminal_id=terminal_id
        )
    assert refused.value.kind is ErrorKind.REFUSED and refused.value.status == 403
    assert refused.value.code == "card_not_authentic"
    assert sessions(server) == before  # no citizen token, so no certificate can be issued


@pytest.mark.parametrize("applet", ["1.7", "1.8"])
@pytest.mark.parametrize("shape", sorted(FORGERIES))
def test_the_server_refuses_a_forged_rrn_signer(
    server: CityServer, token: str, shape: str, applet: Applet, tmp_path: Path
) -> None:
    assert_refused_end_to_end(server, FORGERIES[shape](applet), token, tmp_path)


def test_the_server_refuses_a_card_issued_after_its_root_ended(
    ended_root_server: CityServer, ended_root_pki: TestPki, tmp_path: Path
) -> None:
    card = root_ended_before_issue(ended_root_pki)
    token = enrol(ended_root_server, ENDED_ROOT_TERMINAL)
    assert_refused_end_to_end(ended_root_server, card, token, tmp_path, ENDED_ROOT_TERMINAL)


def test_the_server_still_accepts_a_genuine_card(
    server: CityServer, token: str, tmp_path: Path
) -> None:
    card = insert_card(build_card(canary_profile(PROFILE), shared_test_pki(), "1.8"))
    with client_for(server, token, tmp_path) as client:
        session = client.authenticate_citizen(
            card.files, card.sign, card.citizen_ca, terminal_id=TERMINAL
        )
    assert session.citizen_token
