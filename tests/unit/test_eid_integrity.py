"""Integrity checks: the real Alice test card (RSA, 1.7 era) and synthetic EC (1.8) cards."""

from __future__ import annotations

import datetime
import hashlib
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import date

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa, utils
from cryptography.x509.oid import NameOID
from hypothesis import given, settings
from hypothesis import strategies as st

from devices.eid.challenge import signed_message
from devices.eid.identity import parse_identity
from devices.eid.integrity import (
    der_length,
    verify_basic_key,
    verify_card,
    verify_challenge_signature,
    verify_internal_authenticate,
)
from devices.eid.model import CardFiles, IntegrityReport
from devices.eid.pinned_intermediates import PINNED_RRN_INTERMEDIATES, key_pin
from devices.eid.tlv import encode_tlv
from devices.eid.trust import default_roots
from tests.harness.eid import ALICE

NOW = datetime.datetime(2026, 1, 1, tzinfo=datetime.UTC)
CITIZEN_DATA = ("SPECIMEN", "Alice", "Geldigekaart", "71715100070", "Meirplaats", "Antwerpen")


def alice_file(name: str) -> bytearray:
    path = ALICE / name
    if not path.is_file():
        pytest.fail(f"Alice test card file missing: {path} (tests/data/beid/alice, see its README)")
    return bytearray(path.read_bytes())


def alice_files() -> CardFiles:
    return CardFiles(
        identity=alice_file("identity.bin"),
        identity_signature=alice_file("identity-signature.bin"),
        address=alice_file("address.bin"),
        address_signature=alice_file("address-signature.bin"),
        photo=alice_file("photo.jpg"),
        rrn_certificate=alice_file("rrn-cert.der"),
    )


@pytest.fixture(scope="module")
def alice_root() -> x509.Certificate:
    return x509.load_der_x509_certificate(bytes(alice_file("root-cert.der")))


def assert_no_citizen_data(report: IntegrityReport) -> None:
    for reason in report.reasons:
        for secret in CITIZEN_DATA:
            assert secret not in reason


# ---------------------------------------------------------------- Alice (RSA-1024, SHA-1)


def test_alice_verifies_against_her_test_root(alice_root: x509.Certificate) -> None:
    report = verify_card(alice_files(), [alice_root], now=NOW)
    assert report == IntegrityReport(True, True, True, True, ())
    assert report.authentic


def test_alice_verifies_at_the_real_current_time(alice_root: x509.Certificate) -> None:
    assert verify_card(alice_files(), [alice_root]).authentic


def test_alice_does_not_chain_to_the_belgium_roots() -> None:
    report = verify_card(alice_files(), default_roots(), now=NOW)
    assert (report.identity_signature, report.address_signature, report.photo_hash) == (
        True,
        True,
        True,
    )
    assert report.rrn_chain is False
    assert not report.authentic
    assert any("RRN chain" in r for r in report.reasons)


def test_altered_identity_byte_breaks_identity_signature(alice_root: x509.Certificate) -> None:
    files = alice_files()
    at = bytes(files.identity).index(b"SPECIMEN")
    files.identity[at] ^= 0x01
    report = verify_card(files, [alice_root], now=NOW)
    assert report.identity_signature is False
    # 4034 covers 4032, not 4031: the address check is unaffected.
    assert (report.address_signature, report.photo_hash, report.rrn_chain) == (True, True, True)
    assert_no_citizen_data(report)


def test_padding_appended_to_identity_breaks_its_signature(alice_root: x509.Certificate) -> None:
    files = alice_files()
    files.identity += bytes(4)  # 4032 signs the file exactly as read
    assert verify_card(files, [alice_root], now=NOW).identity_signature is False


def test_altered_address_breaks_address_signature(alice_root: x509.Certificate) -> None:
    files = alice_files()
    at = bytes(files.address).index(b"2000")
    files.address[at + 3] = ord("1")
    report = verify_card(files, [alice_root], now=NOW)
    assert report.address_signature is False
    assert (report.identity_signature, report.photo_hash, report.rrn_chain) == (True, True, True)
    assert_no_citizen_data(report)


