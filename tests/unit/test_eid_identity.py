"""Identity/address parsing and the birth-date grammar: the Alice test card and synthetic files."""

from __future__ import annotations

import contextlib
import datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from devices.eid.identity import (
    Address,
    BirthDate,
    CardDataError,
    Identity,
    parse_address,
    parse_birth_date,
    parse_identity,
)
from devices.eid.tlv import TlvError, encode_tlv
from tests.harness.eid import ALICE


def alice_file(name: str) -> bytes:
    path = ALICE / name
    if not path.is_file():
        pytest.fail(f"Alice test card file missing: {path} (tests/data/beid/alice, see its README)")
    return path.read_bytes()


# A well-formed 1.8-style ID file; tests override single fields.
BASE_FIELDS: dict[int, bytes] = {
    0x00: b"\x00\x02",
    0x01: b"592123456789",
    0x02: bytes(range(16)),
    0x03: b"01.02.2021",
    0x04: b"01.02.2031",
    0x05: b"Bruxelles",
    0x06: b"85073003328",
    0x07: b"Van den Broeck",
    0x08: b"Jean Pierre",
    0x09: b"M",
    0x0A: b"Belge",
    0x0B: b"Ixelles",
    0x0C: b"30 JUIL 1985",
    0x0D: b"M",
    0x0E: b"",
    0x0F: b"01",
    0x10: b"0",
    0x11: bytes(48),
    0x1A: bytes(range(48)),
}


def id_file(overrides: dict[int, bytes | None] | None = None, pad_to: int = 0) -> bytes:
    fields: dict[int, bytes | None] = {**BASE_FIELDS, **(overrides or {})}
    return encode_tlv([(t, v) for t, v in fields.items() if v is not None], pad_to=pad_to)


# ---------------------------------------------------------------- Alice


def test_alice_identity_decodes_to_the_documented_values() -> None:
    ident = parse_identity(alice_file("identity.bin"))
    assert ident.card_number == "000000122157"
    assert ident.chip_number == bytes.fromhex("534c494e336600296cff293b2a122219")
    assert ident.chip_number_hex == "534c494e336600296cff293b2a122219"
    assert ident.validity_begin == datetime.date(2009, 7, 23)
    assert ident.validity_end == datetime.date(2014, 7, 23)
    assert ident.delivery_municipality == "Antwerpen"
    assert ident.national_number == "71715100070"
    assert ident.surname == "SPECIMEN"
    assert ident.first_names == "Alice Geldigekaart"
    assert ident.third_initial == "A"
    assert ident.nationality == "BELG"
    assert ident.birth_place == "Hamont-Achel"
    assert ident.birth_date == BirthDate(1971, 1, 1)
    assert ident.birth_date.iso() == "1971-01-01"
    assert ident.sex == "F"  # stored as "V"
    assert ident.noble_condition == ""
    assert ident.document_type == 1
    assert ident.special_status == 0
    assert ident.photo_hash == bytes.fromhex("28f3ec532102b0ccd93c7bdf58ed83400a899790")
    assert ident.basic_key_hash is None
    assert ident.version is None
    assert dict(ident.unknown_tags) == {}


def test_alice_address_decodes_despite_padding() -> None:
    addr = parse_address(alice_file("address.bin"))
    assert (addr.street_and_number, addr.zip, addr.municipality) == (
        "Meirplaats 1 bus 1",
        "2000",
        "Antwerpen",
    )


def test_reprs_hide_citizen_data() -> None:
    ident = parse_identity(alice_file("identity.bin"))
    addr = parse_address(alice_file("address.bin"))
    for text in (repr(ident), str(ident), repr(addr), str(addr), repr(ident.birth_date)):
        for secret in ("SPECIMEN", "Alice", "71715100070", "Meirplaats", "1971"):
            assert secret not in text
    assert repr(ident) == "Identity(<redacted>)"
    assert repr(addr) == "Address(<redacted>)"


# ---------------------------------------------------------------- synthetic ID files


def test_synthetic_file_with_version_and_basic_key_hash() -> None:
    ident = parse_identity(id_file())
    assert ident.version == b"\x00\x02"
    assert ident.basic_key_hash == bytes(range(48))
    assert ident.birth_date.iso() == "1985-07-30"
    assert ident.document_type == 1


def test_first_names_longer_than_255_bytes_with_diacritics() -> None:
    names = " ".join(["Anne-Élodie", "Zoë", "Łukasz", "Ærøskøbing", "Ğül"] * 10)
    encoded = names.encode()
    assert len(encoded) > 255
    assert parse_identity(id_file({0x08: encoded})).first_names == names


def test_strings_come_back_verbatim_including_markup_and_spaces() -> None:
    surname = "[b]x[/b] [color=ff0000]&amp;[/color] O'Brien  "
    place = "  Sint-Genesius-Rode\t"
    ident = parse_identity(id_file({0x07: surname.encode(), 0x0B: place.encode()}))
    assert ident.surname == surname
    assert ident.birth_place == place


