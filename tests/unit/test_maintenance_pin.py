"""The maintenance PIN's hash: made once by IT, checked at the kiosk in constant time."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kiosk.config import parse_settings
from kiosk.maintenance_pin import check_maintenance_pin, hash_maintenance_pin

PINS = st.text(alphabet="0123456789", min_size=4, max_size=12)


@settings(max_examples=10, deadline=None)  # scrypt is slow on purpose
@given(pin=PINS, other=PINS)
def test_only_the_same_pin_matches_its_hash(pin: str, other: str) -> None:
    stored = hash_maintenance_pin(pin)
    assert check_maintenance_pin(pin.encode(), stored)
    assert check_maintenance_pin(bytearray(other.encode()), stored) is (other == pin)


def test_the_hash_is_salted_and_never_holds_the_pin() -> None:
    first, second = hash_maintenance_pin("2468"), hash_maintenance_pin("2468")
    assert first != second
    assert "2468" not in first


def test_the_hash_is_accepted_by_the_configuration() -> None:
    stored = hash_maintenance_pin("13579")
    text = f'[ui]\nmaintenance_pin_hash = "{stored}"\n'
    assert parse_settings(text.encode(), Path("k.toml")).ui.maintenance_pin_hash == stored


@pytest.mark.parametrize(
    "stored",
    [
        "",
        "scrypt",
        "bcrypt$1$2$3$c2FsdA==$a2V5",
        "scrypt$x$8$1$c2FsdA==$a2V5",
        "scrypt$16384$8$1$!!$a2V5",
    ],
)
def test_an_empty_or_malformed_hash_matches_nothing(stored: str) -> None:
    assert not check_maintenance_pin(b"1234", stored)
