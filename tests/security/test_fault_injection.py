"""The fault injector (`/_faults`) rewrites the server's answers: an attacker on the server's
host who can reach it makes the city API lie to kiosks (drop, 5xx, malformed answers). It must
not exist unless the server was started for tests with `--fault-injection`: a server started
without the flag, and the demo's server, answer 404 to every method on it."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from kiosk.wiring.cityserver_process import CityServerProcess, start_demo_server
from tests.harness.cityserver import start_cityserver

pytestmark = pytest.mark.integration

RULES = [{"kind": "error", "path_prefix": "/v1/", "status": 503}]


def assert_no_fault_control(url: str) -> None:
    with requests.Session() as http:
        for method in ("GET", "PUT", "DELETE"):
            answer = http.request(method, f"{url}/_faults", json=RULES, timeout=5)
            assert answer.status_code == 404, f"{method} /_faults: {answer.status_code}"
        # Nothing took effect: the service answers normally.
        assert http.get(f"{url}/v1/status", timeout=5).status_code == 200


@pytest.fixture
def plain_server(tmp_path: Path) -> Iterator[str]:
    process = CityServerProcess(tmp_path / "data").start()
    try:
        yield process.wait_ready()
    finally:
        process.stop()


def test_a_server_started_without_the_flag_has_no_fault_control(plain_server: str) -> None:
    assert_no_fault_control(plain_server)


def test_the_demo_server_has_no_fault_control(tmp_path: Path) -> None:
    process = start_demo_server(tmp_path, "kiosk-demo")
    try:
        assert_no_fault_control(process.wait_ready())
    finally:
        process.stop()


def test_the_test_harness_asks_for_it_explicitly(tmp_path: Path) -> None:
    server = start_cityserver(tmp_path / "data")
    try:
        server.set_faults(*RULES)
        assert requests.get(f"{server.url}/v1/status", timeout=5).status_code == 503
        server.clear_faults()
        assert requests.get(f"{server.url}/v1/status", timeout=5).status_code == 200
    finally:
        server.stop()
