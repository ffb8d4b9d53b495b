"""Files of an emulated BELPIC card, built and signed like a real card's.

`build_card(profile, pki, applet)` personalises a card: identity 4031, its RRN signature 4032,
address 4033 and 4034 (signed over rstrip_zeros(4033) || 4032), photo 4035, the certificate
files of DF00, 4040 and the GET CARD DATA bytes. Nothing here talks APDUs; see applet.py.
Every citizen in this module is fictitious.
"""

from __future__ import annotations

import dataclasses
import datetime
import hashlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Literal

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa

from devices.eid.emulator.testpki import Applet, Issuer, PrivateKey, TestPki
from devices.eid.tlv import encode_tlv

FilePath = tuple[int, ...]

MF = 0x3F00
DF_PKCS15 = 0xDF00
DF_ID = 0xDF01

ID_FILE: FilePath = (MF, DF_ID, 0x4031)
ID_SIGNATURE: FilePath = (MF, DF_ID, 0x4032)
ADDRESS_FILE: FilePath = (MF, DF_ID, 0x4033)
ADDRESS_SIGNATURE: FilePath = (MF, DF_ID, 0x4034)
PHOTO_FILE: FilePath = (MF, DF_ID, 0x4035)
BASIC_KEY_FILE: FilePath = (MF, DF_ID, 0x4040)
TOKEN_INFO: FilePath = (MF, DF_PKCS15, 0x5032)
AUTH_CERT: FilePath = (MF, DF_PKCS15, 0x5038)
NONREP_CERT: FilePath = (MF, DF_PKCS15, 0x5039)
CA_CERT: FilePath = (MF, DF_PKCS15, 0x503A)
ROOT_CERT: FilePath = (MF, DF_PKCS15, 0x503B)
RRN_CERT: FilePath = (MF, DF_PKCS15, 0x503C)
RRN_CA_CERT: FilePath = (MF, DF_PKCS15, 0x503D)  # defined by the middleware; genuine cards: none

ATR_17 = bytes.fromhex("3B 98 13 40 0A A5 03 01 01 01 AD 13 11")  # C5.4 §2.3, v02 (2004)
ATR_18 = bytes.fromhex("3B 7F 96 00 00 80 31 80 65 B0 85 04 01 20 12 0F FF 82 90 00")  # v04

EC_SIGNATURE_FILE_SIZE = 0x68  # largest DER ECDSA P-384 signature; shorter ones are 00-padded
ADDRESS_FILE_SIZE = {"1.7": 117, "1.8": 121}
CERT_PADDING = {"1.7": 50, "1.8": 1100}
ABSENT_CERT = bytes(2500)  # C5.4 §8: a certificate file nobody wrote
FILE_STRUCTURE_VERSION = b"\x00\x02"  # tag 00 on 1.8 ID/address files (C5.4 §6.2.2)

# GET CARD DATA bytes 16..27: component, OS, OS version, softmask, softmask version, applet,
# global OS version (2), interface version, PKCS#1 support, key exchange, life cycle.
_CARD_DATA_TAIL = {
    "1.7": bytes.fromhex("F3 36 01 25 01 17 00 03 00 21 01 0F"),  # a real card (OpenSC #1112)
    "1.8": bytes.fromhex("D0 48 01 30 01 18 00 01 00 00 02 0F"),  # RM18 table 47 values
}


def _tlv_span(data: bytes, wanted: int) -> tuple[int, int]:
    """(start, end) of the value of tag `wanted` in a BELPIC TLV file.

    The forgeries below alter bytes in place after signing, so they need offsets, which the
    kiosk's parser (devices.eid.tlv) has no reason to expose.
    """
    pos = 0
    while pos < len(data):
        tag = data[pos]
        pos += 1
        length = 0
        while data[pos] == 0xFF:
            length += 255
            pos += 1
        length += data[pos]
        pos += 1
        if tag == wanted:
            return pos, pos + length
        pos += length
    raise KeyError(f"tag {wanted:02X} not in file")