def test_address_padding_length_does_not_matter(alice_root: x509.Certificate) -> None:
    files = alice_files()
    shorter = replace(files, address=bytearray(bytes(files.address).rstrip(b"\x00") + bytes(3)))
    longer = replace(files, address=files.address + bytes(200))
    assert verify_card(shorter, [alice_root], now=NOW).address_signature
    assert verify_card(longer, [alice_root], now=NOW).address_signature


def test_swapped_photo_breaks_photo_hash(alice_root: x509.Certificate) -> None:
    files = alice_files()
    files.photo = bytearray(b"\xff\xd8\xff\xe0" + bytes(2000) + b"\xff\xd9")
    report = verify_card(files, [alice_root], now=NOW)
    assert report.photo_hash is False
    assert (report.identity_signature, report.address_signature, report.rrn_chain) == (
        True,
        True,
        True,
    )


def test_zero_padded_rrn_certificate_is_accepted(alice_root: x509.Certificate) -> None:
    files = alice_files()
    files.rrn_certificate += bytes(1100)
    assert verify_card(files, [alice_root], now=NOW).authentic


def test_rrn_certificate_not_yet_valid_fails_the_chain(alice_root: x509.Certificate) -> None:
    before = datetime.datetime(2008, 1, 1, tzinfo=datetime.UTC)
    assert verify_card(alice_files(), [alice_root], now=before).rrn_chain is False


def test_unusable_rrn_certificate_fails_everything_that_needs_it(
    alice_root: x509.Certificate,
) -> None:
    files = alice_files()
    files.rrn_certificate = bytearray(2500)  # an absent certificate on a card
    report = verify_card(files, [alice_root], now=NOW)
    assert (report.identity_signature, report.address_signature, report.rrn_chain) == (
        False,
        False,
        False,
    )
    assert report.photo_hash is True
    assert len(report.reasons) >= 2


def test_signature_from_another_card_does_not_verify(alice_root: x509.Certificate) -> None:
    files = alice_files()
    files.identity_signature = files.address_signature
    report = verify_card(files, [alice_root], now=NOW)
    assert report.identity_signature is False
    assert report.address_signature is False  # 4034 also covers 4032


def test_certificate_with_duplicate_extension_fails_without_raising(
    alice_root: x509.Certificate,
) -> None:
    # Regression: cryptography raises DuplicateExtension (not a ValueError) lazily.
    files = alice_files()
    policies_oid = b"\x06\x03\x55\x1d\x20"
    at = bytes(files.rrn_certificate).index(policies_oid)
    files.rrn_certificate[at + 4] = 0x1F  # now a second CRL distribution points extension
    report = verify_card(files, [alice_root], now=NOW)
    assert report.rrn_chain is False
    assert report.photo_hash is True


@settings(max_examples=60, deadline=None)
@given(
    identity=st.binary(max_size=400),
    sig=st.binary(max_size=300),
    cert=st.binary(max_size=300),
    ca=st.none() | st.binary(max_size=200),
)
def test_garbage_never_raises(identity: bytes, sig: bytes, cert: bytes, ca: bytes | None) -> None:
    files = CardFiles(
        identity=bytearray(identity),
        identity_signature=bytearray(sig),
        address=bytearray(identity[:50]),
        address_signature=bytearray(sig),
        photo=bytearray(b"photo"),
        rrn_certificate=bytearray(cert),
        rrn_ca_certificate=None if ca is None else bytearray(ca),
    )
    report = verify_card(files, default_roots(), now=NOW)
    assert not report.authentic
    assert report.reasons


@settings(max_examples=40, deadline=None)
@given(data=st.data())
def test_mutated_alice_certificate_never_raises(
    alice_root: x509.Certificate, data: st.DataObject
) -> None:
    files = alice_files()
    at = data.draw(st.integers(0, len(files.rrn_certificate) - 1))
    files.rrn_certificate[at] ^= data.draw(st.integers(1, 255))
    report = verify_card(files, [alice_root], now=NOW)
    assert report.photo_hash is True
    assert isinstance(report.rrn_chain, bool)