def test_id_file_whose_size_is_an_exact_multiple_of_256() -> None:
    base = len(id_file({0x0E: b""}))
    filler = 512 - base
    assert 0 < filler < 255  # one length byte either way
    raw = id_file({0x0E: b"x" * filler})
    assert len(raw) == 512
    assert parse_identity(raw).noble_condition == "x" * filler


def test_unknown_and_unmodelled_tags_are_kept_raw() -> None:
    raw = id_file({0x12: b"01", 0x14: b"", 0x7F: b"\x00\xff"})
    unknown = parse_identity(raw).unknown_tags
    assert dict(unknown) == {0x12: b"01", 0x14: b"", 0x7F: b"\x00\xff"}


@pytest.mark.parametrize(("code", "sex"), [(b"M", "M"), (b"F", "F"), (b"V", "F"), (b"W", "F")])
def test_sex_codes(code: bytes, sex: str) -> None:
    assert parse_identity(id_file({0x0D: code})).sex == sex


@pytest.mark.parametrize(
    ("raw", "value"), [(b"1", 1), (b"01", 1), (b"06", 6), (b"35", 35), (b"61", 61)]
)
def test_document_type_is_numeric(raw: bytes, value: int) -> None:
    assert parse_identity(id_file({0x0F: raw})).document_type == value


def test_special_status_defaults_to_zero() -> None:
    assert parse_identity(id_file({0x10: None})).special_status == 0
    assert parse_identity(id_file({0x10: b""})).special_status == 0
    assert parse_identity(id_file({0x10: b"3"})).special_status == 3


def test_optional_strings_default_to_empty() -> None:
    ident = parse_identity(id_file({0x08: None, 0x09: None, 0x0E: None, 0x1A: None}))
    assert (ident.first_names, ident.third_initial, ident.noble_condition) == ("", "", "")
    assert ident.basic_key_hash is None


@pytest.mark.parametrize(
    "overrides",
    [
        {0x07: b"Dupont \xff\xfe"},  # invalid UTF-8
        {0x05: b"\xc3"},  # truncated multi-byte sequence
        {0x0D: b"X"},
        {0x0D: b"m"},
        {0x0F: b"A1"},
        {0x0F: "\u0661".encode()},  # ARABIC-INDIC DIGIT ONE
        {0x10: b"-1"},
        {0x03: b"31.02.2021"},
        {0x04: b"2031-02-01"},
        {0x0C: b"30 JULY 1985"},
        {0x07: None},  # mandatory surname absent
        {0x11: None},  # mandatory photo hash absent
    ],
)
def test_bad_fields_raise_card_data_error(overrides: dict[int, bytes | None]) -> None:
    with pytest.raises(CardDataError):
        parse_identity(id_file(overrides))


def test_card_data_error_does_not_echo_the_value() -> None:
    with pytest.raises(CardDataError) as info:
        parse_identity(id_file({0x07: "Duponté".encode() + b"\xff"}))
    message = str(info.value)
    assert "Dupont" not in message
    assert "0x07" in message


def test_malformed_framing_raises_tlv_error() -> None:
    with pytest.raises(TlvError):
        parse_identity(id_file()[:-5])


def test_address_fields_and_missing_tag() -> None:
    raw = encode_tlv(
        [
            (0, b"\x00\x02"),
            (1, "Rue de l'Étuve 46".encode()),
            (2, b"1000"),
            (3, b"Bruxelles"),
            (9, b"?"),
        ],
        pad_to=121,
    )
    addr = parse_address(raw)
    assert isinstance(addr, Address)
    assert addr.street_and_number == "Rue de l'Étuve 46"
    assert addr.version == b"\x00\x02"
    assert dict(addr.unknown_tags) == {9: b"?"}
    with pytest.raises(CardDataError):
        parse_address(encode_tlv([(1, b"Rue 1"), (3, b"Bruxelles")]))


@given(st.binary(max_size=600))
def test_arbitrary_bytes_give_a_result_or_a_typed_error(data: bytes) -> None:
    for parse in (parse_identity, parse_address):
        with contextlib.suppress(TlvError, CardDataError):
            parse(data)


@given(st.data())
def test_mutated_alice_files_give_a_result_or_a_typed_error(data: st.DataObject) -> None:
    raw = bytearray(alice_file("identity.bin"))
    for _ in range(data.draw(st.integers(1, 4))):
        raw[data.draw(st.integers(0, len(raw) - 1))] = data.draw(st.integers(0, 255))
    with contextlib.suppress(TlvError, CardDataError):
        assert isinstance(parse_identity(bytes(raw)), Identity)


# ---------------------------------------------------------------- birth dates


