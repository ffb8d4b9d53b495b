"""EPN sessions over HTTP: a session is for exactly one holder, a person (keyed hash) or a
guest ticket, on a seat of the room; the refusals say which rule, never the values sent."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import requests

from tests.harness.cityserver import TEST_LOCATION, CityServer, enrol, start_cityserver

pytestmark = pytest.mark.integration

PERSON = "ab" * 32


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[CityServer, str]]:
    running = start_cityserver(tmp_path_factory.mktemp("epn") / "data")
    try:
        yield running, enrol(running, "epn-room-01")
    finally:
        running.stop()


def post(server: tuple[CityServer, str], path: str, body: dict[str, Any]) -> requests.Response:
    running, token = server
    return requests.post(
        f"{running.url}/v1/epn{path}",
        json=body,
        headers={"Authorization": f"Bearer {token}"},
        timeout=5,
    )


def test_a_session_is_for_exactly_one_holder(server: tuple[CityServer, str]) -> None:
    ticket = post(server, "/guest-tickets", {"minutes": 30})
    assert ticket.status_code == 201, ticket.text
    code = ticket.json()["code"]
    for holders in ({}, {"person_key": PERSON, "guest_ticket": code}, {"person_key": None}):
        refused = post(server, "/sessions", {"seat": "pc-01", "minutes": 30, **holders})
        assert refused.status_code == 422, holders
        problem = refused.json()
        assert problem["code"] == "invalid"
        assert "exactly one of person_key and guest_ticket" in problem["detail"]
        assert PERSON not in problem["detail"] and code not in problem["detail"]
    for seat, holder in (("pc-01", {"person_key": PERSON}), ("pc-02", {"guest_ticket": code})):
        started = post(server, "/sessions", {"seat": seat, "minutes": 30, **holder})
        assert started.status_code == 201, started.text
        assert started.json()["guest"] is ("guest_ticket" in holder)


def test_a_seat_the_room_does_not_have_is_refused_by_its_own_code(
    server: tuple[CityServer, str],
) -> None:
    refused = post(server, "/sessions", {"seat": "pc-99", "minutes": 30, "person_key": PERSON})
    assert refused.status_code == 422 and refused.json()["code"] == "unknown_seat"


def test_a_misspelt_query_parameter_is_refused_not_ignored(
    server: tuple[CityServer, str],
) -> None:
    running, _token = server
    admin = running.admin_headers()
    url = f"{running.url}/v1/epn/room/lock"
    # "locaton": ignored, the admin's call would have no room named and act on none (or the
    # wrong one); refused, nothing is locked anywhere.
    typo = requests.put(
        url, params={"locaton": TEST_LOCATION}, json={"locked": True}, headers=admin, timeout=5
    )
    assert typo.status_code == 422, typo.text
    assert typo.json()["code"] == "unknown_parameter"
    assert "locaton" not in typo.text
    room = requests.get(
        f"{running.url}/v1/epn/room", params={"location": TEST_LOCATION}, headers=admin, timeout=5
    )
    assert room.status_code == 200 and room.json()["locked"] is False
