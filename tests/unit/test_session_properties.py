"""Stateful property test: any sequence of events keeps the machine valid, and every wipe
leaves nothing of the citizen in the holder, the session directory or the spool."""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule

from devices.eid.emulator.cardfiles import canary_profile
from i18n.languages import CODES
from session import effects as fx
from session import events as ev
from session.machine import HOLDS_CITIZEN_DATA, SessionMachine, Step
from session.problems import ApiProblem, CardProblem, PrinterStatus, PrintProblem
from session.states import State
from session.timers import ManualClock, TimerPolicy
from session.wipe import Wiper
from tests.harness.virtual_citizen import CATALOGUE, SimulatedPrinter, SimulatedSpool, virtual_eid

PROFILE = canary_profile(11)
SIMPLE_EVENTS = [
    ev.CardInserted(),
    ev.CardRemoved(),
    ev.ReaderGone(),
    ev.ReaderAvailable(),
    *[ev.PrinterStateChanged(s) for s in PrinterStatus],
    *[ev.CardFailed(p) for p in (CardProblem.COMMUNICATION, CardProblem.NOT_AUTHENTIC)],
    ev.PinAccepted(),
    ev.PinRejected(2),
    ev.PinLocked(),
    ev.PrintProgress(1, 2),
    ev.PrintCompleted(),
    ev.ReceiptFinished(printed=True),
    ev.ReceiptFinished(printed=False),
    ev.PrintFailed(PrintProblem.JAM),
    ev.WipeFinished(True),
    ev.WipeFinished(False),
    ev.Touch(),
    ev.Start(),
    ev.ChooseLanguage("de"),
    ev.ChooseLanguage("xx"),
    ev.PinSubmitted(),
    ev.ChooseDocument("residence"),
    ev.ChooseDocument("unknown"),
    ev.Confirm(),
    ev.Back(),
    ev.Cancel(),
    ev.MoreTime(),
    ev.Help(),
    ev.MaintenanceRequested(),
    ev.MaintenanceDone(),
    ev.Tick(),
    ev.IdleExpired(),
    ev.ChallengeIssued(b"\x00" * 32),
    ev.AuthenticationFailed(ApiProblem.OFFLINE),
    ev.CatalogueLoaded(CATALOGUE),
    ev.CatalogueLoaded(()),
    ev.CatalogueOffline(),
    ev.DocumentFailed(ApiProblem.REFUSED),
    ev.DocumentFailed(ApiProblem.TIMEOUT),
    ev.DocumentFailed(ApiProblem.SERVER_ERROR),
    ev.CitizenTokenExpired(),
]
PAYLOADS = ["read", "signed", "token", "document"]
VISITED: set[State] = set()  # across examples, to check the search reaches every state


