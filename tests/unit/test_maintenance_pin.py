"""The maintenance PIN's hash: made once by IT (argon2id), checked at the kiosk in constant
time; the scrypt hashes made before still work."""

from __future__ import annotations

import base64
import hashlib
from pathlib import Path

import pytest
from argon2 import extract_parameters
from hypothesis import given, settings
from hypothesis import strategies as st

from kiosk.config import parse_settings
from kiosk.maintenance_pin import check_maintenance_pin, hash_maintenance_pin, needs_new_hash

PINS = st.text(alphabet="0123456789", min_size=4, max_size=12)


def old_scrypt_hash(pin: str, salt: bytes = b"0123456789abcdef", n: int = 2**14) -> str:
    """A hash as `kiosk maintenance code` wrote it before argon2id (written out here, not
    taken from the code, so the format stays the one in the field)."""
    key = hashlib.scrypt(pin.encode(), salt=salt, n=n, r=8, p=1, dklen=32)
    encode = base64.b64encode
    return f"scrypt${n}$8$1${encode(salt).decode()}${encode(key).decode()}"


@settings(max_examples=4, deadline=None)  # argon2id is slow on purpose
@given(pin=PINS, other=PINS)
def test_only_the_same_pin_matches_its_hash(pin: str, other: str) -> None:
    stored = hash_maintenance_pin(pin)
    assert stored.startswith("$argon2id$v=19$m=65536,t=3,p=4$")
    assert check_maintenance_pin(pin.encode(), stored)
    assert check_maintenance_pin(bytearray(other.encode()), stored) is (other == pin)


@settings(max_examples=10, deadline=None)
@given(pin=PINS, other=PINS)
def test_an_old_scrypt_hash_still_opens_the_screen(pin: str, other: str) -> None:
    stored = old_scrypt_hash(pin)
    assert check_maintenance_pin(bytearray(pin.encode()), stored)
    assert check_maintenance_pin(other.encode(), stored) is (other == pin)


def test_the_hash_is_salted_and_never_holds_the_pin() -> None:
    first, second = hash_maintenance_pin("2468"), hash_maintenance_pin("2468")
    assert first != second
    assert "2468" not in first


@pytest.mark.parametrize("make", [hash_maintenance_pin, old_scrypt_hash])
def test_the_hash_is_accepted_by_the_configuration(make: object) -> None:
    stored = make("13579")  # type: ignore[operator]
    text = f'[ui]\nmaintenance_pin_hash = "{stored}"\n'
    assert parse_settings(text.encode(), Path("k.toml")).ui.maintenance_pin_hash == stored


def test_old_or_cheaper_hashes_need_a_new_one() -> None:
    assert not needs_new_hash("")
    assert not needs_new_hash(hash_maintenance_pin("2468"))
    assert needs_new_hash(old_scrypt_hash("2468"))
    cheap = "$argon2id$v=19$m=8192,t=1,p=1$c2FsdHNhbHRzYWx0$" + "a" * 43
    assert needs_new_hash(cheap)


@pytest.mark.parametrize(
    "stored",
    [
        "",
        "scrypt",
        "bcrypt$1$2$3$c2FsdA==$a2V5",
        "scrypt$x$8$1$c2FsdA==$a2V5",
        "scrypt$16384$8$1$!!$a2V5",
        "$argon2id$",
        "$argon2id$v=19$m=65536,t=3,p=4$!!$a2V5",
        "$argon2i$v=19$m=65536,t=3,p=4$c2FsdHNhbHRzYWx0$a2V5a2V5a2V5a2V5",
        # A cost beyond what the kiosk accepts to spend on one check: refused, not run.
        "$argon2id$v=19$m=4194304,t=3,p=4$c2FsdHNhbHRzYWx0$" + "a" * 43,
        "$argon2id$v=19$m=65536,t=1000,p=4$c2FsdHNhbHRzYWx0$" + "a" * 43,
    ],
)
def test_an_empty_or_malformed_hash_matches_nothing(stored: str) -> None:
    assert not check_maintenance_pin(b"1234", stored)


def test_a_public_code_is_hashed_cheaply_and_a_real_kiosk_would_be_told_to_replace_it() -> None:
    # The demo's code is printed in its help: no cost protects it, so the demo pays none.
    public = hash_maintenance_pin("2468", public=True)
    assert check_maintenance_pin(b"2468", public) and not check_maintenance_pin(b"2469", public)
    assert (
        extract_parameters(public).memory_cost
        < extract_parameters(hash_maintenance_pin("2468")).memory_cost
    )
    assert needs_new_hash(public)  # `kiosk run` warns if such a hash reaches a real terminal