# -- citizens -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class CitizenProfile:
    """What the National Register personalises on a card. Strings are as printed on the card."""

    surname: str
    first_names: str
    third_initial: str
    national_number: str
    nationality: str
    birth_place: str
    birth_date: str  # "DD mmmm YYYY", e.g. "01 JAN 1971" or "14 FEV 1987"
    sex: str  # M, or F/V/W
    noble_condition: str
    document_type: str  # "1" = Belgian eID
    special_status: str
    card_number: str  # 12 digits
    chip_number: bytes  # 16 bytes, also the GET CARD DATA serial
    validity_begin: str  # DD.MM.YYYY
    validity_end: str
    delivery_municipality: str
    street_and_number: str
    zip_code: str
    municipality: str
    photo: bytes  # JPEG
    extra_identity_tags: tuple[tuple[int, bytes], ...] = field(default=())  # tags 12..1F


def national_number(birth: datetime.date, serial: int) -> str:
    """YYMMDD + 3-digit serial + mod-97 check; births from 2000 prefix a '2' before the mod."""
    if not 1 <= serial <= 998:
        raise ValueError("serial must be 001..998")
    first9 = f"{birth:%y%m%d}{serial:03d}"
    base = int(first9) + (2_000_000_000 if birth.year >= 2000 else 0)
    return f"{first9}{97 - base % 97:02d}"


def card_number(ten_digits: int) -> str:
    """Belgian card numbers end in the number mod 97 (97 when that is 0)."""
    check = ten_digits % 97 or 97
    return f"{ten_digits:010d}{check:02d}"


_FR_MONTHS = (
    "JAN",
    "FEV",
    "MARS",
    "AVR",
    "MAI",
    "JUIN",
    "JUIL",
    "AOUT",
    "SEPT",
    "OCT",
    "NOV",
    "DEC",
)
_NL_MONTHS = ("JAN", "FEB", "MAAR", "APR", "MEI", "JUN", "JUL", "AUG", "SEP", "OKT", "NOV", "DEC")


def _card_date(day: datetime.date) -> str:
    return f"{day:%d.%m.%Y}"


def _ten_years_after(day: datetime.date) -> datetime.date:
    try:
        return day.replace(year=day.year + 10)
    except ValueError:  # 29 February
        return day.replace(year=day.year + 10, day=28)


def demo_profile() -> CitizenProfile:
    """The fictitious Brussels citizen of the demo card."""
    born = datetime.date(1987, 2, 14)
    issued = datetime.date(2024, 3, 15)
    return CitizenProfile(
        surname="Van den Broeck-Dupré",
        first_names="Élise Marie",
        third_initial="J",
        national_number=national_number(born, 246),
        nationality="Belge",
        birth_place="Ixelles",
        birth_date="14 FEV 1987",
        sex="F",
        noble_condition="",
        document_type="1",
        special_status="0",
        card_number=card_number(5_921_234_567),
        chip_number=b"KIOSKEMU" + bytes.fromhex("0000000000000001"),
        validity_begin=_card_date(issued),
        validity_end=_card_date(_ten_years_after(issued)),
        delivery_municipality="Bruxelles",
        street_and_number="Rue de la Montagne 7 bte 2",
        zip_code="1000",
        municipality="Bruxelles",
        photo=portrait_jpeg(seed=1),
    )


_SURNAMES = ("Peeters", "Janssens", "El Amrani", "Dubois", "Lambert", "Wouters", "Nowak", "Öztürk")
_FIRST = ("Amélie", "Dries", "Chloë", "Yasmine", "Émile", "Zoë", "Jürgen", "Noé", "Inès", "Lucas")
_SECOND = ("Marie", "Jan", "Sofia", "Mehdi", "Anna", "Pieter")
_BIRTH_PLACES = ("Bruxelles", "Anderlecht", "Schaerbeek", "Gent", "Liège", "Tanger", "Kraków")
_STREETS = (
    "Rue Haute",
    "Boulevard Anspach",
    "Rue de Laeken",
    "Avenue de la Reine",
    "Chaussée de Vilvorde",
    "Rue du Lombard",
)
# The City of Brussels' own postcodes, with the name the card carries.
_CITY_ZIPS = (("1000", "Bruxelles"), ("1020", "Laeken"), ("1120", "Bruxelles"), ("1130", "Haren"))


