"""Typed view of the ID (4031) and address (4033) files.

Tag meanings follow "ID and Address file contents" v5 (applet 1.8) and card content v4.01 (1.7).
Strings are returned exactly as stored (UTF-8, no trimming, no escaping): whoever renders them
(e.g. Kivy markup) must escape them itself.

Nothing in this module puts card bytes or decoded values into exception messages or reprs:
those can end up in logs.
"""

from __future__ import annotations

import calendar
import datetime
import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field

from devices.eid.tlv import TlvError, TlvFile, parse_tlv


class CardDataError(ValueError):
    """A card file is readable TLV but a field does not have the documented form."""


# Identity file tags.
TAG_VERSION = 0x00
TAG_CARD_NUMBER = 0x01
TAG_CHIP_NUMBER = 0x02
TAG_VALIDITY_BEGIN = 0x03
TAG_VALIDITY_END = 0x04
TAG_DELIVERY_MUNICIPALITY = 0x05
TAG_NATIONAL_NUMBER = 0x06
TAG_SURNAME = 0x07
TAG_FIRST_NAMES = 0x08
TAG_THIRD_INITIAL = 0x09
TAG_NATIONALITY = 0x0A
TAG_BIRTH_PLACE = 0x0B
TAG_BIRTH_DATE = 0x0C
TAG_SEX = 0x0D
TAG_NOBLE_CONDITION = 0x0E
TAG_DOCUMENT_TYPE = 0x0F
TAG_SPECIAL_STATUS = 0x10
TAG_PHOTO_HASH = 0x11
TAG_BASIC_KEY_HASH = 0x1A

# Address file tags.
TAG_STREET_AND_NUMBER = 0x01
TAG_ZIP = 0x02
TAG_MUNICIPALITY = 0x03

_IDENTITY_TAGS = frozenset(
    {
        TAG_VERSION,
        TAG_CARD_NUMBER,
        TAG_CHIP_NUMBER,
        TAG_VALIDITY_BEGIN,
        TAG_VALIDITY_END,
        TAG_DELIVERY_MUNICIPALITY,
        TAG_NATIONAL_NUMBER,
        TAG_SURNAME,
        TAG_FIRST_NAMES,
        TAG_THIRD_INITIAL,
        TAG_NATIONALITY,
        TAG_BIRTH_PLACE,
        TAG_BIRTH_DATE,
        TAG_SEX,
        TAG_NOBLE_CONDITION,
        TAG_DOCUMENT_TYPE,
        TAG_SPECIAL_STATUS,
        TAG_PHOTO_HASH,
        TAG_BASIC_KEY_HASH,
    }
)
_ADDRESS_TAGS = frozenset({TAG_VERSION, TAG_STREET_AND_NUMBER, TAG_ZIP, TAG_MUNICIPALITY})

# FR, NL and DE month spellings from IDA5 p7. They never collide across months.
_MONTHS: dict[str, int] = {
    "JAN": 1,
    "FEV": 2,
    "FEB": 2,
    "MARS": 3,
    "MAAR": 3,
    "MÄR": 3,
    "AVR": 4,
    "APR": 4,
    "MAI": 5,
    "MEI": 5,
    "JUIN": 6,
    "JUN": 6,
    "JUIL": 7,
    "JUL": 7,
    "AOUT": 8,
    "AUG": 8,
    "SEPT": 9,
    "SEP": 9,
    "OCT": 10,
    "OKT": 10,
    "NOV": 11,
    "DEC": 12,
    "DEZ": 12,
}

_SEX = {"M": "M", "F": "F", "V": "F", "W": "F"}
_ASCII_DIGITS = re.compile(r"[0-9]+")
_CARD_DATE = re.compile(r"([0-9]{2})\.([0-9]{2})\.([0-9]{4})")
_DATE_SEPARATORS = re.compile(r"[ .]+")


