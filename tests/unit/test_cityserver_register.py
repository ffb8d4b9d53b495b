"""The population register: its seed file parser (hostile input, never echoed) and its table."""

from __future__ import annotations

import json
import tempfile
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cityapi.models import RegisteredCitizen
from cityserver.register import (
    PopulationRegister,
    RegisterFileError,
    full_address,
    read_register_file,
)
from cityserver.store import Store

FIELDS = list(RegisteredCitizen.model_fields)
# Every string a seed file carries is marked, so a message that echoes one is caught.
marked = st.text(max_size=30).map(lambda text: "SECRET" + text)
values = st.recursive(
    st.none() | st.booleans() | st.integers() | marked,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(marked, inner, max_size=3),
    max_leaves=10,
)
entries = st.dictionaries(st.sampled_from(FIELDS) | marked, values, max_size=9)


@settings(max_examples=200, deadline=None)
@given(st.lists(entries, max_size=3) | values)
def test_a_seed_file_is_entries_or_one_error_that_never_echoes_it(document: object) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "register.json"
        path.write_text(json.dumps(document))
        path.chmod(0o600)
        try:
            citizens, open_to_others = read_register_file(path)
        except RegisterFileError as exc:
            assert "SECRET" not in str(exc)
        else:
            assert isinstance(document, list) and len(citizens) == len(document)
            assert not open_to_others


@settings(max_examples=100, deadline=None)
@given(st.binary(max_size=200))
def test_any_bytes_are_entries_or_one_error(data: bytes) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "register.json"
        path.write_bytes(data)
        try:
            citizens, _open = read_register_file(path)
        except RegisterFileError as exc:
            assert str(exc).count("\n") == 0 and str(path) in str(exc)
        else:
            assert all(isinstance(one, RegisteredCitizen) for one in citizens)


def citizen(street: str = "Rue Haute 1") -> RegisteredCitizen:
    return RegisteredCitizen(
        national_number="87021424611",
        surname="Peeters",
        first_names="Anna",
        nationality="Belge",
        street_and_number=street,
        zip_code="1000",
        municipality="Bruxelles",
    )


def test_the_register_keeps_the_latest_address_across_a_restart(tmp_path: Path) -> None:
    store = Store(tmp_path / "db.sqlite3")
    register = PopulationRegister(store)
    assert register.lookup("87021424611") is None
    assert register.record(citizen(), 1.0) is True
    assert register.record(citizen("Rue Neuve 12"), 2.0) is False  # a move replaces
    store.close()
    reopened = PopulationRegister(Store(tmp_path / "db.sqlite3"))
    found = reopened.lookup("87021424611")
    assert found == citizen("Rue Neuve 12")
    assert full_address(found) == "Rue Neuve 12, 1000 Bruxelles"
    assert "Peeters" not in repr(found) and "87021424611" not in repr(found)


def test_an_open_seed_file_is_reported(tmp_path: Path) -> None:
    path = tmp_path / "register.json"
    path.write_text("[" + citizen().model_dump_json() + "]")
    path.chmod(0o644)
    citizens, open_to_others = read_register_file(path)
    assert citizens == [citizen()] and open_to_others


@pytest.mark.parametrize(
    "national_number", ["8702142461", "870214246111", "87.02.14-246.11", "8702142461\n"]
)
def test_a_national_number_is_eleven_digits(national_number: str) -> None:
    with pytest.raises(ValueError):
        RegisteredCitizen(**{**citizen().model_dump(), "national_number": national_number})
