"""BELPIC applet emulation: pure APDU processing, no sockets (see vpcd.py / simreader.py).

Implements, per the Belpic 1.7 and 1.8 reference manuals (RM17, RM18): SELECT (by AID, by FID,
by path), READ BINARY, GET CARD DATA, GET RESPONSE, VERIFY, CHANGE REFERENCE DATA, LOG OFF,
MSE:SET, PSO:COMPUTE DIGITAL SIGNATURE for the authentication key (0x82) and, on 1.8,
INTERNAL AUTHENTICATE with the basic key (0x81). READ RECORD and the non-repudiation key (0x83)
are not emulated (6D00 / 6A88).

Signing with the authentication key: exactly what the host sends and what the card signs
----------------------------------------------------------------------------------------
1. ``00 20 00 01 08 <PIN block>`` (VERIFY) -> 9000. The PIN block is 8 bytes: nibble 2, the PIN
   length nibble, the BCD digits, then F padding ("1234" -> ``24 12 34 FF FF FF FF FF``).
2. ``00 22 41 B6 05 04 80 <alg> 84 82`` (MSE:SET) -> 9000.
3. ``00 2A 9E 9A <Lc> <DTBS>`` (PSO:CDS; in T=0 without Le, a trailing Le is tolerated).
   With ``strict_t0`` (the default, like a real card) the answer is ``61 xx`` and the host
   fetches the signature with ``00 C0 00 00 xx`` (xx=00 means 256). Without strict_t0 the
   signature comes back directly with 9000.
   Errors: 6985 without a prior MSE:SET, 6982 without a successful VERIFY since power-on
   (a wrong PIN also drops it), 6700 when the DTBS length does not fit the algorithm.

Applet 1.7, RSA-2048: the 256-byte answer is the RSASSA-PKCS1-v1_5 signature, i.e. the RSA
private operation on ``00 01 FF..FF 00 || DigestInfo(hash)``.
  - alg 0x08 (recommended): DTBS = the 32-byte SHA-256 hash; the card prepends the SHA-256
    DigestInfo. Verify: ``pub.verify(sig, digest, PKCS1v15(), Prehashed(SHA256()))``,
    or ``pub.verify(sig, message, PKCS1v15(), SHA256())``.
  - alg 0x02: DTBS = 20-byte SHA-1 hash (SHA-1 DigestInfo added by the card); 0x04: 16-byte MD5.
  - alg 0x01 ("no predefined padding"): DTBS = the DigestInfo DER itself (at most 245 bytes);
    the card only adds the ``00 01 FF..FF 00`` padding.
  - alg 0x10 / 0x20: RSASSA-PSS with SHA-1 / SHA-256, MGF1 with the same hash, salt length
    equal to the hash length; DTBS = the hash.
Applet 1.8, EC P-384: DTBS is a hash computed by the host, signed as-is (no hashing on card);
the answer is 96 bytes ``r || s`` (each 48 bytes, big-endian), not DER.
  - alg 0x02 (recommended): 48-byte SHA-384 hash. 0x01: 32-byte SHA-256, 0x04: 64-byte SHA-512,
    0x08/0x10/0x20: SHA3-256/384/512 hashes, 0x40: any hash of 20, 28, 32, 48 or 64 bytes.
  - Verify: ``pub.verify(encode_dss_signature(r, s), digest, ECDSA(Prehashed(SHA384())))``.
Card authentication (1.8 only, no PIN): ``00 88 02 81 32 94 30 <48-byte challenge>`` ->
61 60 -> ``00 C0 00 00 60`` -> r || s over the challenge used as a SHA-384 digest, made with
the basic key whose SubjectPublicKeyInfo is file 4040.

Fault injection: `pull_out_after(n)` removes the card after n more APDUs (the n-th is still
answered), `set_mute(True)` makes it stop answering; `apdu_count` counts processed APDUs.
Nothing here logs APDU data: it carries citizen data and PINs.
"""

from __future__ import annotations

