"""The city's reference server for tests: `python -m cityserver serve` in a child process on
127.0.0.1, started as `kiosk demo` starts it (kiosk.wiring.cityserver_process).

The server binds a free port itself (`--port 0`) and prints its URL, so nothing races for a
port. Its data folder is the test's own; tests read its SQLite file to check what it stored.
Its population register holds the test citizens (`seed_register()`): the demo card's, the
first canaries, and a foreign citizen; a card of anyone else gets no document.
"""

from __future__ import annotations

import dataclasses
import datetime
import functools
import secrets
import sqlite3
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import requests

from cityapi.models import RegisteredCitizen
from devices.eid.card import BelpicCard
from devices.eid.emulator import (
    BelpicApplet,
    CitizenProfile,
    EmulatedCardContent,
    SimReader,
    canary_profile,
    demo_profile,
    national_number,
    shared_test_pki,
)
from devices.eid.model import CardFiles
from devices.eid.reader import read_files
from devices.eid.simulated import SimulatedTransport
from kiosk.wiring.cityserver_process import CityServerError, CityServerProcess, registered

CITIZEN_CA_CERTIFICATE = (0xDF00, 0x503A)

# Where a test's terminals are, unless it says otherwise.
TEST_LOCATION = "test-hall"

REGISTERED_CANARIES = range(700)  # canary_profile(n) for these n are in the register


def foreign_profile() -> CitizenProfile:
    """The demo card's data for a citizen of another nationality, with a number of their own."""
    return dataclasses.replace(
        demo_profile(),
        national_number=national_number(datetime.date(1990, 5, 17), 414),
        nationality="Marocaine",
    )


def seed_register() -> list[RegisteredCitizen]:
    """The population register of every test server (a new list of the same entries)."""
    return list(_seed_register())


@functools.cache
def _seed_register() -> tuple[RegisteredCitizen, ...]:
    # Made once per session: building the 702 entries took 0.5 s at each server's start. The
    # canary test's memory scan looks for canaries from 20000 on, never these.
    profiles = [demo_profile(), foreign_profile()]
    profiles += [canary_profile(n) for n in REGISTERED_CANARIES]
    return tuple(registered(profile) for profile in profiles)


@dataclass
class CityServer:
    url: str
    data_dir: Path
    process: CityServerProcess
    # City IT's admin token for this server (given to it by a 0600 file).
    admin_token: str = ""

    def admin_headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.admin_token}"}

    @property
    def database(self) -> Path:
        return self.data_dir / "cityapi.sqlite3"

    def query(self, sql: str, params: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
        """Read the server's database (read-only, beside the running server: WAL allows it)."""
        with sqlite3.connect(f"file:{self.database}?mode=ro", uri=True, timeout=5) as db:
            return db.execute(sql, params).fetchall()

    def set_faults(self, *rules: dict[str, Any]) -> None:
        answer = requests.put(f"{self.url}/_faults", json=list(rules), timeout=5)
        assert answer.status_code == 200, answer.text

    def clear_faults(self) -> None:
        answer = requests.delete(f"{self.url}/_faults", timeout=5)
        assert answer.status_code == 200, answer.text

    def stop(self) -> None:
        self.process.stop()


def start_cityserver(
    data_dir: Path,
    trust_roots: list[Path] | None = None,
    *extra: str,
    register: list[RegisteredCitizen] | None = None,
) -> CityServer:
    """Start `cityserver serve` and wait (bounded) until it answers /v1/status. Its register
    holds `register` (by default the test citizens, `seed_register()`)."""
    admin_token = secrets.token_urlsafe(24)
    process = CityServerProcess(
        data_dir,
        trust_roots=trust_roots,
        admin_token=admin_token,
        register=seed_register() if register is None else register,
        # The tests' faults (set_faults): the flag is explicit, the demo never passes it.
        extra_args=["--fault-injection", *extra],
    ).start()
    try:
        url = process.wait_ready()
    except CityServerError as exc:
        pytest.fail(str(exc), pytrace=False)
    return CityServer(
        url=url,
        data_dir=data_dir,
        process=process,
        admin_token=admin_token,
    )


def enrolment_code(
    server: CityServer,
    terminal_id: str,
    location: str = TEST_LOCATION,
    valid_for_s: int | None = None,
) -> str:
    """A one-time code for `terminal_id`, made as city IT makes it (the admin token)."""
    body: dict[str, Any] = {"terminal_id": terminal_id, "location": location}
    if valid_for_s is not None:
        body["valid_for_s"] = valid_for_s
    answer = requests.post(
        f"{server.url}/v1/admin/enrolment-codes",
        json=body,
        headers=server.admin_headers(),
        timeout=5,
    )
    assert answer.status_code == 201, answer.text
    code: str = answer.json()["enrolment_code"]
    return code


def enrol(server: CityServer, terminal_id: str, location: str = TEST_LOCATION) -> str:
    """Enrol `terminal_id` with a code made for it; returns the bearer token. Sent with an
    Idempotency-Key, as the kiosk sends every POST."""
    code = enrolment_code(server, terminal_id, location)
    answer = requests.post(
        f"{server.url}/v1/terminals/enrol",
        json={"enrolment_code": code, "terminal_id": terminal_id},
        headers={"Idempotency-Key": str(uuid.uuid4())},
        timeout=5,
    )
    assert answer.status_code == 201, answer.text
    token: str = answer.json()["token"]
    return token


@dataclass
class InsertedCard:
    """An emulated card, read and unlocked the way the kiosk does it (PIN 1234)."""

    files: CardFiles
    citizen_ca: bytes
    card: BelpicCard

    def sign(self, challenge: bytes) -> tuple[bytes, bytes]:
        return self.card.sign_challenge(challenge)


def insert_card(content: EmulatedCardContent) -> InsertedCard:
    card = BelpicCard(SimulatedTransport(SimReader(BelpicApplet(content))))
    card.recognise()
    files = read_files(card)
    citizen_ca = card.read_file(CITIZEN_CA_CERTIFICATE)
    assert citizen_ca is not None
    card.verify_pin(bytearray(b"1234"))
    return InsertedCard(files=files, citizen_ca=bytes(citizen_ca), card=card)


def write_test_roots(folder: Path) -> Path:
    """The shared test PKI's roots as a PEM file, for the server's --trust-roots."""
    path = folder / "test-roots.pem"
    path.write_bytes(shared_test_pki().root_pem())
    return path