# ---------------------------------------------------------------- a tiny test PKI


@dataclass
class Issued:
    cert: x509.Certificate
    key: ec.EllipticCurvePrivateKey | rsa.RSAPrivateKey

    @property
    def der(self) -> bytes:
        return self.cert.public_bytes(serialization.Encoding.DER)


def issue(
    cn: str,
    issuer: Issued | None = None,
    *,
    ca: bool = False,
    key: ec.EllipticCurvePrivateKey | rsa.RSAPrivateKey | None = None,
    extra_name: tuple[x509.NameAttribute, ...] = (),
    usage: x509.KeyUsage | None = None,
    valid: tuple[datetime.date, datetime.date] | None = None,
) -> Issued:
    """Self-signed when issuer is None; signs with SHA-384 (EC) or SHA-256 (RSA).

    Key usage: a CA's, or an RRN certificate's (`usage` replaces it); valid 2020 to 2050
    unless `valid` says otherwise."""
    key = key or ec.generate_private_key(ec.SECP384R1())
    name = x509.Name(
        [
            x509.NameAttribute(NameOID.COUNTRY_NAME, "BE"),
            *extra_name,
            x509.NameAttribute(NameOID.COMMON_NAME, cn),
        ]
    )
    signer = issuer.key if issuer else key
    algorithm = (
        hashes.SHA384() if isinstance(signer, ec.EllipticCurvePrivateKey) else hashes.SHA256()
    )
    start = datetime.datetime(2020, 1, 1, tzinfo=datetime.UTC)
    end = start + datetime.timedelta(days=365 * 30)
    if valid is not None:
        start, end = (datetime.datetime.combine(d, datetime.time(), datetime.UTC) for d in valid)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(issuer.cert.subject if issuer else name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(start)
        .not_valid_after(end)
        .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
        .add_extension(usage or _usage(ca), critical=True)
        .sign(signer, algorithm)
    )
    return Issued(cert, key)


def _usage(ca: bool) -> x509.KeyUsage:
    """A CA's (certificate and CRL signing) or, as on genuine RRN certificates, data signing."""
    return x509.KeyUsage(
        digital_signature=not ca,
        content_commitment=not ca,
        key_encipherment=False,
        data_encipherment=False,
        key_agreement=False,
        key_cert_sign=ca,
        crl_sign=ca,
        encipher_only=False,
        decipher_only=False,
    )


def ec_sign_padded(key: ec.EllipticCurvePrivateKey, data: bytes, size: int = 112) -> bytes:
    """As on a 1.8 card: a DER ECDSA signature, zero-padded to a fixed file size."""
    der = key.sign(data, ec.ECDSA(hashes.SHA384()))
    return der + bytes(size - len(der))


PHOTO = b"\xff\xd8\xff\xe0synthetic-photo\xff\xd9"
BASIC_KEY = ec.generate_private_key(ec.SECP384R1())
BASIC_KEY_FILE = BASIC_KEY.public_key().public_bytes(
    serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
)