import hmac
import threading
from collections.abc import Callable

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from cryptography.hazmat.primitives.asymmetric.utils import Prehashed, decode_dss_signature

from devices.eid.emulator.cardfiles import DF_PKCS15, MF, EmulatedCardContent, FilePath

BELPIC_AID = bytes.fromhex("A0 00 00 00 30 29 05 70 00 AD 13 10 01 01 FF")
PKCS15_AID = bytes.fromhex("A0 00 00 01 77 50 4B 43 53 2D 31 35")
PIN_TRIES = 3

SW_OK = b"\x90\x00"
SW_WRONG_LENGTH = b"\x67\x00"
SW_SECURITY_NOT_SATISFIED = b"\x69\x82"
SW_PIN_BLOCKED = b"\x69\x83"
SW_CONDITIONS_NOT_SATISFIED = b"\x69\x85"
SW_NO_CURRENT_EF = b"\x69\x86"
SW_WRONG_DATA = b"\x6a\x80"
SW_FILE_NOT_FOUND = b"\x6a\x82"
SW_WRONG_P1P2_SELECT = b"\x6a\x86"
SW_LC_INCONSISTENT = b"\x6a\x87"
SW_REF_NOT_FOUND = b"\x6a\x88"
SW_WRONG_P1P2 = b"\x6b\x00"
SW_INS_NOT_SUPPORTED = b"\x6d\x00"
SW_CLA_NOT_SUPPORTED = b"\x6e\x00"

_DIGEST_INFO = {
    0x02: bytes.fromhex("3021300906052b0e03021a05000414"),  # SHA-1
    0x04: bytes.fromhex("3020300c06082a864886f70d020505000410"),  # MD5
    0x08: bytes.fromhex("3031300d060960864801650304020105000420"),  # SHA-256
}
_RSA_PSS: dict[int, Callable[[], hashes.HashAlgorithm]] = {
    0x10: hashes.SHA1,
    0x20: hashes.SHA256,
}
_EC_HASH_LENGTH = {0x01: 32, 0x02: 48, 0x04: 64, 0x08: 32, 0x10: 48, 0x20: 64}
_EC_PREHASH_BY_LENGTH: dict[int, Callable[[], hashes.HashAlgorithm]] = {
    20: hashes.SHA1,  # only sizes the prehashed digest
    28: hashes.SHA224,
    32: hashes.SHA256,
    48: hashes.SHA384,
    64: hashes.SHA512,
}
_EC_HASH_ANY = 0x40


class EmulatedCardError(Exception):
    """The emulated card cannot answer."""


class CardRemovedError(EmulatedCardError):
    """The card was pulled out of the reader."""


class CardMuteError(EmulatedCardError):
    """The card is inserted but does not answer (mute, or not powered)."""


def pin_block(pin: str) -> bytes:
    """The 8-byte VERIFY data for `pin` (RM17/RM18 §3.2)."""
    if not (pin.isdigit() and 4 <= len(pin) <= 12):
        raise ValueError("a PIN is 4 to 12 digits")
    nibbles = f"2{len(pin):X}{pin}".ljust(16, "F")
    return bytes.fromhex(nibbles)


def _decode_pin_block(block: bytes) -> str | None:
    nibbles = block.hex().upper()
    if len(block) != 8 or nibbles[0] != "2":
        return None
    length = int(nibbles[1], 16)
    digits, fill = nibbles[2 : 2 + length], nibbles[2 + length :]
    if not 4 <= length <= 12 or not digits.isdigit() or fill != "F" * len(fill):
        return None
    return digits


def _sw(sw1: int, sw2: int) -> bytes:
    return bytes([sw1, sw2 & 0xFF])


def _le(body: bytes) -> int | None:
    """Le of a case-2 command (00 = 256), None when the body is not just one Le byte."""
    if len(body) != 1:
        return None
    return body[0] or 256