@pytest.mark.parametrize(
    ("text", "iso"),
    [
        ("01 JAN 1971", "1971-01-01"),
        ("1 JAN 1971", "1971-01-01"),
        ("14 FEV 1990", "1990-02-14"),
        ("14 FEB 1990", "1990-02-14"),
        ("29 FEB 2000", "2000-02-29"),
        ("05 MARS 1960", "1960-03-05"),
        ("05 MAAR 1960", "1960-03-05"),
        ("05.MÄR.1960", "1960-03-05"),
        ("05.mär.1960", "1960-03-05"),
        ("05.MA\u0308R.1960", "1960-03-05"),  # decomposed umlaut
        ("10 AVR 2001", "2001-04-10"),
        ("10 APR 2001", "2001-04-10"),
        ("08 MAI 1945", "1945-05-08"),
        ("08 MEI 1945", "1945-05-08"),
        ("21 JUIN 1999", "1999-06-21"),
        ("21 JUN 1999", "1999-06-21"),
        ("21 JUIL 1831", "1831-07-21"),
        ("21 JUL 1831", "1831-07-21"),
        ("15 AOUT 1980", "1980-08-15"),
        ("15 AUG 1980", "1980-08-15"),
        ("03 SEPT 1975", "1975-09-03"),
        ("03 SEP 1975", "1975-09-03"),
        ("31 OCT 2010", "2010-10-31"),
        ("31.OKT.2010", "2010-10-31"),
        ("11 NOV 1918", "1918-11-11"),
        ("25 DEC 2004", "2004-12-25"),
        ("25.DEZ.2004", "2004-12-25"),
        ("   JAN 1971", "1971-01"),
        ("  .JAN.1971", "1971-01"),
        ("        1971", "1971"),
        ("1971", "1971"),
        ("01      1971", "1971"),  # a day without a month cannot be placed
    ],
)
def test_birth_date_forms(text: str, iso: str) -> None:
    assert parse_birth_date(text).iso() == iso


def test_partial_birth_date_has_no_calendar_date() -> None:
    assert parse_birth_date("   JAN 1971").as_date() is None
    assert parse_birth_date("01 JAN 1971").as_date() == datetime.date(1971, 1, 1)
    assert parse_birth_date("1971") == BirthDate(1971)


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   ",
        "JANV 1971",
        "01 JANV 1971",
        "30 FEB 2001",
        "32 JAN 1971",
        "01 JAN 71",
        "01 JAN 19710",
        "01 JAN 0000",
        "001 JAN 1971",
        "1 2 JAN 1971",
        "01 JAN 1971 extra",
        "01\tJAN\t1971",
        "\u0660\u0661 JAN 1971",  # Arabic-Indic digits
    ],
)
def test_bad_birth_dates_raise_card_data_error(text: str) -> None:
    with pytest.raises(CardDataError):
        parse_birth_date(text)


def test_birth_date_rejects_inconsistent_construction() -> None:
    with pytest.raises(CardDataError):
        BirthDate(1971, None, 5)
    with pytest.raises(CardDataError):
        BirthDate(1971, 13)


_SPELLINGS = {
    "fr": ["JAN", "FEV", "MARS", "AVR", "MAI", "JUIN", "JUIL", "AOUT", "SEPT", "OCT", "NOV", "DEC"],
    "nl": ["JAN", "FEB", "MAAR", "APR", "MEI", "JUN", "JUL", "AUG", "SEP", "OKT", "NOV", "DEC"],
    "de": ["JAN", "FEB", "MÄR", "APR", "MAI", "JUN", "JUL", "AUG", "SEP", "OKT", "NOV", "DEZ"],
}


@given(
    day=st.dates(min_value=datetime.date(1, 1, 1)),
    language=st.sampled_from(sorted(_SPELLINGS)),
    precision=st.sampled_from(["day", "month", "year"]),
    one_digit_day=st.booleans(),
)
def test_birth_date_round_trips(
    day: datetime.date, language: str, precision: str, one_digit_day: bool
) -> None:
    month_name = _SPELLINGS[language][day.month - 1]
    sep = "." if language == "de" else " "
    day_text = str(day.day) if one_digit_day else f"{day.day:02d}"
    if precision == "day":
        text, expected = (
            f"{day_text}{sep}{month_name}{sep}{day.year:04d}",
            BirthDate(day.year, day.month, day.day),
        )
    elif precision == "month":
        text, expected = f"  {sep}{month_name}{sep}{day.year:04d}", BirthDate(day.year, day.month)
    else:
        text, expected = f"  {sep}    {sep}{day.year:04d}", BirthDate(day.year)
    parsed = parse_birth_date(text)
    assert parsed == expected
    assert parsed.iso() == expected.iso()
    if precision == "day":
        assert parsed.as_date() == day


@given(st.text(max_size=40))
def test_arbitrary_text_gives_a_birth_date_or_card_data_error(text: str) -> None:
    try:
        result = parse_birth_date(text)
    except CardDataError:
        return
    assert 1 <= result.year <= 9999
    assert result.iso().startswith(f"{result.year:04d}")


@given(st.text(alphabet="0123456789 .JANFEBMRSÄVPIUOLGTCKDZ", max_size=20))
def test_date_like_text_gives_a_birth_date_or_card_data_error(text: str) -> None:
    with contextlib.suppress(CardDataError):
        parse_birth_date(text)
