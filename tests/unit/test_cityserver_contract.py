"""The committed contract (docs/openapi.json) is exactly what the reference server produces,
it says what the issue promises (problem+json errors, authentication, idempotency), and what
the server enforces on a request body is what the contract's schema says: no more, no less."""

from __future__ import annotations

import base64
import json
import re
from functools import cache
from pathlib import Path
from typing import Any

import jsonschema_rs
import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import BaseModel, ValidationError
from schemathesis import GenerationMode

from cityapi import models
from cityserver.contract import contract, render

CONTRACT = Path(__file__).resolve().parents[2] / "docs" / "openapi.json"
OPENAPI = schemathesis.openapi.from_path(str(CONTRACT))
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
        "/v1/admin/animators",
        "/v1/admin/enrolment-codes",
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


# -- the contract says what the server enforces -------------------------------------------------

COMMITTED = json.loads(CONTRACT.read_text())  # what render() gives (the first test)
BODY_OPERATIONS = sorted(
    (path, method)
    for path, item in COMMITTED["paths"].items()
    for method, operation in item.items()
    if "requestBody" in operation
)


def _body_schema(path: str, method: str) -> dict[str, Any]:
    schema: dict[str, Any] = COMMITTED["paths"][path][method]["requestBody"]["content"][
        "application/json"
    ]["schema"]
    return schema


def body_model(path: str, method: str) -> type[BaseModel]:
    model: type[BaseModel] = getattr(models, _body_schema(path, method)["$ref"].rsplit("/")[-1])
    return model


@cache
def body_validator(path: str, method: str) -> Any:
    root = {**_body_schema(path, method), "components": COMMITTED["components"]}
    return jsonschema_rs.Draft202012Validator(root, validate_formats=True)


def model_accepts(model: type[BaseModel], body: Any) -> bool:
    try:
        model.model_validate(body)  # as FastAPI validates a parsed JSON body
    except ValidationError:
        return False
    return True


@pytest.mark.parametrize(("path", "method"), BODY_OPERATIONS)
@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE])
@settings(max_examples=30, deadline=None, suppress_health_check=list(HealthCheck))
@given(data=st.data())
def test_a_body_the_contract_allows_is_one_the_server_accepts(
    path: str, method: str, mode: GenerationMode, data: st.DataObject
) -> None:
    """Bodies drawn from the contract (the ones it allows, and ones it forbids): the schema
    and the model the server validates with agree on every one."""
    case = data.draw(OPENAPI[path][method.upper()].as_strategy(mode))
    if case.media_type != "application/json" or not isinstance(case.body, dict | list):
        return
    allowed = body_validator(path, method).is_valid(case.body)
    accepted = model_accepts(body_model(path, method), case.body)
    assert allowed == accepted, f"contract allows: {allowed}, server accepts: {accepted}"


TICKET, KEY = "AB12-CD34", "0" * 64


@pytest.mark.parametrize(
    ("holders", "accepted"),
    [
        ({"person_key": KEY}, True),
        ({"guest_ticket": TICKET}, True),
        ({"person_key": KEY, "guest_ticket": None}, True),
        ({}, False),
        ({"person_key": None, "guest_ticket": None}, False),
        ({"person_key": KEY, "guest_ticket": TICKET}, False),
    ],
)
def test_an_epn_session_is_for_exactly_one_holder(
    holders: dict[str, str | None], accepted: bool
) -> None:
    body = {"seat": "pc-01", "minutes": 30, **holders}
    assert body_validator("/v1/epn/sessions", "post").is_valid(body) is accepted
    assert model_accepts(body_model("/v1/epn/sessions", "post"), body) is accepted


@pytest.mark.parametrize(
    ("path", "body"),
    [
        ("/v1/epn/room/lock", {"locked": 0}),
        ("/v1/epn/guest-tickets", {"minutes": "30"}),
        ("/v1/epn/guest-tickets", {"minutes": True}),
        ("/v1/terminals/me/heartbeat", {"uptime_s": "1.5"}),
        ("/v1/terminals/me/heartbeat", {"sent_at": 1_700_000_000}),
        ("/v1/terminals/me/heartbeat", {"sent_at": "2026-01-31T10:00:00"}),  # no offset
        ("/v1/terminals/me/heartbeat", {"session_active": "true"}),
        ("/v1/terminals/me/heartbeat", {"counters": {"Bad Key": 1}}),
        ("/v1/terminals/me/heartbeat", {"counters": {"prints": "1"}}),
        ("/v1/citizen/sessions", {"identity": "AAAAA"}),  # base64 without its padding
    ],
)
def test_what_the_contract_forbids_the_server_refuses(path: str, body: dict[str, Any]) -> None:
    method = "put" if path.endswith("/lock") else "post"
    model, validator = body_model(path, method), body_validator(path, method)
    good, bad = GOOD_BODIES[path], {**GOOD_BODIES[path], **body}
    assert validator.is_valid(good) and model_accepts(model, good), "the good body is good"
    assert not validator.is_valid(bad)
    assert not model_accepts(model, bad)


BLOB = base64.b64encode(b"card file").decode()
GOOD_BODIES: dict[str, dict[str, Any]] = {
    "/v1/epn/room/lock": {"locked": True, "message": "workshop"},
    "/v1/epn/guest-tickets": {"minutes": 30},
    "/v1/terminals/me/heartbeat": {
        "terminal_id": "kiosk-01",
        "sent_at": "2026-01-31T10:00:00+01:00",
        "software_version": "1.0",
        "uptime_s": 12,
        "session_active": False,
        "counters": {"prints": 3.0},
    },
    "/v1/citizen/sessions": {
        "challenge_id": "c1",
        **dict.fromkeys(
            (
                "identity",
                "identity_signature",
                "address",
                "address_signature",
                "rrn_certificate",
                "authentication_certificate",
                "challenge_signature",
            ),
            BLOB,
        ),
    },
}


def test_no_bound_is_written_in_a_word_json_schema_does_not_know() -> None:
    # pydantic writes a bound placed after a validator as "ge"/"le" (cityapi.models).
    assert not re.search(r'"(ge|le|gt|lt)":', render())
