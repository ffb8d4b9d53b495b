"""Is the card data what the National Register (RRN) signed?

Checks, after card content v5.4 §6.2 / v4.01 and the eid-viewer's certhelpers.c:

1. the photo (4035) hashes to tag 11 of the ID file, the hash chosen by the tag's length;
2. 4032 signs the ID file (4031) exactly as read, padding included;
3. 4034 signs `4033 without its trailing zero bytes || 4032 as read`;
4. the RRN certificate (503C) is a National Register signing certificate (signing key usage,
   not a CA, no citizen attributes, not a TLS certificate) issued by a trust root, directly
   or through an RRN intermediate (503D) pinned by its key (devices.eid.pinned_intermediates);
   each certificate of that path, the root included, is valid at the card's issue date (tag
   03 of the signed ID file): an RRN certificate may end before the cards it signed, and a
   card issued after a root ended does not chain to that root.

Signatures: RSA keys use PKCS#1 v1.5 with SHA-1, then SHA-256 (cards re-signed after the CA3 to
CA4 move); EC keys use ECDSA with SHA-384, stored as a DER signature zero-padded to a fixed size.

Bad card data never raises here: every failure is a False in the report, with a technical reason
that carries no card content.
"""

from __future__ import annotations

import datetime
import hashlib
import hmac
import re
from collections.abc import Callable, Collection, Sequence

from cryptography import x509
from cryptography.exceptions import InvalidSignature, UnsupportedAlgorithm
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa, utils
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from devices.eid.challenge import is_signed_message
from devices.eid.identity import TAG_PHOTO_HASH, TAG_VALIDITY_BEGIN, Identity
from devices.eid.model import CardFiles, IntegrityReport
from devices.eid.pinned_intermediates import PINNED_RRN_INTERMEDIATES, key_pin
from devices.eid.tlv import TlvError, parse_tlv

# What cryptography raises on a bad signature or malformed key.
_CRYPTO_ERRORS = (InvalidSignature, UnsupportedAlgorithm, ValueError, TypeError)
# Certificate fields are decoded lazily and a malformed one surfaces, on any access, as one of
# many exception classes (InvalidVersion, DuplicateExtension, ...), not all ValueErrors. Where
# card bytes enter cryptography's X.509 code we therefore catch Exception: a hostile card must
# give a failed check, never a crash.
_UNTRUSTED_INPUT_ERRORS = (Exception,)

_PHOTO_HASHES: dict[int, Callable[[bytes], hashlib._Hash]] = {
    20: hashlib.sha1,
    32: hashlib.sha256,
    48: hashlib.sha384,
}

# Attributes that only citizen certificates carry (national number, names). Their presence in
# "503C" means someone is passing a citizen's own certificate off as the RRN's: with 503D set to
# the Citizen CA, such a certificate would otherwise chain to the Belgium root.
_CITIZEN_ATTRIBUTES = (NameOID.SERIAL_NUMBER, NameOID.GIVEN_NAME, NameOID.SURNAME)
# A certificate made for TLS (a citizen's authentication certificate, a web server's) is not
# the National Register's signer, whatever else it carries; genuine RRN certificates have no
# extended key usage at all.
_TLS_PURPOSES = (ExtendedKeyUsageOID.CLIENT_AUTH, ExtendedKeyUsageOID.SERVER_AUTH)
# A card's issue date is a calendar day in Belgium; "now" is UTC: a day of slack either way.
_ONE_DAY = datetime.timedelta(days=1)
_CARD_DATE = re.compile(rb"([0-9]{2})\.([0-9]{2})\.([0-9]{4})")


def verify_card(
    files: CardFiles,
    trust_roots: Sequence[x509.Certificate],
    *,
    now: datetime.datetime | None = None,
    pinned_intermediates: Collection[bytes] = (),
) -> IntegrityReport:
    """Run the four integrity checks; `now` (aware, UTC) defaults to the current time.

    `pinned_intermediates` adds key pins (SHA-256 of SubjectPublicKeyInfo) to the shipped
    list, for test PKIs passed beside their test roots; an intermediate must still chain to
    one of `trust_roots`.
    """
    moment = now or datetime.datetime.now(datetime.UTC)
    reasons: list[str] = []
    identity = bytes(files.identity)
    identity_sig = bytes(files.identity_signature)

    address = bytes(files.address)
    address_sig = bytes(files.address_signature)
    ca_file = files.rrn_ca_certificate
    pins = frozenset(PINNED_RRN_INTERMEDIATES) | frozenset(pinned_intermediates)

    photo_ok = _note(
        reasons, _guarded("photo hash", lambda: _check_photo(identity, bytes(files.photo)))
    )
    rrn, problem = _load_certificate(bytes(files.rrn_certificate), "RRN certificate")
    if rrn is None:
        reasons.append(problem)
        id_ok = addr_ok = False
        chain_ok = _note(reasons, "RRN chain: no usable RRN certificate")
    else:
        cert = rrn
        id_ok = _note(
            reasons,
            _guarded(
                "identity signature",
                lambda: _check_signature(cert, identity_sig, identity, "identity signature"),
            ),
        )
        signed_address = address.rstrip(b"\x00") + identity_sig
        addr_ok = _note(
            reasons,
            _guarded(
                "address signature",
                lambda: _check_signature(cert, address_sig, signed_address, "address signature"),
            ),
        )
        chain_ok = _note(
            reasons,
            _guarded(
                "RRN chain",
                lambda: _check_chain(cert, ca_file, trust_roots, pins, identity, moment),
            ),
        )
    return IntegrityReport(
        identity_signature=id_ok,
        address_signature=addr_ok,
        photo_hash=photo_ok,
        rrn_chain=chain_ok,
        reasons=tuple(reasons),
    )


