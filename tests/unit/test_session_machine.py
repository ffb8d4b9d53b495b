"""The session state machine, pure: no Kivy, no hardware, no network, no real time."""

from __future__ import annotations

import itertools
import logging
from collections.abc import Callable
from pathlib import Path

import pytest

from devices.eid import errors as eid_errors
from devices.eid.emulator.cardfiles import canary_profile
from i18n.languages import CODES
from kiosk.config import SessionSettings
from session import effects as fx
from session import events as ev
from session.effects import WipeReason
from session.machine import (
    CARD_GONE_WINDOW_S,
    HOLDS_CITIZEN_DATA,
    RULES_BY_KEY,
    SessionMachine,
    Step,
)
from session.problems import ApiProblem, CardProblem, PrinterStatus, PrintProblem
from session.states import CHOOSING, IN_SESSION, State
from session.timers import ManualClock, TimerPolicy
from tests.harness.virtual_citizen import CATALOGUE, citizen_document, virtual_eid

PROFILE = canary_profile(7)

# The happy path, event by event, and the state each event leads to.
HAPPY: list[tuple[ev.Event, State]] = [
    (ev.Touch(), State.LANGUAGE),
    (ev.ChooseLanguage("nl"), State.INSERT_CARD),
    (ev.CardInserted(), State.READING),
    (ev.ReadFinished(virtual_eid(PROFILE)), State.PIN),
    (ev.PinSubmitted(), State.CHECKING_PIN),
    (ev.PinAccepted(), State.AUTHENTICATING),
    (ev.ChallengeIssued(b"\x01" * 32), State.AUTHENTICATING),
    (ev.ChallengeSigned(bytearray(b"sig"), bytearray(b"CN=x")), State.AUTHENTICATING),
    (ev.CitizenAuthenticated(bytearray(b"token")), State.AUTHENTICATING),
    (ev.CatalogueLoaded(CATALOGUE), State.CATALOGUE),
    (ev.ChooseDocument("household"), State.CONFIRM),
    (ev.Confirm(), State.FETCHING),
    (ev.DocumentReady(citizen_document(PROFILE, "household")), State.PRINTING),
    (ev.PrintQueued(41), State.PRINTING),
    (ev.PrintProgress(1, 2), State.PRINTING),
    (ev.PrintCompleted(), State.PRINTING),
    (ev.ReceiptFinished(printed=True), State.TAKE_CARD),
    (ev.CardRemoved(), State.WIPING),
    (ev.WipeFinished(True), State.THANK_YOU),
]


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock()


def counting_keys() -> Callable[[], str]:
    count = itertools.count(1)
    return lambda: f"key-{next(count):04d}"


@pytest.fixture
def machine(clock: ManualClock, tmp_path: Path) -> SessionMachine:
    return SessionMachine(
        TimerPolicy(),
        clock,
        tmp_path,
        languages=CODES,
        new_id=lambda: "0123456789abcdef",
        new_key=counting_keys(),
    )


def fresh_payload(event: ev.Event) -> ev.Event:
    """Payload events carry buffers a wipe zeroes: build new ones for every use."""
    if isinstance(event, ev.ReadFinished):
        return ev.ReadFinished(virtual_eid(PROFILE))
    if isinstance(event, ev.DocumentReady):
        return ev.DocumentReady(citizen_document(PROFILE, "household"))
    if isinstance(event, ev.ChallengeSigned):
        return ev.ChallengeSigned(bytearray(b"sig"), bytearray(b"CN=x"))
    if isinstance(event, ev.CitizenAuthenticated):
        return ev.CitizenAuthenticated(bytearray(b"token"))
    return event


def drive_to(machine: SessionMachine, state: State) -> list[Step]:
    steps = []
    for event, reached in HAPPY:
        steps.append(machine.handle(fresh_payload(event)))
        assert machine.state is reached
        if reached is state:
            return steps
    raise AssertionError(f"{state} is not on the happy path")


def of_type(step: Step, kind: type) -> list:
    return [e for e in step.effects if isinstance(e, kind)]


def test_happy_path_visits_every_journey_state_with_its_effects(machine: SessionMachine) -> None:
    steps = []
    for event, reached in HAPPY:
        steps.append(machine.handle(fresh_payload(event)))
        assert machine.state is reached, type(event).__name__
    by_event = {type(event): step for (event, _), step in zip(HAPPY, steps, strict=True)}
    assert of_type(by_event[ev.CardInserted], fx.ReadCard)
    assert of_type(by_event[ev.PinSubmitted], fx.VerifyPin)
    assert of_type(by_event[ev.PinAccepted], fx.RequestChallenge)
    assert of_type(by_event[ev.ChallengeIssued], fx.SignChallenge) == [
        fx.SignChallenge(b"\x01" * 32)
    ]
    assert of_type(by_event[ev.ChallengeSigned], fx.AuthenticateCitizen)
    assert of_type(by_event[ev.CitizenAuthenticated], fx.FetchCatalogue) == [
        fx.FetchCatalogue("nl")
    ]
    assert of_type(by_event[ev.Confirm], fx.RequestDocument) == [
        fx.RequestDocument("household", "nl", "key-0001")
    ]
    printing = of_type(by_event[ev.DocumentReady], fx.PrintDocument)
    assert printing[0].session_dir.name == "kiosk-session-0123456789abcdef"
    done = by_event[ev.PrintCompleted]
    assert of_type(done, fx.PrintReceipt) == [fx.PrintReceipt("household", "nl")]
    assert of_type(by_event[ev.ReceiptFinished], fx.EjectHint)
    wipe = of_type(by_event[ev.CardRemoved], fx.Wipe)
    assert wipe == [fx.Wipe(WipeReason.COMPLETED, printing[0].session_dir, (41,))]
    # After the thank-you screen, the next citizen finds a fresh attract screen.
    machine.handle(ev.Touch())
    assert machine.state is State.ATTRACT
    assert machine.context.session_id == "" and machine.context.job_ids == []