def ec_card(rrn: Issued, rrn_ca: Issued | None = None) -> CardFiles:
    """A minimal 1.8-style card signed by `rrn`'s key."""
    assert isinstance(rrn.key, ec.EllipticCurvePrivateKey)
    identity = encode_tlv(
        [
            (0x00, b"\x00\x02"),
            (0x01, b"592000000001"),
            (0x02, bytes(16)),
            (0x03, b"01.01.2024"),
            (0x04, b"01.01.2034"),
            (0x05, b"Bruxelles"),
            (0x06, b"00000000000"),
            (0x07, "Dubois-Lefèvre".encode()),
            (0x08, "Zoë".encode()),
            (0x0A, b"Belge"),
            (0x0B, b"Uccle"),
            (0x0C, b"02 FEV 2002"),
            (0x0D, b"F"),
            (0x0F, b"01"),
            (0x11, hashlib.sha384(PHOTO).digest()),
            (0x1A, hashlib.sha384(BASIC_KEY_FILE).digest()),
        ],
        pad_to=256,
    )
    address = encode_tlv([(1, b"Grand-Place 1"), (2, b"1000")], pad_to=121)
    id_sig = ec_sign_padded(rrn.key, identity)
    return CardFiles(
        identity=bytearray(identity),
        identity_signature=bytearray(id_sig),
        address=bytearray(address),
        address_signature=bytearray(ec_sign_padded(rrn.key, address.rstrip(b"\x00") + id_sig)),
        photo=bytearray(PHOTO),
        rrn_certificate=bytearray(rrn.der + bytes(300)),
        rrn_ca_certificate=None if rrn_ca is None else bytearray(rrn_ca.der + bytes(50)),
        basic_public_key=bytearray(BASIC_KEY_FILE),
    )


@pytest.fixture(scope="module")
def ec_root() -> Issued:
    return issue("Test Root CA EC", ca=True)


@pytest.fixture(scope="module")
def ec_rrn(ec_root: Issued) -> Issued:
    return issue("RRN", ec_root)


# ---------------------------------------------------------------- EC (applet 1.8)


def test_ec_card_verifies(ec_root: Issued, ec_rrn: Issued) -> None:
    report = verify_card(ec_card(ec_rrn), [ec_root.cert], now=NOW)
    assert report == IntegrityReport(True, True, True, True, ())


def test_ec_card_checks_fail_independently(ec_root: Issued, ec_rrn: Issued) -> None:
    files = ec_card(ec_rrn)
    files.identity[20] ^= 0x01
    assert verify_card(files, [ec_root.cert], now=NOW).identity_signature is False

    files = ec_card(ec_rrn)
    files.address[3] ^= 0x01
    assert verify_card(files, [ec_root.cert], now=NOW).address_signature is False

    files = ec_card(ec_rrn)
    files.photo += b"\x00"
    assert verify_card(files, [ec_root.cert], now=NOW).photo_hash is False

    other_root = issue("Test Root CA EC", ca=True)  # same name, other key
    report = verify_card(ec_card(ec_rrn), [other_root.cert], now=NOW)
    assert report.rrn_chain is False
    assert report.identity_signature is True


def test_ec_signature_with_garbage_in_its_der_header_fails(ec_root: Issued, ec_rrn: Issued) -> None:
    files = ec_card(ec_rrn)
    files.identity_signature[1] = 0xFF  # announces more than the file holds
    report = verify_card(files, [ec_root.cert], now=NOW)
    assert report.identity_signature is False
    assert report.address_signature is False  # 4034 covers 4032 as read
    assert report.photo_hash is True


def test_chain_through_rrn_ca(ec_root: Issued) -> None:
    rrn_ca = issue("RRN CA", ec_root, ca=True)
    rrn = issue("RRN", rrn_ca)
    pins = [key_pin(rrn_ca.cert)]
    card = ec_card(rrn, rrn_ca)
    assert verify_card(card, [ec_root.cert], now=NOW, pinned_intermediates=pins).authentic
    # Unpinned, the same intermediate vouches for nothing.
    assert verify_card(card, [ec_root.cert], now=NOW).rrn_chain is False
    # Without 503D there is no path.
    assert (
        verify_card(ec_card(rrn), [ec_root.cert], now=NOW, pinned_intermediates=pins).rrn_chain
        is False
    )
    # A 503D that is not a CA cannot vouch for anything, pinned or not.
    not_ca = issue("RRN CA", ec_root, ca=False, key=rrn_ca.key)
    report = verify_card(ec_card(rrn, not_ca), [ec_root.cert], now=NOW, pinned_intermediates=pins)
    assert report.rrn_chain is False


