"""`kiosk cityapi register add` as city IT uses it, against the reference server on loopback:
the entry from a file or stdin, the admin token from a 0600 file or stdin, never on the command
line; every failure one line and a documented exit code; no token or citizen data printed."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from devices.eid.emulator import build_card, canary_profile, shared_test_pki
from kiosk.cityclient import CityApiClient, CityApiError
from kiosk.config import CityApiSettings
from kiosk.wiring.cityserver_process import registered
from tests.harness.cityserver import (
    CityServer,
    enrol,
    insert_card,
    start_cityserver,
    write_test_roots,
)

pytestmark = pytest.mark.integration

# Not in the test servers' register; outside the canary test's own 20000s (it scans memory).
NEWCOMER = canary_profile(22_001)


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[CityServer]:
    folder = tmp_path_factory.mktemp("register-cli")
    running = start_cityserver(folder / "data", [write_test_roots(folder)])
    yield running
    running.stop()


@pytest.fixture
def config(server: CityServer, tmp_path: Path) -> Path:
    path = tmp_path / "kiosk.toml"
    path.write_text(
        f'[terminal]\nid = "it-laptop"\n[cityapi]\nurl = "{server.url}"\n'
        f'token_file = "{tmp_path / "token"}"\ncatalogue_cache = "{tmp_path / "cat.json"}"\n'
        "connect_timeout = 1\nread_timeout = 2\nretries = 0\n"
    )
    return path


def private(path: Path, text: str) -> Path:
    path.write_text(text)
    path.chmod(0o600)
    return path


def kiosk(config: Path, *args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "kiosk.cli", "--config", str(config), "cityapi", *args],
        input=stdin,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
        env={**os.environ, "KIVY_NO_ARGS": "1"},
    )


def entry(**changes: str) -> str:
    return json.dumps({**registered(NEWCOMER).model_dump(), **changes})


def assert_says_nothing_secret(done: subprocess.CompletedProcess[str], *secrets: str) -> None:
    said = done.stdout + done.stderr
    assert "Traceback" not in said
    for secret in (NEWCOMER.national_number, NEWCOMER.surname, *secrets):
        assert secret not in said


def test_city_it_adds_a_citizen_who_then_gets_a_certificate(
    server: CityServer, config: Path, tmp_path: Path
) -> None:
    token_file = private(tmp_path / "admin-token", server.admin_token + "\n")
    added = kiosk(
        config, "register", "add", "-", "--admin-token-file", str(token_file), stdin=entry()
    )
    assert (added.returncode, added.stdout) == (0, "added to the population register\n")
    assert_says_nothing_secret(added, server.admin_token)

    # The token from stdin this time, the entry from a file: a move to a new address.
    moved = private(tmp_path / "moved.json", entry(street_and_number="Rue Neuve 12"))
    again = kiosk(
        config,
        "register",
        "add",
        str(moved),
        "--admin-token-file",
        "-",
        stdin=server.admin_token + "\n",
    )
    assert (again.returncode, again.stdout) == (0, "register entry replaced\n")
    assert_says_nothing_secret(again, server.admin_token)

    settings = CityApiSettings(token_file=tmp_path / "t", catalogue_cache=tmp_path / "c")
    with CityApiClient(settings, server.url, token=enrol(server, "kiosk-register-01")) as api:
        card = insert_card(build_card(NEWCOMER, shared_test_pki(), "1.8"))
        session = api.authenticate_citizen(
            card.files, card.sign, card.citizen_ca, terminal_id="kiosk-register-01"
        )
        assert api.request_document(session, "residence", "fr").status == "ready"
    rows = server.query(
        "SELECT street_and_number FROM population_register WHERE national_number = ?",
        (NEWCOMER.national_number,),
    )
    assert rows == [("Rue Neuve 12",)]


def test_a_wrong_token_is_exit_4_and_a_terminals_token_exit_5(
    server: CityServer, config: Path, tmp_path: Path
) -> None:
    wrong = kiosk(
        config,
        "register",
        "add",
        "-",
        "--admin-token-file",
        str(private(tmp_path / "wrong", "not-the-admin-token-at-all\n")),
        stdin=entry(),
    )
    assert wrong.returncode == 4 and wrong.stderr.count("\n") == 1
    terminal_token = enrol(server, "kiosk-register-02")
    terminal = kiosk(
        config,
        "register",
        "add",
        "-",
        "--admin-token-file",
        str(private(tmp_path / "terminal", terminal_token)),
        stdin=entry(),
    )
    assert terminal.returncode == 5 and "only city IT" in terminal.stderr
    assert_says_nothing_secret(terminal, terminal_token)


@pytest.mark.parametrize(
    ("case", "expected"),
    [
        ("token file open to others", "open to others"),
        ("both on stdin", "only one"),
        ("invalid entry", "zip_code"),
        ("not JSON", "not valid"),
        ("no such token file", "cannot read the admin token"),
    ],
)
def test_usage_errors_are_exit_2_in_one_line(
    server: CityServer, config: Path, tmp_path: Path, case: str, expected: str
) -> None:
    token_file = private(tmp_path / "admin-token", server.admin_token)
    citizen, token_arg, stdin = "-", str(token_file), entry()
    if case == "token file open to others":
        token_file.chmod(0o644)
    elif case == "both on stdin":
        token_arg = "-"
    elif case == "invalid entry":
        stdin = entry(zip_code="BRU-1000")
    elif case == "not JSON":
        stdin = "national_number=" + NEWCOMER.national_number
    else:
        token_arg = str(tmp_path / "nowhere")
    done = kiosk(config, "register", "add", citizen, "--admin-token-file", token_arg, stdin=stdin)
    assert done.returncode == 2, done.stderr
    assert done.stderr.count("\n") == 1 and expected in done.stderr
    assert_says_nothing_secret(done, server.admin_token, "BRU-1000")


def test_a_server_that_does_not_answer_is_exit_3(tmp_path: Path) -> None:
    config = tmp_path / "kiosk.toml"
    config.write_text(
        '[cityapi]\nurl = "http://127.0.0.1:9"\n'
        f'token_file = "{tmp_path / "token"}"\ncatalogue_cache = "{tmp_path / "cat.json"}"\n'
        "connect_timeout = 1\nread_timeout = 1\nretries = 0\n"
    )
    token_file = private(tmp_path / "admin-token", "a-token-of-city-it-0123456789")
    done = kiosk(
        config, "register", "add", "-", "--admin-token-file", str(token_file), stdin=entry()
    )
    assert done.returncode == 3 and done.stderr.count("\n") == 1
    assert_says_nothing_secret(done, "a-token-of-city-it-0123456789")


def test_the_client_call_refuses_a_terminal_token_with_forbidden_role(server: CityServer) -> None:
    from kiosk.cityclient.admin import CityAdminClient

    settings = CityApiSettings(url=server.url, retries=0)
    terminal_token = enrol(server, "kiosk-register-03")
    with (
        CityAdminClient(settings, terminal_token) as client,
        pytest.raises(CityApiError) as refused,
    ):
        client.record_citizen(registered(NEWCOMER))
    assert (refused.value.status, refused.value.code) == (403, "forbidden_role")


def test_only_city_it_takes_a_citizen_out_of_the_register(server: CityServer) -> None:
    url = f"{server.url}/v1/admin/register/removals"
    removal = {"national_number": canary_profile(70).national_number}
    terminal = {"Authorization": f"Bearer {enrol(server, 'kiosk-register-04')}"}
    refused = requests.post(url, json=removal, headers=terminal, timeout=10)
    assert (refused.status_code, refused.json()["code"]) == (403, "forbidden_role")
    nobody = requests.post(url, json=removal, timeout=10)
    assert nobody.status_code == 401
    assert server.query(
        "SELECT count(*) FROM population_register WHERE national_number = ?",
        (removal["national_number"],),
    ) == [(1,)]