def _command_data(body: bytes) -> bytes | None:
    """Data of a case-3/4 command; a trailing Le is tolerated, None when Lc is inconsistent."""
    if not body:
        return b""
    lc = body[0]
    if len(body) in (1 + lc, 2 + lc):
        return body[1 : 1 + lc]
    return None


class BelpicApplet:
    """One card: its files and keys, PIN counter, and the volatile session state."""

    def __init__(
        self,
        content: EmulatedCardContent,
        pin: str = "1234",
        *,
        strict_t0: bool = True,
        pin_tries_left: int = PIN_TRIES,
        accept_mf_in_path: bool = True,
    ) -> None:
        pin_block(pin)  # validates the PIN format
        self.content = content
        self.strict_t0 = strict_t0
        self.accept_mf_in_path = accept_mf_in_path
        self._pin = pin
        self._tries = pin_tries_left
        self._files = content.files
        self._dfs = {path[:i] for path in self._files for i in range(1, len(path))}
        self._lock = threading.RLock()
        self._present = True
        self._mute = False
        self._pull_out_at: int | None = None
        self.apdu_count = 0
        self._power_up()

    # -- power and fault injection -----------------------------------------------------------

    def atr(self) -> bytes:
        return self.content.atr

    def power_on(self) -> None:
        with self._lock:
            self._power_up()

    def reset(self) -> None:
        with self._lock:
            self._power_up()

    def power_off(self) -> None:
        with self._lock:
            self._powered = False
            self._verified = False
            self._pending = b""

    def _power_up(self) -> None:
        # After reset the applet is default-selected with the MF current (RM18 §2).
        self._powered = True
        self._applet_selected = True
        self._current_df: FilePath = (MF,)
        self._current_ef: FilePath | None = None
        self._verified = False
        self._se: tuple[int, int] | None = None
        self._pending = b""

    @property
    def present(self) -> bool:
        return self._present

    @property
    def pin_tries_left(self) -> int:
        return self._tries

    def pull_out_after(self, n_apdus: int) -> None:
        """Remove the card once `n_apdus` more APDUs have been answered (0: right now)."""
        with self._lock:
            self._pull_out_at = self.apdu_count + n_apdus
            if n_apdus <= 0:
                self._present = False

    def remove(self) -> None:
        self.pull_out_after(0)

    def reinsert(self) -> None:
        """Put the card back: present, powered, session state cleared, PIN counter kept."""
        with self._lock:
            self._present = True
            self._pull_out_at = None
            self._power_up()

    def set_mute(self, mute: bool = True) -> None:
        with self._lock:
            self._mute = mute

    # -- APDUs -------------------------------------------------------------------------------

    def process(self, apdu: bytes | bytearray) -> bytes:
        """Answer one command APDU with a response APDU (data || SW1 SW2)."""
        with self._lock:
            if not self._present:
                raise CardRemovedError("card removed")
            if self._mute or not self._powered:
                raise CardMuteError("card mute")
            self.apdu_count += 1
            try:
                return self._dispatch(bytes(apdu))
            finally:
                if self._pull_out_at is not None and self.apdu_count >= self._pull_out_at:
                    self._present = False

    def _dispatch(self, apdu: bytes) -> bytes:
        if len(apdu) < 4:
            return SW_WRONG_LENGTH
        cla, ins, p1, p2 = apdu[:4]
        body = apdu[4:]
        if ins != 0xC0:
            self._pending = b""  # GET RESPONSE must follow its command immediately
        handler = self._handlers().get(ins)
        if handler is None:
            return SW_INS_NOT_SUPPORTED
        expected_cla, method = handler
        if cla != expected_cla:
            return SW_CLA_NOT_SUPPORTED
        if not self._applet_selected and ins != 0xA4:
            return SW_INS_NOT_SUPPORTED
        return method(p1, p2, body)

    def _handlers(self) -> dict[int, tuple[int, Callable[[int, int, bytes], bytes]]]:
        return {
            0xA4: (0x00, self._select),
            0xB0: (0x00, self._read_binary),
            0xC0: (0x00, self._get_response),
            0x20: (0x00, self._verify),
            0x24: (0x00, self._change_pin),
            0x22: (0x00, self._mse_set),
            0x2A: (0x00, self._pso_cds),
            0x88: (0x00, self._internal_authenticate),
            0xE4: (0x80, self._get_card_data),
            0xE6: (0x80, self._log_off),
        }

    def _case4_answer(self, data: bytes) -> bytes:
        """T=0 cannot return data to a case-4 command: announce it with 61xx instead."""
        if not self.strict_t0:
            return data + SW_OK
        self._pending = data
        return _sw(0x61, len(data))

    # SELECT ----------------------------------------------------------------------------------

    def _select(self, p1: int, p2: int, body: bytes) -> bytes:
        if p2 != 0x0C:
            return SW_WRONG_P1P2_SELECT
        data = _command_data(body)
        if data is None:
            return SW_LC_INCONSISTENT
        if p1 == 0x04:
            return self._select_aid(data)
        if p1 == 0x02:
            if len(data) != 2:
                return SW_LC_INCONSISTENT
            target = self._resolve_fid(int.from_bytes(data, "big"))
        elif p1 == 0x08:
            if len(data) < 2 or len(data) % 2:
                return SW_LC_INCONSISTENT
            fids = tuple(int.from_bytes(data[i : i + 2], "big") for i in range(0, len(data), 2))
            if fids[0] == MF and self.accept_mf_in_path:
                fids = fids[1:]  # the minidriver and commons-eid include 3F00; cards accept it
            target = (MF, *fids)
        else:
            return SW_WRONG_P1P2_SELECT
        if target is None or not self._exists(target):
            return SW_FILE_NOT_FOUND
        self._make_current(target)
        return SW_OK

    def _select_aid(self, aid: bytes) -> bytes:
        if not aid:
            self._applet_selected = False  # an empty AID selects the card manager (RM18 §6.6)
            return SW_OK
        if not 5 <= len(aid) <= 16:
            return SW_LC_INCONSISTENT
        if aid == BELPIC_AID:
            self._applet_selected = True
            self._make_current((MF,))
            return SW_OK
        if aid == PKCS15_AID and self._applet_selected:
            self._make_current((MF, DF_PKCS15))
            return SW_OK
        return SW_FILE_NOT_FOUND

    def _resolve_fid(self, fid: int) -> FilePath | None:
        """ISO 7816-4 FID scope: the MF, the current DF, its children, its parent, sibling DFs."""
        if fid == MF:
            return (MF,)
        df = self._current_df
        candidates: list[FilePath] = [(*df, fid)]
        if df[-1] == fid:
            candidates.append(df)
        if len(df) > 1:
            parent = df[:-1]
            if parent[-1] == fid:
                candidates.append(parent)
            if (*parent, fid) in self._dfs:
                candidates.append((*parent, fid))
        return next((c for c in candidates if self._exists(c)), None)

    def _exists(self, path: FilePath) -> bool:
        return path in self._files or path in self._dfs

    def _make_current(self, path: FilePath) -> None:
        if path in self._files:
            self._current_df, self._current_ef = path[:-1], path
        else:
            self._current_df, self._current_ef = path, None

    # READ BINARY, GET CARD DATA, GET RESPONSE -----------------------------------------------

    def _read_binary(self, p1: int, p2: int, body: bytes) -> bytes:
        le = _le(body)
        if le is None:
            return SW_WRONG_LENGTH
        if self._current_ef is None:
            return SW_NO_CURRENT_EF
        if p1 & 0x80:
            return SW_WRONG_P1P2  # short EF identifiers are not supported by BELPIC
        data = self._files[self._current_ef]
        offset = (p1 << 8) | p2
        if offset >= len(data):
            return SW_WRONG_P1P2
        remaining = len(data) - offset
        if le > remaining:
            if self.strict_t0:
                return _sw(0x6C, remaining)
            return data[offset:] + SW_OK
        return data[offset : offset + le] + SW_OK

    def _get_card_data(self, p1: int, p2: int, body: bytes) -> bytes:
        if p1 != 0x00 or p2 not in (0x00, 0x01) or (p2 == 0x01 and self.content.applet != "1.8"):
            return SW_WRONG_P1P2
        data = self.content.card_data
        if p2 == 0x01:
            data += bytes([self._tries, 0xFF, 0xFF])
        le = _le(body)
        if le == len(data) or (le is not None and le > len(data) and not self.strict_t0):
            return data + SW_OK
        return _sw(0x6C, len(data))

    def _get_response(self, p1: int, p2: int, body: bytes) -> bytes:
        if p1 or p2:
            return SW_WRONG_P1P2
        le = _le(body)
        if le is None:
            return SW_WRONG_LENGTH
        if not self._pending:
            return SW_CONDITIONS_NOT_SATISFIED
        if le > len(self._pending):
            return _sw(0x6C, len(self._pending))
        out, self._pending = self._pending[:le], self._pending[le:]
        return out + (_sw(0x61, len(self._pending)) if self._pending else SW_OK)

    # PIN -------------------------------------------------------------------------------------

    def _verify(self, p1: int, p2: int, body: bytes) -> bytes:
        if p1 != 0x00:
            return SW_WRONG_P1P2_SELECT
        if p2 != 0x01:
            return SW_REF_NOT_FOUND
        data = _command_data(body)
        if data is None:
            return SW_WRONG_LENGTH
        if not data:  # status query, spends no try (RM17/RM18 VERIFY with Lc=0)
            if self._tries == 0:
                return SW_PIN_BLOCKED
            return SW_OK if self._verified else _sw(0x63, 0xC0 | self._tries)
        if len(data) != 8:
            return SW_WRONG_LENGTH
        if self._tries == 0:
            return SW_PIN_BLOCKED
        presented = _decode_pin_block(data)
        if presented is None:
            return SW_WRONG_DATA
        return self._check_pin(presented)

    def _check_pin(self, presented: str) -> bytes:
        if hmac.compare_digest(presented.encode(), self._pin.encode()):
            self._tries = PIN_TRIES
            self._verified = True
            return SW_OK
        self._tries -= 1
        self._verified = False  # a wrong PIN drops every PIN access right
        return _sw(0x63, 0xC0 | self._tries)

    def _change_pin(self, p1: int, p2: int, body: bytes) -> bytes:
        if p1 != 0x00:
            return SW_WRONG_P1P2_SELECT
        if p2 != 0x01:
            return SW_REF_NOT_FOUND
        data = _command_data(body)
        if data is None or len(data) != 16:
            return SW_WRONG_LENGTH
        if self._tries == 0:
            return SW_PIN_BLOCKED
        old, new = _decode_pin_block(data[:8]), _decode_pin_block(data[8:])
        if old is None or new is None:
            return SW_WRONG_DATA
        answer = self._check_pin(old)
        if answer == SW_OK:
            self._pin = new
        return answer

    def _log_off(self, p1: int, p2: int, body: bytes) -> bytes:
        if p1 or p2:
            return SW_WRONG_P1P2
        self._verified = False
        return SW_OK

    # Signatures ------------------------------------------------------------------------------

    def _mse_set(self, p1: int, p2: int, body: bytes) -> bytes:
        if (p1, p2) != (0x41, 0xB6):
            return SW_WRONG_P1P2
        data = _command_data(body)
        if data is None or len(data) != 5:
            return SW_WRONG_LENGTH
        if data[0] != 0x04 or data[1] != 0x80 or data[3] != 0x84:
            return SW_WRONG_DATA
        algorithm, key_ref = data[2], data[4]
        supported = (
            set(_DIGEST_INFO) | set(_RSA_PSS) | {0x01}
            if self.content.applet == "1.7"
            else set(_EC_HASH_LENGTH) | {_EC_HASH_ANY}
        )
        if algorithm not in supported:
            return SW_WRONG_DATA
        if key_ref != 0x82:
            return SW_REF_NOT_FOUND  # only the authentication key is emulated
        self._se = (algorithm, key_ref)
        return SW_OK

    def _pso_cds(self, p1: int, p2: int, body: bytes) -> bytes:
        if (p1, p2) != (0x9E, 0x9A):
            return SW_WRONG_P1P2
        dtbs = _command_data(body)
        if dtbs is None:
            return SW_WRONG_LENGTH
        if self._se is None:
            return SW_CONDITIONS_NOT_SATISFIED
        if not self._verified:
            return SW_SECURITY_NOT_SATISFIED
        key = self.content.auth_key
        algorithm = self._se[0]
        if isinstance(key, rsa.RSAPrivateKey):
            signature = _rsa_sign(key, algorithm, dtbs)
        else:
            signature = _ec_sign(key, algorithm, dtbs)
        if signature is None:
            return SW_WRONG_LENGTH
        return self._case4_answer(signature)

    def _internal_authenticate(self, p1: int, p2: int, body: bytes) -> bytes:
        basic = self.content.basic_key
        if p2 != 0x81 or basic is None:
            return SW_REF_NOT_FOUND
        if p1 not in (0x01, 0x02, 0x04):
            return SW_WRONG_P1P2
        data = _command_data(body)
        if data is None:
            return SW_WRONG_LENGTH
        expected = _EC_HASH_LENGTH[p1]
        if len(data) != 2 + expected or data[0] != 0x94 or data[1] != expected:
            return SW_WRONG_DATA
        signature = _ec_sign(basic, p1, data[2:])
        if signature is None:
            return SW_WRONG_DATA
        self._se = None  # RM18 §6.11: a successful INTERNAL AUTHENTICATE clears the SE
        return self._case4_answer(signature)


