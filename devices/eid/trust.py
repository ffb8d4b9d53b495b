"""Trust anchors for the RRN certificate chain.

The production anchors are the Belgium Root CA certificates shipped in `devices/eid/roots/`.
Test cards chain to the eID *test* root instead, which must be passed explicitly
(e.g. via `load_pem_roots`), never added to the shipped set. A root vouches only for cards
issued while it was valid (Belgium Root CA2 ended on 2021-12-15 and stays for older cards).
RRN intermediates are trusted by key, not as roots: the shipped pins are in
`devices.eid.pinned_intermediates`; a test PKI's go to `verify_card(pinned_intermediates=...)`.
"""

from __future__ import annotations

from collections.abc import Iterable
from importlib import resources
from pathlib import Path

from cryptography import x509

_ROOTS_PACKAGE = "devices.eid.roots"


class TrustRootError(ValueError):
    """A trust-root file is missing, unreadable or holds no valid PEM certificate."""


def default_roots() -> list[x509.Certificate]:
    """The Belgium Root CA certificates shipped with the package, sorted by file name."""
    folder = resources.files(_ROOTS_PACKAGE)
    entries = sorted((e for e in folder.iterdir() if e.name.endswith(".pem")), key=lambda e: e.name)
    if not entries:
        raise TrustRootError(f"no PEM trust roots shipped in {_ROOTS_PACKAGE}")
    roots: list[x509.Certificate] = []
    for entry in entries:
        roots.extend(_parse_pem(entry.read_bytes(), entry.name))
    return roots


def load_pem_roots(paths: Iterable[str | Path]) -> list[x509.Certificate]:
    """Load every certificate of the given PEM files (a file may hold several)."""
    roots: list[x509.Certificate] = []
    for path in map(Path, paths):
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise TrustRootError(
                f"cannot read trust root file {path.name}: {exc.strerror}"
            ) from None
        roots.extend(_parse_pem(data, path.name))
    return roots


def _parse_pem(data: bytes, name: str) -> list[x509.Certificate]:
    try:
        certs = x509.load_pem_x509_certificates(data)
    except ValueError:
        raise TrustRootError(f"trust root file {name} is not valid PEM") from None
    if not certs:
        raise TrustRootError(f"trust root file {name} holds no certificate")
    return certs