@dataclass(frozen=True, repr=False)
class BirthDate:
    """A possibly partial birth date: the register leaves day and/or month blank when unknown."""

    year: int
    month: int | None = None
    day: int | None = None

    def __post_init__(self) -> None:
        if not 1 <= self.year <= 9999:
            raise CardDataError("birth year out of range")
        if self.month is None:
            if self.day is not None:
                raise CardDataError("birth day given without a month")
            return
        if not 1 <= self.month <= 12:
            raise CardDataError("birth month out of range")
        if self.day is not None and not 1 <= self.day <= _days_in(self.year, self.month):
            raise CardDataError("birth day out of range for its month")

    def iso(self) -> str:
        """ISO 8601 with reduced precision: YYYY-MM-DD, YYYY-MM or YYYY."""
        if self.month is None:
            return f"{self.year:04d}"
        if self.day is None:
            return f"{self.year:04d}-{self.month:02d}"
        return f"{self.year:04d}-{self.month:02d}-{self.day:02d}"

    def as_date(self) -> datetime.date | None:
        """The full date, or None when day or month is unknown."""
        if self.month is None or self.day is None:
            return None
        return datetime.date(self.year, self.month, self.day)

    def __repr__(self) -> str:
        return "BirthDate(<redacted>)"


@dataclass(frozen=True, repr=False)
class Identity:
    card_number: str
    chip_number: bytes
    validity_begin: datetime.date
    validity_end: datetime.date
    delivery_municipality: str
    national_number: str
    surname: str
    first_names: str
    third_initial: str
    nationality: str
    birth_place: str
    birth_date: BirthDate
    sex: str  # "M" or "F"
    noble_condition: str
    document_type: int
    special_status: int
    photo_hash: bytes
    basic_key_hash: bytes | None = None  # tag 1A, applet 1.8
    version: bytes | None = None  # tag 00, absent on 1.7-era cards
    # Every tag without a typed field above (including documented ones such as 12-19, 1B-1F),
    # raw, so nothing on the card is silently dropped.
    unknown_tags: Mapping[int, bytes] = field(default_factory=dict)

    @property
    def chip_number_hex(self) -> str:
        return self.chip_number.hex()

    def __repr__(self) -> str:
        return "Identity(<redacted>)"


@dataclass(frozen=True, repr=False)
class Address:
    street_and_number: str
    zip: str
    municipality: str
    version: bytes | None = None
    unknown_tags: Mapping[int, bytes] = field(default_factory=dict)

    def __repr__(self) -> str:
        return "Address(<redacted>)"


def parse_identity(raw: bytes | bytearray) -> Identity:
    """Parse 4031 as read. Raises TlvError (bad framing) or CardDataError (bad field)."""
    tlv = parse_tlv(raw)
    return Identity(
        card_number=_text(tlv, TAG_CARD_NUMBER),
        chip_number=_required(tlv, TAG_CHIP_NUMBER),
        validity_begin=_card_date(tlv, TAG_VALIDITY_BEGIN),
        validity_end=_card_date(tlv, TAG_VALIDITY_END),
        delivery_municipality=_text(tlv, TAG_DELIVERY_MUNICIPALITY),
        national_number=_text(tlv, TAG_NATIONAL_NUMBER),
        surname=_text(tlv, TAG_SURNAME),
        first_names=_text(tlv, TAG_FIRST_NAMES, default=""),
        third_initial=_text(tlv, TAG_THIRD_INITIAL, default=""),
        nationality=_text(tlv, TAG_NATIONALITY),
        birth_place=_text(tlv, TAG_BIRTH_PLACE),
        birth_date=parse_birth_date(_text(tlv, TAG_BIRTH_DATE)),
        sex=_sex(tlv),
        noble_condition=_text(tlv, TAG_NOBLE_CONDITION, default=""),
        document_type=_code(tlv, TAG_DOCUMENT_TYPE, default=None),
        special_status=_code(tlv, TAG_SPECIAL_STATUS, default=0),
        photo_hash=_required(tlv, TAG_PHOTO_HASH),
        basic_key_hash=tlv.get(TAG_BASIC_KEY_HASH),
        version=tlv.get(TAG_VERSION),
        unknown_tags={t: v for t, v in tlv if t not in _IDENTITY_TAGS},
    )


