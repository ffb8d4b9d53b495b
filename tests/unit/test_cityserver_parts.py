"""The reference server's logic without HTTP: idempotency (a state machine, property-tested),
fault rules, the citizen check on hostile input, the catalogue, and certificate PDFs."""

from __future__ import annotations

import base64
import datetime
import hashlib
import io
import sqlite3
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pypdf import PdfReader

from cityapi.models import LANGUAGES, CitizenAuthentication
from cityserver.catalogue import BY_ID, is_belgian, published_catalogue
from cityserver.certificate_pdf import CertificateText, render_certificate
from cityserver.citizen_auth import CitizenRefused, verify_citizen
from cityserver.faults import FaultInjector, FaultRule
from cityserver.store import IdempotencyConflict, Store
from devices.eid.challenge import signed_message
from devices.eid.emulator import build_card, canary_profile, shared_test_pki

NOW = datetime.datetime.now(datetime.UTC)


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.tuples(st.sampled_from(["k1", "k2", "k3", None]), st.sampled_from(["a", "b"])),
        max_size=12,
    )
)
def test_each_key_runs_its_work_once(
    tmp_path_factory: pytest.TempPathFactory, calls: list[tuple[str | None, str]]
) -> None:
    store = Store(tmp_path_factory.mktemp("idem") / "db.sqlite3")
    try:
        runs = 0
        first_payload: dict[str, str] = {}

        def create(db: sqlite3.Connection) -> tuple[int, str]:
            nonlocal runs
            runs += 1
            return 201, f"answer-{runs}"

        answers: dict[str, str] = {}
        for key, payload in calls:
            try:
                _status, body = store.idempotent("scope", key, payload, create, 1000.0, 3600)
            except IdempotencyConflict:
                assert key is not None and first_payload[key] != payload
                continue
            if key is not None:
                first_payload.setdefault(key, payload)
                assert answers.setdefault(key, body) == body  # a repeat: the same answer
        keyed = {key for key, _ in calls if key is not None}
        unkeyed = sum(1 for key, _ in calls if key is None)
        assert runs == len(keyed) + unkeyed
    finally:
        store.close()


def test_failures_are_not_remembered_and_old_keys_expire(tmp_path: Path) -> None:
    store = Store(tmp_path / "db.sqlite3")
    outcomes = iter([(503, "busy"), (201, "made"), (201, "made again")])
    run = lambda _db: next(outcomes)  # noqa: E731
    assert store.idempotent("s", "key-1", "f", run, 100.0, 60) == (503, "busy")
    assert store.idempotent("s", "key-1", "f", run, 101.0, 60) == (201, "made")
    assert store.idempotent("s", "key-1", "f", run, 102.0, 60) == (201, "made")
    assert store.idempotent("s", "key-1", "f", run, 500.0, 60) == (201, "made again")
    store.close()


@settings(max_examples=100, deadline=None)
@given(count=st.integers(0, 5), requests=st.integers(0, 12))
def test_a_counted_fault_fires_exactly_count_times(count: int, requests: int) -> None:
    injector = FaultInjector(app=None, seed=1)  # type: ignore[arg-type]
    injector.rules = [FaultRule(kind="error", count=count, path_prefix="/v1/documents")]
    fired = sum(injector._pick("/v1/documents") is not None for _ in range(requests))
    assert fired == min(count, requests)
    assert injector._pick("/v1/catalogue") is None


def test_a_fault_rate_of_zero_never_fires() -> None:
    injector = FaultInjector(app=None, seed=2)  # type: ignore[arg-type]
    injector.rules = [FaultRule(kind="drop", rate=0.0)]
    assert all(injector._pick("/v1/status") is None for _ in range(200))


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


