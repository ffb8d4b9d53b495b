"""A scripted citizen, and a simulated kiosk around the machine, for whole journeys in tests.

`VirtualKiosk` plays the app: it feeds events to a `SessionMachine`, executes its effects with
simulated devices and a simulated city API (failures on request), runs the real `Wiper` for
`Wipe`, and moves a `ManualClock`. `VirtualCitizen` plays the person at the screen, following a
`Behaviour` (wrong PINs, a blocked card, pulling the card out, walking away, asking for more
time...). UI and soak tests reuse both, swapping in real executors where they need them (a
real `DocumentPrinter`, a real spool behind the `Wiper`).

The citizen's data is fake (devices.eid.emulator profiles) but built like a card read: the same
identity and address file bytes, parsed by the same parser, so leak tests hunt realistic data.
"""

from __future__ import annotations

import secrets
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from devices.eid.emulator.cardfiles import CitizenProfile, address_file, identity_file
from devices.eid.identity import parse_address, parse_identity
from devices.eid.model import CardData, CardFiles, EidRead, IntegrityReport
from session import events as ev
from session.effects import (
    Announce,
    ApiCall,
    AuthenticateCitizen,
    DeviceCommand,
    Effect,
    FetchCatalogue,
    PrintDocument,
    PrintReceipt,
    ReadCard,
    RequestChallenge,
    RequestDocument,
    SignChallenge,
    VerifyPin,
    Wipe,
)
from session.machine import SessionMachine
from session.problems import ApiProblem, CardProblem, PrinterStatus, PrintProblem
from session.states import CHOOSING, State
from session.timers import ManualClock
from session.wipe import Wiper, WipeReport, prepare_session_dir

CATALOGUE = (
    ev.DocumentOffer("residence", "doc.residence"),
    ev.DocumentOffer("household", "doc.household"),
    ev.DocumentOffer("nationality", "doc.nationality"),
)
_CARD_DATA_TAIL_17 = bytes.fromhex("F3 36 01 25 01 17 00 03 00 21 01 0F")
PIN_TRIES = 3


def virtual_eid(profile: CitizenProfile) -> EidRead:
    """An EidRead as a 1.7 card of `profile` would give, without the card or the crypto."""
    identity = bytearray(identity_file(profile, "1.7"))
    address = bytearray(address_file(profile, "1.7"))
    files = CardFiles(
        identity=identity,
        identity_signature=bytearray(128),
        address=address,
        address_signature=bytearray(128),
        photo=bytearray(profile.photo),
        rrn_certificate=bytearray(64),
        card_data=bytearray(profile.chip_number[:16].ljust(16, b"\x00") + _CARD_DATA_TAIL_17),
    )
    assert files.card_data is not None
    return EidRead(
        files=files,
        identity=parse_identity(identity),
        address=parse_address(address),
        card=CardData.parse(bytes(files.card_data)),
        integrity=IntegrityReport(True, True, True, True),
    )


def citizen_document(profile: CitizenProfile, document_id: str) -> bytearray:
    """The certificate the city would send: it names the citizen, as a real one does."""
    text = (
        f"Certificate {document_id}\n{profile.first_names} {profile.surname}\n"
        f"{profile.national_number}\n{profile.street_and_number}, "
        f"{profile.zip_code} {profile.municipality}\n"
    )
    return bytearray(text.encode("utf-8"))


class DocumentPrinter(Protocol):
    """The app's document printing executor: returns the spool's job id."""

    def print_document(self, document: bytearray, session_dir: Path, title: str) -> int: ...


class SimulatedPrinter:
    """Writes the document into the session directory (as the real executor does before
    submitting it to CUPS) and hands out job ids, which `SimulatedSpool` then tracks."""

    def __init__(self, spool: SimulatedSpool) -> None:
        self.spool = spool

    def print_document(self, document: bytearray, session_dir: Path, title: str) -> int:
        prepare_session_dir(session_dir)
        (session_dir / "document.txt").write_bytes(document)
        return self.spool.submit()


