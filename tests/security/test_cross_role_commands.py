"""Finding 5, as an attacker tries it: with a terminal's token, command another terminal, lock
the EPN room, make an animator or an enrolment code; with an animator's token, act on a room
or station of a location that is not its own, send city IT's commands, or pose as a terminal.
Every refusal is a 403 with a code; city IT (the admin token) may do it all."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
import requests

from tests.harness.cityserver import CityServer, enrol, start_cityserver
from tests.security._city import bearer, enrol_at

pytestmark = pytest.mark.integration

PERSON = "cd" * 32


@dataclass
class City:
    server: CityServer
    kiosk: str  # a kiosk's token
    other_kiosk: str  # another kiosk's token


@dataclass
class Stations:
    marolles: str  # an EPN station's token, at epn-marolles
    laeken: str  # an EPN station's token, at epn-laeken


@pytest.fixture(scope="module")
def city(tmp_path_factory: pytest.TempPathFactory) -> Iterator[City]:
    server = start_cityserver(tmp_path_factory.mktemp("roles") / "data")
    try:
        yield City(server, enrol(server, "kiosk-roles-01"), enrol(server, "kiosk-roles-02"))
    finally:
        server.stop()


@pytest.fixture(scope="module")
def stations(city: City) -> Stations:
    return Stations(
        enrol_at(city.server, "epn-marolles-01", "epn-marolles"),
        enrol_at(city.server, "epn-laeken-01", "epn-laeken"),
    )


def call(
    city: City, method: str, path: str, headers: dict[str, str], body: Any = None
) -> requests.Response:
    return requests.request(
        method, f"{city.server.url}{path}", json=body, headers=headers, timeout=5
    )


def refused(answer: requests.Response, code: str) -> None:
    assert answer.status_code == 403, answer.text
    assert answer.json()["code"] == code


def animator(city: City, username: str, *locations: str) -> str:
    made = call(
        city,
        "POST",
        "/v1/admin/animators",
        city.server.admin_headers(),
        {"username": username, "display_name": "Anim", "locations": list(locations)},
    )
    assert made.status_code == 201, made.text
    assert made.json()["account"]["locations"] == sorted(locations)
    token: str = made.json()["token"]
    return token


# -- a terminal's token -------------------------------------------------------------------------


@pytest.mark.parametrize("kind", ["restart", "lock", "end_session", "show_message"])
def test_a_terminal_cannot_command_another_terminal(city: City, kind: str) -> None:
    body = {"terminal_id": "kiosk-roles-02", "kind": kind, "argument": "x"}
    refused(call(city, "POST", "/v1/epn/commands", bearer(city.kiosk), body), "forbidden_role")
    pending = city.server.query(
        "SELECT count(*) FROM commands WHERE terminal_id = 'kiosk-roles-02'"
    )
    assert pending == [(0,)]


def test_a_terminal_cannot_lock_a_room(city: City) -> None:
    lock = {"locked": True, "message": "closed"}
    refused(call(city, "PUT", "/v1/epn/room/lock", bearer(city.kiosk), lock), "forbidden_role")
    room = call(city, "GET", "/v1/epn/room", bearer(city.kiosk))
    assert room.status_code == 200 and room.json()["locked"] is False


@pytest.mark.parametrize(
    ("path", "body"),
    [
        (
            "/v1/admin/animators",
            {"username": "mallory", "display_name": "M", "locations": ["epn-marolles"]},
        ),
        ("/v1/admin/enrolment-codes", {"terminal_id": "kiosk-evil", "location": "test-hall"}),
    ],
)
def test_a_terminal_cannot_do_city_its_work(city: City, path: str, body: Any) -> None:
    refused(call(city, "POST", path, bearer(city.kiosk), body), "forbidden_role")
    assert city.server.query("SELECT count(*) FROM animators WHERE username = 'mallory'") == [(0,)]


def test_no_terminal_route_makes_animators(city: City) -> None:
    body = {"username": "mallory", "display_name": "M"}
    answer = call(city, "POST", "/v1/epn/animators", bearer(city.kiosk), body)
    assert answer.status_code in (404, 405), answer.text  # the admin's, under /v1/admin
    assert city.server.query("SELECT count(*) FROM animators WHERE username = 'mallory'") == [(0,)]


def test_a_station_cannot_end_a_session_of_another_location(city: City, stations: Stations) -> None:
    start = {"seat": "pc-03", "minutes": 30, "person_key": PERSON}
    started = call(city, "POST", "/v1/epn/sessions", bearer(stations.marolles), start)
    assert started.status_code == 201, started.text
    session = started.json()["session_id"]
    refused(
        call(city, "POST", f"/v1/epn/sessions/{session}/end", bearer(stations.laeken)),
        "outside_location",
    )
    refused(
        call(
            city,
            "POST",
            f"/v1/epn/sessions/{session}/extend",
            bearer(stations.laeken),
            {"minutes": 5},
        ),
        "outside_location",
    )
    refused(
        call(city, "GET", f"/v1/epn/sessions/{session}", bearer(stations.laeken)),
        "outside_location",
    )
    refused(
        call(city, "GET", "/v1/epn/room?location=epn-marolles", bearer(stations.laeken)),
        "outside_location",
    )
    ended = call(city, "POST", f"/v1/epn/sessions/{session}/end", bearer(stations.marolles))
    assert ended.status_code == 200 and ended.json()["state"] == "ended"


# -- an animator's token ------------------------------------------------------------------------


def test_an_animator_acts_on_its_own_location_only(city: City, stations: Stations) -> None:
    anna = bearer(animator(city, "anna", "epn-marolles"))
    lock = {"locked": True, "message": "workshop"}
    locked = call(city, "PUT", "/v1/epn/room/lock", anna, lock)
    assert locked.status_code == 200 and locked.json()["locked"] is True, locked.text
    try:
        full = call(
            city,
            "POST",
            "/v1/epn/sessions",
            bearer(stations.marolles),
            {"seat": "pc-01", "minutes": 30, "person_key": PERSON},
        )
        assert full.status_code == 409 and full.json()["code"] == "room_locked"
        elsewhere = call(
            city,
            "POST",
            "/v1/epn/sessions",
            bearer(stations.laeken),
            {"seat": "pc-01", "minutes": 30, "person_key": PERSON},
        )
        assert elsewhere.status_code == 201, elsewhere.text  # laeken's room is not locked

        refused(
            call(city, "PUT", "/v1/epn/room/lock?location=epn-laeken", anna, lock),
            "outside_location",
        )
        refused(call(city, "GET", "/v1/epn/room?location=epn-laeken", anna), "outside_location")
        message = {"kind": "show_message", "argument": "closing in 10 minutes"}
        sent = call(
            city, "POST", "/v1/epn/commands", anna, {"terminal_id": "epn-marolles-01", **message}
        )
        assert sent.status_code == 201, sent.text
        refused(
            call(
                city, "POST", "/v1/epn/commands", anna, {"terminal_id": "epn-laeken-01", **message}
            ),
            "outside_location",
        )
        refused(
            call(
                city,
                "POST",
                "/v1/epn/commands",
                anna,
                {"terminal_id": "epn-marolles-01", "kind": "restart"},
            ),
            "forbidden_role",
        )
        session = elsewhere.json()["session_id"]
        refused(call(city, "POST", f"/v1/epn/sessions/{session}/end", anna), "outside_location")
    finally:
        unlock = call(city, "PUT", "/v1/epn/room/lock", anna, {"locked": False})
        assert unlock.status_code == 200


def test_an_animator_is_neither_city_it_nor_a_terminal(city: City) -> None:
    bob = bearer(animator(city, "bob", "epn-laeken"))
    refused(
        call(
            city,
            "POST",
            "/v1/admin/animators",
            bob,
            {"username": "bobby", "display_name": "B", "locations": ["epn-marolles"]},
        ),
        "forbidden_role",
    )
    refused(
        call(
            city,
            "POST",
            "/v1/admin/enrolment-codes",
            bob,
            {"terminal_id": "epn-laeken-09", "location": "epn-laeken"},
        ),
        "forbidden_role",
    )
    refused(call(city, "GET", "/v1/catalogue", bob), "forbidden_role")
    refused(call(city, "POST", "/v1/citizen/challenges", bob), "forbidden_role")


def test_a_reset_animator_token_stops_the_old_one(city: City) -> None:
    old = bearer(animator(city, "carla", "epn-laeken"))
    reset = call(city, "POST", "/v1/admin/animators/carla/token", city.server.admin_headers())
    assert reset.status_code == 200, reset.text
    new = bearer(reset.json()["token"])
    assert call(city, "GET", "/v1/epn/room", old).status_code == 401
    assert call(city, "GET", "/v1/epn/room", new).status_code == 200
    wal = city.server.database.with_name(city.server.database.name + "-wal")
    stored = city.server.database.read_bytes() + (wal.read_bytes() if wal.exists() else b"")
    assert reset.json()["token"].encode() not in stored
    nobody = call(city, "POST", "/v1/admin/animators/nobody/token", city.server.admin_headers())
    assert nobody.status_code == 404


# -- city IT ------------------------------------------------------------------------------------


def test_city_it_sends_fleet_commands_and_locks_any_room(city: City, stations: Stations) -> None:
    admin = city.server.admin_headers()
    for terminal in ("kiosk-roles-02", "epn-laeken-01"):
        sent = call(
            city, "POST", "/v1/epn/commands", admin, {"terminal_id": terminal, "kind": "restart"}
        )
        assert sent.status_code == 201, sent.text
    refused_without = call(city, "PUT", "/v1/epn/room/lock", admin, {"locked": True})
    assert refused_without.status_code == 422
    assert refused_without.json()["code"] == "location_required"
    locked = call(city, "PUT", "/v1/epn/room/lock?location=epn-laeken", admin, {"locked": False})
    assert locked.status_code == 200, locked.text
    listed = call(city, "GET", "/v1/admin/animators", admin)
    assert listed.status_code == 200 and "token" not in listed.text
