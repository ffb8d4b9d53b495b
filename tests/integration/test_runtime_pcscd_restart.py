"""pcscd going away under the production runtime (`build_runtime`), on real services: pcscd
with the emulated card in a vpcd reader, the reference city API, the private cupsd's cups-pdf
queue and a receipt printer on loopback TCP.

While pcscd is away the kiosk is out of service; it comes back by itself, and the first citizen
after a restart gets a document (the reader unit's PC/SC context, made before the restart, died
with the old pcscd). One kiosk serves the whole module: each test leaves it on the attract
screen, as a citizen would.
"""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest

from devices.eid.emulator import BelpicApplet
from devices.eid.emulator.testpki import Applet
from devices.eid.pcsc import SERVICE_RETRY_MAX
from kiosk.wiring import build_runtime
from session import events as ev
from session.problems import PrinterStatus
from session.states import State
from tests.conftest import InsertCard
from tests.harness.cityserver import start_cityserver, write_test_roots
from tests.harness.common import wait_until
from tests.harness.cupsd import Cupsd
from tests.harness.eid import APPLETS, card
from tests.harness.escpos_printer import FakeEscposPrinter
from tests.harness.pcscd import Pcscd
from tests.integration.test_runtime_demo import Driver
from tests.integration.test_runtime_pcsc import production_settings

# pcscd listing its readers again -> the kiosk on its attract screen: the monitor's longest
# pause between two tries, plus the events' way to the session.
COME_BACK_S = SERVICE_RETRY_MAX + 1.5


@pytest.fixture(scope="module")
def kiosk(tmp_path_factory: pytest.TempPathFactory, pcscd: Pcscd, cupsd: Cupsd) -> Iterator[Driver]:
    folder = tmp_path_factory.mktemp("pcscd-restart")
    server = start_cityserver(folder / "cityapi", [write_test_roots(folder)])
    try:
        with FakeEscposPrinter() as receipts:
            runtime = build_runtime(production_settings(folder, server, cupsd, receipts.uri))
            # The reader's events as the monitor sends them: the kiosk serves once it has
            # seen the reader, not merely because nobody has said it is gone yet.
            send = runtime.emit_device
            heard: list[ev.Event] = []

            def heard_and_sent(event: ev.Event) -> None:
                heard.append(event)
                send(event)

            runtime.emit_device = heard_and_sent  # type: ignore[method-assign]
            driver = Driver(runtime).start()
            try:
                driver.drain(
                    lambda: (
                        _serving(driver) and any(isinstance(e, ev.ReaderAvailable) for e in heard)
                    ),
                    timeout=15,
                )
                yield driver
            finally:
                runtime.stop()
    finally:
        server.stop()


@pytest.fixture
def kiosk_on_attract(kiosk: Driver) -> Iterator[Driver]:
    kiosk.drain(lambda: _serving(kiosk), timeout=15)
    kiosk.steps.clear()
    yield kiosk
    if kiosk.state is not State.ATTRACT:  # a failed test: leave the next one a calm kiosk
        kiosk.runtime.dispatch(ev.Cancel())
        kiosk.settle(1)


def _serving(kiosk: Driver) -> bool:
    ctx = kiosk.runtime.machine.context
    return (
        kiosk.state is State.ATTRACT and ctx.reader_present and ctx.printer is PrinterStatus.READY
    )


def noticed_the_restart(kiosk: Driver) -> bool:
    """The session has handled the reader's going (it comes back only after that)."""
    return any(step.rule is not None and step.rule.event is ev.ReaderGone for step in kiosk.steps)


def restart_and_come_back(kiosk: Driver, pcscd: Pcscd) -> float:
    """Restart pcscd; the seconds from pcscd listing its readers again to the kiosk serving."""
    pcscd.restart()  # returns once the new pcscd lists the vpcd readers
    back_at = time.monotonic()
    kiosk.drain(lambda: noticed_the_restart(kiosk) and _serving(kiosk), 15)
    assert State.OUT_OF_SERVICE in kiosk.visited()
    return time.monotonic() - back_at


def journey(kiosk: Driver, insert_card: InsertCard, cupsd: Cupsd, applet: Applet) -> None:
    """A citizen from the attract screen to the printed document and the thank-you screen."""
    runtime = kiosk.runtime
    before = set(cupsd.output_pdfs())
    runtime.dispatch(ev.ChooseLanguage("fr"))
    assert kiosk.state is State.INSERT_CARD
    virtual = insert_card(BelpicApplet(card(applet), "1234"))
    reached = kiosk.until_state(State.PIN, State.CARD_ERROR, timeout=20)
    assert reached is State.PIN, f"reading failed: {runtime.machine.context.problem}"
    runtime.submit_pin(bytearray(b"1234"))
    assert kiosk.until_state(State.CATALOGUE, State.CARD_ERROR, State.SERVICE_ERROR) is (
        State.CATALOGUE
    ), f"failed after the PIN: {runtime.machine.context.problem}"
    runtime.dispatch(ev.ChooseDocument("residence"))
    runtime.dispatch(ev.Confirm())
    assert kiosk.until_state(State.TAKE_CARD, State.PRINT_ERROR, timeout=60) is State.TAKE_CARD
    virtual.remove()
    assert kiosk.until_state(State.THANK_YOU, timeout=20) is State.THANK_YOU
    wait_until(lambda: len(set(cupsd.output_pdfs()) - before) == 1, 10, "the printed document")
    runtime.dispatch(ev.Touch())
    assert kiosk.state is State.ATTRACT


