"""A whole eID read: the files, their parsed view, and the verdict on their integrity.

Nothing of a card is handed out unless every integrity check holds: `read_eid` raises
`CardNotAuthentic` (carrying only the booleans) and zeroes what it read otherwise.

Signed files prove what the National Register wrote, not that this chip is the card it
wrote them for: anyone can copy them onto another card. Where the Register's signed identity
file names a basic key (tag 1A, applet 1.8 cards), the chip must also prove it holds that
key (INTERNAL AUTHENTICATE over a fresh random challenge) before anything is handed out.
Applet 1.7 cards have no such key: their files are checked, the chip itself cannot be; a
1.7 card's signature over the city's challenge (after the PIN) is what proves it there.
"""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa

from devices.eid import card as files
from devices.eid.card import BelpicCard
from devices.eid.errors import CardCommunicationError, CardNotAuthentic, CardStatusError
from devices.eid.identity import CardDataError, Identity, parse_address, parse_identity
from devices.eid.integrity import (
    der_length,
    verify_basic_key,
    verify_card,
    verify_internal_authenticate,
)
from devices.eid.model import CardFiles, EidRead, IntegrityReport
from devices.eid.tlv import TlvError


class ChipNotAuthentic(CardNotAuthentic):
    """The files are genuine but the chip is not the one they were signed for (a clone)."""


class NotAuthentic(CardNotAuthentic):
    """Integrity failed; `report` holds the booleans (no citizen data)."""

    def __init__(self, report: IntegrityReport) -> None:
        super().__init__("card data not authentic: " + "; ".join(report.reasons or ("failed",)))
        self.report = report


def read_files(card: BelpicCard) -> CardFiles:
    """Every file the kiosk needs, read in as few APDUs as the card allows.

    If anything fails half-way, every file read so far is zeroed before the error leaves.
    """
    card_data = card.card_data()
    done: list[bytearray] = []

    def optional(path: tuple[int, int], **hints: Any) -> bytearray | None:
        content = card.read_file(path, **hints)
        if content is not None:
            done.append(content)
        return content

    def required(path: tuple[int, int], **hints: Any) -> bytearray:
        content = optional(path, **hints)
        if content is None:
            raise CardStatusError(f"file {path[-1]:04X} missing", 0x6A82)
        return content

    try:
        # The RRN certificate first: an RSA key tells the signature files' exact size.
        rrn_certificate = required(files.RRN_CERTIFICATE, der=True)
        signature_size = rsa_signature_size(rrn_certificate)
        identity = required(files.IDENTITY)
        identity_signature = required(files.IDENTITY_SIGNATURE, size=signature_size)
        address = required(files.ADDRESS)
        address_signature = required(files.ADDRESS_SIGNATURE, size=signature_size)
        photo = required(files.PHOTO)
        rrn_ca = optional(files.RRN_CA_CERTIFICATE, der=True)
        basic_key = (
            required(files.BASIC_PUBLIC_KEY, der=True) if card_data.applet_version >= 0x18 else None
        )
    except BaseException:
        for buffer in done:
            buffer[:] = bytes(len(buffer))
        raise
    return CardFiles(
        identity=identity,
        identity_signature=identity_signature,
        address=address,
        address_signature=address_signature,
        photo=photo,
        rrn_certificate=rrn_certificate,
        # An absent RRN CA is 2500 zero bytes on real cards, the same as none.
        rrn_ca_certificate=rrn_ca if rrn_ca is not None and any(rrn_ca) else None,
        basic_public_key=basic_key,
        card_data=bytearray(card.raw_card_data),
    )


def rsa_signature_size(certificate: bytearray) -> int | None:
    """The RRN key's modulus size in bytes (= its signature files' size); None for EC or junk."""
    try:
        key = x509.load_der_x509_certificate(bytes(certificate)).public_key()
    except Exception:  # card bytes: any parse failure just means "no size hint"
        return None
    return (key.key_size + 7) // 8 if isinstance(key, rsa.RSAPublicKey) else None


def authenticate_chip(card: BelpicCard, identity: Identity, read: CardFiles) -> None:
    """Raise ChipNotAuthentic unless the chip holds the basic key the signed identity names.

    Nothing to do when the identity file has no tag 1A (applet 1.7 cards). The key file 4040
    is read here when `read_files` did not (a card claiming an older applet), and kept in
    `read` so it is zeroed with the rest.
    """
    if identity.basic_key_hash is None:
        return
    if read.basic_public_key is None:
        read.basic_public_key = card.read_file(files.BASIC_PUBLIC_KEY, der=True)
    key_file = read.basic_public_key
    if key_file is None or not verify_basic_key(identity, key_file):
        raise ChipNotAuthentic("card not authentic: basic key 4040 does not match tag 1A")
    challenge = secrets.token_bytes(basic_key_challenge_size(key_file))
    try:
        signature = card.internal_authenticate(challenge)
    except CardStatusError as exc:
        reason = f"card not authentic: the chip refused to authenticate ({exc})"
        raise ChipNotAuthentic(reason) from None
    if not verify_internal_authenticate(key_file, challenge, signature):
        raise ChipNotAuthentic("card not authentic: chip does not hold the basic key")


def basic_key_challenge_size(key_file: bytes | bytearray) -> int:
    """The hash size RM18 table 33 pairs with the basic key's curve (P-384: 48 bytes).

    A key file that does not parse gets the usual 48: its check fails anyway.
    """
    end = der_length(bytes(key_file))
    try:
        key = serialization.load_der_public_key(bytes(key_file)[:end])
    except Exception:  # card bytes: the signature check refuses them below
        return 48
    if not isinstance(key, ec.EllipticCurvePublicKey):
        return 48
    bits = key.curve.key_size
    return 32 if bits <= 256 else 48 if bits <= 384 else 64


def read_eid(card: BelpicCard, trust_roots: Sequence[x509.Certificate]) -> EidRead:
    """Recognise, read, verify and parse; raises instead of returning anything unverified."""
    card_data = card.recognise()
    read = read_files(card)
    try:
        report = verify_card(read, trust_roots)
        if not report.authentic:
            raise NotAuthentic(report)
        try:
            identity = parse_identity(bytes(read.identity))
            address = parse_address(bytes(read.address))
        except (TlvError, CardDataError) as exc:
            # Signed but unparseable: a card we do not understand, never half-shown.
            raise CardCommunicationError(
                f"card data could not be parsed ({type(exc).__name__})"
            ) from None
        authenticate_chip(card, identity, read)
    except BaseException:
        read.zero()
        raise
    return EidRead(read, identity, address, card_data, report, card.apdu_count)
