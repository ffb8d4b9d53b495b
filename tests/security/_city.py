"""What the attacker tests share: raw enrolment attempts and terminals enrolled at a location
(city IT's codes come from the harness, `enrolment_code`)."""

from __future__ import annotations

import requests

from tests.harness.cityserver import CityServer, enrolment_code


def try_enrol(server: CityServer, code: str, terminal_id: str) -> requests.Response:
    return requests.post(
        f"{server.url}/v1/terminals/enrol",
        json={"enrolment_code": code, "terminal_id": terminal_id},
        timeout=5,
    )


def enrol_at(server: CityServer, terminal_id: str, location: str) -> str:
    """A terminal enrolled at `location`: its bearer token."""
    answer = try_enrol(server, enrolment_code(server, terminal_id, location), terminal_id)
    assert answer.status_code == 201, answer.text
    token: str = answer.json()["token"]
    return token


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}
