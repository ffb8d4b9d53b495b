"""Issue 16, items 1 and 2, through the production runtime (`build_runtime`) on real services
(pcscd with the emulated card, the reference city API in its own process with fault
injection, the private cupsd's cups-pdf queue, a receipt printer on loopback TCP):

- the document request's answer is lost (cut, 5xx, malformed); the citizen touches "Try
  again"; the city holds ONE document, the citizen gets it printed, and the city learns it
  was printed;
- the card is pulled after the city issued the document: the city learns it was abandoned;
- a crash left the outcome ledger behind: the next start reports `unknown`.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from devices.eid.emulator import BelpicApplet
from kiosk.cityclient import CityApiClient
from kiosk.config import Settings
from kiosk.wiring import build_runtime
from kiosk.wiring.kiosk_runtime import KioskRuntime
from kiosk.wiring.outcome_ledger import LEDGER_NAME
from session import events as ev
from session.problems import CardProblem
from session.states import State
from tests.conftest import InsertCard
from tests.harness.cityserver import CityServer, start_cityserver, write_test_roots
from tests.harness.cityserver import insert_card as city_card
from tests.harness.cupsd import Cupsd
from tests.harness.eid import card
from tests.harness.escpos_printer import FakeEscposPrinter
from tests.integration.test_runtime_demo import Driver
from tests.integration.test_runtime_pcsc import production_settings

pytestmark = pytest.mark.integration
TERMINAL = "kiosk-pcsc-test"  # production_settings enrols this id
REPORT_WAIT_S = 15.0


@pytest.fixture
def cityserver(tmp_path: Path) -> Iterator[CityServer]:
    server = start_cityserver(tmp_path / "cityapi", [write_test_roots(tmp_path)])
    yield server
    server.stop()


@pytest.fixture
def receipt_printer() -> Iterator[FakeEscposPrinter]:
    with FakeEscposPrinter() as printer:
        yield printer


@pytest.fixture
def settings(
    tmp_path: Path, cityserver: CityServer, cupsd: Cupsd, receipt_printer: FakeEscposPrinter
) -> Settings:
    return production_settings(tmp_path, cityserver, cupsd, receipt_printer.uri)


@pytest.fixture
def kiosk(settings: Settings) -> Iterator[Driver]:
    runtime = build_runtime(settings)
    driver = Driver(runtime).start()
    try:
        driver.drain(lambda: runtime.machine.context.printer.value == "ready", timeout=10)
        yield driver
    finally:
        runtime.stop()


def documents(server: CityServer) -> list[tuple[str, str, str | None]]:
    rows = server.query(
        "SELECT document_id, status, outcome FROM documents WHERE terminal_id = ?", (TERMINAL,)
    )
    return [(str(r[0]), str(r[1]), r[2]) for r in rows]


def wait_for(what: str, check: Callable[[], bool], timeout: float = REPORT_WAIT_S) -> None:
    end = time.monotonic() + timeout
    while not check():
        if time.monotonic() > end:
            raise AssertionError(f"no {what} within {timeout} s")
        time.sleep(0.1)


def to_confirm(kiosk: Driver, insert_card: InsertCard) -> object:
    runtime = kiosk.runtime
    runtime.dispatch(ev.Touch())
    runtime.dispatch(ev.ChooseLanguage("fr"))
    virtual = insert_card(BelpicApplet(card("1.8"), "1234"))
    assert kiosk.until_state(State.PIN, State.CARD_ERROR, timeout=20) is State.PIN
    runtime.submit_pin(bytearray(b"1234"))
    assert kiosk.until_state(State.CATALOGUE, State.SERVICE_ERROR, timeout=30) is State.CATALOGUE
    runtime.dispatch(ev.ChooseDocument("residence"))
    assert kiosk.state is State.CONFIRM
    return virtual


def ledger_of(runtime: KioskRuntime) -> Path:
    return runtime.settings.session.tmpfs_dir / LEDGER_NAME


@pytest.mark.parametrize("fault", ["drop", "error", "malformed"])
def test_a_lost_answer_then_try_again_makes_one_document_printed_and_reported(
    kiosk: Driver,
    insert_card: InsertCard,
    cityserver: CityServer,
    cupsd: Cupsd,
    fault: str,
) -> None:
    runtime = kiosk.runtime
    before = set(cupsd.output_pdfs())
    virtual = to_confirm(kiosk, insert_card)
    # The city makes the document, then its answer is lost (once).
    cityserver.set_faults({"kind": fault, "path_prefix": "/v1/documents", "count": 1})
    runtime.dispatch(ev.Confirm())
    assert kiosk.until_state(State.SERVICE_ERROR, State.PRINTING, timeout=30) is (
        State.SERVICE_ERROR
    )
    key = runtime.machine.context.request_key
    assert key is not None and runtime.machine.context.repeat_request
    assert [status for _, status, _ in documents(cityserver)] == ["ready"], "made, answer lost"

    step = runtime.dispatch(ev.Back())  # "Try again"
    assert step.state is State.FETCHING, "straight back to fetching"
    assert kiosk.until_state(
        State.TAKE_CARD, State.PRINT_ERROR, State.SERVICE_ERROR, timeout=60
    ) is (State.TAKE_CARD)
    assert runtime.machine.context.request_key == key
    ((document_id, _, _),) = documents(cityserver)
    facts = runtime.executor.document_facts()
    assert facts is not None and facts.document_id == document_id, "the document already made"
    virtual.remove()  # type: ignore[attr-defined]
    assert kiosk.until_state(State.THANK_YOU, timeout=20) is State.THANK_YOU
    new = set(cupsd.output_pdfs()) - before
    assert len(new) == 1 and next(iter(new)).read_bytes().startswith(b"%PDF")
    wait_for(
        "printed outcome", lambda: documents(cityserver) == [(document_id, "ready", "printed")]
    )
    wait_for("an empty ledger", lambda: not ledger_of(runtime).exists())


def test_a_card_pulled_after_the_document_was_issued_is_reported_abandoned(
    kiosk: Driver, insert_card: InsertCard, cityserver: CityServer
) -> None:
    runtime = kiosk.runtime
    virtual = to_confirm(kiosk, insert_card)
    # The city answers with the document at once; its PDF comes slowly: the citizen leaves.
    cityserver.set_faults({"kind": "latency", "path_prefix": "/v1/documents/doc-", "seconds": 4})
    runtime.dispatch(ev.Confirm())
    wait_for("the document issued", lambda: len(documents(cityserver)) == 1)
    assert kiosk.state is State.FETCHING
    virtual.remove()  # type: ignore[attr-defined]
    # Wiped at once; the goodbye screen says the card came out before the end.
    assert kiosk.until_state(State.THANK_YOU, timeout=20) is State.THANK_YOU
    assert runtime.machine.context.problem is CardProblem.CARD_REMOVED
    cityserver.clear_faults()
    ((document_id, _, _),) = documents(cityserver)
    wait_for("abandoned", lambda: documents(cityserver) == [(document_id, "ready", "abandoned")])
    wait_for("an empty ledger", lambda: not ledger_of(runtime).exists())


def test_a_ledger_left_by_a_crash_is_reported_unknown_at_the_next_start(
    settings: Settings, cityserver: CityServer, tmp_path: Path
) -> None:
    # A document issued to this terminal, then the kiosk died before printing it; and one
    # whose `printed` report it had not sent yet.
    token = settings.cityapi.token_file.read_text().strip()
    with CityApiClient(settings.cityapi, token=token) as client:
        inserted = city_card(card("1.8"))
        made = []
        for _ in range(2):
            session = client.authenticate_citizen(
                inserted.files, inserted.sign, inserted.citizen_ca, terminal_id=TERMINAL
            )
            made.append(client.request_document(session, "residence", "nl").document_id)
    lost, unsent = made
    tmpfs = settings.session.tmpfs_dir
    tmpfs.mkdir(parents=True, exist_ok=True)
    (tmpfs / LEDGER_NAME).write_text(json.dumps({lost: None, unsent: "printed"}))
    (tmpfs / LEDGER_NAME).chmod(0o600)
    runtime = build_runtime(settings)
    Driver(runtime).start()
    try:
        wait_for(
            "both reports",
            lambda: (
                sorted(documents(cityserver))
                == sorted([(lost, "ready", "unknown"), (unsent, "ready", "printed")])
            ),
        )
        wait_for("an empty ledger", lambda: not (tmpfs / LEDGER_NAME).exists())
    finally:
        runtime.stop()