def test_holder_fills_during_the_journey_and_is_zeroed_when_the_card_leaves(
    machine: SessionMachine,
) -> None:
    drive_to(machine, State.TAKE_CARD)
    citizen = machine.citizen
    assert citizen.identity.national_number == PROFILE.national_number
    buffers = citizen.buffers()
    assert len(buffers) >= 8 and any(any(b) for b in buffers)
    machine.handle(ev.CardRemoved())
    assert citizen.is_empty()
    assert all(not any(b) for b in buffers), "every buffer the holder had is zeroed"


def test_the_pin_never_enters_the_machine(machine: SessionMachine) -> None:
    drive_to(machine, State.PIN)
    step = machine.handle(ev.PinSubmitted())
    assert step.effects[0] == fx.VerifyPin()
    assert fx.VerifyPin.__dataclass_fields__ == {}
    assert ev.PinSubmitted.__dataclass_fields__ == {}


@pytest.mark.parametrize("state", sorted(IN_SESSION - {State.INSERT_CARD}))
def test_removing_the_card_ends_the_session_at_once(machine: SessionMachine, state: State) -> None:
    put_in_state(machine, state)
    step = machine.handle(ev.CardRemoved())
    assert machine.state is State.WIPING
    assert machine.citizen.is_empty()
    assert len(of_type(step, fx.Wipe)) == 1


def put_in_state(machine: SessionMachine, state: State) -> None:
    """Reach any session state through real events."""
    detours: dict[State, tuple[State, ev.Event]] = {
        State.CARD_ERROR: (State.READING, ev.CardFailed(CardProblem.COMMUNICATION)),
        State.SERVICE_ERROR: (State.FETCHING, ev.DocumentFailed(ApiProblem.SERVER_ERROR)),
        State.PRINT_ERROR: (State.PRINTING, ev.PrintFailed(PrintProblem.JAM)),
    }
    if state in detours:
        before, event = detours[state]
        drive_to(machine, before)
        machine.handle(event)
    elif state is State.LANGUAGE:
        machine.handle(ev.CardInserted())
    else:
        drive_to(machine, state)
    assert machine.state is state


def test_removing_the_card_during_printing_purges_the_job(machine: SessionMachine) -> None:
    drive_to(machine, State.PRINTING)
    machine.handle(ev.PrintQueued(7))
    step = machine.handle(ev.CardRemoved())
    (wipe,) = of_type(step, fx.Wipe)
    assert wipe.reason is WipeReason.CARD_REMOVED and wipe.job_ids == (7,)
    assert machine.handle(ev.WipeFinished(True)).state is State.THANK_YOU


# Where the card is in use, or the session works for it: pulling it out is why it fails.
CARD_IN_USE = (
    State.READING,
    State.CHECKING_PIN,
    State.AUTHENTICATING,
    State.FETCHING,
    State.PRINTING,
)
CARD_PULLED = fx.Announce("error.card_removed", (), sound=True)


@pytest.mark.parametrize("state", CARD_IN_USE)
def test_a_card_pulled_while_in_use_is_explained_after_the_wipe(
    machine: SessionMachine, clock: ManualClock, state: State
) -> None:
    put_in_state(machine, state)
    step = machine.handle(ev.CardRemoved())
    assert machine.state is State.WIPING
    assert machine.citizen.is_empty()  # wiped at once, before anything is said
    (wipe,) = of_type(step, fx.Wipe)
    assert wipe.reason is WipeReason.CARD_REMOVED
    assert CARD_PULLED in step.effects
    step = machine.handle(ev.WipeFinished(True))
    assert machine.state is State.THANK_YOU
    assert machine.context.problem is CardProblem.CARD_REMOVED
    assert machine.citizen.is_empty()
    clock.advance(machine.policy.thank_you_timeout)
    machine.handle(ev.Tick())
    assert machine.state is State.ATTRACT
    assert machine.context.problem is None