class SimulatedSpool:
    """A `PrintSpool` in memory: job ids only."""

    def __init__(self) -> None:
        self._next = 1
        self.jobs: set[int] = set()

    def submit(self) -> int:
        job = self._next
        self._next += 1
        self.jobs.add(job)
        return job

    def purge(self, job_ids: object) -> None:
        self.jobs.difference_update(job_ids)  # type: ignore[arg-type]

    def remaining(self, job_ids: object) -> list[int]:
        return sorted(self.jobs.intersection(job_ids))  # type: ignore[arg-type]

    def active_jobs(self) -> list[int]:
        return sorted(self.jobs)


@dataclass(frozen=True)
class Behaviour:
    """What the citizen does, and what goes wrong around them."""

    language: str = "fr"
    card_first: bool = False  # inserts the card on the attract screen instead of touching
    document_id: str = "residence"
    think_s: float = 3.0  # seconds between a screen appearing and the citizen's touch
    wrong_pins: int = 0  # wrong PINs typed before the right one
    pin_blocked: bool = False  # the card's PIN is already blocked
    card_problem: CardProblem | None = None  # the card cannot be read
    pull_card_in: State | None = None  # pulls the card out when this screen shows
    cancel_in: State | None = None  # presses "stop" on this screen
    walk_away_in: State | None = None  # stops touching on this screen
    more_time: int = 0  # "more time" presses when warned, before walking away for good
    api_down: bool = False  # the city API does not answer
    document_problem: ApiProblem | None = None
    printer_lost_in: State | None = None  # the printer becomes unavailable on this screen
    print_problem: PrintProblem | None = None


SCENARIOS: dict[str, Behaviour] = {
    "happy": Behaviour(),
    "card_first": Behaviour(card_first=True, language="nl"),
    "wrong_pin_then_right": Behaviour(wrong_pins=2),
    "pin_blocked_by_mistakes": Behaviour(wrong_pins=PIN_TRIES),
    "pin_already_blocked": Behaviour(pin_blocked=True),
    "unreadable_card": Behaviour(card_problem=CardProblem.COMMUNICATION),
    "not_authentic": Behaviour(card_problem=CardProblem.NOT_AUTHENTIC),
    "card_pulled_in_reading": Behaviour(pull_card_in=State.READING),
    "card_pulled_in_pin": Behaviour(pull_card_in=State.PIN),
    "card_pulled_in_catalogue": Behaviour(pull_card_in=State.CATALOGUE),
    "card_pulled_in_confirm": Behaviour(pull_card_in=State.CONFIRM),
    "card_pulled_in_printing": Behaviour(pull_card_in=State.PRINTING),
    "cancel_in_catalogue": Behaviour(cancel_in=State.CATALOGUE),
    "printer_lost_before_confirm": Behaviour(printer_lost_in=State.CONFIRM),
    "printer_lost_while_printing": Behaviour(printer_lost_in=State.PRINTING),
    "print_jam": Behaviour(print_problem=PrintProblem.JAM),
    "city_api_down": Behaviour(api_down=True),
    "document_refused": Behaviour(document_problem=ApiProblem.REFUSED),
    "idle_timeout_in_catalogue": Behaviour(walk_away_in=State.CATALOGUE),
    "idle_timeout_in_pin_after_more_time": Behaviour(walk_away_in=State.PIN, more_time=3),
    "idle_timeout_in_language": Behaviour(walk_away_in=State.LANGUAGE),
}


@dataclass
class JourneyResult:
    """What happened, without any citizen data: states, effects, wipe reports."""

    states: list[State] = field(default_factory=list)
    effects: list[Effect] = field(default_factory=list)
    wipes: list[WipeReport] = field(default_factory=list)
    ignored: int = 0

    @property
    def final_state(self) -> State:
        return self.states[-1]

    @property
    def announcements(self) -> list[str]:
        return [e.message_key for e in self.effects if isinstance(e, Announce)]

    def visited(self, state: State) -> bool:
        return state in self.states