def test_all_zero_rrn_ca_file_counts_as_absent(ec_root: Issued, ec_rrn: Issued) -> None:
    files = ec_card(ec_rrn)
    files.rrn_ca_certificate = bytearray(2500)
    assert verify_card(files, [ec_root.cert], now=NOW).authentic


def test_citizen_certificate_cannot_pose_as_rrn(ec_root: Issued) -> None:
    # Anyone's own card can sign with its citizen key, and the Citizen CA chains to the root:
    # a citizen certificate in 503C (with the Citizen CA in 503D) must not pass as the RRN's.
    citizen_ca = issue("Citizen CA", ec_root, ca=True)
    citizen = issue(
        "Jan Janssens (Authentication)",
        citizen_ca,
        extra_name=(
            x509.NameAttribute(NameOID.SURNAME, "Janssens"),
            x509.NameAttribute(NameOID.SERIAL_NUMBER, "85073003328"),
        ),
    )
    report = verify_card(ec_card(citizen, citizen_ca), [ec_root.cert], now=NOW)
    assert report.identity_signature is True  # the forger's signature is fine...
    assert report.rrn_chain is False  # ...but the signer is not the RRN
    assert not report.authentic


def test_ca_certificate_cannot_pose_as_rrn(ec_root: Issued) -> None:
    sub_ca = issue("Some CA", ec_root, ca=True)
    assert verify_card(ec_card(sub_ca), [ec_root.cert], now=NOW).rrn_chain is False


def test_a_data_signing_end_entity_without_rrn_key_usage_is_not_the_rrn(ec_root: Issued) -> None:
    encryption = x509.KeyUsage(False, False, True, False, False, False, False, False, False)
    rrn = issue("RRN", ec_root, usage=encryption)
    report = verify_card(ec_card(rrn), [ec_root.cert], now=NOW)
    assert report.identity_signature and not report.rrn_chain
    assert report.reasons == ("RRN chain: RRN certificate's key usage is not data signing",)


def test_non_repudiation_alone_is_rrn_key_usage(ec_root: Issued) -> None:
    non_repudiation = x509.KeyUsage(False, True, False, False, False, False, False, False, False)
    rrn = issue("RRN", ec_root, usage=non_repudiation)
    assert verify_card(ec_card(rrn), [ec_root.cert], now=NOW).authentic


def test_the_chain_is_checked_at_the_card_issue_date(ec_root: Issued) -> None:
    # ec_card cards are issued on 2024-01-01.
    ended_after = issue("RRN", ec_root, valid=(date(2020, 1, 1), date(2024, 1, 1)))
    assert verify_card(ec_card(ended_after), [ec_root.cert], now=NOW).authentic
    ended_before = issue("RRN", ec_root, valid=(date(2020, 1, 1), date(2023, 12, 31)))
    report = verify_card(ec_card(ended_before), [ec_root.cert], now=NOW)
    assert report.reasons == ("RRN chain: RRN certificate not valid at the card's issue date",)
    began_after = issue("RRN", ec_root, valid=(date(2024, 1, 2), date(2030, 1, 1)))
    assert verify_card(ec_card(began_after), [ec_root.cert], now=NOW).rrn_chain is False


def test_a_root_that_ended_before_the_card_was_issued_vouches_for_nothing() -> None:
    # As Belgium Root CA2, which ended on 2021-12-15.
    root = issue("Ended Root CA", ca=True, valid=(date(2007, 10, 4), date(2021, 12, 15)))
    rrn = issue("RRN", root)
    report = verify_card(ec_card(rrn), [root.cert], now=NOW)
    assert report.reasons == ("RRN chain: trusted root not valid at the card's issue date",)


def test_a_card_issued_in_the_future_fails_the_chain(ec_root: Issued, ec_rrn: Issued) -> None:
    before_issue = datetime.datetime(2023, 12, 30, tzinfo=datetime.UTC)
    report = verify_card(ec_card(ec_rrn), [ec_root.cert], now=before_issue)
    assert report.reasons == ("RRN chain: card issue date is in the future",)