def canary_profile(n: int) -> CitizenProfile:
    """The n-th of a series of distinct fake citizens (0 <= n < 25000), for leak-hunting tests.

    Every national number is valid and different; surnames carry a grep-able `Canari<n>`.
    """
    if not 0 <= n < 25_000:
        raise ValueError("n must be in 0..24999")
    # 7919 is coprime with 25000, so each n gets its own birth day (1945..2013).
    born = datetime.date(1945, 1, 1) + datetime.timedelta(days=(n * 7919) % 25_000)
    serial = 1 + (n * 13) % 997
    zip_code, municipality = _CITY_ZIPS[n % len(_CITY_ZIPS)]
    dutch = n % 3 == 0
    months = _NL_MONTHS if dutch else _FR_MONTHS
    issued = datetime.date(2024, 1, 1) + datetime.timedelta(days=n % 700)
    return CitizenProfile(
        surname=f"{_SURNAMES[n % len(_SURNAMES)]}-Canari{n:04d}",
        first_names=f"{_FIRST[n % len(_FIRST)]} {_SECOND[n % len(_SECOND)]}",
        third_initial=chr(ord("A") + n % 26),
        national_number=national_number(born, serial),
        nationality="BELG" if dutch else "Belge",
        birth_place=_BIRTH_PLACES[n % len(_BIRTH_PLACES)],
        birth_date=f"{born.day:02d} {months[born.month - 1]} {born.year}",
        sex=("M" if serial % 2 else ("V" if dutch else "F")),
        noble_condition="",
        document_type="1",
        special_status="0",
        card_number=card_number(5_920_000_000 + n),
        chip_number=b"KIOSKCAN" + n.to_bytes(8, "big"),
        validity_begin=_card_date(issued),
        validity_end=_card_date(_ten_years_after(issued)),
        delivery_municipality=municipality,
        street_and_number=f"{_STREETS[n % len(_STREETS)]} {1 + n % 180}",
        zip_code=zip_code,
        municipality=municipality,
        photo=portrait_jpeg(seed=1000 + n),
    )


# -- the card -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class EmulatedCardContent:
    """A personalised card: files by full path from 3F00, plus the on-card private keys."""

    applet: Applet
    atr: bytes
    files: Mapping[FilePath, bytes]
    card_data: bytes  # the 28-byte GET CARD DATA response (P2=00)
    auth_key: PrivateKey  # key reference 0x82
    basic_key: ec.EllipticCurvePrivateKey | None  # key reference 0x81, 1.8 only
    auth_cert: x509.Certificate
    rrn_cert: x509.Certificate
    profile: CitizenProfile

    def file(self, fid: int) -> bytes:
        """A file's bytes by its last FID (e.g. 0x4031)."""
        for path, data in self.files.items():
            if path[-1] == fid:
                return data
        raise KeyError(f"no file {fid:04X}")

    def with_file(self, path: FilePath, data: bytes) -> EmulatedCardContent:
        files = dict(self.files)
        files[path] = data
        return dataclasses.replace(self, files=MappingProxyType(files))


