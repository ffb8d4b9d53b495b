"""The reference city API server for tests: `kiosk cityapi serve` in a subprocess on 127.0.0.1.

The server binds a free port itself (`--port 0`) and prints its URL, so nothing races for a
port. Its data folder is the test's own; tests read its SQLite file to check what it stored.
"""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
import threading
import time
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
from tests.harness.common import stop_process

CITIZEN_CA_CERTIFICATE = (0xDF00, 0x503A)

READY_PREFIX = "cityapi: serving "
START_TIMEOUT_S = 30.0
ENROLMENT_CODES = ("enrol-code-0001", "enrol-code-0002", "enrol-code-0003", "enrol-code-0004")


@dataclass
class RefServer:
    url: str
    data_dir: Path
    process: subprocess.Popen[bytes]
    enrolment_codes: list[str] = field(default_factory=list)

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
        stop_process(self.process)


def start_refserver(
    data_dir: Path, trust_roots: list[Path] | None = None, *extra: str
) -> RefServer:
    """Start `kiosk cityapi serve` and wait (bounded) until it prints its URL."""
    data_dir.mkdir(parents=True, exist_ok=True)
    command = [
        sys.executable,
        "-m",
        "kiosk.cli",
        "cityapi",
        "serve",
        "--host",
        "127.0.0.1",
        "--port",
        "0",
        "--data",
        str(data_dir),
        *extra,
    ]
    for code in ENROLMENT_CODES:
        command += ["--enrolment-code", code]
    for root in trust_roots or []:
        command += ["--trust-roots", str(root)]
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
    lines: list[str] = []

    def read_first_lines() -> None:
        assert process.stdout is not None
        for raw in process.stdout:
            lines.append(raw.decode(errors="replace").strip())
            if lines[-1].startswith(READY_PREFIX):
                return

    reader = threading.Thread(target=read_first_lines, daemon=True)
    reader.start()
    reader.join(START_TIMEOUT_S)
    url = next(
        (line.removeprefix(READY_PREFIX) for line in lines if line.startswith(READY_PREFIX)), None
    )
    if url is None:
        stop_process(process)
        stderr = process.stderr.read().decode(errors="replace") if process.stderr else ""
        pytest.fail(f"the reference city API did not start: {stderr[-2000:]}", pytrace=False)
    _wait_ready(url)
    return RefServer(
        url=url, data_dir=data_dir, process=process, enrolment_codes=list(ENROLMENT_CODES)
    )


def _wait_ready(url: str) -> None:
    deadline = time.monotonic() + START_TIMEOUT_S
    while time.monotonic() < deadline:
        try:
            if requests.get(f"{url}/v1/status", timeout=2).status_code == 200:
                return
        except requests.RequestException:
            time.sleep(0.05)
    pytest.fail(f"the reference city API at {url} never answered", pytrace=False)


def enrol(server: RefServer, terminal_id: str) -> str:
    """Spend one of the server's enrolment codes; returns the bearer token."""
    code = server.enrolment_codes.pop(0)
    answer = requests.post(
        f"{server.url}/v1/terminals/enrol",
        json={"enrolment_code": code, "terminal_id": terminal_id},
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