def test_a_card_without_an_issue_date_fails_the_chain(ec_root: Issued, ec_rrn: Issued) -> None:
    files = ec_card(ec_rrn)
    start = bytes(files.identity).index(b"01.01.2024")
    files.identity[start : start + 10] = b"2024-01-01"
    # Re-sign, so that only the missing date is wrong.
    assert isinstance(ec_rrn.key, ec.EllipticCurvePrivateKey)
    files.identity_signature = bytearray(ec_sign_padded(ec_rrn.key, bytes(files.identity)))
    address = bytes(files.address).rstrip(b"\x00") + bytes(files.identity_signature)
    files.address_signature = bytearray(ec_sign_padded(ec_rrn.key, address))
    report = verify_card(files, [ec_root.cert], now=NOW)
    assert report.reasons == ("RRN chain: the ID file gives no card issue date",)


def test_a_pinned_intermediate_must_itself_chain_to_a_trusted_root(ec_root: Issued) -> None:
    elsewhere = issue("Other Root CA", ca=True)
    rrn_ca = issue("RRN CA", elsewhere, ca=True)
    card = ec_card(issue("RRN", rrn_ca), rrn_ca)
    report = verify_card(card, [ec_root.cert], now=NOW, pinned_intermediates=[key_pin(rrn_ca.cert)])
    assert report.reasons == ("RRN chain: RRN CA certificate not issued by a trusted root",)


def test_every_shipped_pin_is_a_key_digest_with_its_source() -> None:
    # Genuine cards' RRN certificates are issued by a root (card content §8.4): the list is
    # empty today; an entry needs an official source, named beside it, and a review.
    for pin, source in PINNED_RRN_INTERMEDIATES.items():
        assert len(pin) == 32 and source.strip()


# ---------------------------------------------------------------- RSA re-signed (SHA-256)


def test_rsa_card_signed_with_sha256_is_accepted() -> None:
    root = issue("Test Root CA RSA", ca=True, key=rsa.generate_private_key(65537, 2048))
    rrn_key = rsa.generate_private_key(65537, 2048)
    rrn = issue("RRN", root, key=rrn_key)
    sha1_photo = hashlib.sha1(PHOTO).digest()  # noqa: S324 - 1.7 cards hash the photo with SHA-1
    identity = encode_tlv([(1, b"000000000001"), (3, b"01.01.2024"), (0x11, sha1_photo)])
    address = encode_tlv([(1, b"Rue Haute 1"), (2, b"1000")], pad_to=121)
    id_sig = rrn_key.sign(identity, padding.PKCS1v15(), hashes.SHA256())
    files = CardFiles(
        identity=bytearray(identity),
        identity_signature=bytearray(id_sig),
        address=bytearray(address),
        address_signature=bytearray(
            rrn_key.sign(address.rstrip(b"\x00") + id_sig, padding.PKCS1v15(), hashes.SHA256())
        ),
        photo=bytearray(PHOTO),
        rrn_certificate=bytearray(rrn.der),
    )
    assert verify_card(files, [root.cert], now=NOW).authentic
    # PSS is not what the RRN uses.
    files.identity_signature = bytearray(
        rrn_key.sign(identity, padding.PSS(padding.MGF1(hashes.SHA256()), 32), hashes.SHA256())
    )
    assert verify_card(files, [root.cert], now=NOW).identity_signature is False


@pytest.mark.parametrize(
    ("algorithm", "ok"),
    [(hashlib.sha1, True), (hashlib.sha256, True), (hashlib.sha384, True), (hashlib.md5, False)],
)
def test_photo_hash_algorithm_follows_tag_length(
    ec_root: Issued, algorithm: Callable[[bytes], hashlib._Hash], ok: bool
) -> None:
    assert isinstance(ec_root.key, ec.EllipticCurvePrivateKey)
    rrn = issue("RRN", ec_root)
    files = ec_card(rrn)
    identity = encode_tlv([(1, b"x"), (0x11, algorithm(PHOTO).digest())])
    files.identity = bytearray(identity)
    assert verify_card(files, [ec_root.cert], now=NOW).photo_hash is ok


