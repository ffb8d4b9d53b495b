"""The city's reference server for tests: `python -m cityserver serve` in a child process on
127.0.0.1, started as `kiosk demo` starts it (kiosk.wiring.cityserver_process).

The server binds a free port itself (`--port 0`) and prints its URL, so nothing races for a
port. Its data folder is the test's own; tests read its SQLite file to check what it stored.
"""

from __future__ import annotations

import secrets
import sqlite3
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import requests

from devices.eid.card import BelpicCard
from devices.eid.emulator import BelpicApplet, EmulatedCardContent, SimReader, shared_test_pki
from devices.eid.model import CardFiles
from devices.eid.reader import read_files
from devices.eid.simulated import SimulatedTransport
from kiosk.wiring.cityserver_process import CityServerError, CityServerProcess

CITIZEN_CA_CERTIFICATE = (0xDF00, 0x503A)

ENROLMENT_CODES = ("enrol-code-0001", "enrol-code-0002", "enrol-code-0003", "enrol-code-0004")


@dataclass
class CityServer:
    url: str
    data_dir: Path
    process: CityServerProcess
    enrolment_codes: list[str] = field(default_factory=list)
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
    data_dir: Path, trust_roots: list[Path] | None = None, *extra: str
) -> CityServer:
    """Start `cityserver serve` and wait (bounded) until it answers /v1/status."""
    admin_token = secrets.token_urlsafe(24)
    process = CityServerProcess(
        data_dir,
        trust_roots=trust_roots,
        enrolment_codes=list(ENROLMENT_CODES),
        admin_token=admin_token,
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
        enrolment_codes=list(ENROLMENT_CODES),
        admin_token=admin_token,
    )


def enrol(server: CityServer, terminal_id: str) -> str:
    """Spend one of the server's enrolment codes; returns the bearer token. Sent with an
    Idempotency-Key, as the kiosk sends every POST."""
    code = server.enrolment_codes.pop(0)
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
