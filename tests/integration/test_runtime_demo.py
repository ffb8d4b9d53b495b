"""Whole journeys through the demo runtime, no Kivy: the city's server (a child process) over
HTTP on loopback, the simulated eID reader with the demo card, the PDF-folder printer twin and the
simulated receipt printer. The test plays the UI thread by draining what `post` queued."""

from __future__ import annotations

import logging
import queue
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import requests
from msgspec.structs import replace

from devices.eid.emulator import (
    BelpicApplet,
    build_card,
    canary_profile,
    demo_profile,
    shared_test_pki,
)
from devices.eid.reader import EidRead
from devices.printing import Level, Readiness
from devices.printing.receipt.escpos_decode import decode, text_lines
from kiosk.config import Settings
from kiosk.wiring import KioskRuntime, SimulatedDemo, build_demo_runtime
from session import events as ev
from session.machine import Step
from session.problems import ApiProblem, CardProblem, PrintProblem
from session.states import State
from session.timers import ManualClock
from session.workspace import SESSION_DIR_PREFIX

DRAIN_TIMEOUT_S = 10.0


class Driver:
    """The UI thread of a test: `post` queues, `drain` runs until a condition holds."""

    def __init__(self, runtime: KioskRuntime) -> None:
        self.runtime = runtime
        self.queue: queue.SimpleQueue[Callable[[], None]] = queue.SimpleQueue()
        self.steps: list[Step] = []
        runtime.add_listener(self.steps.append)

    @property
    def demo(self) -> SimulatedDemo:
        demo = self.runtime.demo
        assert isinstance(demo, SimulatedDemo)
        return demo

    @property
    def state(self) -> State:
        return self.runtime.machine.state

    def start(self) -> Driver:
        self.runtime.start(self.queue.put)
        return self

    def drain(self, until: Callable[[], bool], timeout: float = DRAIN_TIMEOUT_S) -> None:
        end = time.monotonic() + timeout
        while not until():
            if time.monotonic() > end:
                ctx = self.runtime.machine.context
                raise AssertionError(f"stuck in {self.state.value} (problem {ctx.problem})")
            try:
                job = self.queue.get(timeout=0.02)
            except queue.Empty:
                continue
            job()

    def until_state(self, *states: State, timeout: float = DRAIN_TIMEOUT_S) -> State:
        self.drain(lambda: self.state in states, timeout)
        return self.state

    def settle(self, seconds: float = 0.2) -> None:
        """Run what comes in during `seconds` (late answers)."""
        end = time.monotonic() + seconds
        self.drain(lambda: time.monotonic() > end, seconds + 1)

    def visited(self) -> list[State]:
        seen: list[State] = []
        for step in self.steps:
            if not seen or seen[-1] is not step.state:
                seen.append(step.state)
        return seen

    # -- journeys --------------------------------------------------------------------------

    def to_pin(self, language: str = "en", applet: BelpicApplet | None = None) -> None:
        self.runtime.dispatch(ev.Touch())
        self.runtime.dispatch(ev.ChooseLanguage(language))
        self.demo.insert_card(applet)
        assert self.until_state(State.PIN) is State.PIN

    def pin(self, digits: str) -> bytearray:
        buffer = bytearray(digits.encode())
        self.runtime.submit_pin(buffer)
        return buffer

    def to_catalogue(self, language: str = "en") -> None:
        self.to_pin(language)
        self.pin("1234")
        assert self.until_state(State.CATALOGUE, State.SERVICE_ERROR) is State.CATALOGUE

    def choose_and_confirm(self, document_id: str = "residence") -> None:
        self.runtime.dispatch(ev.ChooseDocument(document_id))
        assert self.state is State.CONFIRM
        self.runtime.dispatch(ev.Confirm())


def demo_settings(tmp_path: Path, **session: object) -> Settings:
    base = Settings()
    api = replace(base.cityapi, retries=0)
    sess = replace(base.session, tmpfs_dir=tmp_path / "tmpfs", **session)
    return replace(base, session=sess, cityapi=api)


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock()


@pytest.fixture
def kiosk(tmp_path: Path, clock: ManualClock) -> Iterator[Driver]:
    runtime = build_demo_runtime(
        demo_settings(tmp_path),
        tmp_path / "work",
        clock=clock,
        tick_s=None,
        printer_poll_s=None,
        fault_injection=True,
    )
    driver = Driver(runtime).start()
    yield driver
    runtime.stop()