def verify_basic_key(identity: Identity, basic_public_key_file: bytes | bytearray) -> bool:
    """Applet 1.8: tag 1A of the (signed) ID file is SHA-384 of the basic public key file 4040.

    The file is hashed as read; if it carries zero padding after its DER, the bare DER is tried
    too. False when the card has no tag 1A.
    """
    expected = identity.basic_key_hash
    if expected is None:
        return False
    raw = bytes(basic_public_key_file)
    candidates = [raw]
    der_end = der_length(raw)
    if der_end is not None and der_end < len(raw):
        candidates.append(raw[:der_end])
    return any(hmac.compare_digest(hashlib.sha384(c).digest(), expected) for c in candidates)


def verify_challenge_signature(
    cert_der: bytes | bytearray, message: bytes, signature: bytes
) -> bool:
    """Check the signature a card's authentication key (5038 / key 0x82) made over `message`.

    `message` must be a `devices.eid.challenge.signed_message(terminal_id, nonce)`: the fixed
    protocol prefix, the terminal id and the server's 32-byte nonce. Anything else (a bare
    nonce, as before v1 of the protocol, or any value chosen elsewhere) is refused here, so a
    signature the card made for another purpose never counts as a citizen's authentication.

    Convention shared by the kiosk reader, the card emulator and the city server:

    * RSA keys (applet 1.7): the host sends MSE:SET with algorithm reference 0x08
      ("RSASSA-PKCS1-v1.5 using SHA256", RM17 table 11), then PSO:CDS with the 32-byte
      SHA-256(message). The card adds the DigestInfo and PKCS#1 v1.5 padding, so the result
      is an ordinary RSASSA-PKCS1-v1_5/SHA-256 signature over the message bytes, as long as
      the modulus.
    * EC keys (applet 1.8): the host sends MSE:SET with algorithm reference 0x02
      ("ECDSA SHA-2-384", RM18 table 14), then PSO:CDS with the 48-byte SHA-384(message).
      The card returns the plain r || s (RM18 table 43), each the size of the curve order
      (96 bytes for P-384): an ECDSA/SHA-384 signature over the message bytes. SHA-384 is
      used whatever the curve.

    `cert_der` may carry the card file's zero padding. Returns False on any malformed input.
    """
    if not is_signed_message(message):
        return False
    cert, _ = _load_certificate(bytes(cert_der), "authentication certificate")
    if cert is None:
        return False
    try:
        key = cert.public_key()
        if isinstance(key, rsa.RSAPublicKey):
            if len(signature) != _rsa_size(key):
                return False
            key.verify(signature, message, padding.PKCS1v15(), hashes.SHA256())
            return True
        if isinstance(key, ec.EllipticCurvePublicKey):
            der = _plain_to_der(key, signature)
            if der is None:
                return False
            key.verify(der, message, ec.ECDSA(hashes.SHA384()))
            return True
    except _UNTRUSTED_INPUT_ERRORS:
        return False
    return False


def verify_internal_authenticate(
    basic_public_key_file: bytes | bytearray, challenge: bytes, signature: bytes
) -> bool:
    """Applet 1.8 card authenticity: INTERNAL AUTHENTICATE with the basic key (P2=81).

    The card signs `challenge` as an off-card hash (RM18 §6.11): its length picks the hash
    (32: SHA-256, 48: SHA-384, 64: SHA-512) and the response is plain r || s. Check the key
    itself against tag 1A with `verify_basic_key` first.
    """
    prehash: dict[int, hashes.HashAlgorithm] = {
        32: hashes.SHA256(),
        48: hashes.SHA384(),
        64: hashes.SHA512(),
    }
    algorithm = prehash.get(len(challenge))
    raw = bytes(basic_public_key_file)
    der_end = der_length(raw)
    if algorithm is None or der_end is None:
        return False
    try:
        key = serialization.load_der_public_key(raw[:der_end])
        if not isinstance(key, ec.EllipticCurvePublicKey):
            return False
        der = _plain_to_der(key, signature)
        if der is None:
            return False
        key.verify(der, challenge, ec.ECDSA(utils.Prehashed(algorithm)))
        return True
    except _UNTRUSTED_INPUT_ERRORS:
        return False