# ---------------------------------------------------------------- basic key, challenges


def test_basic_key_hash(ec_rrn: Issued) -> None:
    files = ec_card(ec_rrn)
    identity = parse_identity(bytes(files.identity))
    assert verify_basic_key(identity, BASIC_KEY_FILE)
    assert verify_basic_key(identity, BASIC_KEY_FILE + bytes(16))  # padded file
    other = ec.generate_private_key(ec.SECP384R1()).public_key()
    other_file = other.public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    assert not verify_basic_key(identity, other_file)
    alice = parse_identity(bytes(alice_file("identity.bin")))
    assert not verify_basic_key(alice, BASIC_KEY_FILE)  # no tag 1A on a 1.7 card


def plain_signature(der: bytes, size: int = 48) -> bytes:
    r, s = utils.decode_dss_signature(der)
    return r.to_bytes(size, "big") + s.to_bytes(size, "big")


def test_internal_authenticate_with_the_basic_key() -> None:
    challenge = hashlib.sha384(b"kiosk nonce").digest()
    der = BASIC_KEY.sign(challenge, ec.ECDSA(utils.Prehashed(hashes.SHA384())))
    signature = plain_signature(der)
    assert len(signature) == 96
    assert verify_internal_authenticate(BASIC_KEY_FILE, challenge, signature)
    assert not verify_internal_authenticate(BASIC_KEY_FILE, bytes(48), signature)
    assert not verify_internal_authenticate(BASIC_KEY_FILE, challenge, der)
    assert not verify_internal_authenticate(BASIC_KEY_FILE, challenge[:47], signature)
    assert not verify_internal_authenticate(b"\x30\x03junk", challenge, signature)


def test_challenge_signature_ec_convention(ec_root: Issued) -> None:
    auth = issue("Citizen Authentication", ec_root)
    assert isinstance(auth.key, ec.EllipticCurvePrivateKey)
    challenge = signed_message("kiosk-1", bytes(range(32)))
    # What the card does: sign the host-supplied SHA-384(challenge), return r || s.
    digest = hashlib.sha384(challenge).digest()
    signature = plain_signature(auth.key.sign(digest, ec.ECDSA(utils.Prehashed(hashes.SHA384()))))
    assert verify_challenge_signature(auth.der + bytes(1100), challenge, signature)
    assert not verify_challenge_signature(auth.der, challenge + b"x", signature)
    assert not verify_challenge_signature(auth.der, challenge, signature[:-1])
    assert not verify_challenge_signature(auth.der, challenge, bytes(96))
    assert not verify_challenge_signature(bytes(2500), challenge, signature)


def test_challenge_signature_rsa_convention() -> None:
    key = rsa.generate_private_key(65537, 2048)
    auth = issue("Citizen Authentication RSA", key=key)
    challenge = signed_message("kiosk-1", bytes(range(32)))
    # Card with algorithm 0x08: PKCS#1 v1.5 with a SHA-256 DigestInfo it adds itself.
    digest = hashlib.sha256(challenge).digest()
    signature = key.sign(digest, padding.PKCS1v15(), utils.Prehashed(hashes.SHA256()))
    assert verify_challenge_signature(auth.der, challenge, signature)
    assert not verify_challenge_signature(auth.der, b"other", signature)
    sha1_sig = key.sign(challenge, padding.PKCS1v15(), hashes.SHA1())  # noqa: S303 - must be refused
    assert not verify_challenge_signature(auth.der, challenge, sha1_sig)


def test_der_length() -> None:
    assert der_length(b"\x30\x03abc" + bytes(10)) == 5
    assert der_length(b"\x30\x82\x01\x00" + bytes(256)) == 260
    assert der_length(b"\x30\x82\x01\x00" + bytes(255)) is None
    assert der_length(b"\x31\x00") is None
    assert der_length(b"\x30\x80") is None
    assert der_length(b"") is None