def build_card(
    profile: CitizenProfile,
    pki: TestPki,
    applet: Applet = "1.7",
    *,
    rrn_hash: Literal["sha1", "sha256"] = "sha1",
    fresh_key: bool = True,
) -> EmulatedCardContent:
    """Personalise a card for `profile`, signed by the RRN key of `pki`.

    On 1.7 the RRN signs with RSA PKCS#1 v1.5 over SHA-1 (`rrn_hash="sha256"` gives a
    "re-signed" card); on 1.8 with ECDSA P-384/SHA-384, DER zero-padded to 0x68 bytes.
    Use `pki.forged()` for a card whose RRN certificate chains to an untrusted root.
    """
    keys = pki.issue_card_keys(
        applet,
        surname=profile.surname,
        given_name=profile.first_names.split(" ")[0] or "-",
        national_number=profile.national_number,
        fresh_key=fresh_key,
    )
    rrn = pki.rrn(applet)
    basic_spki = b""
    if keys.basic_key is not None:
        basic_spki = keys.basic_key.public_key().public_bytes(
            serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
        )
    identity = identity_file(profile, applet, basic_spki)
    address = address_file(profile, applet)
    identity_sig = rrn_sign(rrn.key, identity, rrn_hash)
    address_sig = rrn_sign(rrn.key, address.rstrip(b"\x00") + identity_sig, rrn_hash)

    pad = bytes(CERT_PADDING[applet])
    files: dict[FilePath, bytes] = {
        ID_FILE: identity,
        ID_SIGNATURE: identity_sig,
        ADDRESS_FILE: address,
        ADDRESS_SIGNATURE: address_sig,
        PHOTO_FILE: profile.photo,
        TOKEN_INFO: _token_info(profile, applet),
        AUTH_CERT: _der(keys.auth.cert) + pad,
        NONREP_CERT: ABSENT_CERT,
        CA_CERT: _der(keys.citizen_ca_cert) + pad,
        ROOT_CERT: _der(keys.root_cert) + pad,
        RRN_CERT: _der(rrn.cert) + pad,
    }
    if basic_spki:
        files[BASIC_KEY_FILE] = basic_spki
    return EmulatedCardContent(
        applet=applet,
        atr=ATR_17 if applet == "1.7" else ATR_18,
        files=MappingProxyType(files),
        card_data=profile.chip_number[:16].ljust(16, b"\x00") + _CARD_DATA_TAIL[applet],
        auth_key=keys.auth.key,
        basic_key=keys.basic_key,
        auth_cert=keys.auth.cert,
        rrn_cert=rrn.cert,
        profile=profile,
    )


def identity_file(profile: CitizenProfile, applet: Applet, basic_spki: bytes = b"") -> bytes:
    """4031: tags 01..11 (plus 00 and 1A on 1.8); the photo hash is SHA-1 on 1.7, SHA-384 on 1.8."""
    photo_hash = (
        hashlib.sha1(profile.photo).digest()  # noqa: S324 - the 1.7 card format mandates SHA-1
        if applet == "1.7"
        else hashlib.sha384(profile.photo).digest()
    )
    text = {
        0x01: profile.card_number,
        0x03: profile.validity_begin,
        0x04: profile.validity_end,
        0x05: profile.delivery_municipality,
        0x06: profile.national_number,
        0x07: profile.surname,
        0x08: profile.first_names,
        0x09: profile.third_initial,
        0x0A: profile.nationality,
        0x0B: profile.birth_place,
        0x0C: profile.birth_date,
        0x0D: profile.sex,
        0x0E: profile.noble_condition,
        0x0F: profile.document_type,
        0x10: profile.special_status,
    }
    fields: dict[int, bytes] = {tag: value.encode("utf-8") for tag, value in text.items()}
    fields[0x02] = profile.chip_number
    fields[0x11] = photo_hash
    if applet == "1.8":
        fields[0x00] = FILE_STRUCTURE_VERSION
        fields[0x1A] = hashlib.sha384(basic_spki).digest()
    fields.update(dict(profile.extra_identity_tags))
    return encode_tlv(sorted(fields.items()))


def address_file(profile: CitizenProfile, applet: Applet, street: str | None = None) -> bytes:
    """4033, zero-padded to the fixed file size."""
    fields = [
        (0x01, (profile.street_and_number if street is None else street).encode("utf-8")),
        (0x02, profile.zip_code.encode("ascii")),
        (0x03, profile.municipality.encode("utf-8")),
    ]
    if applet == "1.8":
        fields.insert(0, (0x00, FILE_STRUCTURE_VERSION))
    raw = encode_tlv(fields)
    size = ADDRESS_FILE_SIZE[applet]
    if len(raw) > size:
        raise ValueError("address does not fit the address file")
    return raw.ljust(size, b"\x00")