def der_length(data: bytes) -> int | None:
    """Length of the DER SEQUENCE at the start of `data` (header included), or None."""
    if len(data) < 2 or data[0] != 0x30:
        return None
    first = data[1]
    if first < 0x80:
        total = 2 + first
    else:
        count = first & 0x7F
        if count == 0 or count > 4 or len(data) < 2 + count:
            return None
        total = 2 + count + int.from_bytes(data[2 : 2 + count], "big")
    return total if total <= len(data) else None


def _guarded(what: str, check: Callable[[], str | None]) -> str | None:
    """Run one check; a parsing error deep inside cryptography is a failed check, not a crash."""
    try:
        return check()
    except _UNTRUSTED_INPUT_ERRORS as exc:
        return f"{what}: malformed data ({type(exc).__name__})"


def _note(reasons: list[str], problem: str | None) -> bool:
    if problem is not None:
        reasons.append(problem)
    return problem is None


def _check_photo(identity: bytes, photo: bytes) -> str | None:
    try:
        expected = parse_tlv(identity).get(TAG_PHOTO_HASH)
    except TlvError:
        return "photo hash: identity file is not valid TLV"
    if expected is None:
        return "photo hash: identity file has no tag 0x11"
    digest = _PHOTO_HASHES.get(len(expected))
    if digest is None:
        return f"photo hash: unsupported hash length {len(expected)}"
    if not hmac.compare_digest(digest(photo).digest(), expected):
        return "photo hash: photo does not match tag 0x11"
    return None


def _load_certificate(data: bytes, what: str) -> tuple[x509.Certificate | None, str]:
    end = der_length(data)
    if end is None:
        return None, f"{what}: not a DER certificate"
    try:
        return x509.load_der_x509_certificate(data[:end]), ""
    except _UNTRUSTED_INPUT_ERRORS:
        return None, f"{what}: DER does not parse as X.509"


def _check_signature(
    cert: x509.Certificate, signature: bytes, data: bytes, what: str
) -> str | None:
    try:
        key = cert.public_key()
    except _CRYPTO_ERRORS:
        return f"{what}: RRN public key unusable"
    if isinstance(key, rsa.RSAPublicKey):
        size = _rsa_size(key)
        if len(signature) > size and not any(signature[size:]):
            signature = signature[:size]
        # SHA-1 is what 1.7-era cards were signed with; it is not our choice.
        for algorithm in (hashes.SHA1(), hashes.SHA256()):  # noqa: S303
            try:
                key.verify(signature, data, padding.PKCS1v15(), algorithm)
                return None
            except _CRYPTO_ERRORS:
                continue
        return f"{what}: RSA PKCS#1 v1.5 (SHA-1, SHA-256) does not verify"
    if isinstance(key, ec.EllipticCurvePublicKey):
        # Fixed-size file holding a shorter DER signature: its true length is sig[1] + 2.
        end = der_length(signature)
        if end is None:
            return f"{what}: not a DER ECDSA signature"
        try:
            key.verify(signature[:end], data, ec.ECDSA(hashes.SHA384()))
            return None
        except _CRYPTO_ERRORS:
            return f"{what}: ECDSA SHA-384 does not verify"
    return f"{what}: unsupported RRN key type"


def _check_chain(
    rrn: x509.Certificate,
    ca_file: bytearray | None,
    roots: Sequence[x509.Certificate],
    pins: Collection[bytes],
    identity: bytes,
    now: datetime.datetime,
) -> str | None:
    issued = _issue_date(identity)
    if issued is None:
        return "RRN chain: the ID file gives no card issue date"
    if issued > (now + _ONE_DAY).date():
        return "RRN chain: card issue date is in the future"
    problem = _rrn_signer_problem(rrn)
    if problem is not None:
        return problem
    if not _valid_on(rrn, issued):
        return "RRN chain: RRN certificate not valid at the card's issue date"
    direct = [root for root in roots if _issued_by(rrn, root)]
    if direct:
        return _root_valid_on(direct, issued)
    if ca_file is None or not any(ca_file):
        return "RRN chain: RRN certificate not issued by a trusted root"
    ca, problem = _load_certificate(bytes(ca_file), "RRN chain: RRN CA certificate")
    if ca is None:
        return problem
    if key_pin(ca) not in pins:
        return "RRN chain: RRN CA certificate is not a pinned RRN intermediate"
    if _is_ca(ca) is not True or not _may_sign_certificates(ca):
        return "RRN chain: RRN CA certificate is not a CA"
    if not _valid_on(ca, issued):
        return "RRN chain: RRN CA certificate not valid at the card's issue date"
    if not _issued_by(rrn, ca):
        return "RRN chain: RRN certificate not issued by the RRN CA"
    above = [root for root in roots if _issued_by(ca, root)]
    if not above:
        return "RRN chain: RRN CA certificate not issued by a trusted root"
    return _root_valid_on(above, issued)