@pytest.mark.parametrize(
    "problem", [CardProblem.CARD_REMOVED, CardProblem.NO_CARD], ids=["removed", "no_card"]
)
def test_a_card_error_that_was_the_card_going_is_explained_when_the_monitor_tells(
    machine: SessionMachine, problem: CardProblem
) -> None:
    """The read's worker may report the card gone before the reader's monitor does."""
    drive_to(machine, State.READING)
    machine.handle(ev.CardFailed(problem))
    assert machine.state is State.CARD_ERROR
    step = machine.handle(ev.CardRemoved())
    assert CARD_PULLED in step.effects and machine.citizen.is_empty()
    machine.handle(ev.WipeFinished(True))
    assert machine.state is State.THANK_YOU
    assert machine.context.problem is CardProblem.CARD_REMOVED


@pytest.mark.parametrize("problem", [CardProblem.COMMUNICATION, CardProblem.TIMEOUT])
def test_a_card_gone_just_after_a_communication_error_was_its_cause(
    machine: SessionMachine, clock: ManualClock, problem: CardProblem
) -> None:
    """Over PC/SC a card pulled mid-read fails first as a lost transaction; pcscd sees the
    slot empty a moment later. Removed within the window: explained; after it: quiet."""
    drive_to(machine, State.READING)
    machine.handle(ev.CardFailed(problem))
    clock.advance(CARD_GONE_WINDOW_S - 0.5)
    step = machine.handle(ev.CardRemoved())
    assert CARD_PULLED in step.effects
    machine.handle(ev.WipeFinished(True))
    assert machine.state is State.THANK_YOU
    assert machine.context.problem is CardProblem.CARD_REMOVED


@pytest.mark.parametrize(
    "state", sorted(IN_SESSION - {State.INSERT_CARD, State.TAKE_CARD, *CARD_IN_USE})
)
def test_taking_the_card_out_while_choosing_leaves_quietly(
    machine: SessionMachine, clock: ManualClock, state: State
) -> None:
    put_in_state(machine, state)  # a card error here is COMMUNICATION: the citizen takes it out
    clock.advance(CARD_GONE_WINDOW_S + 0.5)  # ... after reading the error screen
    step = machine.handle(ev.CardRemoved())
    assert not of_type(step, fx.Announce)
    machine.handle(ev.WipeFinished(True))
    assert machine.state is State.ATTRACT


def test_the_card_put_back_while_the_message_shows_starts_a_session(
    machine: SessionMachine,
) -> None:
    drive_to(machine, State.READING)
    machine.handle(ev.CardRemoved())
    machine.handle(ev.WipeFinished(True))
    assert machine.state is State.THANK_YOU
    machine.handle(ev.CardInserted())
    assert machine.state is State.LANGUAGE
    assert machine.context.problem is None and machine.context.session_id
    machine.handle(ev.ChooseLanguage("fr"))
    assert machine.state is State.READING  # the card put back is read, not asked for again


def test_a_card_pulled_while_in_use_with_a_device_gone_ends_out_of_service(
    machine: SessionMachine,
) -> None:
    drive_to(machine, State.FETCHING)
    machine.handle(ev.PrinterStateChanged(PrinterStatus.UNAVAILABLE))
    machine.handle(ev.CardRemoved())
    machine.handle(ev.WipeFinished(True))
    assert machine.state is State.OUT_OF_SERVICE


def test_wrong_pin_returns_to_the_pin_pad_with_tries_left_then_blocks(
    machine: SessionMachine,
) -> None:
    drive_to(machine, State.PIN)
    machine.handle(ev.PinSubmitted())
    step = machine.handle(ev.PinRejected(2))
    assert machine.state is State.PIN
    assert fx.Announce("pin.wrong", (("tries_left", 2),), sound=True) in step.effects
    machine.handle(ev.PinSubmitted())
    machine.handle(ev.PinLocked())
    assert machine.state is State.CARD_ERROR
    assert machine.context.problem is CardProblem.PIN_BLOCKED
    machine.handle(ev.Back())  # a blocked PIN is not worth another try
    assert machine.state is State.TAKE_CARD


def test_card_error_offers_a_retry_when_worth_it(machine: SessionMachine) -> None:
    drive_to(machine, State.READING)
    machine.handle(ev.CardFailed(CardProblem.COMMUNICATION))
    step = machine.handle(ev.Back())
    assert machine.state is State.READING and fx.ReadCard() in step.effects


def test_card_problem_kinds_map_from_eid_errors() -> None:
    assert CardProblem.from_exception(eid_errors.CardRemoved()) is CardProblem.CARD_REMOVED
    assert CardProblem.from_exception(eid_errors.NotBelgianEid()) is CardProblem.NOT_BELGIAN
    assert CardProblem.from_exception(eid_errors.PinBlocked()) is CardProblem.PIN_BLOCKED
    assert CardProblem.from_exception(eid_errors.CardNotAuthentic()) is CardProblem.NOT_AUTHENTIC
    assert CardProblem.from_exception(eid_errors.NoReader()) is CardProblem.NO_READER
    assert CardProblem.from_exception(RuntimeError()) is CardProblem.COMMUNICATION


def test_city_api_down_leads_to_a_service_error_with_a_way_back(
    machine: SessionMachine,
) -> None:
    drive_to(machine, State.AUTHENTICATING)
    machine.handle(ev.AuthenticationFailed(ApiProblem.OFFLINE))
    assert machine.state is State.SERVICE_ERROR
    step = machine.handle(ev.Back())
    assert machine.state is State.AUTHENTICATING and fx.RequestChallenge() in step.effects
    machine.handle(ev.Cancel())
    assert machine.state is State.TAKE_CARD


