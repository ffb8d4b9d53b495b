"""Who is at the terminal? Check a card's answer to our challenge, all of it, on the server.

The kiosk checked the card too, but the server trusts nothing it is sent:

1. the identity and address files are what the National Register signed, and the RRN
   certificate chains to one of the server's own trust roots (devices.eid.integrity);
2. the challenge was signed by the key of the authentication certificate sent along
   (`verify_challenge_signature`, whose docstring fixes the signing convention);
3. that certificate chains to a trusted root (directly or through the citizen CA sent along),
   is valid now, is made for authentication (digitalSignature, not a CA), is not listed on a
   configured CRL its issuer signed (`certificate_revoked`), and names the same national
   number as the signed identity file: a genuine card's signature over someone else's
   (genuine) files is refused;
4. the card itself has not expired.

The photo is not needed for a certificate and is not sent, so its hash check is skipped.
Failures carry a stable code and a technical reason without any card content.
"""

from __future__ import annotations

import base64
import binascii
import datetime
from collections.abc import Sequence
from dataclasses import dataclass

from cryptography import x509
from cryptography.x509.oid import NameOID

from cityapi.models import CitizenAuthentication
from cityserver.revocation import CertificateRevocationList, is_revoked
from devices.eid.identity import CardDataError, parse_address, parse_identity
from devices.eid.integrity import der_length, verify_card, verify_challenge_signature
from devices.eid.model import CardFiles
from devices.eid.tlv import TlvError


class CitizenRefused(Exception):
    """The card's answer does not prove who is at the terminal. `code` is stable."""

    def __init__(self, code: str, reason: str) -> None:
        super().__init__(reason)
        self.code = code


@dataclass(frozen=True, repr=False)
class VerifiedCitizen:
    """Who the card says is at the terminal, from card data the server verified itself.

    `national_number` is the key into the population register (cityserver.register), which
    says what certificates state: the card's address may be an old one.
    """

    national_number: str
    surname: str
    first_names: str
    street_and_number: str
    zip_code: str
    municipality: str
    nationality: str

    @property
    def full_name(self) -> str:
        return f"{self.first_names} {self.surname}".strip()

    @property
    def full_address(self) -> str:
        return f"{self.street_and_number}, {self.zip_code} {self.municipality}"

    def __repr__(self) -> str:
        return "VerifiedCitizen(<redacted>)"


def _blob(value: str | None, what: str) -> bytes | None:
    if value is None:
        return None
    try:
        return base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError):
        raise CitizenRefused("malformed", f"{what} is not valid base64") from None


def _required(value: str, what: str) -> bytes:
    data = _blob(value, what)
    assert data is not None
    return data


def _certificate(data: bytes, what: str) -> x509.Certificate:
    end = der_length(data)
    if end is None:
        raise CitizenRefused("malformed", f"{what} is not a DER certificate")
    try:
        return x509.load_der_x509_certificate(data[:end])
    except Exception:  # hostile bytes may fail anywhere in the X.509 parser
        raise CitizenRefused("malformed", f"{what} does not parse as X.509") from None


def _issued_by(cert: x509.Certificate, issuer: x509.Certificate) -> bool:
    try:
        cert.verify_directly_issued_by(issuer)
        return True
    except Exception:  # wrong name, bad signature, unsupported key: all mean "no"
        return False


def _valid_at(cert: x509.Certificate, now: datetime.datetime) -> bool:
    return cert.not_valid_before_utc <= now <= cert.not_valid_after_utc


def _is_ca(cert: x509.Certificate) -> bool:
    try:
        return bool(cert.extensions.get_extension_for_class(x509.BasicConstraints).value.ca)
    except Exception:
        return False


