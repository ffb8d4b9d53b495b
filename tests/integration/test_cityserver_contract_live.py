"""The reference server against its own contract: schemathesis over every operation, live.

Property-based: schemathesis generates valid and invalid requests from docs/openapi.json and
checks every answer (no 5xx, documented status, media type, headers and schema). A request the
schema allows is not refused: a 422 for it must be one the operation's contract names (a seat
or document type the server does not have, a reused Idempotency-Key), never `invalid`.

Requests carry a real terminal token and a real citizen token, so the run reaches past the
401s; token rotation runs as a terminal of its own, so that it does not revoke the token the
other operations use. Bounded: a few examples per operation, no deadline per example, a
timeout per request.

Each run draws new requests. A failure says the run's seed; `CONTRACT_SEED=N pytest ...`
replays that run.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import requests
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import positive_data_acceptance

from devices.eid.emulator import build_card, demo_profile, shared_test_pki
from kiosk.cityclient import CityApiClient
from kiosk.config import CityApiSettings
from tests.harness.cityserver import (
    CityServer,
    enrol,
    insert_card,
    start_cityserver,
    write_test_roots,
)

pytestmark = pytest.mark.integration

CONTRACT = Path(__file__).resolve().parents[2] / "docs" / "openapi.json"
schema = schemathesis.openapi.from_path(str(CONTRACT))
if os.environ.get("CONTRACT_SEED"):
    schema.config.seed = int(os.environ["CONTRACT_SEED"])
ROTATE = "/v1/terminals/me/token"
# What schemathesis's positive_data_acceptance accepts for a request the schema allows.
ACCEPTED = {401, 403, 404, 409, 429}


def refuses_only_what_the_contract_names(
    _ctx: object, response: schemathesis.Response, case: schemathesis.Case
) -> None:
    """positive_data_acceptance, but a 422 the operation's 422 description names by its code
    is a refusal no schema can foresee (it depends on the server's data or earlier calls)."""
    if case.meta is None or not case.meta.generation.mode.is_positive:
        return
    status = response.status_code
    if status < 400 or status >= 500 or status in ACCEPTED:
        return
    code = response.json().get("code") if status == 422 else None
    named = case.operation.definition.raw["responses"].get("422", {}).get("description", "")
    if code in (None, "invalid") or f"`{code}`" not in named:
        raise AssertionError(f"a request the schema allows was refused: {status} {code}")


@dataclass
class Live:
    server: CityServer
    headers: dict[str, str]  # a terminal's token and a citizen's
    rotating: dict[str, str]  # another terminal's token, for ROTATE


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Live]:
    folder = tmp_path_factory.mktemp("cityapi-contract")
    server = start_cityserver(folder / "data", [write_test_roots(folder)])
    try:
        token = enrol(server, "contract-terminal")
        client = CityApiClient(
            CityApiSettings(token_file=folder / "token", catalogue_cache=folder / "cat.json"),
            server.url,
            token=token,
        )
        card = insert_card(build_card(demo_profile(), shared_test_pki(), "1.8"))
        citizen = client.authenticate_citizen(
            card.files, card.sign, card.citizen_ca, terminal_id="contract-terminal"
        )
        client.close()
        headers = {"Authorization": f"Bearer {token}", "Citizen-Token": citizen.citizen_token}
        rotating = {"Authorization": f"Bearer {enrol(server, 'contract-rotating')}"}
        yield Live(server, headers, rotating)
    finally:
        server.stop()


@schema.parametrize()
@settings(
    max_examples=20,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)
def test_every_operation_conforms(case: schemathesis.Case, live: Live) -> None:
    rotating = case.operation.path == ROTATE
    headers = live.rotating if rotating else live.headers
    try:
        with requests.Session() as session:
            answer = case.call_and_validate(
                base_url=live.server.url,
                headers=headers,
                session=session,
                timeout=10,
                excluded_checks=[positive_data_acceptance],
                additional_checks=[refuses_only_what_the_contract_names],
            )
    except BaseException as exc:
        exc.add_note(f"Replay this run: CONTRACT_SEED={schema.config.seed} pytest {__file__}")
        raise
    if rotating and answer.status_code == 200:
        # The old token stops working at once (a replayed key gives it back: then 401s).
        headers["Authorization"] = f"Bearer {answer.json()['token']}"
