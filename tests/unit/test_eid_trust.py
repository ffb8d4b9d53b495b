"""Trust anchors: the shipped Belgium roots, and explicitly loaded PEM files."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.x509.oid import NameOID

from devices.eid.integrity import verify_card
from devices.eid.model import CardFiles
from devices.eid.trust import TrustRootError, default_roots, load_pem_roots
from tests.harness.eid import ALICE

SHIPPED = Path(__file__).resolve().parents[2] / "devices/eid/roots"

# SHA-256 of each shipped root's DER, as published with the Belgian eID middleware
# (Fedict eid-mw, plugins_tools/eid-viewer/certs/) and in the certificates' own listings.
PUBLISHED_SHA256 = {
    "belgiumrca2.pem": "9f9744463be13714754e1a3becf98c08cc205e4ab32028f4e2830c4a1b2775b8",
    "belgiumrca3.pem": "a8d14e945e3e5156bcae5e39737cf6a1b1f51028bbbf982f50ce5f4c05568b4d",
    "belgiumrca4.pem": "c3fbf37259af0954eeea4282dd1c7226a54e7150f7c29a2c495ba34dbfe09ca0",
    "belgiumrca4b.pem": "702dd5c1a093cf0a9d71fadd9bf9a7c5857d89fb73b716e867228b3c2beb968f",
    "belgiumrca6.pem": "9c872bc979a7c09a58d4a274c199e5cb16cfa9b9618d98bc9a9988e984b8495c",
}


def test_default_roots_are_the_belgium_root_cas() -> None:
    roots = default_roots()
    names = sorted(r.subject.get_attributes_for_oid(NameOID.COMMON_NAME)[0].value for r in roots)
    assert names == [
        "Belgium Root CA2",
        "Belgium Root CA3",
        "Belgium Root CA4",
        "Belgium Root CA4",  # the CA4 root exists in two issues (to 2028 and to 2032)
        "Belgium Root CA6",
    ]
    for root in roots:
        assert root.issuer == root.subject


def test_shipped_roots_have_their_published_fingerprints() -> None:
    shipped = {
        p.name: x509.load_pem_x509_certificate(p.read_bytes()).fingerprint(hashes.SHA256()).hex()
        for p in SHIPPED.glob("*.pem")
    }
    assert shipped == PUBLISHED_SHA256


def test_load_pem_roots_reads_every_certificate_of_every_file(tmp_path: Path) -> None:
    certs = SHIPPED
    bundle = tmp_path / "bundle.pem"
    bundle.write_bytes(
        (certs / "belgiumrca3.pem").read_bytes() + (certs / "belgiumrca6.pem").read_bytes()
    )
    roots = load_pem_roots([bundle, str(certs / "belgiumrca2.pem")])
    assert len(roots) == 3
    assert roots[2].subject.rfc4514_string() == "CN=Belgium Root CA2,C=BE"


@pytest.mark.parametrize(
    "content",
    [b"", b"not a certificate", b"-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n"],
)
def test_invalid_pem_raises_trust_root_error_naming_the_file(
    tmp_path: Path, content: bytes
) -> None:
    path = tmp_path / "broken-root.pem"
    path.write_bytes(content)
    with pytest.raises(TrustRootError, match=re.escape("broken-root.pem")):
        load_pem_roots([path])


def test_missing_file_raises_trust_root_error(tmp_path: Path) -> None:
    with pytest.raises(TrustRootError, match=re.escape("absent.pem")):
        load_pem_roots([tmp_path / "absent.pem"])
    assert issubclass(TrustRootError, ValueError)


def test_alice_test_root_loaded_from_pem_accepts_alice(tmp_path: Path) -> None:
    alice = ALICE
    root = x509.load_der_x509_certificate((alice / "root-cert.der").read_bytes())
    pem = tmp_path / "eid-test-root.pem"
    pem.write_bytes(root.public_bytes(serialization.Encoding.PEM))

    def read(name: str) -> bytearray:
        return bytearray((alice / name).read_bytes())

    files = CardFiles(
        identity=read("identity.bin"),
        identity_signature=read("identity-signature.bin"),
        address=read("address.bin"),
        address_signature=read("address-signature.bin"),
        photo=read("photo.jpg"),
        rrn_certificate=read("rrn-cert.der"),
    )
    assert verify_card(files, load_pem_roots([pem])).authentic
    assert not verify_card(files, default_roots()).authentic
    assert verify_card(files, [*default_roots(), *load_pem_roots([pem])]).authentic
