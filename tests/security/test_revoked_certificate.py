"""Finding 7 (auth certificate key usage and revocation): a revoked card still logs in.

A citizen's card was stolen and its authentication certificate revoked; the thief knows the
PIN. The city's server is given the citizen CA's CRL (`cityserver serve --crl FILE`) and must
refuse that card with `certificate_revoked`, while the same card is accepted by a server
without the CRL, and a CRL signed by a look-alike key revokes nothing. A certificate that is
not made for authentication (no digitalSignature) is refused too.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization

from cityserver.cli import EXIT_USAGE, main
from devices.eid.emulator import EmulatedCardContent, build_card, canary_profile, shared_test_pki
from devices.eid.emulator.cardfiles import AUTH_CERT, CERT_PADDING
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

_TERMINALS = itertools.count(1)  # a terminal id per login: none is enrolled twice


@pytest.fixture(scope="module")
def stolen() -> EmulatedCardContent:
    return build_card(canary_profile(11), shared_test_pki(), "1.8")


@pytest.fixture(scope="module")
def bystander() -> EmulatedCardContent:
    """Another card, listed only on a CRL that the citizen CA did not sign."""
    return build_card(canary_profile(12), shared_test_pki(), "1.8")


@pytest.fixture(scope="module")
def crl_files(
    tmp_path_factory: pytest.TempPathFactory,
    stolen: EmulatedCardContent,
    bystander: EmulatedCardContent,
) -> list[Path]:
    pki = shared_test_pki()
    folder = tmp_path_factory.mktemp("crls")
    genuine = folder / "citizen-ca.crl"  # PEM
    genuine.write_bytes(pki.crl("1.8", [stolen.auth_cert]).public_bytes(serialization.Encoding.PEM))
    look_alike = pki.crl("1.8", [bystander.auth_cert], signer=pki.forged().citizen_ca("1.8"))
    forged = folder / "look-alike.crl"  # DER
    forged.write_bytes(look_alike.public_bytes(serialization.Encoding.DER))
    return [genuine, forged]


def serve(
    tmp_path_factory: pytest.TempPathFactory, name: str, crls: list[Path]
) -> Iterator[CityServer]:
    roots = write_test_roots(tmp_path_factory.mktemp(f"{name}-roots"))
    extra = [arg for crl in crls for arg in ("--crl", str(crl))]
    running = start_cityserver(tmp_path_factory.mktemp(name) / "data", [roots], *extra)
    yield running
    running.stop()


@pytest.fixture(scope="module")
def with_crl(
    tmp_path_factory: pytest.TempPathFactory, crl_files: list[Path]
) -> Iterator[CityServer]:
    yield from serve(tmp_path_factory, "with-crl", crl_files)


@pytest.fixture(scope="module")
def without_crl(tmp_path_factory: pytest.TempPathFactory) -> Iterator[CityServer]:
    yield from serve(tmp_path_factory, "without-crl", [])


def log_in(server: CityServer, card: InsertedCard, folder: Path) -> str:
    settings = CityApiSettings(token_file=folder / "token", catalogue_cache=folder / "c.json")
    terminal_id = f"kiosk-revocation-{next(_TERMINALS):02d}"
    token = enrol(server, terminal_id)
    with CityApiClient(settings, server.url, token=token) as client:
        session = client.authenticate_citizen(
            card.files, card.sign, card.citizen_ca, terminal_id=terminal_id
        )
    return session.citizen_token


def test_a_revoked_card_is_refused(
    with_crl: CityServer, stolen: EmulatedCardContent, tmp_path: Path
) -> None:
    with pytest.raises(CityApiError) as refused:
        log_in(with_crl, insert_card(stolen), tmp_path)
    assert refused.value.kind is ErrorKind.REFUSED and refused.value.status == 403
    assert refused.value.code == "certificate_revoked"
    assert with_crl.query("SELECT COUNT(*) FROM citizen_sessions") == [(0,)]


def test_a_crl_the_citizen_ca_did_not_sign_revokes_nothing(
    with_crl: CityServer, bystander: EmulatedCardContent, tmp_path: Path
) -> None:
    assert log_in(with_crl, insert_card(bystander), tmp_path)


def test_the_same_card_is_accepted_without_the_crl(
    without_crl: CityServer, stolen: EmulatedCardContent, tmp_path: Path
) -> None:
    assert log_in(without_crl, insert_card(stolen), tmp_path)


def for_encryption_only(card: EmulatedCardContent) -> EmulatedCardContent:
    """The same card, its authentication key certified by the citizen CA for encryption only."""
    ca = shared_test_pki().citizen_ca(card.applet)
    genuine = card.auth_cert
    cert = (
        x509.CertificateBuilder()
        .subject_name(genuine.subject)
        .issuer_name(ca.cert.subject)
        .public_key(genuine.public_key())  # type: ignore[arg-type]
        .serial_number(x509.random_serial_number())
        .not_valid_before(genuine.not_valid_before_utc)
        .not_valid_after(genuine.not_valid_after_utc)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=False,
                content_commitment=False,
                key_encipherment=True,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=False,
                crl_sign=False,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .sign(ca.key, hashes.SHA384())
    )
    der = cert.public_bytes(serialization.Encoding.DER)
    return card.with_file(AUTH_CERT, der + bytes(CERT_PADDING[card.applet]))


def test_a_certificate_not_made_for_authentication_is_refused(
    without_crl: CityServer, tmp_path: Path
) -> None:
    card = for_encryption_only(build_card(canary_profile(13), shared_test_pki(), "1.8"))
    with pytest.raises(CityApiError) as refused:
        log_in(without_crl, insert_card(card), tmp_path)
    assert refused.value.status == 403 and refused.value.code == "untrusted_certificate"


def test_a_crl_file_that_is_no_crl_stops_the_server_with_a_usage_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bogus = tmp_path / "bogus.crl"
    bogus.write_bytes(b"-----BEGIN X509 CRL-----\nnot base64\n-----END X509 CRL-----\n")
    argv = ["serve", "--port", "0", "--data", str(tmp_path / "d"), "--crl", str(bogus)]
    assert main(argv) == EXIT_USAGE
    err = capsys.readouterr().err.strip().splitlines()
    assert err == ["cityserver: CRL file bogus.crl is not a PEM or DER CRL"]
    assert main([*argv[:-1], str(tmp_path / "missing.crl")]) == EXIT_USAGE