class VirtualKiosk:
    """The app's side around a machine: executes effects, feeds back events, moves time."""

    def __init__(
        self,
        machine: SessionMachine,
        clock: ManualClock,
        wiper: Wiper,
        printer: DocumentPrinter,
    ) -> None:
        self.machine = machine
        self.clock = clock
        self.wiper = wiper
        self.printer = printer
        self.behaviour = Behaviour()
        self.profile: CitizenProfile | None = None
        self.result = JourneyResult()
        self._queue: deque[ev.Event] = deque()
        self._pin_tries = PIN_TRIES
        self._wrong_pins_left = 0

    def begin(self, profile: CitizenProfile, behaviour: Behaviour) -> None:
        self.profile, self.behaviour = profile, behaviour
        self.result = JourneyResult(states=[self.machine.state])
        self._pin_tries = 0 if behaviour.pin_blocked else PIN_TRIES
        self._wrong_pins_left = behaviour.wrong_pins

    def end(self) -> JourneyResult:
        """Forget the citizen (the profile) and hand back what happened."""
        self.profile = None
        result, self.result = self.result, JourneyResult()
        return result

    # -- feeding events -------------------------------------------------------------------------

    def send(self, event: ev.Event) -> None:
        """Deliver `event` and every follow-up the executors produce, until quiet."""
        self._queue.append(event)
        while self._queue:
            step = self.machine.handle(self._queue.popleft())
            if not step.handled:
                self.result.ignored += 1
            if not self.result.states or step.state is not self.result.states[-1]:
                self.result.states.append(step.state)
            for effect in step.effects:
                self.result.effects.append(effect)
                self._execute(effect)

    def wait(self, seconds: float, step_s: float = 1.0) -> None:
        """Let time pass, ticking like the app does."""
        while seconds > 0:
            delta = min(step_s, seconds)
            self.clock.advance(delta)
            seconds -= delta
            self.send(ev.Tick())

    # -- executing effects (the simulated devices and city API) ---------------------------------

    def _execute(self, effect: Effect) -> None:
        b, profile = self.behaviour, self.profile
        follow: ev.Event | None = None
        if isinstance(effect, Wipe):
            report = self.wiper.wipe(effect, self.machine.citizen)
            self.result.wipes.append(report)
            follow = ev.WipeFinished(report.verified)
        elif profile is None:
            return  # between journeys nothing answers
        elif (
            isinstance(effect, DeviceCommand | ApiCall)
            and not isinstance(effect, PrintDocument)
            and self.machine.state is b.pull_card_in
        ):
            return  # slow on purpose: the citizen pulls the card out meanwhile
        elif isinstance(effect, ReadCard):
            follow = (
                ev.CardFailed(b.card_problem)
                if b.card_problem
                else ev.ReadFinished(virtual_eid(profile))
            )
        elif isinstance(effect, VerifyPin):
            follow = self._verify_pin()
        elif isinstance(effect, RequestChallenge):
            follow = (
                ev.AuthenticationFailed(ApiProblem.OFFLINE)
                if b.api_down
                else ev.ChallengeIssued(secrets.token_bytes(32))
            )
        elif isinstance(effect, SignChallenge):
            certificate = f"CN={profile.first_names} {profile.surname},SN={profile.national_number}"
            follow = ev.ChallengeSigned(bytearray(64), bytearray(certificate.encode()))
        elif isinstance(effect, AuthenticateCitizen):
            follow = ev.CitizenAuthenticated(bytearray(secrets.token_bytes(24)))
        elif isinstance(effect, FetchCatalogue):
            follow = ev.CatalogueLoaded(CATALOGUE)
        elif isinstance(effect, RequestDocument):
            follow = (
                ev.DocumentFailed(b.document_problem)
                if b.document_problem
                else ev.DocumentReady(citizen_document(profile, effect.document_id))
            )
        elif isinstance(effect, PrintDocument):
            self._print(effect)
            return
        elif isinstance(effect, PrintReceipt):
            follow = ev.ReceiptFinished(printed=True)
        if follow is not None:
            self._queue.append(follow)

    def _verify_pin(self) -> ev.Event:
        if self._pin_tries == 0:
            return ev.PinLocked()
        if self._wrong_pins_left > 0:
            self._wrong_pins_left -= 1
            self._pin_tries -= 1
            return ev.PinLocked() if self._pin_tries == 0 else ev.PinRejected(self._pin_tries)
        self._pin_tries = PIN_TRIES
        return ev.PinAccepted()

    def _print(self, effect: PrintDocument) -> None:
        job = self.printer.print_document(
            self.machine.citizen.document, effect.session_dir, f"kiosk {effect.document_id}"
        )
        self._queue.append(ev.PrintQueued(job))
        if self.behaviour.print_problem is not None:
            self._queue.append(ev.PrintFailed(self.behaviour.print_problem))
            return
        if self.behaviour.printer_lost_in is State.PRINTING:
            return  # the citizen's script pulls the printer when it sees this screen
        self._queue.append(ev.PrintProgress(1, 1))
        if self.behaviour.pull_card_in is not State.PRINTING:
            self._queue.append(ev.PrintCompleted())


