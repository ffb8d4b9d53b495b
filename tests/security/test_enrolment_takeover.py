"""Finding 3, as an attacker tries it: take over an enrolled terminal's id with a code that was
not made for it, with a used code, with an expired one; and after IT re-enrols a terminal,
keep using its old token."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest
import requests

from tests.harness.cityserver import CityServer, enrol, enrolment_code, start_cityserver
from tests.security._city import bearer, enrol_at, try_enrol

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[CityServer]:
    running = start_cityserver(tmp_path_factory.mktemp("takeover") / "data")
    try:
        yield running
    finally:
        running.stop()


def works(server: CityServer, token: str) -> int:
    return requests.get(f"{server.url}/v1/catalogue", headers=bearer(token), timeout=5).status_code


def test_an_unused_code_for_another_terminal_does_not_take_over_a_terminal(
    server: CityServer,
) -> None:
    victim = enrol(server, "kiosk-victim-01")
    stolen = enrolment_code(server, "kiosk-new-01", "test-hall")  # a code IT made for a new kiosk
    takeover = try_enrol(server, stolen, "kiosk-victim-01")
    assert takeover.status_code == 403, takeover.text
    assert takeover.json()["code"] == "enrolment_code_other_terminal"
    assert works(server, victim) == 200  # the victim keeps its token
    assert try_enrol(server, stolen, "kiosk-new-01").status_code == 201  # and the code its use


def test_the_old_token_stops_at_once_when_the_terminal_is_enrolled_again(
    server: CityServer,
) -> None:
    old = enrol_at(server, "kiosk-reenrol-01", "test-hall")
    new = enrol_at(server, "kiosk-reenrol-01", "test-hall")  # IT made a new code for it
    assert works(server, old) == 401
    assert works(server, new) == 200


def test_an_expired_code_enrols_nothing(server: CityServer) -> None:
    late = enrolment_code(server, "kiosk-late-01", "test-hall", valid_for_s=1)
    time.sleep(1.5)
    refused = try_enrol(server, late, "kiosk-late-01")
    assert refused.status_code == 401, refused.text
    assert server.query("SELECT 1 FROM terminals WHERE terminal_id = 'kiosk-late-01'") == []


def test_a_code_works_once(server: CityServer) -> None:
    code = enrolment_code(server, "kiosk-once-01", "test-hall")
    first = try_enrol(server, code, "kiosk-once-01")
    assert first.status_code == 201, first.text
    again = try_enrol(server, code, "kiosk-once-01")
    assert again.status_code == 401, again.text
    assert works(server, first.json()["token"]) == 200  # the replay revoked nothing


def test_a_new_code_replaces_the_terminals_unused_one(server: CityServer) -> None:
    leaked = enrolment_code(server, "kiosk-leak-01", "test-hall")
    enrolment_code(server, "kiosk-leak-01", "test-hall")  # IT fears the first leaked: a new one
    assert try_enrol(server, leaked, "kiosk-leak-01").status_code == 401


def test_codes_are_kept_as_hashes_only(server: CityServer) -> None:
    code = enrolment_code(server, "kiosk-hash-01", "test-hall")
    assert code.encode() not in server.database.read_bytes()
    wal = server.database.with_name(server.database.name + "-wal")
    assert not wal.exists() or code.encode() not in wal.read_bytes()