def _issue_date(identity: bytes) -> datetime.date | None:
    """The card's validity begin (tag 03, DD.MM.YYYY) from the ID file; None if unreadable.

    Only this tag is read: the chain does not depend on the rest of the file parsing.
    """
    try:
        value = parse_tlv(identity).get(TAG_VALIDITY_BEGIN)
    except TlvError:
        return None
    match = _CARD_DATE.fullmatch(value or b"")
    if match is None:
        return None
    day, month, year = (int(g) for g in match.groups())
    try:
        return datetime.date(year, month, day)
    except ValueError:
        return None


def _rrn_signer_problem(rrn: x509.Certificate) -> str | None:
    """Why 503C is not a National Register signing certificate, or None when it looks like one."""
    if _is_ca(rrn) is True:
        return "RRN chain: 503C is a CA certificate, not an RRN signing certificate"
    if _has_citizen_attributes(rrn):
        return "RRN chain: 503C is a citizen certificate, not an RRN signing certificate"
    try:
        usage = rrn.extensions.get_extension_for_class(x509.KeyUsage).value
    except x509.ExtensionNotFound:
        return "RRN chain: RRN certificate carries no key usage"
    signs = usage.digital_signature or usage.content_commitment
    if not signs or usage.key_cert_sign or usage.crl_sign:
        return "RRN chain: RRN certificate's key usage is not data signing"
    try:
        purposes = rrn.extensions.get_extension_for_class(x509.ExtendedKeyUsage).value
    except x509.ExtensionNotFound:
        return None
    if any(purpose in _TLS_PURPOSES for purpose in purposes):
        return "RRN chain: 503C is a TLS certificate, not an RRN signing certificate"
    return None


def _may_sign_certificates(ca: x509.Certificate) -> bool:
    """keyCertSign when KeyUsage is present (a CA without the extension is not limited by it)."""
    try:
        return ca.extensions.get_extension_for_class(x509.KeyUsage).value.key_cert_sign
    except x509.ExtensionNotFound:
        return True


def _valid_on(cert: x509.Certificate, day: datetime.date) -> bool:
    """Whether `day` falls within the certificate's validity, both ends counted in."""
    return cert.not_valid_before_utc.date() <= day <= cert.not_valid_after_utc.date()


def _root_valid_on(roots: Sequence[x509.Certificate], issued: datetime.date) -> str | None:
    if any(_valid_on(root, issued) for root in roots):
        return None
    return "RRN chain: trusted root not valid at the card's issue date"


def _issued_by(cert: x509.Certificate, issuer: x509.Certificate) -> bool:
    """Issuer name matches and the issuer's key verifies the certificate's signature."""
    if cert.issuer != issuer.subject:
        return False
    try:
        key = issuer.public_key()
        params = cert.signature_algorithm_parameters
        algorithm = cert.signature_hash_algorithm
        if isinstance(key, rsa.RSAPublicKey) and isinstance(params, padding.PKCS1v15):
            if algorithm is None:
                return False
            key.verify(cert.signature, cert.tbs_certificate_bytes, params, algorithm)
            return True
        if isinstance(key, ec.EllipticCurvePublicKey) and isinstance(params, ec.ECDSA):
            key.verify(cert.signature, cert.tbs_certificate_bytes, params)
            return True
    except _CRYPTO_ERRORS:
        return False
    return False


def _is_ca(cert: x509.Certificate) -> bool | None:
    """BasicConstraints cA, or None when the extension is absent.

    Unreadable extensions raise, which `_guarded` turns into a failed chain check.
    """
    try:
        return cert.extensions.get_extension_for_class(x509.BasicConstraints).value.ca
    except x509.ExtensionNotFound:
        return None


def _has_citizen_attributes(cert: x509.Certificate) -> bool:
    return any(cert.subject.get_attributes_for_oid(oid) for oid in _CITIZEN_ATTRIBUTES)


def _rsa_size(key: rsa.RSAPublicKey) -> int:
    return (key.key_size + 7) // 8


def _plain_to_der(key: ec.EllipticCurvePublicKey, signature: bytes) -> bytes | None:
    """Plain r || s (BSI TR-03111, as the card returns it) to the DER form cryptography wants."""
    half = (key.curve.key_size + 7) // 8
    if len(signature) != 2 * half:
        return None
    r = int.from_bytes(signature[:half], "big")
    s = int.from_bytes(signature[half:], "big")
    return utils.encode_dss_signature(r, s)