def _rsa_sign(key: rsa.RSAPrivateKey, algorithm: int, dtbs: bytes) -> bytes | None:
    if algorithm in _RSA_PSS:
        hash_algorithm = _RSA_PSS[algorithm]()
        if len(dtbs) != hash_algorithm.digest_size:
            return None
        pss = padding.PSS(mgf=padding.MGF1(hash_algorithm), salt_length=hash_algorithm.digest_size)
        return key.sign(dtbs, pss, Prehashed(hash_algorithm))
    if algorithm == 0x01:
        digest_info = dtbs
    else:
        prefix = _DIGEST_INFO[algorithm]
        if len(dtbs) != prefix[-1]:  # the DigestInfo's last byte is the hash length
            return None
        digest_info = prefix + dtbs
    size = (key.key_size + 7) // 8
    if len(digest_info) > size - 11:
        return None
    block = b"\x00\x01" + b"\xff" * (size - 3 - len(digest_info)) + b"\x00" + digest_info
    return _rsa_private_op(key, block)


def _rsa_private_op(key: rsa.RSAPrivateKey, block: bytes) -> bytes:
    """Raw RSA (CRT) on an already padded block: the card pads, the library would re-pad."""
    numbers = key.private_numbers()
    c = int.from_bytes(block, "big")
    m1 = pow(c, numbers.dmp1, numbers.p)
    m2 = pow(c, numbers.dmq1, numbers.q)
    h = (numbers.iqmp * (m1 - m2)) % numbers.p
    return (m2 + h * numbers.q).to_bytes((key.key_size + 7) // 8, "big")


def _ec_sign(key: ec.EllipticCurvePrivateKey, algorithm: int, digest: bytes) -> bytes | None:
    expected = _EC_HASH_LENGTH.get(algorithm)
    if expected is not None and len(digest) != expected:
        return None
    prehash = _EC_PREHASH_BY_LENGTH.get(len(digest))
    if prehash is None:
        return None
    r, s = decode_dss_signature(key.sign(digest, ec.ECDSA(Prehashed(prehash()))))
    size = (key.curve.key_size + 7) // 8
    return r.to_bytes(size, "big") + s.to_bytes(size, "big")
