"""The BELPIC applet's commands over any `Transport`: recognise, select, read, PIN, sign.

Command formats follow the applet reference manuals (RM17/RM18) and how the official
middleware (Fedict eid-mw) reads cards. Reads use Le=00 (256 bytes, the most one short APDU
carries); a short chunk or 6B00 after the first chunk ends a file.
"""

from __future__ import annotations

import hashlib

from devices.eid.challenge import NotAChallenge, is_signed_message
from devices.eid.errors import (
    CardCommunicationError,
    CardStatusError,
    CardWasReset,
    InvalidPinFormat,
    NotBelgianEid,
    PinBlocked,
    WrongPin,
)
from devices.eid.model import CardData
from devices.eid.transport import Transport

BELPIC_AID = bytes.fromhex("A0 00 00 00 30 29 05 70 00 AD 13 10 01 01 FF")

# Paths below 3F00 (select by path takes them without the MF).
ID_DF = 0xDF01
CERT_DF = 0xDF00
IDENTITY = (ID_DF, 0x4031)
IDENTITY_SIGNATURE = (ID_DF, 0x4032)
ADDRESS = (ID_DF, 0x4033)
ADDRESS_SIGNATURE = (ID_DF, 0x4034)
PHOTO = (ID_DF, 0x4035)
BASIC_PUBLIC_KEY = (ID_DF, 0x4040)
AUTH_CERTIFICATE = (CERT_DF, 0x5038)
RRN_CERTIFICATE = (CERT_DF, 0x503C)
RRN_CA_CERTIFICATE = (CERT_DF, 0x503D)

# A file larger than this is a misbehaving card: stop reading rather than loop.
MAX_FILE_SIZE = 64 * 1024
CHUNK = 256
# How often a read restarts after the card was reset under us (then it is a failure).
MAX_RESETS_PER_FILE = 2

_SW_OK = 0x9000
# INTERNAL AUTHENTICATE's P1 by challenge size: ECDSA with SHA-2-256, -384, -512 (RM18 table 14).
_INTERNAL_AUTHENTICATE_ALGORITHMS = {32: 0x01, 48: 0x02, 64: 0x04}
_SW_END_OF_FILE = 0x6B00
_SW_FILE_NOT_FOUND = 0x6A82
_PATH_SELECT_UNSUPPORTED = {0x6A82, 0x6A86, 0x6A87, 0x6D00}

# ATR families (beid-notes §1): 1.7-era cards `3B 98 .. 40 .. .. .. .. 01 01 AD 13 ..`
# (personalisation versions differ in the masked bytes); applet 1.8 cards `3B 7F 96 00 00 80
# 31 80 65 B0 85 ...`. The official PKCS#11 layer ignores the ATR and trusts the AID; we use
# the ATR only to decide how confident to be, and the applet AID to decide.
_ATR_FAMILIES: list[tuple[bytes, bytes]] = [
    (
        bytes.fromhex("3B 98 00 40 00 00 00 00 01 01 AD 13 00"),
        bytes.fromhex("FF FF 00 FF 00 00 00 00 FF FF FF FF 00"),
    ),
    (
        bytes.fromhex("3B 7F 96 00 00 80 31 80 65 B0 85"),
        bytes.fromhex("FF FF FF FF FF FF FF FF FF FF FF"),
    ),
]


def atr_is_belpic(atr: bytes) -> bool:
    for pattern, mask in _ATR_FAMILIES:
        if len(atr) >= len(pattern) and all(
            (a & m) == (p & m) for a, p, m in zip(atr, pattern, mask, strict=False)
        ):
            return True
    return False


