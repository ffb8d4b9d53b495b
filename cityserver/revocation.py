"""Revoked citizen certificates: the CRL files the server is configured with (`--crl FILE`).

A CRL counts only for the CA whose key signed it: its issuer name must be the CA's subject and
its signature must verify with the CA's key, so a CRL from another CA of the same name (a
look-alike PKI, an older key) revokes nothing. A CRL past its next update is still used: a
revocation never lapses, and an old list is better than none.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path

from cryptography import x509

CertificateRevocationList = x509.CertificateRevocationList


class RevocationListError(ValueError):
    """A CRL file is missing, unreadable or is not a CRL (PEM or DER)."""


def load_crls(paths: Iterable[Path]) -> list[CertificateRevocationList]:
    """Every CRL file given, PEM or DER."""
    return [_load(Path(path)) for path in paths]


def _load(path: Path) -> CertificateRevocationList:
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise RevocationListError(f"cannot read CRL file {path.name}: {exc.strerror}") from None
    try:
        if data.lstrip().startswith(b"-----BEGIN"):
            return x509.load_pem_x509_crl(data)
        return x509.load_der_x509_crl(data)
    except ValueError:
        raise RevocationListError(f"CRL file {path.name} is not a PEM or DER CRL") from None


def is_revoked(
    cert: x509.Certificate,
    issuer: x509.Certificate,
    crls: Sequence[CertificateRevocationList],
) -> bool:
    """Whether a CRL that `issuer` signed lists `cert`'s serial number."""
    for crl in crls:
        if crl.issuer != issuer.subject or cert.issuer != issuer.subject:
            continue
        try:
            signed_by_issuer = crl.is_signature_valid(issuer.public_key())  # type: ignore[arg-type]
        except Exception:  # an unsupported key or a malformed CRL: not this CA's list
            signed_by_issuer = False
        if signed_by_issuer and crl.get_revoked_certificate_by_serial_number(cert.serial_number):
            return True
    return False