def test_printer_unavailable_at_confirm_is_a_service_error(machine: SessionMachine) -> None:
    drive_to(machine, State.CONFIRM)
    machine.handle(ev.PrinterStateChanged(PrinterStatus.UNAVAILABLE))
    assert machine.state is State.CONFIRM
    machine.handle(ev.Confirm())
    assert machine.state is State.SERVICE_ERROR
    assert machine.context.problem is PrintProblem.UNAVAILABLE


def test_attract_goes_out_of_service_without_a_printer_and_back(
    machine: SessionMachine,
) -> None:
    machine.handle(ev.PrinterStateChanged(PrinterStatus.UNAVAILABLE))
    assert machine.state is State.OUT_OF_SERVICE
    assert not machine.handle(ev.Touch()).handled
    machine.handle(ev.PrinterStateChanged(PrinterStatus.DEGRADED))
    assert machine.state is State.ATTRACT


def test_reader_gone_mid_session_wipes_then_goes_out_of_service(
    machine: SessionMachine,
) -> None:
    drive_to(machine, State.CATALOGUE)
    step = machine.handle(ev.ReaderGone())
    assert of_type(step, fx.Wipe)[0].reason is WipeReason.DEVICE_LOST
    machine.handle(ev.WipeFinished(True))
    assert machine.state is State.OUT_OF_SERVICE
    machine.handle(ev.ReaderAvailable())
    assert machine.state is State.ATTRACT


def test_a_reader_back_while_the_session_is_wiped_leaves_the_kiosk_serving(
    machine: SessionMachine,
) -> None:
    """pcscd restarted mid-session: the reader goes and comes back before the wipe ends."""
    drive_to(machine, State.LANGUAGE)
    machine.handle(ev.ReaderGone())
    assert machine.state is State.WIPING
    machine.handle(ev.ReaderAvailable())
    machine.handle(ev.WipeFinished(True))
    assert machine.state is State.ATTRACT
    assert machine.handle(ev.Touch()).state is State.LANGUAGE


def test_a_failed_wipe_keeps_the_kiosk_out_of_service_and_retries(
    machine: SessionMachine, clock: ManualClock
) -> None:
    drive_to(machine, State.PIN)
    machine.handle(ev.Cancel())
    machine.handle(ev.CardRemoved())
    machine.handle(ev.WipeFinished(False))
    assert machine.state is State.OUT_OF_SERVICE
    machine.handle(ev.PrinterStateChanged(PrinterStatus.READY))
    assert machine.state is State.OUT_OF_SERVICE, "devices back is not enough"
    clock.advance(31)
    step = machine.handle(ev.Tick())
    assert machine.state is State.WIPING
    assert of_type(step, fx.Wipe)[0].reason is WipeReason.RETRY
    machine.handle(ev.WipeFinished(True))
    assert machine.state is State.ATTRACT


def test_a_card_left_behind_is_never_read_for_the_next_citizen(
    machine: SessionMachine, clock: ManualClock
) -> None:
    drive_to(machine, State.CATALOGUE)
    clock.advance(61)
    machine.handle(ev.Tick())  # the citizen walked away, card in the slot
    machine.handle(ev.WipeFinished(True))
    assert machine.state is State.ATTRACT and machine.context.card_present
    machine.handle(ev.Touch())
    machine.handle(ev.ChooseLanguage("fr"))
    assert machine.state is State.INSERT_CARD
    machine.handle(ev.CardRemoved())
    assert machine.state is State.INSERT_CARD
    machine.handle(ev.CardInserted())
    assert machine.state is State.READING


def test_only_the_languages_offered_can_be_chosen(clock: ManualClock, tmp_path: Path) -> None:
    machine = SessionMachine(TimerPolicy(), clock, tmp_path, languages=("nl", "fr"))
    assert machine.context.language == "nl"  # no default given: the first offered
    machine.handle(ev.Touch())
    assert not machine.handle(ev.ChooseLanguage("en")).handled  # a code, but not offered here
    assert machine.state is State.LANGUAGE
    (help_said,) = of_type(machine.handle(ev.Help()), fx.Announce)
    assert help_said == fx.Announce("help.language", (("languages", "nl fr"),), True)
    machine.handle(ev.ChooseLanguage("fr"))
    assert machine.state is State.INSERT_CARD and machine.context.language == "fr"
    machine.handle(ev.Cancel())
    machine.handle(ev.WipeFinished(True))
    assert machine.state is State.ATTRACT and machine.context.language == "nl"


def test_the_default_language_is_one_of_those_offered(clock: ManualClock, tmp_path: Path) -> None:
    machine = SessionMachine(TimerPolicy(), clock, tmp_path, languages=CODES, default_language="de")
    assert machine.context.language == "de"
    with pytest.raises(ValueError, match="not offered"):
        SessionMachine(TimerPolicy(), clock, tmp_path, languages=("nl",), default_language="fr")
    with pytest.raises(ValueError, match="at least one"):
        SessionMachine(TimerPolicy(), clock, tmp_path, languages=())