def session_dirs(runtime: KioskRuntime) -> list[Path]:
    folder = runtime.settings.session.tmpfs_dir
    return sorted(folder.glob(f"{SESSION_DIR_PREFIX}*")) if folder.exists() else []


def assert_nothing_left(runtime: KioskRuntime) -> None:
    assert runtime.machine.citizen.is_empty()
    assert session_dirs(runtime) == []
    assert runtime.spool.active_jobs() == []


def test_whole_journey_prints_certificate_and_receipt_then_forgets_the_citizen(
    kiosk: Driver, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    kiosk.to_catalogue(language="nl")
    assert kiosk.runtime.citizen_display_name() == "Élise Marie Van den Broeck-Dupré"
    offer = kiosk.runtime.describe_offer("residence", "nl")
    assert offer is not None and offer.name
    kiosk.choose_and_confirm("residence")
    assert kiosk.until_state(State.TAKE_CARD) is State.TAKE_CARD
    assert kiosk.runtime.machine.context.completed

    pdfs = kiosk.demo.printed_pdfs()
    assert len(pdfs) == 1 and pdfs[0].read_bytes().startswith(b"%PDF")
    kiosk.drain(lambda: kiosk.demo.receipt_bytes() is not None)
    receipt = kiosk.demo.receipt_bytes()
    assert receipt is not None
    lines = text_lines(decode(receipt))
    answer = kiosk.runtime.executor.document_facts()
    assert answer is not None and answer.verification_url and answer.verification_code
    url = answer.verification_url
    assert url.startswith(kiosk.demo.server.url)
    assert url in "".join(lines)  # printed under the QR code, maybe over several lines
    assert any(answer.verification_code in line for line in lines)
    assert any("Referentie" in line for line in lines)  # in the citizen's language
    verified = requests.get(url, timeout=5, headers={"Accept": "application/json"})
    assert verified.status_code == 200
    assert kiosk.demo.receipt_png() is not None

    kiosk.demo.remove_card()
    assert kiosk.until_state(State.THANK_YOU) is State.THANK_YOU
    assert_nothing_left(kiosk.runtime)
    visited = kiosk.visited()
    for state in (State.READING, State.AUTHENTICATING, State.FETCHING, State.PRINTING):
        assert state in visited

    profile = demo_profile()
    logged = caplog.text
    for secret in (profile.national_number, profile.surname, "1234"):
        assert secret not in logged


def test_the_demo_card_reaches_the_session_through_the_reader_monitor(kiosk: Driver) -> None:
    heard: list[tuple[str, str]] = []  # (event, thread that reported it)
    emit = kiosk.runtime.emit_device

    def recording_emit(event: ev.Event) -> None:
        heard.append((type(event).__name__, threading.current_thread().name))
        emit(event)

    kiosk.runtime.emit_device = recording_emit  # type: ignore[method-assign]
    kiosk.to_pin()
    kiosk.demo.remove_card()
    assert kiosk.until_state(State.ATTRACT) is State.ATTRACT
    card_events = [entry for entry in heard if entry[0].startswith("Card")]
    assert card_events == [("CardInserted", "eid-monitor"), ("CardRemoved", "eid-monitor")]


def test_a_demo_whose_reader_monitor_is_stopped_never_hears_of_the_card(kiosk: Driver) -> None:
    monitor = kiosk.runtime.reader_monitor
    assert monitor is not None
    monitor.stop()
    kiosk.runtime.dispatch(ev.Touch())
    kiosk.runtime.dispatch(ev.ChooseLanguage("fr"))
    kiosk.demo.insert_card()
    kiosk.settle(0.3)
    assert kiosk.state is State.INSERT_CARD
    assert not kiosk.runtime.machine.context.card_present


def test_wrong_pin_then_right_pin(kiosk: Driver) -> None:
    kiosk.to_pin()
    wrong = kiosk.pin("9999")
    assert kiosk.until_state(State.PIN, State.CARD_ERROR) is State.PIN
    kiosk.drain(lambda: kiosk.runtime.machine.context.pin_tries_left is not None)
    assert kiosk.runtime.machine.context.pin_tries_left == 2
    assert wrong == bytearray(4)  # the PIN pad's buffer is zeroed after use
    right = kiosk.pin("1234")
    assert kiosk.until_state(State.CATALOGUE) is State.CATALOGUE
    assert right == bytearray(4)


def test_blocked_card_ends_in_card_error_and_gives_the_card_back(kiosk: Driver) -> None:
    blocked = BelpicApplet(kiosk.demo.card, "1234", pin_tries_left=0)
    kiosk.to_pin(applet=blocked)
    kiosk.pin("1234")
    assert kiosk.until_state(State.CARD_ERROR) is State.CARD_ERROR
    assert kiosk.runtime.machine.context.problem is CardProblem.PIN_BLOCKED
    kiosk.runtime.dispatch(ev.Back())
    assert kiosk.state is State.TAKE_CARD
    kiosk.demo.remove_card()
    assert kiosk.until_state(State.ATTRACT) is State.ATTRACT
    assert_nothing_left(kiosk.runtime)


def test_card_pulled_out_mid_read(kiosk: Driver) -> None:
    kiosk.demo.reader.apdu_delay_s = 0.01  # a read of ~100 APDUs: about a second
    kiosk.runtime.dispatch(ev.Touch())
    kiosk.runtime.dispatch(ev.ChooseLanguage("fr"))
    kiosk.demo.insert_card()
    kiosk.until_state(State.READING)
    time.sleep(0.1)
    kiosk.demo.remove_card()
    # Wiped at once, then told why (on the thank-you screen), then the attract screen.
    assert kiosk.until_state(State.THANK_YOU) is State.THANK_YOU
    assert kiosk.runtime.machine.context.problem is CardProblem.CARD_REMOVED
    kiosk.settle(0.3)  # the read's failure comes late: dropped, nothing changes
    assert kiosk.state is State.THANK_YOU
    assert State.CARD_ERROR not in kiosk.visited()
    assert_nothing_left(kiosk.runtime)
    kiosk.runtime.dispatch(ev.Touch())
    assert kiosk.state is State.ATTRACT


def test_a_late_card_read_after_the_wipe_is_dropped_and_zeroed(kiosk: Driver) -> None:
    reads: list[EidRead] = []
    real_read = kiosk.runtime.card.read

    def spying_read() -> tuple[EidRead, bytes | None]:
        result = real_read()
        reads.append(result[0])
        return result

    kiosk.runtime.card.read = spying_read  # type: ignore[method-assign]
    kiosk.demo.reader.apdu_delay_s = 0.005
    kiosk.runtime.dispatch(ev.Touch())
    kiosk.runtime.dispatch(ev.ChooseLanguage("fr"))
    kiosk.demo.insert_card()
    kiosk.until_state(State.READING)
    # The monitor says "removed" while the card, still powered, finishes the read.
    kiosk.runtime.emit_device(ev.CardRemoved())
    assert kiosk.until_state(State.THANK_YOU) is State.THANK_YOU  # "the card came out..."
    kiosk.drain(lambda: bool(reads), timeout=5)
    kiosk.settle(0.2)
    late = reads[0]
    assert all(not any(buf) for buf in late.files.buffers())
    assert kiosk.runtime.machine.citizen.is_empty()
    assert kiosk.state is State.THANK_YOU
    kiosk.runtime.dispatch(ev.Touch())


def test_card_pulled_out_at_the_catalogue(kiosk: Driver) -> None:
    kiosk.to_catalogue()
    kiosk.demo.remove_card()
    assert kiosk.until_state(State.ATTRACT) is State.ATTRACT
    assert State.WIPING in kiosk.visited()
    assert_nothing_left(kiosk.runtime)


def test_printer_unavailable_before_choosing(kiosk: Driver) -> None:
    kiosk.to_catalogue()
    kiosk.demo.set_printer(Readiness(Level.UNAVAILABLE, "paper out"))
    kiosk.drain(lambda: kiosk.runtime.machine.context.printer.value == "unavailable")
    kiosk.choose_and_confirm()
    assert kiosk.state is State.SERVICE_ERROR
    assert kiosk.runtime.machine.context.problem is PrintProblem.UNAVAILABLE
    assert kiosk.demo.printed_pdfs() == []
    kiosk.runtime.dispatch(ev.Cancel())
    kiosk.demo.remove_card()
    kiosk.demo.set_printer(Readiness(Level.READY, "ready"))
    assert kiosk.until_state(State.ATTRACT) is State.ATTRACT
    assert_nothing_left(kiosk.runtime)


def test_city_api_failing_then_back(kiosk: Driver) -> None:
    url = kiosk.demo.server.url
    rule = {"kind": "error", "path_prefix": "/v1/citizen/", "status": 503}
    assert requests.put(f"{url}/_faults", json=[rule], timeout=5).status_code == 200
    kiosk.to_pin()
    kiosk.pin("1234")
    assert kiosk.until_state(State.SERVICE_ERROR, State.CATALOGUE) is State.SERVICE_ERROR
    assert kiosk.runtime.machine.context.problem is ApiProblem.SERVER_ERROR
    assert requests.delete(f"{url}/_faults", timeout=5).status_code == 200
    kiosk.runtime.dispatch(ev.Back())  # try again: authenticate afresh
    assert kiosk.until_state(State.CATALOGUE, State.SERVICE_ERROR) is State.CATALOGUE


def test_a_citizen_not_in_the_register_is_sent_to_the_counter(kiosk: Driver) -> None:
    # A genuine card, but the city's register does not know its national number.
    stranger = build_card(canary_profile(22_002), shared_test_pki(), "1.8")
    kiosk.to_pin(applet=BelpicApplet(stranger, "1234"))
    kiosk.pin("1234")
    assert kiosk.until_state(State.SERVICE_ERROR, State.CATALOGUE) is State.SERVICE_ERROR
    assert kiosk.runtime.machine.context.problem is ApiProblem.NOT_IN_REGISTER
    kiosk.runtime.dispatch(ev.Cancel())
    kiosk.demo.remove_card()
    assert kiosk.until_state(State.ATTRACT) is State.ATTRACT
    assert_nothing_left(kiosk.runtime)


def test_city_api_down(kiosk: Driver) -> None:
    kiosk.demo.server.stop()
    kiosk.to_pin()
    kiosk.pin("1234")
    assert kiosk.until_state(State.SERVICE_ERROR, State.CATALOGUE) is State.SERVICE_ERROR
    assert kiosk.runtime.machine.context.problem is ApiProblem.OFFLINE
    kiosk.runtime.dispatch(ev.Cancel())
    kiosk.demo.remove_card()
    assert kiosk.until_state(State.ATTRACT) is State.ATTRACT
    assert_nothing_left(kiosk.runtime)


def test_idle_timeout_at_the_catalogue(kiosk: Driver, clock: ManualClock) -> None:
    kiosk.to_catalogue()
    policy = kiosk.runtime.machine.policy
    clock.advance(policy.idle_timeout - policy.warning_before + 1)
    step = kiosk.runtime.dispatch(ev.Tick())
    assert any(getattr(e, "message_key", "") == "idle.warning" for e in step.effects)
    clock.advance(policy.warning_before)
    kiosk.runtime.dispatch(ev.Tick())
    assert kiosk.until_state(State.ATTRACT) is State.ATTRACT
    assert kiosk.runtime.machine.context.after_wipe is State.ATTRACT
    kiosk.demo.remove_card()
    kiosk.settle(0.1)
    assert_nothing_left(kiosk.runtime)


def test_stop_mid_session_wipes_within_bounds(tmp_path: Path) -> None:
    runtime = build_demo_runtime(demo_settings(tmp_path), tmp_path / "work", printer_poll_s=None)
    kiosk = Driver(runtime).start()
    kiosk.to_catalogue()
    started = time.monotonic()
    runtime.stop()
    assert time.monotonic() - started < 5
    assert_nothing_left(runtime)
    assert runtime.dispatch(ev.Touch()).handled is False


def test_start_recovers_leftover_session_dirs(tmp_path: Path) -> None:
    settings = demo_settings(tmp_path)
    leftover = settings.session.tmpfs_dir / f"{SESSION_DIR_PREFIX}{'ab' * 8}"
    leftover.mkdir(parents=True)
    (leftover / "certificate.pdf").write_bytes(b"%PDF- a dead process's document")
    runtime = build_demo_runtime(settings, tmp_path / "work", tick_s=None, printer_poll_s=None)
    try:
        Driver(runtime).start()
        assert not leftover.exists()
    finally:
        runtime.stop()


def test_ticks_and_printer_polls_arrive_through_post(tmp_path: Path) -> None:
    runtime = build_demo_runtime(
        demo_settings(tmp_path), tmp_path / "work", tick_s=0.05, printer_poll_s=0.05
    )
    kiosk = Driver(runtime).start()
    try:
        kiosk.drain(lambda: len(kiosk.steps) >= 3, timeout=3)
        assert kiosk.demo.set_printer(Readiness(Level.UNAVAILABLE, "jam")) is not None
        kiosk.until_state(State.OUT_OF_SERVICE, timeout=3)
        kiosk.demo.set_printer(Readiness(Level.READY, "ready"))
        assert kiosk.until_state(State.ATTRACT, timeout=3) is State.ATTRACT
    finally:
        runtime.stop()