def _check_auth_chain(
    auth: x509.Certificate,
    citizen_ca: x509.Certificate | None,
    roots: Sequence[x509.Certificate],
    now: datetime.datetime,
    crls: Sequence[CertificateRevocationList] = (),
) -> None:
    if not _valid_at(auth, now):
        raise CitizenRefused("certificate_expired", "authentication certificate not valid now")
    if not _for_authentication(auth):
        raise CitizenRefused(
            "untrusted_certificate", "authentication certificate is not for authentication"
        )
    live_roots = [root for root in roots if _valid_at(root, now)]
    issuer = next((root for root in live_roots if _issued_by(auth, root)), None)
    if (
        issuer is None
        and citizen_ca is not None
        and _valid_at(citizen_ca, now)
        and _is_ca(citizen_ca)
        and _issued_by(auth, citizen_ca)
        and any(_issued_by(citizen_ca, root) for root in live_roots)
    ):
        issuer = citizen_ca
    if issuer is None:
        raise CitizenRefused("untrusted_certificate", "authentication certificate not trusted")
    if is_revoked(auth, issuer, crls):
        raise CitizenRefused("certificate_revoked", "authentication certificate is revoked")


def _for_authentication(cert: x509.Certificate) -> bool:
    """digitalSignature in KeyUsage and not a CA, as on genuine authentication certificates."""
    try:
        usage = cert.extensions.get_extension_for_class(x509.KeyUsage).value
    except Exception:  # absent, or unreadable: not an authentication certificate
        return False
    return bool(usage.digital_signature) and not _is_ca(cert)


def _serial_number(cert: x509.Certificate) -> str:
    values = cert.subject.get_attributes_for_oid(NameOID.SERIAL_NUMBER)
    return str(values[0].value) if values else ""


def verify_citizen(
    answer: CitizenAuthentication,
    nonce: bytes,
    roots: Sequence[x509.Certificate],
    now: datetime.datetime,
    crls: Sequence[CertificateRevocationList] = (),
) -> VerifiedCitizen:
    """Every check above, or CitizenRefused naming the first that failed."""
    files = CardFiles(
        identity=bytearray(_required(answer.identity, "identity")),
        identity_signature=bytearray(_required(answer.identity_signature, "identity signature")),
        address=bytearray(_required(answer.address, "address")),
        address_signature=bytearray(_required(answer.address_signature, "address signature")),
        photo=bytearray(),
        rrn_certificate=bytearray(_required(answer.rrn_certificate, "RRN certificate")),
        rrn_ca_certificate=_optional_buffer(_blob(answer.rrn_ca_certificate, "RRN CA")),
    )
    auth_der = _required(answer.authentication_certificate, "authentication certificate")
    signature = _required(answer.challenge_signature, "challenge signature")
    ca_der = _blob(answer.citizen_ca_certificate, "citizen CA certificate")
    try:
        report = verify_card(files, roots, now=now)
        if not (report.identity_signature and report.address_signature and report.rrn_chain):
            failed = [r for r in report.reasons if not r.startswith("photo hash")]
            raise CitizenRefused("card_not_authentic", "; ".join(failed) or "card not authentic")
        if not verify_challenge_signature(auth_der, nonce, signature):
            raise CitizenRefused("bad_signature", "challenge signature does not verify")
        auth = _certificate(auth_der, "authentication certificate")
        citizen_ca = _certificate(ca_der, "citizen CA certificate") if ca_der else None
        _check_auth_chain(auth, citizen_ca, roots, now, crls)
        try:
            identity = parse_identity(bytes(files.identity))
            address = parse_address(bytes(files.address))
        except (TlvError, CardDataError, UnicodeDecodeError):
            raise CitizenRefused("malformed", "signed card data does not parse") from None
        if _serial_number(auth) != identity.national_number:
            raise CitizenRefused("card_mismatch", "authentication certificate is another card's")
        if identity.validity_end < now.date():
            raise CitizenRefused("card_expired", "the card has expired")
        return VerifiedCitizen(
            national_number=identity.national_number,
            surname=identity.surname,
            first_names=identity.first_names,
            street_and_number=address.street_and_number,
            zip_code=address.zip,
            municipality=address.municipality,
            nationality=identity.nationality,
        )
    finally:
        files.zero()


def _optional_buffer(data: bytes | None) -> bytearray | None:
    return bytearray(data) if data and any(data) else None
