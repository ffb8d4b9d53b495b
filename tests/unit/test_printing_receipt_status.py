"""DLE EOT replies, judged without python-escpos' "no answer = no paper" confusion."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from devices.printing.readiness import Level
from devices.printing.receipt.status import (
    InvalidStatusByte,
    Paper,
    ReceiptState,
    check_status_byte,
    paper_from_byte,
    status_from_replies,
    status_query,
)

valid_bytes = st.integers(0, 255).map(lambda b: (b & 0b0110_1100) | 0b0001_0010)


@given(st.integers(0, 255))
def test_only_bytes_with_the_fixed_bits_are_replies(value: int) -> None:
    fixed_ok = value & 0x93 == 0x12
    if fixed_ok:
        assert check_status_byte(value) == value
    else:
        with pytest.raises(InvalidStatusByte):
            check_status_byte(value)


@given(valid_bytes)
def test_paper_out_wins_over_near_end(value: int) -> None:
    paper = paper_from_byte(value)
    if value & 0x60:
        assert paper is Paper.OUT
    elif value & 0x0C:
        assert paper is Paper.NEAR_END
    else:
        assert paper is Paper.ADEQUATE


@pytest.mark.parametrize(
    ("replies", "state", "level"),
    [
        ((0x12, 0x12, 0x12), ReceiptState.READY, Level.READY),
        ((0x12, 0x12, 0x1E), ReceiptState.PAPER_NEAR_END, Level.DEGRADED),
        ((0x1A, 0x32, 0x72), ReceiptState.PAPER_OUT, Level.UNAVAILABLE),
        ((0x12, 0x12, 0x72), ReceiptState.PAPER_OUT, Level.UNAVAILABLE),
        ((0x1A, 0x16, 0x12), ReceiptState.COVER_OPEN, Level.UNAVAILABLE),
        ((0x1A, 0x52, 0x12), ReceiptState.ERROR, Level.UNAVAILABLE),
        ((0x1A, 0x12, 0x12), ReceiptState.OFFLINE, Level.UNAVAILABLE),
        ((0x12, None, None), ReceiptState.READY, Level.READY),
        ((0xFF, 0x12, 0x12), ReceiptState.INVALID_ANSWER, Level.DEGRADED),
    ],
)
def test_replies_map_to_states(
    replies: tuple[int, int | None, int | None], state: ReceiptState, level: Level
) -> None:
    status = status_from_replies(*replies)
    assert status.state is state
    assert status.level is level
    assert status.readiness().level is level


def test_status_queries_are_dle_eot_n() -> None:
    assert status_query(1) == b"\x10\x04\x01"
    assert status_query(4) == b"\x10\x04\x04"
    with pytest.raises(ValueError):
        status_query(5)
