"""The reference server against its own contract: schemathesis over every operation, live.

Property-based: schemathesis generates valid and invalid requests from docs/openapi.json and
checks every answer (no 5xx, documented status, media type, headers and schema). Requests
carry a real terminal token and a real citizen token, so the run reaches past the 401s.
Bounded: a few examples per operation, no deadline per example, a timeout per request.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
import schemathesis
from hypothesis import HealthCheck, settings

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


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[CityServer, dict[str, str]]]:
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
        citizen = client.authenticate_citizen(card.files, card.sign, card.citizen_ca)
        client.close()
        headers = {"Authorization": f"Bearer {token}", "Citizen-Token": citizen.citizen_token}
        yield server, headers
    finally:
        server.stop()


@schema.parametrize()
@settings(
    max_examples=20,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)
def test_every_operation_conforms(
    case: schemathesis.Case, live: tuple[CityServer, dict[str, str]]
) -> None:
    server, headers = live
    with requests.Session() as session:
        case.call_and_validate(base_url=server.url, headers=headers, session=session, timeout=10)
