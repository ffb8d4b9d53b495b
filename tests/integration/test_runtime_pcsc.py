"""One journey through the production runtime (`build_runtime`) on real services: pcscd with
the emulated card in a vpcd reader, the reference city API in its own process (enrolled
first), the private cupsd's cups-pdf queue, and a receipt printer on loopback TCP."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from devices.eid.emulator import BelpicApplet
from devices.printing.receipt.escpos_decode import decode, text_lines
from kiosk.config import Settings, validate_settings
from kiosk.wiring import build_runtime
from session import events as ev
from session.states import State
from tests.conftest import InsertCard
from tests.harness.cityserver import CityServer, enrol, start_cityserver, write_test_roots
from tests.harness.cupsd import Cupsd
from tests.harness.eid import card
from tests.harness.escpos_printer import FakeEscposPrinter
from tests.harness.pcscd import VPCD_READERS
from tests.integration.test_runtime_demo import Driver


@pytest.fixture
def cityserver(tmp_path: Path) -> Iterator[CityServer]:
    server = start_cityserver(tmp_path / "cityapi", [write_test_roots(tmp_path)])
    yield server
    server.stop()


def production_settings(
    tmp_path: Path, server: CityServer, cupsd: Cupsd, receipt_uri: str
) -> Settings:
    token_file = tmp_path / "token"
    token_file.write_text(enrol(server, "kiosk-pcsc-test") + "\n")
    token_file.chmod(0o600)
    return validate_settings(
        {
            "terminal": {"id": "kiosk-pcsc-test"},
            "cityapi": {
                "url": server.url,
                "token_file": str(token_file),
                "catalogue_cache": str(tmp_path / "catalogue.json"),
                "retries": 0,
            },
            "eid": {"reader": VPCD_READERS[0], "trust_roots": [str(write_test_roots(tmp_path))]},
            "printer": {"server": str(cupsd.socket), "queue": cupsd.queue, "job_timeout": 60},
            "receipt": {"uri": receipt_uri},
            "session": {"tmpfs_dir": str(tmp_path / "tmpfs")},
        },
        "test settings",
    )


def test_journey_over_pcscd_cups_and_the_reference_server(
    tmp_path: Path, insert_card: InsertCard, cupsd: Cupsd, cityserver: CityServer
) -> None:
    before = set(cupsd.output_pdfs())
    with FakeEscposPrinter() as receipt_printer:
        runtime = build_runtime(
            production_settings(tmp_path, cityserver, cupsd, receipt_printer.uri)
        )
        kiosk = Driver(runtime).start()
        try:
            kiosk.drain(lambda: runtime.machine.context.printer.value == "ready", timeout=10)
            runtime.dispatch(ev.Touch())
            runtime.dispatch(ev.ChooseLanguage("fr"))
            assert kiosk.state is State.INSERT_CARD
            virtual = insert_card(BelpicApplet(card("1.8"), "1234"))
            assert kiosk.until_state(State.PIN, State.CARD_ERROR, timeout=20) is State.PIN
            runtime.submit_pin(bytearray(b"1234"))
            assert kiosk.until_state(State.CATALOGUE, State.SERVICE_ERROR) is State.CATALOGUE
            runtime.dispatch(ev.ChooseDocument("residence"))
            runtime.dispatch(ev.Confirm())
            assert kiosk.until_state(State.TAKE_CARD, State.PRINT_ERROR, timeout=60) is (
                State.TAKE_CARD
            )
            answer = runtime.executor.document_facts()
            assert answer is not None and answer.verification_url
            url = answer.verification_url
            kiosk.drain(lambda: url in "".join(_lines(receipt_printer)))
            jobs = list(runtime.machine.context.job_ids)
            assert jobs

            virtual.remove()
            assert kiosk.until_state(State.THANK_YOU, timeout=20) is State.THANK_YOU
            assert runtime.machine.citizen.is_empty()
            assert not list((tmp_path / "tmpfs").glob("kiosk-session-*"))
            assert runtime.spool.remaining(jobs) == []  # purged from CUPS, history included
        finally:
            runtime.stop()
    new = set(cupsd.output_pdfs()) - before
    assert len(new) == 1 and next(iter(new)).read_bytes().startswith(b"%PDF")


def _lines(printer: FakeEscposPrinter) -> list[str]:
    try:
        return text_lines(decode(printer.received))
    except Exception:  # half a receipt so far
        return []
