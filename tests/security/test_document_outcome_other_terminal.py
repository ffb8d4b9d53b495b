"""Attacker: a terminal (a stolen token, a compromised kiosk) tries to write what became of
another terminal's document, e.g. mark an abandoned certificate `printed` so nobody refunds
it, or an issued one `abandoned`. The city answers as for a document that does not exist
(404: no oracle for other terminals' ids) and records nothing."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from devices.eid.emulator import build_card, canary_profile, shared_test_pki
from kiosk.cityclient import CityApiClient
from kiosk.config import CityApiSettings
from tests.harness.cityserver import (
    CityServer,
    enrol,
    insert_card,
    start_cityserver,
    write_test_roots,
)
from tests.security._city import bearer

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[CityServer]:
    roots = write_test_roots(tmp_path_factory.mktemp("roots"))
    running = start_cityserver(tmp_path_factory.mktemp("outcome-attack") / "data", [roots])
    yield running
    running.stop()


def test_a_terminal_cannot_set_the_outcome_of_another_terminals_document(
    server: CityServer, tmp_path: Path
) -> None:
    victim_token = enrol(server, "kiosk-victim")
    mallory_token = enrol(server, "kiosk-mallory")
    settings = CityApiSettings(token_file=tmp_path / "t", catalogue_cache=tmp_path / "c.json")
    with CityApiClient(settings, server.url, token=victim_token) as victim:
        card = insert_card(build_card(canary_profile(41), shared_test_pki(), "1.8"))
        session = victim.authenticate_citizen(
            card.files, card.sign, card.citizen_ca, terminal_id="kiosk-victim"
        )
        document = victim.request_document(session, "residence", "fr")

    def mallory_says(outcome: str, document_id: str) -> requests.Response:
        return requests.post(
            f"{server.url}/v1/documents/{document_id}/outcome",
            json={"outcome": outcome},
            headers=bearer(mallory_token),
            timeout=5,
        )

    for outcome in ("printed", "abandoned", "unknown", "print_failed"):
        answer = mallory_says(outcome, document.document_id)
        assert answer.status_code == 404 and answer.json()["code"] == "not_found"
        nonexistent = mallory_says(outcome, "doc-" + "f" * 24)
        assert nonexistent.status_code == 404
        assert nonexistent.json()["detail"] == answer.json()["detail"], "no oracle"
    recorded = server.query(
        "SELECT outcome, outcome_at FROM documents WHERE document_id = ?", (document.document_id,)
    )
    assert recorded == [(None, None)]
    # The victim's own report still goes through: Mallory's tries blocked nothing.
    with CityApiClient(settings, server.url, token=victim_token) as victim:
        assert victim.report_outcome(document.document_id, "abandoned").outcome == "abandoned"
