"""The city's server as `kiosk demo` runs it: a child process on loopback, its enrolment code
never on its command line, stopped by its pid, at exit, and when the demo is killed."""

from __future__ import annotations

import os
import signal
import stat
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest
import requests

from kiosk.cityclient import CityApiClient
from kiosk.config import CityApiSettings
from kiosk.wiring.cityserver_process import CityServerError, CityServerProcess, start_demo_server

pytestmark = pytest.mark.integration


def answers(url: str) -> bool:
    try:
        return requests.get(f"{url}/v1/status", timeout=2).status_code == 200
    except requests.ConnectionError:
        return False


def wait_gone(url: str, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while answers(url):
        assert time.monotonic() < deadline, f"the server at {url} still answers"
        time.sleep(0.1)


def test_the_demo_server_serves_enrols_once_and_stops_by_its_pid(tmp_path: Path) -> None:
    server = start_demo_server(tmp_path, "demo-terminal")
    try:
        ((terminal_id, _location, code),) = server.enrolment_codes
        assert terminal_id == "demo-terminal"
        codes_file = next(tmp_path.glob(".cityserver-enrolment-codes"))
        assert stat.S_IMODE(codes_file.stat().st_mode) == 0o600
        register_file = next(tmp_path.glob(".cityserver-register.json"))  # citizen data
        assert stat.S_IMODE(register_file.stat().st_mode) == 0o600
        url = server.wait_ready()
        assert url.startswith("http://127.0.0.1:")
        assert not codes_file.exists()  # read by the server, which keeps only its hash
        assert not register_file.exists()  # read by the server, into its register
        assert server.pid is not None
        command_line = Path(f"/proc/{server.pid}/cmdline").read_bytes().decode()
        assert "cityserver" in command_line and code not in command_line
        assert code not in repr(server)
        settings = CityApiSettings(token_file=tmp_path / "t", catalogue_cache=tmp_path / "c")
        with CityApiClient(settings, url) as client:
            assert client.status().status == "ok"
            client.enrol(code, "demo-terminal")
            assert len(client.catalogue().catalogue.items) >= 6
    finally:
        server.stop()
    assert not answers(url)
    server.stop()  # twice is harmless


def test_a_server_that_cannot_start_says_why_and_is_gone(tmp_path: Path) -> None:
    server = CityServerProcess(
        tmp_path / "data",
        trust_roots=[tmp_path / "none.pem"],
        enrolment_codes=[("kiosk-01", "hall", "a-code-123")],
    ).start()
    with pytest.raises(CityServerError, match=r"did not start \(exit code 2\).*none\.pem"):
        server.wait_ready()
    assert not (tmp_path / ".data-enrolment-codes").exists()


PARENT = """
import os, signal, sys
from pathlib import Path
from kiosk.wiring.cityserver_process import start_demo_server

server = start_demo_server(Path(sys.argv[1]), "demo-terminal")
print(server.wait_ready(), server.pid, flush=True)
if sys.argv[2] == "killed":
    os.kill(os.getpid(), signal.SIGKILL)  # no atexit, no finally: only the stdin pipe tells
raise SystemExit(3)  # a demo that fails: its atexit stops the server
"""


@pytest.mark.parametrize("end", ["killed", "failed"])
def test_the_server_ends_with_the_demo_process(tmp_path: Path, end: str) -> None:
    parent = subprocess.Popen(
        [sys.executable, "-c", textwrap.dedent(PARENT), str(tmp_path), end],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    url, server_pid = "", 0
    try:
        assert parent.stdout is not None
        url, pid = [*parent.stdout.readline().split(), "", ""][:2]
        assert url.startswith("http://127.0.0.1:"), parent.stderr.read() if parent.stderr else ""
        server_pid = int(pid)
        code = parent.wait(timeout=30)
        assert code == (-signal.SIGKILL if end == "killed" else 3)
        wait_gone(url)
    finally:
        if parent.poll() is None:
            os.kill(parent.pid, signal.SIGKILL)
            parent.wait()
        if server_pid and url and answers(url):  # the test failed: do not leave it behind
            os.kill(server_pid, signal.SIGTERM)