class SessionModel(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.root = Path(tempfile.mkdtemp(prefix="kiosk-prop-"))
        self.clock = ManualClock()
        self.machine = SessionMachine(TimerPolicy(), self.clock, self.root, languages=CODES)
        self.spool = SimulatedSpool()
        self.printer = SimulatedPrinter(self.spool)
        self.wiper = Wiper(spool=self.spool)
        self.buffers: list[bytearray] = []  # every citizen buffer ever handed to the machine
        self.visited: set[State] = set()
        # Every confirmed choice (a Confirm that asked for a document) -> the keys its
        # requests carried; and the choice the next repeat belongs to.
        self.keys_per_choice: list[set[str]] = []
        self.choice: tuple[str, str] | None = None  # (document type, language) of the last one

    def teardown(self) -> None:
        shutil.rmtree(self.root, ignore_errors=True)

    def _payload(self, kind: str) -> ev.Event:
        event: ev.Event
        if kind == "read":
            event = ev.ReadFinished(virtual_eid(PROFILE))
        elif kind == "signed":
            event = ev.ChallengeSigned(bytearray(b"s" * 8), bytearray(PROFILE.surname.encode()))
        elif kind == "token":
            event = ev.CitizenAuthenticated(bytearray(b"t" * 8))
        else:
            event = ev.DocumentReady(bytearray(PROFILE.national_number.encode()))
        assert isinstance(event, ev.CitizenPayload)
        self.buffers.extend(event.buffers())
        return event

    def _send(self, event: ev.Event) -> None:
        queue = [event]
        while queue:
            event = queue.pop(0)
            step = self.machine.handle(event)
            self._note_requests(event, step)
            assert step.state in State
            self.visited.add(step.state)
            VISITED.add(step.state)
            if step.rule is not None and step.rule.targets and step.state is not State.WIPING:
                assert step.state in step.rule.targets or step.state in step.rule.sources
            for effect in step.effects:
                if isinstance(effect, fx.PrintDocument):
                    doc = self.machine.citizen.document
                    queue.append(
                        ev.PrintQueued(self.printer.print_document(doc, effect.session_dir, "t"))
                    )
                elif isinstance(effect, fx.Wipe):
                    report = self.wiper.wipe(effect, self.machine.citizen)
                    assert report.verified, report.problems
                    self._check_nothing_left(effect)

    def _note_requests(self, event: ev.Event, step: Step) -> None:
        for request in (e for e in step.effects if isinstance(e, fx.RequestDocument)):
            if isinstance(event, ev.Confirm):
                self.keys_per_choice.append(set())
                self.choice = (request.document_id, request.language)
            else:  # a repeat: of the last confirmed choice, in this same session
                assert self.keys_per_choice and self.choice is not None
                assert (request.document_id, request.language) == self.choice
            self.keys_per_choice[-1].add(request.idempotency_key)
        if any(isinstance(e, fx.Wipe) for e in step.effects):
            self.choice = None

    def _check_nothing_left(self, wipe: fx.Wipe) -> None:
        assert self.machine.citizen.is_empty()
        assert all(not any(b) for b in self.buffers), "a citizen buffer survived a wipe"
        assert wipe.session_dir is None or not wipe.session_dir.exists()
        assert not self.spool.jobs, "a print job survived a wipe"
        assert not any(self.root.iterdir())

    @rule(event=st.sampled_from(SIMPLE_EVENTS))
    def simple_event(self, event: ev.Event) -> None:
        self._send(event)

    @rule(kind=st.sampled_from(PAYLOADS))
    def citizen_data_arrives(self, kind: str) -> None:
        self._send(self._payload(kind))

    @rule(variant=st.integers(min_value=0, max_value=3))
    def citizen_goes_on(self, variant: int) -> None:
        """The event the journey expects next, so deep states are reached often."""
        state = self.machine.state
        nexts: dict[State, ev.Event | str] = {
            State.ATTRACT: ev.CardInserted() if variant else ev.Touch(),
            State.LANGUAGE: ev.ChooseLanguage("fr"),
            State.INSERT_CARD: ev.CardInserted(),
            State.READING: "read",
            State.PIN: ev.PinSubmitted(),
            State.CHECKING_PIN: ev.PinAccepted(),
            State.CATALOGUE: ev.ChooseDocument("household"),
            State.CONFIRM: ev.Confirm(),
            State.FETCHING: (
                "document",
                ev.DocumentFailed(ApiProblem.REFUSED),
                ev.DocumentFailed(ApiProblem.TIMEOUT),
                ev.CitizenTokenExpired(),
            )[variant],
            State.PRINTING: (
                ev.ReceiptFinished(printed=variant > 1)
                if self.machine.context.completed
                else ev.PrintCompleted()
                if variant
                else ev.PrintFailed(PrintProblem.JAM)
            ),
            State.TAKE_CARD: ev.CardRemoved(),
            State.WIPING: ev.WipeFinished(True),
            State.THANK_YOU: ev.Touch(),
        }
        if state is State.AUTHENTICATING:
            for event in (
                ev.ChallengeIssued(b"c" * 32),
                self._payload("signed"),
                self._payload("token"),
                ev.CatalogueLoaded(CATALOGUE),
            ):
                self._send(event)
            return
        wanted: ev.Event | str = nexts.get(state, ev.Back())
        self._send(self._payload(wanted) if isinstance(wanted, str) else wanted)

    @rule(job=st.integers(min_value=1, max_value=5))
    def print_queued(self, job: int) -> None:
        self._send(ev.PrintQueued(job))

    @rule(seconds=st.sampled_from([1.0, 10.0, 25.0, 31.0, 61.0, 200.0]))
    def time_passes(self, seconds: float) -> None:
        self.clock.advance(seconds)
        self._send(ev.Tick())

    @invariant()
    def holder_empty_outside_a_session(self) -> None:
        if self.machine.state not in HOLDS_CITIZEN_DATA:
            assert self.machine.citizen.is_empty()

    @invariant()
    def timers_match_the_state(self) -> None:
        expected = self.machine.policy.timer_for(self.machine.state)
        deadline = self.machine.deadline
        if self.machine.state is State.OUT_OF_SERVICE:
            assert (deadline is not None) == self.machine.context.wipe_failed
        else:
            assert (deadline is None) == (expected is None)
            if deadline is not None and expected is not None:
                assert deadline.kind is expected[0]
        assert self.machine.context.extensions_used <= self.machine.policy.max_extensions

    @invariant()
    def at_most_one_idempotency_key_per_confirmed_choice(self) -> None:
        assert all(len(keys) == 1 for keys in self.keys_per_choice)
        all_keys = [key for keys in self.keys_per_choice for key in keys]
        assert len(all_keys) == len(set(all_keys)), "two choices shared a key"
        ctx = self.machine.context
        if self.keys_per_choice and ctx.request_key is not None:
            assert ctx.request_key in self.keys_per_choice[-1]

    @invariant()
    def attract_holds_no_session(self) -> None:
        if self.machine.state is State.ATTRACT:
            ctx = self.machine.context
            assert ctx.session_id == "" and not ctx.job_ids and ctx.document_id is None
            assert ctx.request_key is None and not ctx.repeat_request


TestSessionModel = SessionModel.TestCase
TestSessionModel.settings = settings(
    max_examples=150,
    stateful_step_count=40,
    deadline=None,
    derandomize=True,  # the same searches on every run: a failure reproduces, coverage is stable
    suppress_health_check=[HealthCheck.too_slow],
)


def test_the_search_reaches_every_state() -> None:
    if not VISITED:
        TestSessionModel().runTest()
    assert set(State) == VISITED, set(State) - VISITED
