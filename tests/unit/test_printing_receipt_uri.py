"""Receipt printer addresses."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from devices.printing.errors import ReceiptUriError
from devices.printing.receipt.uri import (
    BAUD_RATES,
    SerialAddress,
    TcpAddress,
    UsbAddress,
    parse_receipt_uri,
)


@pytest.mark.parametrize(
    ("uri", "address"),
    [
        ("tcp://192.0.2.7:9100", TcpAddress("192.0.2.7", 9100)),
        ("tcp://printer.local", TcpAddress("printer.local", 9100)),
        ("TCP://[::1]:9101", TcpAddress("::1", 9101)),
        ("usb://04b8:0202", UsbAddress(0x04B8, 0x0202)),
        ("usb://0x0416:0x5011", UsbAddress(0x0416, 0x5011)),
        ("serial:///dev/ttyS0?baud=9600", SerialAddress("/dev/ttyS0", 9600)),
        ("serial:///dev/ttyUSB0", SerialAddress("/dev/ttyUSB0", 19200)),
    ],
)
def test_valid_addresses(uri: str, address: object) -> None:
    assert parse_receipt_uri(uri) == address


@pytest.mark.parametrize(
    ("uri", "words"),
    [
        ("", "no receipt printer"),
        ("lpt://1", "unknown scheme"),
        ("tcp://:9100", "no host"),
        ("tcp://host:99999", "port"),
        ("tcp://host:0", "port"),
        ("tcp://host:9100/path", "only tcp://host:port"),
        ("usb://04b8", "VID:PID"),
        ("usb://zzzz:0202", "VID:PID"),
        ("usb://12345:0202", "VID:PID"),
        ("serial://dev/ttyS0", "three slashes"),
        ("serial:///dev/ttyS0?baud=12345", "baud must be one of"),
        ("serial:///dev/ttyS0?parity=E", "unknown option"),
    ],
)
def test_bad_addresses_say_what_is_wrong(uri: str, words: str) -> None:
    with pytest.raises(ReceiptUriError, match=words):
        parse_receipt_uri(uri)


hosts = st.from_regex(r"[a-z][a-z0-9-]{0,20}(\.[a-z][a-z0-9-]{0,10}){0,3}", fullmatch=True)
addresses = st.one_of(
    st.builds(TcpAddress, hosts, st.integers(1, 65535)),
    st.builds(UsbAddress, st.integers(0, 0xFFFF), st.integers(0, 0xFFFF)),
    st.builds(
        SerialAddress,
        st.from_regex(r"/dev/tty[A-Za-z0-9]{1,8}", fullmatch=True),
        st.sampled_from(BAUD_RATES),
    ),
)


@given(addresses)
def test_an_address_written_out_reads_back_the_same(address: object) -> None:
    assert parse_receipt_uri(str(address)) == address


@given(st.text(max_size=60))
def test_any_text_gives_an_address_or_a_clear_error(text: str) -> None:
    try:
        parse_receipt_uri(text)
    except ReceiptUriError as exc:
        assert str(exc)
