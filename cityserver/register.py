"""The population register: who lives where now, keyed by national number.

A card's address file is signed by the National Register over `address || identity
signature`, and the identity signature does not change when the commune rewrites the
address: every address ever written on a card still verifies. So the card only says who is
at the terminal (its verified national number); what a certificate states (name, nationality,
current address) comes from here. A citizen not in the register gets no document.

The register lives in the server's SQLite store (its own table), seeded by
`cityserver serve --register FILE` (a JSON list of RegisteredCitizen) and by city IT over
POST /v1/admin/register. It is citizen data: never logged.
"""

from __future__ import annotations

import json
import sqlite3
import stat
from pathlib import Path

from pydantic import TypeAdapter, ValidationError

from cityapi.models import RegisteredCitizen
from cityserver.store import Store

SCHEMA = """
CREATE TABLE IF NOT EXISTS population_register (
    national_number TEXT PRIMARY KEY, surname TEXT NOT NULL, first_names TEXT NOT NULL,
    nationality TEXT NOT NULL, street_and_number TEXT NOT NULL, zip_code TEXT NOT NULL,
    municipality TEXT NOT NULL, recorded_at REAL NOT NULL)
"""

_FIELDS = tuple(RegisteredCitizen.model_fields)
_COLUMNS = (
    "national_number, surname, first_names, nationality, street_and_number, zip_code, municipality"
)
assert _COLUMNS.split(", ") == list(_FIELDS), "the table's columns are the model's fields"
_ENTRIES = TypeAdapter(list[RegisteredCitizen])


class RegisterFileError(Exception):
    """A seed file that cannot be used; the message holds no citizen data."""


class PopulationRegister:
    """The register's table in the server's store."""

    def __init__(self, store: Store) -> None:
        self._store = store
        store.execute(SCHEMA)

    def record(self, citizen: RegisteredCitizen, now: float) -> bool:
        """Add or replace the citizen's entry; True when they were not in the register."""
        with self._store.transaction() as db:
            return self.record_in(db, citizen, now)

    def record_in(self, db: sqlite3.Connection, citizen: RegisteredCitizen, now: float) -> bool:
        known = db.execute(
            "SELECT 1 FROM population_register WHERE national_number = ?",
            (citizen.national_number,),
        ).fetchone()
        values = tuple(getattr(citizen, name) for name in _FIELDS)
        db.execute(
            "INSERT OR REPLACE INTO population_register (" + _COLUMNS + ", recorded_at) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (*values, now),
        )
        return known is None

    def record_all(self, citizens: list[RegisteredCitizen], now: float) -> None:
        with self._store.transaction() as db:
            for citizen in citizens:
                self.record_in(db, citizen, now)

    def remove(self, national_number: str) -> bool:
        """Take the citizen out of the register; False when they were not in it."""
        removed = self._store.execute(
            "DELETE FROM population_register WHERE national_number = ?", (national_number,)
        )
        return removed > 0

    def lookup(self, national_number: str) -> RegisteredCitizen | None:
        rows = self._store.query(
            "SELECT * FROM population_register WHERE national_number = ?",
            (national_number,),
        )
        if not rows:
            return None
        return RegisteredCitizen(**{name: rows[0][name] for name in _FIELDS})


def full_name(citizen: RegisteredCitizen) -> str:
    return f"{citizen.first_names} {citizen.surname}".strip()


def full_address(citizen: RegisteredCitizen) -> str:
    return f"{citizen.street_and_number}, {citizen.zip_code} {citizen.municipality}"


def read_register_file(path: Path) -> tuple[list[RegisteredCitizen], bool]:
    """The citizens in a seed file (a JSON list), and whether the file is open to others."""
    try:
        text = path.read_text(encoding="utf-8")
        mode = path.stat().st_mode
    except (OSError, UnicodeDecodeError) as exc:
        reason = getattr(exc, "strerror", None) or "not UTF-8 text"
        raise RegisterFileError(f"cannot read the register from {path}: {reason}") from None
    try:
        citizens = _ENTRIES.validate_python(json.loads(text))
    except (ValueError, ValidationError) as exc:
        # Where it is wrong, never the value: it is citizen data.
        where = ""
        if isinstance(exc, ValidationError) and exc.errors():
            where = " at " + ".".join(str(part) for part in exc.errors()[0]["loc"])
        raise RegisterFileError(f"{path}: not a JSON list of register entries{where}") from None
    return citizens, bool(mode & (stat.S_IRWXG | stat.S_IRWXO))