def test_senseless_events_are_ignored_and_logged_without_data(
    machine: SessionMachine, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="session")
    late = ev.DocumentReady(citizen_document(PROFILE, "residence"))
    for event in (ev.Confirm(), ev.PinAccepted(), ev.ChooseDocument("x"), late):
        step = machine.handle(event)
        assert not step.handled and machine.state is State.ATTRACT and step.effects == ()
    text = caplog.text
    assert "DocumentReady ignored in state attract" in text
    assert PROFILE.surname not in text and PROFILE.national_number not in text
    assert not any(late.document), "a late document nobody uses is zeroed"


def test_a_bug_in_a_handler_wipes_instead_of_crashing(machine: SessionMachine) -> None:
    drive_to(machine, State.CATALOGUE)

    def broken(self: SessionMachine, event: ev.Event) -> None:
        raise RuntimeError("bug")

    rule = RULES_BY_KEY[(State.CATALOGUE, ev.ChooseDocument)]
    object.__setattr__(rule, "handler", broken)
    try:
        step = machine.handle(ev.ChooseDocument("residence"))
    finally:
        object.__setattr__(rule, "handler", SessionMachine.on_choose)
    assert machine.state is State.WIPING and of_type(step, fx.Wipe)[0].reason is WipeReason.ERROR
    assert machine.citizen.is_empty()


def test_reprs_hold_no_citizen_data(machine: SessionMachine) -> None:
    drive_to(machine, State.PRINTING)
    texts = [repr(machine), repr(machine.citizen), repr(machine.context)]
    texts += [repr(fresh_payload(e)) for e, _ in HAPPY]
    for text in texts:
        assert PROFILE.surname not in text and PROFILE.national_number not in text
        assert PROFILE.first_names not in text


# -- timers -------------------------------------------------------------------------------------


def warnings(step: Step) -> list[fx.Announce]:
    return [
        e for e in step.effects if isinstance(e, fx.Announce) and e.message_key == "idle.warning"
    ]


def test_idle_warning_comes_30_s_before_with_sound_then_the_session_ends(
    machine: SessionMachine, clock: ManualClock
) -> None:
    drive_to(machine, State.CATALOGUE)
    clock.advance(29)
    assert not warnings(machine.handle(ev.Tick()))
    clock.advance(1)
    (warning,) = warnings(machine.handle(ev.Tick()))
    assert warning.sound and dict(warning.params)["seconds_left"] == 30
    clock.advance(29)
    machine.handle(ev.Tick())
    assert machine.state is State.CATALOGUE
    clock.advance(1)
    step = machine.handle(ev.Tick())
    assert machine.state is State.WIPING and of_type(step, fx.Wipe)[0].reason is WipeReason.TIMEOUT
    assert machine.citizen.is_empty()


def test_more_time_works_at_least_ten_times(machine: SessionMachine, clock: ManualClock) -> None:
    drive_to(machine, State.CONFIRM)
    for used in range(1, 11):
        clock.advance(30)
        assert warnings(machine.handle(ev.Tick()))
        clock.advance(25)  # the citizen takes 25 s to answer: still in time
        step = machine.handle(ev.MoreTime())
        assert step.handled and machine.state is State.CONFIRM
        assert dict(step.effects[0].params)["extensions_left"] == 10 - used
        assert fx.StartTimer(fx.TimerKind.IDLE, 60) in step.effects
    clock.advance(30)
    assert warnings(machine.handle(ev.Tick()))
    assert not machine.handle(ev.MoreTime()).handled, "the eleventh is refused"
    clock.advance(30)
    machine.handle(ev.Tick())
    assert machine.state is State.WIPING


def test_more_time_without_a_warning_is_ignored_and_touches_restart_the_timer(
    machine: SessionMachine, clock: ManualClock
) -> None:
    drive_to(machine, State.PIN)
    assert not machine.handle(ev.MoreTime()).handled
    for _ in range(5):
        clock.advance(25)
        machine.handle(ev.Touch())  # PIN pad keys
        assert not warnings(machine.handle(ev.Tick()))
    assert machine.state is State.PIN and machine.context.extensions_used == 0


def test_configured_timeouts_are_used(clock: ManualClock, tmp_path: Path) -> None:
    settings = SessionSettings(idle_timeout=90, thank_you_timeout=5, warning_before=20)
    policy = TimerPolicy.from_settings(settings, print_timeout=45)
    machine = SessionMachine(policy, clock, tmp_path, languages=CODES)
    step = machine.handle(ev.Touch())
    assert fx.StartTimer(fx.TimerKind.IDLE, 90) in step.effects
    clock.advance(69)
    assert not warnings(machine.handle(ev.Tick()))
    clock.advance(1)
    assert warnings(machine.handle(ev.Tick()))
    assert policy.operation_timeouts[State.PRINTING] == 45


def test_policy_refuses_less_than_wcag() -> None:
    with pytest.raises(ValueError, match="20"):
        TimerPolicy(warning_before=10)
    with pytest.raises(ValueError, match="10"):
        TimerPolicy(max_extensions=3)