@settings(max_examples=80, deadline=None)
@given(st.lists(st.binary(min_size=3, max_size=300), min_size=7, max_size=7))
def test_hostile_card_answers_are_refused_never_crash(blobs: list[bytes]) -> None:
    answer = CitizenAuthentication(
        challenge_id="c",
        identity=b64(blobs[0]),
        identity_signature=b64(blobs[1]),
        address=b64(blobs[2]),
        address_signature=b64(blobs[3]),
        rrn_certificate=b64(blobs[4]),
        authentication_certificate=b64(blobs[5]),
        challenge_signature=b64(blobs[6]),
    )
    with pytest.raises(CitizenRefused):
        verify_citizen(answer, b"nonce", [shared_test_pki().root("1.8").cert], NOW)


def test_a_genuine_answer_yields_name_and_address_only() -> None:
    content = build_card(canary_profile(5), shared_test_pki(), "1.8")
    nonce = signed_message("kiosk-1", b"n" * 32)  # what the route hands verify_citizen
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature

    key = content.auth_key
    assert isinstance(key, ec.EllipticCurvePrivateKey)
    r, s = decode_dss_signature(key.sign(nonce, ec.ECDSA(hashes.SHA384())))
    signature = r.to_bytes(48, "big") + s.to_bytes(48, "big")
    files = content.files
    answer = CitizenAuthentication(
        challenge_id="c",
        identity=b64(content.file(0x4031)),
        identity_signature=b64(content.file(0x4032)),
        address=b64(content.file(0x4033)),
        address_signature=b64(content.file(0x4034)),
        rrn_certificate=b64(content.file(0x503C)),
        authentication_certificate=b64(content.file(0x5038)),
        citizen_ca_certificate=b64(content.file(0x503A)),
        challenge_signature=b64(signature),
    )
    assert files
    citizen = verify_citizen(answer, nonce, [shared_test_pki().root("1.8").cert], NOW)
    assert citizen.surname == content.profile.surname
    assert citizen.full_address.startswith(content.profile.street_and_number)
    assert content.profile.surname not in repr(citizen)
    with pytest.raises(CitizenRefused) as untrusted:
        verify_citizen(answer, nonce, [shared_test_pki().root("1.7").cert], NOW)
    assert untrusted.value.code == "card_not_authentic"


def test_the_catalogue_speaks_every_language() -> None:
    catalogue = published_catalogue().catalogue
    assert len(catalogue.items) >= 6
    for item in catalogue.items:
        for language in LANGUAGES:
            assert item.name.get(language) and item.description.get(language)
        kind = BY_ID[item.id]
        for language in LANGUAGES:
            said = kind.statement_in(language, name="N. N.", address="Rue Haute 12")
            assert "N. N." in said and "Rue Haute 12" in said
    assert is_belgian("Belge") and is_belgian("BELG") and not is_belgian("Marocaine")


@pytest.mark.parametrize("language", LANGUAGES)
def test_certificates_print_any_name_in_the_citizens_language(language: str) -> None:
    kind = BY_ID["residence"]
    title = kind.title(language)
    name = "Łucja Öztürk-Nguyễn"
    text = CertificateText(
        language=language,  # type: ignore[arg-type]
        title=title,
        statement=kind.statement_in(language, name=name, address="Rue Haute 12, 1000 Bruxelles"),
        issued_on=datetime.date(2026, 3, 2),
        verification_code="ABCD-EFGH-JKLM",
        verification_url="https://example.invalid/v1/verify/ABCD-EFGH-JKLM",
    )
    pdf, pages = render_certificate(text)
    assert pages == 1 and pdf.startswith(b"%PDF")
    extracted = PdfReader(io.BytesIO(pdf)).pages[0].extract_text()
    for expected in (title, "Łucja", "Öztürk", "ABCD-EFGH-JKLM", "02.03.2026"):
        assert expected in extracted
    assert name not in repr(text)


def test_catalogue_etag_changes_with_content() -> None:
    published = published_catalogue()
    assert published.etag.strip('"') == hashlib.sha256(published.json.encode()).hexdigest()[:32]