def parse_address(raw: bytes | bytearray) -> Address:
    """Parse 4033 as read (zero padding included)."""
    tlv = parse_tlv(raw)
    return Address(
        street_and_number=_text(tlv, TAG_STREET_AND_NUMBER),
        zip=_text(tlv, TAG_ZIP),
        municipality=_text(tlv, TAG_MUNICIPALITY),
        version=tlv.get(TAG_VERSION),
        unknown_tags={t: v for t, v in tlv if t not in _ADDRESS_TAGS},
    )


def parse_birth_date(text: str) -> BirthDate:
    """Parse tag 0C: `DD mmmm YYYY`, German `DD.mmm.YYYY`, partial forms, or `YYYY` alone.

    Day and month may be blank (spaces). A day of 0/00 is read as unknown too. A day with a blank
    month cannot be placed in a calendar, so only the year is kept. Month names are matched
    case-insensitively against the FR/NL/DE lists.
    """
    stripped = text.strip(" .")
    if not stripped:
        raise CardDataError("birth date is blank")
    parts = _DATE_SEPARATORS.split(stripped)
    year_text = parts.pop()
    if len(year_text) != 4:
        raise CardDataError("birth year is not four digits")
    year = _number(year_text, width=4, what="birth year")
    month: int | None = None
    day: int | None = None
    if parts and not _ASCII_DIGITS.fullmatch(parts[-1]):
        # NFC so that a decomposed "MA\u0308R" still matches "MÄR".
        month = _MONTHS.get(unicodedata.normalize("NFC", parts.pop()).upper())
        if month is None:
            raise CardDataError("birth month name not recognised")
    if parts:
        day = _number(parts.pop(), width=2, what="birth day") or None
    if parts:
        raise CardDataError("birth date has too many parts")
    if month is None:
        day = None
    return BirthDate(year, month, day)


def _number(part: str, *, width: int, what: str) -> int:
    """ASCII digits only: str.isdigit() would also accept other scripts' digits."""
    if not _ASCII_DIGITS.fullmatch(part) or len(part) > width:
        raise CardDataError(f"{what} is not a number of at most {width} digits")
    return int(part)


def _days_in(year: int, month: int) -> int:
    return calendar.monthrange(year, month)[1]


def _required(tlv: TlvFile, tag: int) -> bytes:
    value = tlv.get(tag)
    if value is None:
        raise CardDataError(f"card file lacks mandatory tag 0x{tag:02X}")
    return value


def _text(tlv: TlvFile, tag: int, default: str | None = None) -> str:
    value = tlv.get(tag)
    if value is None:
        if default is None:
            raise CardDataError(f"card file lacks mandatory tag 0x{tag:02X}")
        return default
    try:
        return value.decode("utf-8")
    except UnicodeDecodeError:
        raise CardDataError(f"tag 0x{tag:02X} is not valid UTF-8") from None


def _card_date(tlv: TlvFile, tag: int) -> datetime.date:
    match = _CARD_DATE.fullmatch(_text(tlv, tag))
    if match is None:
        raise CardDataError(f"tag 0x{tag:02X} is not a DD.MM.YYYY date")
    day, month, year = (int(g) for g in match.groups())
    try:
        return datetime.date(year, month, day)
    except ValueError:
        raise CardDataError(f"tag 0x{tag:02X} is not a calendar date") from None


def _code(tlv: TlvFile, tag: int, default: int | None) -> int:
    # Numeric codes: MW notes document type appears both as "1" and "01".
    if default is not None and tag not in tlv:
        return default
    text = _text(tlv, tag).strip(" ")
    if not text and default is not None:
        return default
    if not _ASCII_DIGITS.fullmatch(text) or len(text) > 3:
        raise CardDataError(f"tag 0x{tag:02X} is not a numeric code")
    return int(text)


def _sex(tlv: TlvFile) -> str:
    value = _SEX.get(_text(tlv, TAG_SEX))
    if value is None:
        raise CardDataError("sex code not recognised")
    return value


__all__ = [
    "Address",
    "BirthDate",
    "CardDataError",
    "Identity",
    "TlvError",
    "parse_address",
    "parse_birth_date",
    "parse_identity",
]