def test_thank_you_lasts_20_s_without_a_warning(
    machine: SessionMachine, clock: ManualClock
) -> None:
    drive_to(machine, State.THANK_YOU)
    clock.advance(19)
    assert not warnings(machine.handle(ev.Tick()))
    assert machine.state is State.THANK_YOU
    clock.advance(1)
    machine.handle(ev.Tick())
    assert machine.state is State.ATTRACT


@pytest.mark.parametrize(
    ("state", "seconds", "after"),
    [
        (State.READING, 30, State.CARD_ERROR),
        (State.CHECKING_PIN, 20, State.CARD_ERROR),
        (State.AUTHENTICATING, 30, State.SERVICE_ERROR),
        (State.FETCHING, 60, State.SERVICE_ERROR),
        (State.PRINTING, 180, State.PRINT_ERROR),
    ],
)
def test_working_states_have_operation_timeouts_not_idle_ones(
    machine: SessionMachine, clock: ManualClock, state: State, seconds: float, after: State
) -> None:
    drive_to(machine, state)
    clock.advance(seconds - 1)
    step = machine.handle(ev.Tick())
    assert machine.state is state and not warnings(step)
    clock.advance(1)
    machine.handle(ev.Tick())
    assert machine.state is after


def test_a_stale_idle_expired_is_ignored(machine: SessionMachine, clock: ManualClock) -> None:
    drive_to(machine, State.CATALOGUE)
    clock.advance(50)
    machine.handle(ev.Touch())  # restarts the minute
    clock.advance(15)
    machine.handle(ev.IdleExpired())  # the app's old one-shot timer fires
    assert machine.state is State.CATALOGUE


def test_every_choosing_state_has_an_idle_timer_and_holder_rules_are_consistent() -> None:
    policy = TimerPolicy()
    for state in CHOOSING:
        timer = policy.timer_for(state)
        assert timer is not None and timer[0] is fx.TimerKind.IDLE
    assert State.ATTRACT not in HOLDS_CITIZEN_DATA and State.WIPING not in HOLDS_CITIZEN_DATA


# -- "Try again" after a lost answer repeats the same request (issue 16, item 1) -------------


def requests_in(step: Step) -> list[fx.RequestDocument]:
    return of_type(step, fx.RequestDocument)


@pytest.mark.parametrize(
    "failure",
    [
        ev.DocumentFailed(ApiProblem.TIMEOUT),
        ev.DocumentFailed(ApiProblem.OFFLINE),
        ev.DocumentFailed(ApiProblem.SERVER_ERROR),
    ],
    ids=["timeout", "cut", "5xx-or-malformed"],
)
def test_try_again_after_an_unknown_outcome_repeats_the_same_request(
    machine: SessionMachine, failure: ev.Event
) -> None:
    (first,) = requests_in(drive_to(machine, State.FETCHING)[-1])
    machine.handle(failure)
    assert machine.state is State.SERVICE_ERROR
    step = machine.handle(ev.Back())  # "Try again"
    assert machine.state is State.FETCHING, "straight back to fetching, not the catalogue"
    assert requests_in(step) == [first] == [fx.RequestDocument("household", "nl", "key-0001")]
    # A second loss, a second try: still the one key of this choice.
    machine.handle(failure)
    assert requests_in(machine.handle(ev.Back())) == [first]
    machine.handle(fresh_payload(ev.DocumentReady(bytearray())))
    assert machine.state is State.PRINTING


def test_the_fetch_timing_out_is_an_unknown_outcome_too(
    machine: SessionMachine, clock: ManualClock
) -> None:
    (first,) = requests_in(drive_to(machine, State.FETCHING)[-1])
    clock.advance(61)
    step = machine.handle(ev.Tick())
    assert machine.state is State.SERVICE_ERROR and fx.CancelApiCalls() in step.effects
    assert requests_in(machine.handle(ev.Back())) == [first]


@pytest.mark.parametrize(
    "problem", [ApiProblem.REFUSED, ApiProblem.NOT_IN_REGISTER, ApiProblem.NOT_FOUND]
)
def test_a_known_refusal_goes_back_to_the_catalogue_and_a_new_choice_gets_a_new_key(
    machine: SessionMachine, problem: ApiProblem
) -> None:
    drive_to(machine, State.FETCHING)
    machine.handle(ev.DocumentFailed(problem))
    step = machine.handle(ev.Back())
    assert machine.state is State.CATALOGUE and not requests_in(step)
    machine.handle(ev.ChooseDocument("household"))
    (second,) = requests_in(machine.handle(ev.Confirm()))
    assert second.idempotency_key == "key-0002"


def test_the_key_is_made_at_confirm_and_dropped_at_wipe(machine: SessionMachine) -> None:
    drive_to(machine, State.CONFIRM)
    assert machine.context.request_key is None
    machine.handle(ev.Confirm())
    assert machine.context.request_key == "key-0001"
    machine.handle(ev.DocumentFailed(ApiProblem.TIMEOUT))
    machine.handle(ev.Cancel())  # the citizen gives up instead of trying again
    machine.handle(ev.CardRemoved())
    assert machine.state is State.WIPING
    machine.handle(ev.WipeFinished(True))
    assert machine.state is State.ATTRACT
    assert machine.context.request_key is None and not machine.context.repeat_request


