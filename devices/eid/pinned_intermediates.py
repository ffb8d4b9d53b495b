"""The one reviewed list of RRN intermediates (card file 503D) the kiosk and the server accept.

Genuine cards carry the National Register's signing certificate (503C) issued by a Belgium
Root CA directly: "the X.509 Root certificate used to sign the Citizen's CA certificate (#4)
[...] and the RRN certificate (#8)" (card content v4.01 §8.4 and v5.4 §8.4). 503D is defined
by the official middleware only and not in the card content tables; the public material this
project works from (eid-mw specifications, the Belgium Root CA certificates, the Alice test
card, whose RRN certificate is issued by its test root directly) shows no genuine card with an
RRN intermediate. So no intermediate is accepted today.

An entry is the SHA-256 of the intermediate's DER SubjectPublicKeyInfo (its key, not its
certificate: a re-issued certificate for the same key stays accepted), with the source it was
taken from. Add one only from an official source (a genuine card's 503D, eid-mw's certificate
folder), after review, with that source in the comment. Test intermediates never go here:
tests pass theirs to `verify_card(..., pinned_intermediates=...)` beside their test roots.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping

from cryptography import x509
from cryptography.hazmat.primitives import serialization

# SHA-256(SubjectPublicKeyInfo DER) -> where the key comes from.
PINNED_RRN_INTERMEDIATES: Mapping[bytes, str] = {}


def key_pin(cert: x509.Certificate) -> bytes:
    """SHA-256 of the certificate's DER SubjectPublicKeyInfo: what the list above holds."""
    spki = cert.public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    return hashlib.sha256(spki).digest()