@pytest.mark.parametrize("applet", APPLETS)
def test_pcscd_restarted_on_the_attract_screen_then_the_first_citizen_gets_a_document(
    kiosk_on_attract: Driver,
    pcscd: Pcscd,
    insert_card: InsertCard,
    cupsd: Cupsd,
    applet: Applet,
) -> None:
    kiosk = kiosk_on_attract
    came_back = restart_and_come_back(kiosk, pcscd)
    assert came_back < COME_BACK_S, f"the kiosk took {came_back:.2f} s to come back"
    kiosk.runtime.dispatch(ev.Touch())
    assert kiosk.state is State.LANGUAGE
    journey(kiosk, insert_card, cupsd, applet)


@pytest.mark.parametrize("applet", APPLETS)
def test_pcscd_restarted_just_before_a_journey_the_first_citizen_gets_a_document(
    kiosk_on_attract: Driver,
    pcscd: Pcscd,
    insert_card: InsertCard,
    cupsd: Cupsd,
    applet: Applet,
) -> None:
    """The citizen arrives as pcscd restarts and touches the attract screen whenever it shows
    (a session begun before the kiosk noticed the restart is wiped, with nothing in it yet)."""
    kiosk = kiosk_on_attract
    pcscd.restart()

    def citizen_in() -> bool:
        if kiosk.state is State.ATTRACT:
            kiosk.runtime.dispatch(ev.Touch())
        return kiosk.state is State.LANGUAGE and noticed_the_restart(kiosk)

    kiosk.drain(citizen_in, COME_BACK_S)
    journey(kiosk, insert_card, cupsd, applet)


def test_pcscd_stopped_for_a_while_is_out_of_service_then_back_by_itself(
    kiosk_on_attract: Driver, pcscd: Pcscd
) -> None:
    kiosk = kiosk_on_attract
    pcscd.stop()
    try:
        kiosk.until_state(State.OUT_OF_SERVICE, timeout=5)
        cpu_before = time.process_time()
        kiosk.settle(3.0)
        spent = time.process_time() - cpu_before
        assert kiosk.state is State.OUT_OF_SERVICE
        kiosk.runtime.dispatch(ev.Touch())
        assert kiosk.state is State.OUT_OF_SERVICE  # no session without a reader
        # Waiting for pcscd costs next to nothing: no loop spinning on the dead service.
        assert spent < 0.5, f"{spent:.2f} s of CPU in 3 s while pcscd was away"
    finally:
        pcscd.launch()  # returns once it lists the vpcd readers
    back_at = time.monotonic()
    kiosk.drain(lambda: _serving(kiosk), timeout=15)
    came_back = time.monotonic() - back_at
    assert came_back < COME_BACK_S, f"the kiosk took {came_back:.2f} s to come back"
    kiosk.runtime.dispatch(ev.Touch())
    assert kiosk.state is State.LANGUAGE  # serving again
    kiosk.runtime.dispatch(ev.Cancel())
    assert kiosk.until_state(State.ATTRACT) is State.ATTRACT


def test_give_my_card_back_during_a_stuck_read_reaches_take_card_at_once(
    kiosk_on_attract: Driver, insert_card: InsertCard
) -> None:
    """A reader layer that does not answer (a card taking a second per command) never holds
    the citizen: "give my card back" does not wait for it, and the next citizen is read."""
    kiosk = kiosk_on_attract
    runtime = kiosk.runtime
    runtime.dispatch(ev.Touch())
    runtime.dispatch(ev.ChooseLanguage("fr"))
    slow = insert_card(BelpicApplet(card("1.8"), "1234"), apdu_delay_s=1.0)
    kiosk.until_state(State.READING, timeout=5)
    kiosk.settle(0.5)  # the read is stuck in the card's first commands
    asked = time.monotonic()
    runtime.dispatch(ev.Cancel())  # the reading screen's "Give my card back"
    assert kiosk.state is State.TAKE_CARD
    assert time.monotonic() - asked < 0.1
    slow.remove()
    assert kiosk.until_state(State.ATTRACT, timeout=10) is State.ATTRACT
    assert runtime.machine.citizen.is_empty()
    runtime.dispatch(ev.Touch())
    runtime.dispatch(ev.ChooseLanguage("fr"))
    nimble = insert_card(BelpicApplet(card("1.8"), "1234"))
    assert kiosk.until_state(State.PIN, State.CARD_ERROR, timeout=20) is State.PIN
    runtime.dispatch(ev.Cancel())
    nimble.remove()
    assert kiosk.until_state(State.ATTRACT, timeout=10) is State.ATTRACT
