"""The outcome reporter against the reference server: reports wait while the city API is
down and go once it answers again, within bounds; a report the city will never take (another
terminal's document, another outcome recorded) leaves the ledger."""

from __future__ import annotations

import socket
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from cityapi.models import DocumentOutcomeValue
from devices.eid.emulator import build_card, canary_profile, shared_test_pki
from kiosk.cityclient import CityApiClient
from kiosk.config import CityApiSettings
from kiosk.wiring.outcome_ledger import LEDGER_NAME, OutcomeLedger
from kiosk.wiring.outcome_reporter import OutcomeReporter
from tests.harness.cityserver import (
    CityServer,
    enrol,
    insert_card,
    start_cityserver,
    write_test_roots,
)

pytestmark = pytest.mark.integration
TERMINAL = "kiosk-reporter-01"


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[CityServer]:
    roots = write_test_roots(tmp_path_factory.mktemp("roots"))
    running = start_cityserver(tmp_path_factory.mktemp("reporter") / "data", [roots])
    yield running
    running.stop()


@pytest.fixture
def client(server: CityServer, tmp_path: Path) -> Iterator[CityApiClient]:
    settings = CityApiSettings(
        token_file=tmp_path / "token",
        catalogue_cache=tmp_path / "c.json",
        retries=0,
        connect_timeout=1,
        read_timeout=2,
    )
    with CityApiClient(settings, server.url, token=enrol(server, TERMINAL)) as made:
        yield made


def issue(client: CityApiClient) -> str:
    card = insert_card(build_card(canary_profile(51), shared_test_pki(), "1.8"))
    session = client.authenticate_citizen(
        card.files, card.sign, card.citizen_ca, terminal_id=TERMINAL
    )
    return client.request_document(session, "residence", "fr").document_id


def outcome(server: CityServer, document_id: str) -> str | None:
    ((value,),) = server.query(
        "SELECT outcome FROM documents WHERE document_id = ?", (document_id,)
    )
    return value  # type: ignore[no-any-return]


def wait_for(what: str, check: Callable[[], bool], timeout: float = 10.0) -> None:
    end = time.monotonic() + timeout
    while not check():
        if time.monotonic() > end:
            raise AssertionError(f"no {what} within {timeout} s")
        time.sleep(0.05)


def test_reports_wait_while_the_city_is_down_then_go(
    server: CityServer, client: CityApiClient, tmp_path: Path
) -> None:
    document_id = issue(client)
    reporter = OutcomeReporter(OutcomeLedger(tmp_path), client, retry_delays_s=(0.3, 0.3, 0.3))
    try:
        server.set_faults({"kind": "drop", "path_prefix": "/v1/documents/", "count": 2})
        started = time.monotonic()
        reporter.issued(document_id)
        reporter.settle(document_id, "printed")
        assert time.monotonic() - started < 0.5, "reporting never waits for the city"
        wait_for("the report", lambda: outcome(server, document_id) == "printed")
        wait_for("an empty ledger", lambda: not (tmp_path / LEDGER_NAME).exists())
    finally:
        server.clear_faults()
        reporter.stop(2.0)


def test_after_the_last_retry_the_report_waits_in_the_ledger(
    server: CityServer, client: CityApiClient, tmp_path: Path
) -> None:
    document_id = issue(client)
    with socket.socket() as closed:  # a port nobody listens on: the city API is down
        closed.bind(("127.0.0.1", 0))
        port = closed.getsockname()[1]
    settings = CityApiSettings(
        token_file=tmp_path / "t", catalogue_cache=tmp_path / "c.json", retries=0
    )
    down = CityApiClient(settings, f"http://127.0.0.1:{port}", token="unused-token")
    attempts: list[float] = []

    class Counting:
        def report_outcome(self, document_id: str, outcome: DocumentOutcomeValue) -> object:
            attempts.append(time.monotonic())
            return down.report_outcome(document_id, outcome)

    reporter = OutcomeReporter(OutcomeLedger(tmp_path), Counting(), retry_delays_s=(0.2, 0.2))
    try:
        reporter.issued(document_id)
        reporter.session_ended()
        wait_for("three attempts", lambda: len(attempts) >= 3)
        time.sleep(1.0)
        assert len(attempts) == 3, "bounded: a first round and two retries, then it waits"
        assert OutcomeLedger(tmp_path).to_report() == {document_id: "abandoned"}
    finally:
        reporter.stop(2.0)
        down.close()
    assert outcome(server, document_id) is None
    # The next start reports it.
    again = OutcomeReporter(OutcomeLedger(tmp_path), client)
    try:
        again.recover()
        wait_for("the report at start", lambda: outcome(server, document_id) == "abandoned")
    finally:
        again.stop(2.0)


def test_a_report_the_city_will_never_take_leaves_the_ledger(
    server: CityServer, client: CityApiClient, tmp_path: Path
) -> None:
    document_id = issue(client)
    client.report_outcome(document_id, "printed")
    ledger = OutcomeLedger(tmp_path)
    ledger.settle(document_id, "unknown")  # 409: another outcome is recorded
    ledger.settle("doc-" + "e" * 24, "abandoned")  # 404: not this terminal's
    reporter = OutcomeReporter(ledger, client)
    try:
        reporter.report_soon()
        wait_for("an empty ledger", lambda: not (tmp_path / LEDGER_NAME).exists())
    finally:
        reporter.stop(2.0)
    assert outcome(server, document_id) == "printed"
