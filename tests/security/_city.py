"""What the attacker tests share: city IT's calls made inline (so that, run against a server
without them, the tests fail on the missing defence, not on an import)."""

from __future__ import annotations

from typing import Any

import requests

from tests.harness.cityserver import CityServer


def make_code(
    server: CityServer, terminal_id: str, location: str, valid_for_s: int | None = None
) -> str:
    """A one-time code city IT makes for `terminal_id` (admin token)."""
    body: dict[str, Any] = {"terminal_id": terminal_id, "location": location}
    if valid_for_s is not None:
        body["valid_for_s"] = valid_for_s
    answer = requests.post(
        f"{server.url}/v1/admin/enrolment-codes",
        json=body,
        headers=server.admin_headers(),
        timeout=5,
    )
    assert answer.status_code == 201, answer.text
    code: str = answer.json()["enrolment_code"]
    return code


def try_enrol(server: CityServer, code: str, terminal_id: str) -> requests.Response:
    return requests.post(
        f"{server.url}/v1/terminals/enrol",
        json={"enrolment_code": code, "terminal_id": terminal_id},
        timeout=5,
    )


def enrol_at(server: CityServer, terminal_id: str, location: str) -> str:
    """A terminal enrolled at `location`: its bearer token."""
    answer = try_enrol(server, make_code(server, terminal_id, location), terminal_id)
    assert answer.status_code == 201, answer.text
    token: str = answer.json()["token"]
    return token


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}
