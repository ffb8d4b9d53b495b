"""The committed contract (docs/openapi.json) is exactly what the reference server produces,
and it says what the issue promises: problem+json errors, authentication, idempotency."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from cityserver.contract import contract, render

CONTRACT = Path(__file__).resolve().parents[2] / "docs" / "openapi.json"
PUBLIC = {
    ("get", "/v1/status"),
    ("post", "/v1/terminals/enrol"),
    ("get", "/v1/verify/{verification_code}"),
}


@pytest.fixture(scope="module")
def document() -> dict[str, Any]:
    return contract()


def operations(document: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    return [
        (method, path, operation)
        for path, item in document["paths"].items()
        for method, operation in item.items()
    ]


def test_the_committed_contract_is_what_the_server_produces() -> None:
    assert CONTRACT.read_text() == render(), (
        "docs/openapi.json is stale: run `python -m cityserver.contract > docs/openapi.json`"
    )


def test_it_is_openapi_3_1_and_versioned(document: dict[str, Any]) -> None:
    assert document["openapi"].startswith("3.1")
    assert all(path.startswith("/v1/") for path in document["paths"])


def test_every_error_is_problem_json(document: dict[str, Any]) -> None:
    for method, path, operation in operations(document):
        for status, response in operation["responses"].items():
            if int(status) >= 400:
                assert list(response["content"]) == ["application/problem+json"], (method, path)


def test_every_call_but_the_public_ones_is_authenticated(document: dict[str, Any]) -> None:
    for method, path, operation in operations(document):
        if (method, path) in PUBLIC:
            assert "security" not in operation, path
            continue
        assert operation["security"], path
        assert "401" in operation["responses"], path


def test_documents_need_both_tokens_and_an_idempotency_key(document: dict[str, Any]) -> None:
    post = document["paths"]["/v1/documents"]["post"]
    assert post["security"] == [{"terminalToken": [], "citizenToken": []}]
    keys = [p for p in post["parameters"] if p["name"] == "Idempotency-Key"]
    assert keys and keys[0]["required"] is True
    pdf = document["paths"]["/v1/documents/{document_id}/pdf"]["get"]["responses"]["200"]
    assert "application/pdf" in pdf["content"] and "Repr-Digest" in pdf["headers"]


def test_epn_endpoints_are_defined(document: dict[str, Any]) -> None:
    paths = set(document["paths"])
    for wanted in (
        "/v1/epn/sessions",
        "/v1/epn/quota/{person_key}",
        "/v1/epn/guest-tickets",
        "/v1/epn/room",
        "/v1/epn/animators",
        "/v1/epn/commands",
    ):
        assert wanted in paths


def test_the_heartbeat_schema_has_no_room_for_citizen_data(document: dict[str, Any]) -> None:
    heartbeat = document["components"]["schemas"]["Heartbeat"]
    assert heartbeat["additionalProperties"] is False
    assert set(heartbeat["properties"]) == {
        "terminal_id",
        "sent_at",
        "software_version",
        "uptime_s",
        "session_active",
        "devices",
        "counters",
    }
    assert json.dumps(heartbeat).count("national") == 0