def rrn_sign(key: PrivateKey, data: bytes, rsa_hash: Literal["sha1", "sha256"] = "sha1") -> bytes:
    """Sign like the National Register: RSA PKCS#1 v1.5, or ECDSA P-384 padded to 0x68 bytes."""
    if isinstance(key, rsa.RSAPrivateKey):
        algorithm: hashes.HashAlgorithm = hashes.SHA1() if rsa_hash == "sha1" else hashes.SHA256()  # noqa: S303
        return key.sign(data, padding.PKCS1v15(), algorithm)
    der = key.sign(data, ec.ECDSA(hashes.SHA384()))
    return der.ljust(EC_SIGNATURE_FILE_SIZE, b"\x00")


def _der(cert: x509.Certificate) -> bytes:
    return cert.public_bytes(serialization.Encoding.DER)


def _token_info(profile: CitizenProfile, applet: Applet) -> bytes:
    """A small PKCS#15 TokenInfo; like MW expects, its last 4 bytes are personalisation versions.

    Approximation: version, serial, manufacturer, label, flags, then an octet string of
    (graphical perso, electrical perso, electrical perso interface, reserved) versions.
    """
    serial = profile.chip_number.hex().upper().encode("ascii")
    maker = b"Kiosk BELPIC emulator"
    versions = bytes([0x01, 0x03 if applet == "1.7" else 0x04, 0x00, 0x00])
    body = (
        b"\x02\x01\x00"
        + bytes([0x04, len(serial)])
        + serial
        + bytes([0x0C, len(maker)])
        + maker
        + b"\x80\x06BELPIC"
        + b"\x03\x02\x04\x30"
        + b"\x04\x04"
        + versions
    )
    length = bytes([len(body)]) if len(body) < 0x80 else bytes([0x81, len(body)])
    return b"\x30" + length + body


# -- forgeries ----------------------------------------------------------------------------------


def with_altered_identity(content: EmulatedCardContent) -> EmulatedCardContent:
    """Change one letter of the surname in 4031 after signing (4032 no longer matches)."""
    data = bytearray(content.files[ID_FILE])
    start, end = _tlv_span(bytes(data), 0x07)
    for i in range(start, end):
        if chr(data[i]).isascii() and chr(data[i]).isalpha():
            data[i] = data[i] + 1 if chr(data[i]) not in "zZ" else data[i] - 25
            break
    else:
        raise ValueError("surname has no ASCII letter to alter")
    return content.with_file(ID_FILE, bytes(data))


def with_altered_address(
    content: EmulatedCardContent, street: str = "Grand-Place 1"
) -> EmulatedCardContent:
    """Rewrite the street in 4033 but keep the original 4034."""
    return content.with_file(
        ADDRESS_FILE, address_file(content.profile, content.applet, street=street)
    )


def with_swapped_photo(
    content: EmulatedCardContent, photo: bytes | None = None
) -> EmulatedCardContent:
    """Replace 4035 with another JPEG; tag 11 in 4031 still hashes the original."""
    return content.with_file(PHOTO_FILE, photo if photo is not None else portrait_jpeg(seed=-1))


def with_rrn_signer(
    content: EmulatedCardContent, signer: Issuer, rrn_ca: x509.Certificate | None = None
) -> EmulatedCardContent:
    """Re-sign 4031 and 4033 with `signer`'s key, which 503C then carries (503D: `rrn_ca`):
    what someone holding another certificate's key would put on a card."""
    identity_sig = rrn_sign(signer.key, content.files[ID_FILE])
    address = content.files[ADDRESS_FILE]
    address_sig = rrn_sign(signer.key, address.rstrip(b"\x00") + identity_sig)
    pad = bytes(CERT_PADDING[content.applet])
    files = dict(content.files)
    files[ID_SIGNATURE] = identity_sig
    files[ADDRESS_SIGNATURE] = address_sig
    files[RRN_CERT] = _der(signer.cert) + pad
    if rrn_ca is not None:
        files[RRN_CA_CERT] = _der(rrn_ca) + pad
    return dataclasses.replace(content, files=MappingProxyType(files), rrn_cert=signer.cert)