def test_an_expired_citizen_token_authenticates_again_then_repeats_with_the_same_key(
    machine: SessionMachine,
) -> None:
    (first,) = requests_in(drive_to(machine, State.FETCHING)[-1])
    machine.handle(ev.DocumentFailed(ApiProblem.TIMEOUT))
    machine.handle(ev.Back())
    step = machine.handle(ev.CitizenTokenExpired())
    assert machine.state is State.AUTHENTICATING and fx.RequestChallenge() in step.effects
    machine.handle(ev.ChallengeIssued(b"\x02" * 32))
    machine.handle(fresh_payload(ev.ChallengeSigned(bytearray(), bytearray())))
    step = machine.handle(ev.CitizenAuthenticated(bytearray(b"token2")))
    assert machine.state is State.FETCHING
    assert requests_in(step) == [first] and not of_type(step, fx.FetchCatalogue)
    # Refused again with a fresh token: not a matter of time; said plainly, no loop.
    machine.handle(ev.CitizenTokenExpired())
    assert machine.state is State.SERVICE_ERROR
    assert machine.context.problem is ApiProblem.REFUSED


def test_authentication_failing_during_the_renewal_keeps_the_request_to_repeat(
    machine: SessionMachine,
) -> None:
    (first,) = requests_in(drive_to(machine, State.FETCHING)[-1])
    machine.handle(ev.CitizenTokenExpired())
    machine.handle(ev.AuthenticationFailed(ApiProblem.OFFLINE))
    assert machine.state is State.SERVICE_ERROR
    step = machine.handle(ev.Back())
    assert machine.state is State.AUTHENTICATING and fx.RequestChallenge() in step.effects
    machine.handle(ev.ChallengeIssued(b"\x02" * 32))
    machine.handle(fresh_payload(ev.ChallengeSigned(bytearray(), bytearray())))
    step = machine.handle(ev.CitizenAuthenticated(bytearray(b"token3")))
    assert machine.state is State.FETCHING and requests_in(step) == [first]


def test_try_again_with_the_printer_gone_says_so_and_keeps_the_request(
    machine: SessionMachine,
) -> None:
    (first,) = requests_in(drive_to(machine, State.FETCHING)[-1])
    machine.handle(ev.DocumentFailed(ApiProblem.SERVER_ERROR))
    machine.handle(ev.PrinterStateChanged(PrinterStatus.UNAVAILABLE))
    machine.handle(ev.Back())
    assert machine.state is State.SERVICE_ERROR
    assert machine.context.problem is PrintProblem.UNAVAILABLE
    machine.handle(ev.PrinterStateChanged(PrinterStatus.READY))
    assert requests_in(machine.handle(ev.Back())) == [first]


def reach_choosing(machine: SessionMachine, state: State) -> None:
    """Bring the machine to a CHOOSING state by the events that lead there."""
    detours: dict[State, tuple[State, ev.Event]] = {
        State.CARD_ERROR: (State.READING, ev.CardFailed(CardProblem.COMMUNICATION)),
        State.SERVICE_ERROR: (State.FETCHING, ev.DocumentFailed(ApiProblem.SERVER_ERROR)),
        State.PRINT_ERROR: (State.PRINTING, ev.PrintFailed(PrintProblem.JAM)),
    }
    if state is State.MAINTENANCE:
        machine.handle(ev.MaintenanceRequested())
    elif state in detours:
        before, event = detours[state]
        drive_to(machine, before)
        machine.handle(event)
    else:
        drive_to(machine, state)
    assert machine.state is state


@pytest.mark.parametrize("state", sorted(CHOOSING))
def test_a_touch_anywhere_during_the_warning_is_more_time_in_every_choosing_state(
    machine: SessionMachine, clock: ManualClock, state: State
) -> None:
    reach_choosing(machine, state)
    clock.advance(machine.policy.idle_timeout - machine.policy.warning_before)
    assert warnings(machine.handle(ev.Tick()))
    clock.advance(20)
    step = machine.handle(ev.Touch())
    assert step.handled and machine.state is state
    assert machine.context.extensions_used == 1
    said = of_type(step, fx.Announce)
    assert [a.message_key for a in said] == ["idle.extended"]
    assert fx.StartTimer(fx.TimerKind.IDLE, machine.policy.idle_timeout) in step.effects
    assert machine.deadline is not None and not machine.deadline.warned
    clock.advance(20)
    assert not warnings(machine.handle(ev.Tick()))
    # A touch without a warning restarts the timer but costs no extension.
    machine.handle(ev.Touch())
    assert machine.context.extensions_used == 1
    clock.advance(machine.policy.idle_timeout - 1)  # a whole idle timeout again
    machine.handle(ev.Tick())
    assert machine.state is state