class VirtualCitizen:
    """One person's visit, scripted by a `Behaviour`."""

    MAX_ACTIONS = 200  # a script that loops is a bug in the machine: stop and report

    def __init__(self, profile: CitizenProfile, behaviour: Behaviour = Behaviour()) -> None:
        self.profile = profile
        self.behaviour = behaviour
        self._more_time_left = behaviour.more_time

    def visit(self, kiosk: VirtualKiosk) -> JourneyResult:
        """From the attract screen to the attract screen (or out of service)."""
        if kiosk.machine.state is not State.ATTRACT:
            raise RuntimeError("the kiosk is not waiting for a citizen")
        kiosk.begin(self.profile, self.behaviour)
        try:
            kiosk.send(ev.CardInserted() if self.behaviour.card_first else ev.Touch())
            for _ in range(self.MAX_ACTIONS):
                if not self._act(kiosk):
                    break
            else:
                raise RuntimeError(f"journey did not end; stuck in {kiosk.machine.state}")
            if self.behaviour.printer_lost_in is not None:
                kiosk.send(ev.PrinterStateChanged(PrinterStatus.READY))
            if kiosk.machine.context.card_present:
                kiosk.send(ev.CardRemoved())  # a card left behind is taken out sooner or later
        finally:
            self.profile = None  # type: ignore[assignment]
            result = kiosk.end()
        return result

    def _act(self, kiosk: VirtualKiosk) -> bool:
        """One action on the current screen; False when the visit is over."""
        state, b = kiosk.machine.state, self.behaviour
        if state in (State.ATTRACT, State.OUT_OF_SERVICE):
            return False
        if state is State.THANK_YOU:
            kiosk.wait(kiosk.machine.policy.thank_you_timeout)
            return True
        if state is b.printer_lost_in and kiosk.machine.context.printer is PrinterStatus.READY:
            kiosk.send(ev.PrinterStateChanged(PrinterStatus.UNAVAILABLE))
            return True
        if state is b.pull_card_in and kiosk.machine.context.card_present:
            kiosk.send(ev.CardRemoved())
            return True
        if state is b.walk_away_in and state in CHOOSING:
            self._walk_away(kiosk)
            return True
        if state not in CHOOSING:
            kiosk.wait(1.0)  # a device or the API is busy: the operation timeout will tell
            return True
        kiosk.wait(b.think_s)
        if state is b.cancel_in:
            kiosk.send(ev.Cancel())
        else:
            kiosk.send(self._choice(state, kiosk))
        return True

    def _choice(self, state: State, kiosk: VirtualKiosk) -> ev.Event:
        choices: dict[State, Callable[[], ev.Event]] = {
            State.LANGUAGE: lambda: ev.ChooseLanguage(self.behaviour.language),
            State.INSERT_CARD: ev.CardInserted,
            State.PIN: self._type_pin(kiosk),
            State.CATALOGUE: lambda: ev.ChooseDocument(self.behaviour.document_id),
            State.CONFIRM: ev.Confirm,
            State.TAKE_CARD: ev.CardRemoved,
        }
        return choices.get(state, ev.Cancel)()

    def _type_pin(self, kiosk: VirtualKiosk) -> Callable[[], ev.Event]:
        def typed() -> ev.Event:
            for _ in range(4):  # each key is a touch; the digits stay in the PIN pad
                kiosk.send(ev.Touch())
            return ev.PinSubmitted()

        return typed

    def _walk_away(self, kiosk: VirtualKiosk) -> None:
        """Stop touching; answer the 'more time?' warning while presses are left."""
        state = kiosk.machine.state
        limit = kiosk.machine.policy.idle_timeout * (self._more_time_left + 2)
        waited = 0.0
        while kiosk.machine.state is state and waited <= limit:
            deadline = kiosk.machine.deadline
            if deadline is not None and deadline.warned and self._more_time_left > 0:
                self._more_time_left -= 1
                kiosk.send(ev.MoreTime())
            kiosk.wait(1.0)
            waited += 1.0
        if kiosk.machine.state is state:
            raise RuntimeError(f"the idle timeout never fired in {state}")