# -- a tiny JPEG encoder for portraits ----------------------------------------------------------


def portrait_jpeg(seed: int, width: int = 140, height: int = 200, size: int = 3064) -> bytes:
    """A valid greyscale baseline JPEG of a head-and-shoulders silhouette, about `size` bytes.

    Only DC coefficients are coded (flat 8x8 blocks), so the Huffman tables are trivial; a
    comment segment pads the file to a real card photo's size so reads take as many chunks.
    `seed` shifts the tones so that different citizens get different photos.
    """
    tone = (seed * 37) % 60
    blocks_x, blocks_y = (width + 7) // 8, (height + 7) // 8

    def level(bx: int, by: int) -> int:
        x, y = bx * 8 + 4, by * 8 + 4
        head = ((x - width / 2) / (width * 0.24)) ** 2 + (
            (y - height * 0.38) / (height * 0.22)
        ) ** 2
        if head <= 1:
            return 150 + tone // 2
        if y > height * 0.68 and abs(x - width / 2) < width * 0.45:
            return 60 + tone
        return 215 - tone // 3

    bits = _BitWriter()
    previous = 0
    for by in range(blocks_y):
        for bx in range(blocks_x):
            dc = level(bx, by) - 128  # quantiser 8 cancels the DCT's factor 8
            diff, previous = dc - previous, dc
            category = abs(diff).bit_length()
            bits.write(category, 4)  # DC table: category c has the 4-bit code c
            if category:
                bits.write(diff if diff > 0 else diff + (1 << category) - 1, category)
            bits.write(0, 1)  # AC table: end-of-block is the 1-bit code 0
    scan = bits.finish()

    def segment(marker: int, body: bytes) -> bytes:
        return bytes([0xFF, marker]) + (len(body) + 2).to_bytes(2, "big") + body

    head = (
        b"\xff\xd8"
        + segment(0xE0, b"JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00")
        + segment(0xDB, b"\x00" + bytes([8] * 64))
        + segment(
            0xC0,
            b"\x08" + height.to_bytes(2, "big") + width.to_bytes(2, "big") + b"\x01\x01\x11\x00",
        )
        + segment(0xC4, b"\x00" + bytes([0, 0, 0, 12] + [0] * 12) + bytes(range(12)))
        + segment(0xC4, b"\x10" + bytes([1] + [0] * 15) + b"\x00")
    )
    tail = segment(0xDA, b"\x01\x01\x00\x00\x3f\x00") + scan + b"\xff\xd9"
    filler = max(0, size - len(head) - len(tail) - 4)
    note = b"Kiosk emulator test portrait, not a real person. "
    comment = (note * (filler // len(note) + 1))[:filler]
    return head + segment(0xFE, comment) + tail


class _BitWriter:
    def __init__(self) -> None:
        self._out = bytearray()
        self._acc = 0
        self._n = 0

    def write(self, value: int, nbits: int) -> None:
        self._acc = (self._acc << nbits) | (value & ((1 << nbits) - 1))
        self._n += nbits
        while self._n >= 8:
            self._n -= 8
            self._emit((self._acc >> self._n) & 0xFF)

    def _emit(self, byte: int) -> None:
        self._out.append(byte)
        if byte == 0xFF:
            self._out.append(0x00)  # byte stuffing inside entropy-coded data

    def finish(self) -> bytes:
        if self._n:
            self.write((1 << (8 - self._n)) - 1, 8 - self._n)  # pad with 1-bits
        return bytes(self._out)