def test_touches_during_the_warning_stop_counting_when_no_extension_is_left(
    machine: SessionMachine, clock: ManualClock
) -> None:
    reach_choosing(machine, State.SERVICE_ERROR)
    for _ in range(machine.policy.max_extensions):
        clock.advance(30)
        assert warnings(machine.handle(ev.Tick()))
        assert machine.handle(ev.Touch()).handled
    clock.advance(30)
    assert warnings(machine.handle(ev.Tick()))
    assert not machine.handle(ev.Touch()).handled, "the limit holds for touches too"
    # The button under the finger still acts (the screens pass the touch on).
    machine.handle(ev.Back())  # "Try again" after a lost answer: the same request again
    assert machine.state is State.FETCHING


def test_the_end_of_the_journey_waits_for_the_receipt_a_bounded_time(
    machine: SessionMachine, clock: ManualClock
) -> None:
    steps = drive_to(machine, State.PRINTING)
    machine.handle(ev.PrintQueued(41))
    step = machine.handle(ev.PrintCompleted())
    assert machine.state is State.PRINTING and machine.context.completed
    assert of_type(step, fx.PrintReceipt) == [fx.PrintReceipt("household", "nl")]
    wait = machine.policy.receipt_wait
    assert fx.StartTimer(fx.TimerKind.OPERATION, wait) in step.effects
    assert wait <= 15, "a mute receipt printer must not hold the citizen long"
    clock.advance(wait - 0.5)
    machine.handle(ev.Tick())
    assert machine.state is State.PRINTING
    clock.advance(0.5)
    step = machine.handle(ev.Tick())
    assert machine.state is State.TAKE_CARD
    assert machine.context.receipt_printed is False
    assert [a.message_key for a in of_type(step, fx.Announce)] == ["receipt.not_printed"]
    assert of_type(step, fx.EjectHint)
    assert not of_type(steps[-1], fx.PrintReceipt), "no receipt before the document is out"


@pytest.mark.parametrize("printed", [True, False])
def test_the_receipt_printers_answer_decides_what_take_card_says(
    machine: SessionMachine, printed: bool
) -> None:
    drive_to(machine, State.PRINTING)
    machine.handle(ev.PrintCompleted())
    step = machine.handle(ev.ReceiptFinished(printed=printed))
    assert machine.state is State.TAKE_CARD and machine.context.receipt_printed is printed
    key = "take_card_and_receipt" if printed else "receipt.not_printed"
    assert [a.message_key for a in of_type(step, fx.Announce)] == [key]
    machine.handle(ev.CardRemoved())
    machine.handle(ev.WipeFinished(True))
    assert machine.state is State.THANK_YOU


def test_a_receipt_confirmed_after_the_wait_is_said_after_all(
    machine: SessionMachine, clock: ManualClock
) -> None:
    drive_to(machine, State.PRINTING)
    machine.handle(ev.PrintCompleted())
    clock.advance(machine.policy.receipt_wait)
    machine.handle(ev.Tick())
    assert machine.context.receipt_printed is False
    step = machine.handle(ev.ReceiptFinished(printed=True))
    assert machine.state is State.TAKE_CARD and machine.context.receipt_printed is True
    assert [a.message_key for a in of_type(step, fx.Announce)] == ["take_card_and_receipt"]
    assert machine.handle(ev.ReceiptFinished(printed=False)).handled  # noted, nothing said
    assert machine.context.receipt_printed is True


def test_a_card_taken_while_the_receipt_prints_ends_like_a_finished_journey(
    machine: SessionMachine,
) -> None:
    drive_to(machine, State.PRINTING)
    machine.handle(ev.PrintCompleted())
    step = machine.handle(ev.CardRemoved())
    assert of_type(step, fx.Wipe)[0].reason is WipeReason.COMPLETED
    machine.handle(ev.WipeFinished(True))
    assert machine.state is State.THANK_YOU
    assert not machine.handle(ev.ReceiptFinished(printed=True)).handled  # too late: ignored


def test_a_receipt_answer_without_a_printed_document_is_ignored(machine: SessionMachine) -> None:
    drive_to(machine, State.PRINTING)
    assert not machine.handle(ev.ReceiptFinished(printed=True)).handled
    assert machine.state is State.PRINTING and machine.context.receipt_printed is None


def test_the_document_printer_lost_while_the_receipt_prints_is_only_noted(
    machine: SessionMachine,
) -> None:
    drive_to(machine, State.PRINTING)
    machine.handle(ev.PrintCompleted())
    machine.handle(ev.PrinterStateChanged(PrinterStatus.UNAVAILABLE))
    assert machine.state is State.PRINTING
    machine.handle(ev.ReceiptFinished(printed=True))
    assert machine.state is State.TAKE_CARD


def test_a_print_that_takes_too_long_sends_to_the_counter_without_try_again(
    machine: SessionMachine, clock: ManualClock
) -> None:
    drive_to(machine, State.PRINTING)
    clock.advance(machine.policy.operation_timeouts[State.PRINTING])
    step = machine.handle(ev.Tick())
    assert machine.state is State.PRINT_ERROR
    assert [a.message_key for a in of_type(step, fx.Announce)] == ["error.print_timeout"]
