"""BELPIC TLV: framing, long lengths, padding, and that malformed input only raises TlvError."""

from __future__ import annotations

import contextlib
import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from devices.eid.tlv import TlvError, encode_length, encode_tlv, parse_tlv


@pytest.mark.parametrize(
    ("length", "encoded"),
    [
        (0, b"\x00"),
        (254, b"\xfe"),
        (255, b"\xff\x00"),
        (260, b"\xff\x05"),
        (509, b"\xff\xfe"),
        (510, b"\xff\xff\x00"),
        (515, b"\xff\xff\x05"),
        (765, b"\xff\xff\xff\x00"),
    ],
)
def test_long_lengths_sum_the_ff_bytes(length: int, encoded: bytes) -> None:
    assert encode_length(length) == encoded
    value = bytes(range(256)) * 3
    value = value[:length]
    parsed = parse_tlv(b"\x07" + encoded + value + b"\x08\x01Z")
    assert parsed[7] == value
    assert parsed[8] == b"Z"


def test_fields_keep_card_order_and_raw_bytes() -> None:
    parsed = parse_tlv(b"\x01\x02ab\x7e\x03\xff\x00\x01\x02\x00\x00")
    assert parsed.fields == ((1, b"ab"), (0x7E, b"\xff\x00\x01"), (2, b""))
    assert parsed.tags() == (1, 0x7E, 2)
    assert parsed.get(0x55) is None
    assert 0x7E in parsed
    assert parsed.as_dict() == {1: b"ab", 0x7E: b"\xff\x00\x01", 2: b""}


def test_tag_zero_first_is_the_version_and_later_ends_the_file() -> None:
    parsed = parse_tlv(b"\x00\x02\x00\x02\x01\x01A\x00\x09garbage")
    assert parsed.fields == ((0, b"\x00\x02"), (1, b"A"))


def test_trailing_zero_padding_is_ignored() -> None:
    assert parse_tlv(b"\x01\x01A" + bytes(500)).fields == ((1, b"A"),)


def test_empty_and_all_zero_files() -> None:
    assert len(parse_tlv(b"")) == 0
    assert len(parse_tlv(b"\x00")) == 0
    assert len(parse_tlv(bytes(64))) == 0
    # An empty version field followed by data is still a field.
    assert parse_tlv(b"\x00\x00\x01\x01A").fields == ((0, b""), (1, b"A"))
    assert parse_tlv(b"\x00\x00\x00\x05").fields == ((0, b""),)


@pytest.mark.parametrize(
    "data",
    [
        b"\x01",  # tag without length
        b"\x01\xff",  # long length cut off
        b"\x01\xff\xff",
        b"\x01\x05abc",  # value shorter than its length
        b"\x01\x01A\x02\xff\x10" + b"x" * 20,  # 271 announced, 20 present
    ],
)
def test_truncated_input_raises_tlv_error(data: bytes) -> None:
    with pytest.raises(TlvError):
        parse_tlv(data)


def test_error_messages_do_not_echo_field_bytes() -> None:
    secret = b"SECRETNAME"
    with pytest.raises(TlvError) as info:
        parse_tlv(b"\x07\x40" + secret)
    message = str(info.value)
    assert "SECRETNAME" not in message
    assert secret.hex() not in message.lower()
    assert "0x07" in message


def test_duplicate_tags_are_rejected() -> None:
    with pytest.raises(TlvError):
        parse_tlv(b"\x07\x01A\x07\x01B")


def test_repr_shows_tags_not_values() -> None:
    text = repr(parse_tlv(b"\x07\x08SPECIMEN"))
    assert "SPECIMEN" not in text
    assert "0x07" in text


def test_encoder_pads_and_rejects_what_the_parser_would_misread() -> None:
    assert encode_tlv([(1, b"A")], pad_to=8) == b"\x01\x01A" + bytes(5)
    with pytest.raises(TlvError):
        encode_tlv([(1, b"A"), (0, b"\x00\x01")])
    with pytest.raises(TlvError):
        encode_tlv([(1, b"A"), (1, b"B")])
    with pytest.raises(TlvError):
        encode_tlv([(256, b"")])
    with pytest.raises(TlvError):
        encode_length(-1)
    with pytest.raises(TlvError):
        encode_tlv([(0, b"")])


def test_tlv_error_is_a_value_error() -> None:
    assert issubclass(TlvError, ValueError)


# Unique tags; tag 00 may only come first.
_values = st.one_of(
    st.binary(max_size=300),
    st.integers(min_value=0, max_value=1100).map(lambda n: bytes([0x41]) * n),
)


@st.composite
def _field_lists(draw: st.DrawFn) -> list[tuple[int, bytes]]:
    tags = draw(st.lists(st.integers(1, 255), unique=True, max_size=12))
    if draw(st.booleans()):
        tags.insert(0, 0)
    fields = [(tag, draw(_values)) for tag in tags]
    if fields == [(0, b"")]:
        fields.append((1, b""))  # a lone empty version is refused by the encoder
    return fields


@given(fields=_field_lists(), padding=st.integers(0, 600))
def test_encode_then_parse_round_trips(fields: list[tuple[int, bytes]], padding: int) -> None:
    encoded = encode_tlv(fields)
    assert parse_tlv(encoded + bytes(padding)).fields == tuple(fields)


@given(fields=_field_lists().filter(bool), data=st.data())
def test_truncation_gives_an_error_or_a_prefix_of_the_fields(
    fields: list[tuple[int, bytes]], data: st.DataObject
) -> None:
    encoded = encode_tlv(fields)
    cut = data.draw(st.integers(0, len(encoded) - 1))
    try:
        parsed = parse_tlv(encoded[:cut])
    except TlvError:
        return
    assert parsed.fields == tuple(fields[: len(parsed)])


@given(data=st.binary(max_size=2048))
def test_arbitrary_bytes_parse_or_raise_tlv_error(data: bytes) -> None:
    try:
        parsed = parse_tlv(data)
    except TlvError:
        return
    # Whatever parsed re-encodes (canonical lengths) to a prefix of the input.
    prefix = b"".join(bytes([t]) + encode_length(len(v)) + v for t, v in parsed.fields)
    assert data.startswith(prefix)


@settings(max_examples=30, deadline=None)
@given(seed=st.integers(0, 2**32), fill=st.sampled_from([None, 0x00, 0xFF, 0x01]))
def test_64k_inputs_parse_or_raise_tlv_error(seed: int, fill: int | None) -> None:
    rng = random.Random(seed)
    size = 65536
    data = rng.randbytes(size) if fill is None else bytes([fill]) * size
    with contextlib.suppress(TlvError):
        parse_tlv(data)
