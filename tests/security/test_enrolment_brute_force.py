"""Finding 3, as an attacker tries it: guess enrolment codes, from one address and then from
many. After the limit (10 wrong codes a minute per address, 100 from all together) the server
answers 429 with Retry-After, whatever the code; each wrong code is logged, never the code."""

from __future__ import annotations

import http.client
import json
import secrets
import time
from pathlib import Path

import pytest

from tests.harness.cityserver import CityServer, enrolment_code, start_cityserver

pytestmark = pytest.mark.integration

PER_ADDRESS, TOTAL = 10, 100


def enrol_from(
    server: CityServer, source: str, code: str, terminal_id: str
) -> tuple[int, dict[str, str], dict[str, object]]:
    """POST /v1/terminals/enrol from `source` (any 127.x.y.z reaches a loopback server)."""
    host, port = server.url.removeprefix("http://").rsplit(":", 1)
    connection = http.client.HTTPConnection(host, int(port), timeout=5, source_address=(source, 0))
    try:
        body = json.dumps({"enrolment_code": code, "terminal_id": terminal_id})
        connection.request(
            "POST", "/v1/terminals/enrol", body, {"Content-Type": "application/json"}
        )
        answer = connection.getresponse()
        headers = {name.lower(): value for name, value in answer.getheaders()}
        return answer.status, headers, json.loads(answer.read() or b"{}")
    finally:
        connection.close()


def guess() -> str:
    return secrets.token_urlsafe(18)


def server_said(capfd: pytest.CaptureFixture[str], lines: int) -> str:
    """The server's stderr (passed through to ours), once it has said `lines` refusals."""
    said = ""
    deadline = time.monotonic() + 5
    while said.count("enrolment refused") < lines and time.monotonic() < deadline:
        time.sleep(0.05)
        said += capfd.readouterr().err
    return said


def test_one_address_is_stopped_after_ten_wrong_codes_and_each_is_logged(
    tmp_path: Path, capfd: pytest.CaptureFixture[str]
) -> None:
    server = start_cityserver(tmp_path / "data")
    try:
        guesses = [guess() for _ in range(PER_ADDRESS)]
        for code in guesses:
            status, _, problem = enrol_from(server, "127.0.0.1", code, "kiosk-target-01")
            assert status == 401, problem
        status, headers, problem = enrol_from(server, "127.0.0.1", guess(), "kiosk-target-01")
        assert status == 429, problem
        assert problem["code"] == "too_many_attempts"
        assert 1 <= int(headers["retry-after"]) <= 60
        right = enrolment_code(server, "kiosk-target-01", "test-hall")
        # Refused whatever the code, the right one too: a guesser learns nothing meanwhile.
        status, _, _ = enrol_from(server, "127.0.0.1", right, "kiosk-target-01")
        assert status == 429
        # Another address is not held back by this one's guesses.
        status, _, problem = enrol_from(server, "127.0.0.2", right, "kiosk-target-01")
        assert status == 201, problem
        said = server_said(capfd, PER_ADDRESS)
        assert said.count("enrolment refused") == PER_ADDRESS
        assert "127.0.0.1" in said and "kiosk-target-01" in said
        assert not any(code in said for code in [*guesses, right])
    finally:
        server.stop()


def test_many_addresses_together_are_stopped_after_a_hundred_wrong_codes(
    tmp_path: Path,
) -> None:
    server = start_cityserver(tmp_path / "data")
    try:
        sources = [f"127.0.1.{n}" for n in range(1, TOTAL // PER_ADDRESS + 1)]
        for source in sources:
            for _ in range(PER_ADDRESS):
                status, _, problem = enrol_from(server, source, guess(), "kiosk-target-02")
                assert status == 401, problem
        # A fresh address, a first try: the total is reached for everyone, the right code too.
        status, headers, problem = enrol_from(server, "127.0.2.1", guess(), "kiosk-target-02")
        assert status == 429, problem
        assert problem["code"] == "too_many_attempts" and int(headers["retry-after"]) >= 1
        right = enrolment_code(server, "kiosk-target-02", "test-hall")
        status, _, problem = enrol_from(server, "127.0.2.2", right, "kiosk-target-02")
        assert status == 429, problem
    finally:
        server.stop()