def pin_block(pin: bytearray) -> bytearray:
    """The 8-byte VERIFY block: 0x2, length, BCD digits, F padding. Raises before any I/O."""
    if not 4 <= len(pin) <= 12 or not all(0x30 <= c <= 0x39 for c in pin):
        raise InvalidPinFormat("a PIN is 4 to 12 digits")
    nibbles = bytearray([0x2, len(pin)])
    for c in pin:  # digit by digit: no temporary copy of the PIN
        nibbles.append(c - 0x30)
    nibbles += bytearray([0xF] * (16 - len(nibbles)))
    block = bytearray((nibbles[i] << 4) | nibbles[i + 1] for i in range(0, 16, 2))
    nibbles[:] = bytes(len(nibbles))
    return block


def declared_der_size(prefix: bytes | bytearray) -> int | None:
    """Total size a DER SEQUENCE announces in its first bytes (None if it is not one)."""
    if len(prefix) < 2 or prefix[0] != 0x30:
        return None
    if prefix[1] < 0x80:
        return 2 + prefix[1]
    count = prefix[1] & 0x7F
    if not 1 <= count <= 3 or len(prefix) < 2 + count:
        return None
    return 2 + count + int.from_bytes(prefix[2 : 2 + count], "big")


class BelpicCard:
    """One inserted card. Not thread-safe: one worker thread owns it."""

    def __init__(self, transport: Transport) -> None:
        self.transport = transport
        self.apdu_count = 0
        # None until known; True once a path select worked (then 6A82 means "no such file");
        # False when the card or reader refuses path select (then we walk FIDs).
        self._path_select: bool | None = None
        self._card_data: CardData | None = None
        self._raw_card_data = bytearray()

    # Low level -------------------------------------------------------------------------

    def _send(self, apdu: bytes | bytearray) -> tuple[bytes, int]:
        self.apdu_count += 1
        return self.transport.transmit(apdu)

    def _expect_ok(self, apdu: bytes, command: str) -> bytes:
        data, sw = self._send(apdu)
        if sw != _SW_OK:
            raise CardStatusError(command, sw)
        return data

    # Recognition -----------------------------------------------------------------------

    def recognise(self) -> CardData:
        """Select the BELPIC applet and read its card data; NotBelgianEid otherwise.

        The applet decides, as in the official middleware; the ATR is only consulted to
        say more when the applet is not there.
        """
        try:
            self.select_applet()
            return self.card_data()
        except CardStatusError as exc:
            family = "an eID ATR" if atr_is_belpic(self.transport.atr) else "an unknown ATR"
            raise NotBelgianEid(
                f"the card does not answer as a Belgian eID ({exc}; {family})"
            ) from None

    def select_applet(self) -> None:
        self._expect_ok(
            bytes([0x00, 0xA4, 0x04, 0x0C, len(BELPIC_AID)]) + BELPIC_AID, "SELECT applet"
        )

    def card_data(self) -> CardData:
        if self._card_data is None:
            data, sw = self._send(bytes.fromhex("80E400001C"))
            if sw != _SW_OK:
                raise CardStatusError("GET CARD DATA", sw)
            parsed = CardData.parse(data)
            if parsed.applet_version >= 0x18:
                # The extended form adds the PIN tries left without spending one.
                data, sw = self._send(bytes.fromhex("80E400011F"))
                if sw == _SW_OK:
                    parsed = CardData.parse(data)
            self._raw_card_data = bytearray(data)
            self._card_data = parsed
        return self._card_data

    @property
    def raw_card_data(self) -> bytearray:
        return self._raw_card_data

    # Files -----------------------------------------------------------------------------

    def select(self, path: tuple[int, ...]) -> bool:
        """Select a file by its path below 3F00; False when the card has no such file."""
        encoded = b"".join(fid.to_bytes(2, "big") for fid in path)
        if self._path_select is False:
            return self._walk((0x3F00, *path))
        _data, sw = self._send(bytes([0x00, 0xA4, 0x08, 0x0C, len(encoded)]) + encoded)
        if sw == _SW_OK:
            self._path_select = True
            return True
        if sw == _SW_FILE_NOT_FOUND and self._path_select:
            return False
        if sw not in _PATH_SELECT_UNSUPPORTED:
            raise CardStatusError("SELECT by path", sw)
        # Either the file is absent or this card/reader refuses path select (6A87 on
        # Alcor/VASCO readers): the FID walk tells which. If it finds the file, path
        # select is what failed, so walk for the rest of this card.
        found = self._walk((0x3F00, *path))
        if found:
            self._path_select = False
        return found

    def _walk(self, fids: tuple[int, ...]) -> bool:
        for fid in fids:
            _data, sw = self._send(bytes([0x00, 0xA4, 0x02, 0x0C, 0x02]) + fid.to_bytes(2, "big"))
            if sw == _SW_FILE_NOT_FOUND:
                return False
            if sw != _SW_OK:
                raise CardStatusError("SELECT by FID", sw)
        return True

    def read_file(
        self, path: tuple[int, ...], *, size: int | None = None, der: bool = False
    ) -> bytearray | None:
        """The file at `path` (None when absent), restarting after a card reset.

        `size`: the file's exact size when known (RSA signatures: the key's modulus), so
        the last chunk asks for exactly what is left. `der`: the file is a DER object
        followed by zero padding (certificates, the basic key): its header gives the size,
        and the padding is not read. Both save the 6Cxx round trip a T=0 card needs when
        asked for more than it has.
        """
        for attempt in range(MAX_RESETS_PER_FILE + 1):
            try:
                if not self.select(path):
                    return None
                return self._read_selected(size, der)
            except CardWasReset:
                if attempt == MAX_RESETS_PER_FILE:
                    raise
                self.select_applet()
        raise AssertionError("unreachable")

    def _read_selected(self, size: int | None, der: bool) -> bytearray:
        content = bytearray()
        try:
            while len(content) < MAX_FILE_SIZE:
                offset = len(content)
                wanted = CHUNK if size is None else min(CHUNK, size - offset)
                if wanted <= 0:
                    return content
                read = bytes([0x00, 0xB0, offset >> 8, offset & 0xFF, wanted & 0xFF])
                data, sw = self._send(read)
                if sw == _SW_END_OF_FILE and offset > 0:
                    return content  # the size was a multiple of the chunk
                if sw != _SW_OK:
                    raise CardStatusError("READ BINARY", sw)
                content += data
                if len(data) < wanted:
                    return content
                if der and size is None:
                    size = declared_der_size(content)
            raise CardCommunicationError("file larger than any eID file")
        except BaseException:
            # A read cut short (card pulled out, bad status) keeps nothing of the file.
            content[:] = bytes(len(content))
            raise

    # PIN -------------------------------------------------------------------------------

    def verify_pin(self, pin: bytearray) -> None:
        """VERIFY the PIN; raises WrongPin(tries_left) or PinBlocked. Zeroes its copies."""
        block = pin_block(pin)
        apdu = bytearray([0x00, 0x20, 0x00, 0x01, 0x08]) + block
        try:
            # Sent as the bytearray itself: an immutable copy of the PIN could not be zeroed.
            _data, sw = self._send(apdu)
        finally:
            block[:] = bytes(len(block))
            apdu[:] = bytes(len(apdu))
        _raise_for_pin_status(sw)

    def log_off(self) -> None:
        """LOG OFF (RM17 §6.10): drop the verified PIN state on the card itself.

        A verified PIN lives on the card until a reset or LOG OFF, not until our connection
        closes; a card left in the reader must not sign for the next program that asks.
        """
        _data, sw = self._send(bytes.fromhex("80E60000"))
        if sw != _SW_OK:
            raise CardStatusError("LOG OFF", sw)

    def pin_tries_left(self) -> int | None:
        """Tries left without spending one; None where asking would cost a try (applet 1.1)."""
        data = self.card_data()
        if data.pin_tries_left is not None:
            return data.pin_tries_left
        if data.applet_version <= 0x11:
            return None  # RM17 §6.5: applet 1.1 counts an empty VERIFY as a wrong PIN
        _data, sw = self._send(bytes.fromhex("00200001"))
        if sw == 0x6983:
            return 0
        if sw >> 4 == 0x63C:
            return sw & 0xF
        if sw == _SW_OK:
            return None  # already verified in this session: the card does not say
        raise CardStatusError("VERIFY (status)", sw)

    # Signatures ------------------------------------------------------------------------

    def sign_challenge(self, message: bytes) -> tuple[bytes, bytearray]:
        """Sign a citizen-authentication message with the authentication key (PIN verified
        first). `message` must be a `devices.eid.challenge.signed_message`: anything else (a
        bare server nonce, a TLS handshake hash, a document) raises NotAChallenge before any
        command reaches the card, so the card is never a signing oracle.

        Returns (signature, authentication certificate DER). RSA cards get algorithm 0x08
        (the card wraps SHA-256(message) in PKCS#1 v1.5), EC cards 0x02 (SHA-384, raw r||s);
        see devices.eid.integrity.verify_challenge_signature. The certificate names the
        citizen: it comes back as a bytearray the caller zeroes, and the buffer read from
        the card is zeroed here.
        """
        if not is_signed_message(message):
            raise NotAChallenge("the card signs only this protocol's challenge messages")
        certificate = self.read_file(AUTH_CERTIFICATE, der=True)
        if certificate is None:
            raise CardStatusError("reading the authentication certificate", _SW_FILE_NOT_FOUND)
        from cryptography import x509
        from cryptography.hazmat.primitives.asymmetric import ec

        try:
            der = certificate[: declared_der_size(certificate) or len(certificate)]
            key = x509.load_der_x509_certificate(bytes(der)).public_key()
        finally:
            certificate[:] = bytes(len(certificate))
        if isinstance(key, ec.EllipticCurvePublicKey):
            algorithm, digest = 0x02, hashlib.sha384(message).digest()
        else:
            algorithm, digest = 0x08, hashlib.sha256(message).digest()
        # MSE SET: digital signature template, this algorithm, key 0x82 (authentication).
        mse_set = bytes([0x00, 0x22, 0x41, 0xB6, 0x05, 0x04, 0x80, algorithm, 0x84, 0x82])
        self._expect_ok(mse_set, "MSE SET")
        signature = self._expect_ok(
            bytes([0x00, 0x2A, 0x9E, 0x9A, len(digest)]) + digest, "PSO COMPUTE DIGITAL SIGNATURE"
        )
        return signature, der

    # Chip authentication --------------------------------------------------------------

    def internal_authenticate(self, challenge: bytes) -> bytes:
        """INTERNAL AUTHENTICATE with the basic key (applet 1.8, RM18 §6.11; no PIN needed).

        `challenge` is fresh random bytes the chip signs as an off-card hash with the private
        half of the key in file 4040: 32, 48 or 64 bytes for the SHA-256, SHA-384 or SHA-512
        scheme of a 256, 384 or 512/521-bit key (RM18 table 33). The answer is the plain
        r || s; check it with devices.eid.integrity.verify_internal_authenticate. Raises
        CardStatusError when the card refuses (a chip without the basic key answers 6A88).
        """
        algorithm = _INTERNAL_AUTHENTICATE_ALGORITHMS.get(len(challenge))
        if algorithm is None:
            raise ValueError("the basic-key challenge is 32, 48 or 64 bytes (a hash's size)")
        data = bytes([0x94, len(challenge)]) + challenge  # tag 94: the challenge (CHL)
        command = bytes([0x00, 0x88, algorithm, 0x81, len(data)]) + data
        return self._expect_ok(command, "INTERNAL AUTHENTICATE")


def _raise_for_pin_status(sw: int) -> None:
    if sw == _SW_OK:
        return
    if sw == 0x6983:
        raise PinBlocked()
    if sw >> 4 == 0x63C:
        tries = sw & 0xF
        if tries == 0:
            raise PinBlocked()
        raise WrongPin(tries)
    raise CardStatusError("VERIFY", sw)
