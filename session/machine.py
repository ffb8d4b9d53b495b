"""The e-guichet session state machine: events in, new state and effects out.

How the app uses it:
  1. At start-up, call `session.recovery.recover_leftover_sessions` before showing anything.
  2. Create one `SessionMachine(policy, clock, tmpfs_dir, languages=...)` with the language codes
     the terminal offers (the first, or `default_language`, starts each session); show the
     screen of `machine.state`.
  3. Feed every event to `machine.handle(event)`: device events (card monitor, printer status,
     results of device commands), intents from the screens, a `Tick` about once a second, and the
     city API's answers. Each call returns a `Step`: the new state and the effects to execute,
     in order. Device and network effects run on workers, which post their outcome back as the
     next event; `Wipe` runs `session.wipe.Wiper.wipe` and answers `WipeFinished`.
  4. Executors needing citizen data read it from `machine.citizen` (never from effects).

Why a hand-written table instead of a state-machine library: the table below is a plain list of
rules the docs generator can print (docs/session-states.md), the guards are ordinary methods,
and there is no dependency whose callbacks, threading or logging we would have to audit for
leaks of citizen data.

Nothing here does I/O, sleeps or reads the wall clock: time comes from the injected clock.
An event that makes no sense in the current state is ignored and logged by its type name only.
"""

from __future__ import annotations

import logging
import traceback
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from session import events as ev
from session.context import Problem, SessionContext
from session.effects import (
    Announce,
    AuthenticateCitizen,
    CancelApiCalls,
    CancelTimer,
    Effect,
    EjectHint,
    FetchCatalogue,
    PrintDocument,
    PrintReceipt,
    ReadCard,
    RequestChallenge,
    RequestDocument,
    SignChallenge,
    StartTimer,
    TimerKind,
    VerifyPin,
    Wipe,
    WipeReason,
)
from session.holder import CitizenData
from session.problems import ApiProblem, CardProblem, PrinterStatus, PrintProblem
from session.states import CHOOSING, IN_SESSION, State
from session.timers import Clock, Deadline, TimerPolicy
from session.workspace import new_request_key, new_session_id, session_dir

log = logging.getLogger(__name__)


class Expired(ev.TimerEvent):
    """Internal: the current state's deadline passed (made from a Tick or IdleExpired)."""


# States where the holder may hold citizen data; everywhere else it must be empty.
HOLDS_CITIZEN_DATA: frozenset[State] = IN_SESSION - {State.LANGUAGE, State.INSERT_CARD}


@dataclass(frozen=True)
class Go:
    """A handler's decision: move to `target` (None: stay) and run `effects`."""

    target: State | None = None
    effects: tuple[Effect, ...] = ()


Handler = Callable[["SessionMachine", ev.Event], Go | None]


@dataclass(frozen=True)
class Rule:
    """One row of the transition table. `handler` returns None when its guard refuses."""

    sources: frozenset[State]
    event: type[ev.Event]
    handler: Handler
    targets: tuple[State, ...]  # every state the handler may choose; () means it stays
    when: str = ""
    does: str = ""


@dataclass(frozen=True)
class Step:
    state: State
    effects: tuple[Effect, ...]
    handled: bool
    rule: Rule | None = None


def _raised_at(exc: BaseException) -> str:
    """Where `exc` was raised: file:line in function (the innermost frame)."""
    frames = traceback.extract_tb(exc.__traceback__)
    if not frames:
        return "(unknown)"
    last = frames[-1]
    return f"{Path(last.filename).name}:{last.lineno} in {last.name}"


def _states(*states: State | Iterable[State]) -> frozenset[State]:
    found: set[State] = set()
    for item in states:
        if isinstance(item, State):
            found.add(item)
        else:
            found.update(item)
    return frozenset(found)


def _say(key: str, sound: bool = False, **params: str | int) -> Announce:
    return Announce(key, tuple(sorted(params.items())), sound)


class SessionMachine:
    def __init__(
        self,
        policy: TimerPolicy,
        clock: Clock,
        tmpfs_dir: Path,
        *,
        languages: Sequence[str],
        default_language: str | None = None,
        new_id: Callable[[], str] = new_session_id,
        new_key: Callable[[], str] = new_request_key,
    ) -> None:
        """`languages`: the codes a citizen may choose, in the order offered (the session has no
        words of its own: they are the wiring's business)."""
        if not languages:
            raise ValueError("a session needs at least one language")
        default_language = languages[0] if default_language is None else default_language
        if default_language not in languages:
            raise ValueError(f"the default language {default_language!r} is not offered")
        self.policy = policy
        self.clock = clock
        self.tmpfs_dir = tmpfs_dir
        self.languages = tuple(languages)
        self.default_language = default_language
        self._new_id = new_id
        self._new_key = new_key
        self.citizen = CitizenData()
        self.context = SessionContext(language=default_language)
        self._state = State.ATTRACT
        self._deadline: Deadline | None = None

    def __repr__(self) -> str:
        return f"SessionMachine(state={self._state.value})"

    @property
    def state(self) -> State:
        return self._state

    @property
    def deadline(self) -> Deadline | None:
        return self._deadline

    @property
    def session_dir(self) -> Path | None:
        sid = self.context.session_id
        return session_dir(self.tmpfs_dir, sid) if sid else None

    # -- the one entry point --------------------------------------------------------------------

    def handle(self, event: ev.Event) -> Step:
        """Apply `event`; never raises for a sensible or senseless event."""
        self._note_facts(event)
        if isinstance(event, ev.Tick | ev.IdleExpired):
            return self._on_time(event)
        return self._dispatch(event)

    def _dispatch(self, event: ev.Event) -> Step:
        rule = RULES_BY_KEY.get((self._state, type(event)))
        if rule is None and isinstance(event, _FACTS):
            return Step(self._state, (), handled=True)  # recorded by _note_facts; nothing to do
        decision: Go | None = None
        if rule is not None:
            try:
                decision = rule.handler(self, event)
            except Exception as exc:
                # A bug must not leave a citizen's data on screen: log (type names and the
                # place only: the message may hold citizen data) and wipe.
                log.error(
                    "session: handling %s in %s failed (%s at %s)",
                    type(event).__name__,
                    self._state,
                    type(exc).__name__,
                    _raised_at(exc),
                )
                return self._finish(rule, self._end(WipeReason.ERROR, State.ATTRACT), event)
        if decision is None:
            self._ignore(event)
            return Step(self._state, (), handled=False)
        return self._finish(rule, decision, event)

    def _finish(self, rule: Rule | None, decision: Go, event: ev.Event) -> Step:
        effects = list(decision.effects)
        if decision.target is not None and decision.target is not self._state:
            # The journal's trail of a session, for city IT: states, the event and a problem
            # code only, never anything of the citizen.
            log.info(
                "session: %s -> %s on %s%s",
                self._state.value,
                decision.target.value,
                type(event).__name__,
                f" ({self.context.problem})" if self.context.problem else "",
            )
            effects.extend(self._enter(decision.target))
        elif isinstance(event, ev.Intent) and self._state in CHOOSING:
            effects.extend(self._restart_idle())
        return Step(self._state, tuple(effects), handled=True, rule=rule)

    def _ignore(self, event: ev.Event) -> None:
        if isinstance(event, ev.CitizenPayload):
            event.discard()  # a late answer nobody will use: its data dies here
        if not isinstance(event, _FACTS):
            log.info("session: %s ignored in state %s", type(event).__name__, self._state.value)

    # -- facts every state records -------------------------------------------------------------

    def _note_facts(self, event: ev.Event) -> None:
        ctx = self.context
        if isinstance(event, ev.CardInserted):
            ctx.card_present = ctx.card_fresh = True
        elif isinstance(event, ev.CardRemoved):
            ctx.card_present = ctx.card_fresh = False
        elif isinstance(event, ev.ReaderGone):
            ctx.reader_present = False
            ctx.card_present = ctx.card_fresh = False
        elif isinstance(event, ev.ReaderAvailable):
            ctx.reader_present = True
        elif isinstance(event, ev.PrinterStateChanged):
            ctx.printer = event.status

    # -- time ----------------------------------------------------------------------------------

    def _on_time(self, event: ev.Event) -> Step:
        # Time passing always makes sense: a tick with nothing due is handled, not ignored.
        deadline, now = self._deadline, self.clock()
        if deadline is None:
            return Step(self._state, (), handled=True)
        if deadline.expired(now):
            return self._dispatch(Expired())
        if deadline.warning_due(now):
            deadline.warned = True
            left = deadline.seconds_left(now)
            extensions_left = self.policy.max_extensions - self.context.extensions_used
            warning = _say(
                "idle.warning", sound=True, seconds_left=left, extensions_left=extensions_left
            )
            return Step(self._state, (warning,), handled=True)
        return Step(self._state, (), handled=True)

    def _enter(self, target: State) -> list[Effect]:
        effects: list[Effect] = []
        if self._deadline is not None:
            effects.append(CancelTimer(self._deadline.kind))
            self._deadline = None
        self._state = target
        timer = self.policy.timer_for(target)
        if target is State.OUT_OF_SERVICE and not self.context.wipe_failed:
            timer = None  # waits for devices or IT; a timer only to retry a failed wipe
        if timer is not None:
            kind, seconds = timer
            self._deadline = Deadline.start(kind, seconds, self.clock(), self.policy.warning_before)
            effects.append(StartTimer(kind, seconds))
        if target is State.ATTRACT:
            self.citizen.wipe()  # already empty after a wipe; cheap insurance
            self.context = self.context.fresh(self.default_language)
        return effects

    def _restart_idle(self) -> list[Effect]:
        if self._deadline is None or self._deadline.kind is not TimerKind.IDLE:
            return []
        self._deadline = Deadline.start(
            TimerKind.IDLE, self.policy.idle_timeout, self.clock(), self.policy.warning_before
        )
        return [StartTimer(TimerKind.IDLE, self.policy.idle_timeout)]

    # -- building blocks -----------------------------------------------------------------------

    def _begin(self, with_card: bool) -> Go:
        self.context = self.context.fresh(self.default_language)
        self.context.session_id = self._new_id()
        self.context.card_fresh = with_card
        return Go(State.LANGUAGE)

    def _end(self, reason: WipeReason, after: State) -> Go:
        """Every session end: zero the holder now, and have the app wipe the rest."""
        self.citizen.wipe()
        ctx = self.context
        ctx.after_wipe = after
        effects: list[Effect] = [Wipe(reason, self.session_dir, tuple(ctx.job_ids))]
        if ctx.card_present:
            effects.insert(0, EjectHint())
        return Go(State.WIPING, tuple(effects))

    def _to_take_card(self, *extra: Effect) -> Go:
        return Go(State.TAKE_CARD, (*extra, EjectHint(), _say("take_card", sound=True)))

    def _request_document(self) -> Go:
        """Ask for the confirmed choice, with its one key (first time or a repeat)."""
        ctx = self.context
        if ctx.printer is PrinterStatus.UNAVAILABLE:
            return self._fail(State.SERVICE_ERROR, PrintProblem.UNAVAILABLE)
        assert ctx.document_id is not None and ctx.request_key is not None
        ctx.repeat_request = False
        request = RequestDocument(ctx.document_id, ctx.language, ctx.request_key)
        return Go(State.FETCHING, (request,))

    def _fail(self, target: State, problem: Problem, *extra: Effect) -> Go:
        self.context.problem = problem
        return Go(target, (*extra, _say(f"error.{problem.value}", sound=True)))

    # -- handlers (each is a row, or several, of the table) ------------------------------------

    def on_start(self, event: ev.Event) -> Go | None:
        return self._begin(with_card=False) if self.context.devices_ready else None

    def on_card_inserted_attract(self, event: ev.Event) -> Go | None:
        return self._begin(with_card=True) if self.context.devices_ready else None

    def on_noted(self, event: ev.Event) -> Go:
        return Go()

    def on_card_removed(self, event: ev.Event) -> Go:
        if self.context.completed:  # the document is out: taken while the receipt prints
            return self.on_card_taken(event)
        ctx = self.context
        if self._state in _PULLED_TOO_SOON or ctx.problem in _CARD_WENT_OUT or self._went_out():
            # The card was in use (or the session was working for it), or the card error was
            # its going (the worker may tell before the monitor does): its removal is why the
            # session fails, so the citizen is told, after the wipe, on the goodbye screen.
            ctx.problem = CardProblem.CARD_REMOVED
            go = self._end(WipeReason.CARD_REMOVED, State.THANK_YOU)
            return Go(go.target, (*go.effects, _say("error.card_removed", sound=True)))
        # Choosing, or after an error: taking the card out is how a citizen leaves.
        return self._end(WipeReason.CARD_REMOVED, State.ATTRACT)

    def _went_out(self) -> bool:
        """A card error that may have been the card going: over PC/SC a card pulled mid-read
        first fails as a lost transaction or a reset (a communication problem) and pcscd sees
        the slot empty only a moment later. Its removal so soon after is the cause."""
        ctx = self.context
        return (
            self._state is State.CARD_ERROR
            and isinstance(ctx.problem, CardProblem)
            and ctx.problem.retryable
            and ctx.card_failed_at is not None
            and self.clock() - ctx.card_failed_at <= CARD_GONE_WINDOW_S
        )

    def on_card_taken(self, event: ev.Event) -> Go:
        if self.context.completed:
            return self._end(WipeReason.COMPLETED, State.THANK_YOU)
        return self._end(WipeReason.CANCELLED, State.ATTRACT)

    def on_reader_gone(self, event: ev.Event) -> Go:
        # Out of service after the wipe only if the reader is still missing then (on_wiped):
        # one back during the wipe (pcscd restarted) sends no other event to wake the kiosk.
        return self._end(WipeReason.DEVICE_LOST, State.ATTRACT)

    def on_device_lost_idle(self, event: ev.Event) -> Go | None:
        return None if self.context.devices_ready else Go(State.OUT_OF_SERVICE)

    def on_devices_back(self, event: ev.Event) -> Go | None:
        ctx = self.context
        return Go(State.ATTRACT) if ctx.devices_ready and not ctx.wipe_failed else None

    def on_language(self, event: ev.Event) -> Go | None:
        assert isinstance(event, ev.ChooseLanguage)
        if event.language not in self.languages:
            return None
        self.context.language = event.language
        if self.context.card_present and self.context.card_fresh:
            return Go(State.READING, (ReadCard(),))
        # A card left behind by someone else is never read: "insert your card" makes the
        # newcomer take it out and put in their own.
        return Go(State.INSERT_CARD)

    def on_cancel_session(self, event: ev.Event) -> Go:
        return self._end(WipeReason.CANCELLED, State.ATTRACT)

    def on_back_to_language(self, event: ev.Event) -> Go:
        return Go(State.LANGUAGE)

    def on_card_for_reading(self, event: ev.Event) -> Go:
        return Go(State.READING, (ReadCard(),))

    def on_read(self, event: ev.Event) -> Go:
        assert isinstance(event, ev.ReadFinished)
        self.citizen.keep_card_read(event.read)
        return Go(State.PIN)

    def on_card_failed(self, event: ev.Event) -> Go:
        assert isinstance(event, ev.CardFailed)
        self.context.card_failed_at = self.clock()
        return self._fail(State.CARD_ERROR, event.problem)

    def on_card_timeout(self, event: ev.Event) -> Go:
        return self._fail(State.CARD_ERROR, CardProblem.TIMEOUT)

    def on_give_card_back(self, event: ev.Event) -> Go:
        return self._to_take_card(CancelApiCalls())

    def on_pin_submitted(self, event: ev.Event) -> Go:
        return Go(State.CHECKING_PIN, (VerifyPin(),))

    def on_pin_accepted(self, event: ev.Event) -> Go:
        self.context.pin_tries_left = None
        return Go(State.AUTHENTICATING, (RequestChallenge(),))

    def on_pin_rejected(self, event: ev.Event) -> Go:
        assert isinstance(event, ev.PinRejected)
        self.context.pin_tries_left = event.tries_left
        return Go(State.PIN, (_say("pin.wrong", sound=True, tries_left=event.tries_left),))

    def on_pin_locked(self, event: ev.Event) -> Go:
        return self._fail(State.CARD_ERROR, CardProblem.PIN_BLOCKED)

    def on_challenge(self, event: ev.Event) -> Go:
        assert isinstance(event, ev.ChallengeIssued)
        return Go(None, (SignChallenge(event.challenge),))

    def on_signed(self, event: ev.Event) -> Go:
        assert isinstance(event, ev.ChallengeSigned)
        self.citizen.keep_signature(event.signature, event.certificate)
        return Go(None, (AuthenticateCitizen(),))

    def on_authenticated(self, event: ev.Event) -> Go:
        assert isinstance(event, ev.CitizenAuthenticated)
        self.citizen.keep_token(event.token)
        self.context.authenticated = True
        if self.context.repeat_request:  # authenticated again for a request left unanswered
            return self._request_document()
        return Go(None, (FetchCatalogue(self.context.language),))

    def on_catalogue(self, event: ev.Event) -> Go | None:
        assert isinstance(event, ev.CatalogueLoaded)
        if not self.context.authenticated:
            return None
        if not event.offers:
            return self._fail(State.SERVICE_ERROR, ApiProblem.NOT_FOUND)
        self.context.offers = event.offers
        return Go(State.CATALOGUE)

    def on_api_failed(self, event: ev.Event) -> Go:
        assert isinstance(event, ev.AuthenticationFailed | ev.CatalogueOffline | ev.DocumentFailed)
        if isinstance(event, ev.DocumentFailed):
            self.context.repeat_request = event.problem.outcome_unknown
        return self._fail(State.SERVICE_ERROR, event.problem)

    def on_api_timeout(self, event: ev.Event) -> Go:
        if self._state is State.FETCHING:
            self.context.repeat_request = True  # the city may have made it meanwhile
        return self._fail(State.SERVICE_ERROR, ApiProblem.TIMEOUT, CancelApiCalls())

    def on_token_expired(self, event: ev.Event) -> Go:
        ctx = self.context
        if ctx.token_renewed:  # a fresh token refused as well: time is not the cause
            return self._fail(State.SERVICE_ERROR, ApiProblem.REFUSED)
        ctx.token_renewed = ctx.repeat_request = True
        ctx.authenticated = False
        return Go(State.AUTHENTICATING, (RequestChallenge(),))

    def on_choose(self, event: ev.Event) -> Go | None:
        assert isinstance(event, ev.ChooseDocument)
        if event.document_id not in {o.document_id for o in self.context.offers}:
            return None
        self.context.document_id = event.document_id
        return Go(State.CONFIRM)

    def on_back_to_catalogue(self, event: ev.Event) -> Go:
        return Go(State.CATALOGUE)

    def on_confirm(self, event: ev.Event) -> Go:
        ctx = self.context
        if ctx.printer is PrinterStatus.UNAVAILABLE:
            return self._fail(State.SERVICE_ERROR, PrintProblem.UNAVAILABLE)
        ctx.request_key = self._new_key()  # one key per confirmed choice, for every repeat
        ctx.token_renewed = False
        return self._request_document()

    def on_document(self, event: ev.Event) -> Go:
        assert isinstance(event, ev.DocumentReady)
        self.citizen.keep_document(event.document)
        assert self.context.document_id is not None and self.session_dir is not None
        return Go(State.PRINTING, (PrintDocument(self.context.document_id, self.session_dir),))

    def on_print_queued(self, event: ev.Event) -> Go:
        assert isinstance(event, ev.PrintQueued)
        self.context.job_ids.append(event.job_id)
        return Go()

    def on_print_progress(self, event: ev.Event) -> Go:
        assert isinstance(event, ev.PrintProgress)
        progress = _say("print.progress", done=event.pages_done, total=event.pages_total)
        return Go(None, (progress,))

    def on_printed(self, event: ev.Event) -> Go:
        # The document is out; the printing screen stays while the receipt prints, for at
        # most `receipt_wait`: the take-card screen then says whether there is a receipt.
        ctx = self.context
        ctx.completed = True
        assert ctx.document_id is not None
        wait = self.policy.receipt_wait
        self._deadline = Deadline.start(
            TimerKind.OPERATION, wait, self.clock(), self.policy.warning_before
        )
        timer = StartTimer(TimerKind.OPERATION, wait)
        return Go(None, (PrintReceipt(ctx.document_id, ctx.language), timer))

    def on_receipt(self, event: ev.Event) -> Go | None:
        assert isinstance(event, ev.ReceiptFinished)
        if not self.context.completed:
            return None  # no receipt was asked for in this session
        return self._to_take_card_after_print(printed=event.printed)

    def on_late_receipt(self, event: ev.Event) -> Go:
        # The confirmation came after the wait: the screen may say there is a receipt after all.
        assert isinstance(event, ev.ReceiptFinished)
        ctx = self.context
        if ctx.completed and event.printed and not ctx.receipt_printed:
            ctx.receipt_printed = True
            return Go(None, (_say("take_card_and_receipt", True),))
        return Go()

    def _to_take_card_after_print(self, *, printed: bool) -> Go:
        self.context.receipt_printed = printed
        said = _say("take_card_and_receipt", True) if printed else _say("receipt.not_printed", True)
        return Go(State.TAKE_CARD, (EjectHint(), said))

    def on_print_failed(self, event: ev.Event) -> Go:
        assert isinstance(event, ev.PrintFailed)
        return self._fail(State.PRINT_ERROR, event.problem)

    def on_printer_lost(self, event: ev.Event) -> Go | None:
        if self.context.printer is not PrinterStatus.UNAVAILABLE or self.context.completed:
            return Go()  # noted (once the document is out, only the receipt is awaited)
        return self._fail(State.PRINT_ERROR, PrintProblem.UNAVAILABLE)

    def on_print_timeout(self, event: ev.Event) -> Go:
        if self.context.completed:  # the document is out; the receipt printer never answered
            return self._to_take_card_after_print(printed=False)
        # Not "error.timeout": its "try again", right for a card or the city, is not offered
        # here (screens/problem.py shows the same sentence).
        self.context.problem = PrintProblem.TIMEOUT
        return Go(State.PRINT_ERROR, (_say("error.print_timeout", sound=True),))

    def on_retry_card(self, event: ev.Event) -> Go:
        ctx = self.context
        problem = ctx.problem
        if isinstance(problem, CardProblem) and problem.retryable and ctx.card_present:
            self.citizen.wipe()  # the retry reads the card afresh
            ctx.problem = None
            return Go(State.READING, (ReadCard(),))
        return self._to_take_card()

    def on_service_back(self, event: ev.Event) -> Go:
        ctx = self.context
        ctx.problem = None
        if ctx.repeat_request and ctx.authenticated:
            return self._request_document()  # the same request, the same key
        if ctx.offers and ctx.authenticated:
            return Go(State.CATALOGUE)
        ctx.authenticated = False
        return Go(State.AUTHENTICATING, (RequestChallenge(),))

    def on_idle_timeout(self, event: ev.Event) -> Go:
        go = self._end(WipeReason.TIMEOUT, State.ATTRACT)
        return Go(go.target, (*go.effects, _say("session.timed_out", sound=True)))

    def on_thank_you_over(self, event: ev.Event) -> Go:
        return Go(State.ATTRACT if self.context.devices_ready else State.OUT_OF_SERVICE)

    def on_wiped(self, event: ev.Event) -> Go:
        assert isinstance(event, ev.WipeFinished)
        ctx = self.context
        ctx.wipe_failed = not event.verified
        if ctx.wipe_failed or not ctx.devices_ready:
            return Go(State.OUT_OF_SERVICE)
        return Go(ctx.after_wipe)

    def on_wipe_timeout(self, event: ev.Event) -> Go:
        self.context.wipe_failed = True
        return Go(State.OUT_OF_SERVICE)

    def on_retry_wipe(self, event: ev.Event) -> Go:
        return self._end(WipeReason.RETRY, State.ATTRACT)

    def on_more_time(self, event: ev.Event) -> Go | None:
        deadline, ctx = self._deadline, self.context
        if deadline is None or not deadline.warned:
            return None
        if ctx.extensions_used >= self.policy.max_extensions:
            return None
        ctx.extensions_used += 1
        left = self.policy.max_extensions - ctx.extensions_used
        return Go(None, (_say("idle.extended", extensions_left=left),))

    def on_touch(self, event: ev.Event) -> Go | None:
        # A touch anywhere while the warning shows proves the citizen is there: it is "More
        # time" (one extension of the limited count; none left, the warning stays and the
        # touch is ignored). The screens let that touch act on the button under the finger too.
        deadline = self._deadline
        if deadline is not None and deadline.warned:
            return self.on_more_time(event)
        return Go()

    def on_help(self, event: ev.Event) -> Go | None:
        if self._deadline is not None and self._deadline.warned:
            return None  # the warning is modal: "more time" or leave
        if self._state is State.LANGUAGE:
            # Help names the languages offered, in the order of their buttons.
            offered = " ".join(self.languages)
            return Go(None, (_say("help.language", sound=True, languages=offered),))
        return Go(None, (_say(f"help.{self._state.value}", sound=True),))

    def on_maintenance(self, event: ev.Event) -> Go:
        return Go(State.MAINTENANCE)

    def on_maintenance_done(self, event: ev.Event) -> Go:
        return self._end(WipeReason.MAINTENANCE, State.ATTRACT)


S = State
M = SessionMachine
_FACTS = (
    ev.CardInserted,
    ev.CardRemoved,
    ev.ReaderGone,
    ev.ReaderAvailable,
    ev.PrinterStateChanged,
)
_NO_SESSION = _states(S.ATTRACT, S.THANK_YOU, S.WIPING, S.OUT_OF_SERVICE, S.MAINTENANCE)
_CARD_IN = IN_SESSION - {S.INSERT_CARD, S.TAKE_CARD}
# Working states: a card pulled out here ends the session with "the card came out of the
# reader before the end" (as it does on the card error screen that says so).
_PULLED_TOO_SOON = _states(S.READING, S.CHECKING_PIN, S.AUTHENTICATING, S.FETCHING, S.PRINTING)
_CARD_WENT_OUT = (CardProblem.CARD_REMOVED, CardProblem.NO_CARD)
# How soon after a card communication error the card's removal counts as its cause: above
# vpcd's and pcscd's polls (0.4-0.5 s) and the reader monitor's, far below a citizen reading
# the error screen and deciding to leave.
CARD_GONE_WINDOW_S = 3.0
_CANCELLABLE = _states(S.READING, S.PIN, S.AUTHENTICATING, S.CATALOGUE, S.FETCHING)
_ERRORS = _states(S.CARD_ERROR, S.SERVICE_ERROR, S.PRINT_ERROR)

RULES: tuple[Rule, ...] = (
    # Starting.
    Rule(_states(S.ATTRACT), ev.Start, M.on_start, (S.LANGUAGE,), "devices ready", "new session"),
    Rule(_states(S.ATTRACT), ev.Touch, M.on_start, (S.LANGUAGE,), "devices ready", "new session"),
    Rule(
        _states(S.ATTRACT, S.THANK_YOU),
        ev.CardInserted,
        M.on_card_inserted_attract,
        (S.LANGUAGE,),
        "devices ready",
        "new session (the last one is wiped by thank-you)",
    ),
    # Devices, in any state.
    Rule(
        _CARD_IN,
        ev.CardRemoved,
        M.on_card_removed,
        (S.WIPING,),
        "",
        "Wipe at once; then thank-you if the document is out, or, from a working state or after "
        "the card-removed error, thank-you saying the card came out too soon (else attract)",
    ),
    Rule(
        _states(S.TAKE_CARD),
        ev.CardRemoved,
        M.on_card_taken,
        (S.WIPING,),
        "",
        "Wipe; then thank-you if printed",
    ),
    Rule(_NO_SESSION | {S.INSERT_CARD}, ev.CardRemoved, M.on_noted, (), "", "noted"),
    Rule(
        (_NO_SESSION - {S.ATTRACT, S.THANK_YOU}) | (IN_SESSION - {S.INSERT_CARD}),
        ev.CardInserted,
        M.on_noted,
        (),
        "",
        "noted",
    ),
    Rule(
        _states(S.INSERT_CARD),
        ev.CardInserted,
        M.on_card_for_reading,
        (S.READING,),
        "",
        "ReadCard",
    ),
    Rule(
        IN_SESSION,
        ev.ReaderGone,
        M.on_reader_gone,
        (S.WIPING,),
        "",
        "Wipe; then out of service while the reader is missing",
    ),
    Rule(
        _states(S.ATTRACT),
        ev.ReaderGone,
        M.on_device_lost_idle,
        (S.OUT_OF_SERVICE,),
        "",
        "",
    ),
    Rule(
        _states(S.ATTRACT),
        ev.PrinterStateChanged,
        M.on_device_lost_idle,
        (S.OUT_OF_SERVICE,),
        "printer unavailable",
        "",
    ),
    Rule(
        _states(S.OUT_OF_SERVICE),
        ev.ReaderAvailable,
        M.on_devices_back,
        (S.ATTRACT,),
        "all devices ready, no failed wipe",
        "",
    ),
    Rule(
        _states(S.OUT_OF_SERVICE),
        ev.PrinterStateChanged,
        M.on_devices_back,
        (S.ATTRACT,),
        "all devices ready, no failed wipe",
        "",
    ),
    Rule(
        _states(S.PRINTING),
        ev.PrinterStateChanged,
        M.on_printer_lost,
        (S.PRINT_ERROR,),
        "printer unavailable (else noted)",
        "Announce error",
    ),
    # Language and card.
    Rule(
        _states(S.LANGUAGE),
        ev.ChooseLanguage,
        M.on_language,
        (S.READING, S.INSERT_CARD),
        "an offered language; reading if a card went in during this session",
        "ReadCard",
    ),
    Rule(_states(S.LANGUAGE), ev.Back, M.on_cancel_session, (S.WIPING,), "", "Wipe"),
    Rule(
        _states(S.LANGUAGE, S.INSERT_CARD), ev.Cancel, M.on_cancel_session, (S.WIPING,), "", "Wipe"
    ),
    Rule(_states(S.INSERT_CARD), ev.Back, M.on_back_to_language, (S.LANGUAGE,), "", ""),
    Rule(_states(S.READING), ev.ReadFinished, M.on_read, (S.PIN,), "", "holder keeps the read"),
    Rule(
        _states(S.READING, S.CHECKING_PIN, S.AUTHENTICATING),
        ev.CardFailed,
        M.on_card_failed,
        (S.CARD_ERROR,),
        "",
        "Announce error",
    ),
    # PIN.
    Rule(_states(S.PIN), ev.PinSubmitted, M.on_pin_submitted, (S.CHECKING_PIN,), "", "VerifyPin"),
    Rule(
        _states(S.CHECKING_PIN),
        ev.PinAccepted,
        M.on_pin_accepted,
        (S.AUTHENTICATING,),
        "",
        "RequestChallenge",
    ),
    Rule(
        _states(S.CHECKING_PIN),
        ev.PinRejected,
        M.on_pin_rejected,
        (S.PIN,),
        "",
        "Announce tries left",
    ),
    Rule(
        _states(S.CHECKING_PIN),
        ev.PinLocked,
        M.on_pin_locked,
        (S.CARD_ERROR,),
        "",
        "Announce error",
    ),
    # Authentication and catalogue.
    Rule(_states(S.AUTHENTICATING), ev.ChallengeIssued, M.on_challenge, (), "", "SignChallenge"),
    Rule(
        _states(S.AUTHENTICATING),
        ev.ChallengeSigned,
        M.on_signed,
        (),
        "",
        "holder keeps signature; AuthenticateCitizen",
    ),
    Rule(
        _states(S.AUTHENTICATING),
        ev.CitizenAuthenticated,
        M.on_authenticated,
        (S.FETCHING, S.SERVICE_ERROR),
        "fetching again when a request waits for a new token",
        "holder keeps token; FetchCatalogue or RequestDocument (same key)",
    ),
    Rule(
        _states(S.AUTHENTICATING),
        ev.CatalogueLoaded,
        M.on_catalogue,
        (S.CATALOGUE, S.SERVICE_ERROR),
        "authenticated; error when empty",
        "",
    ),
    Rule(
        _states(S.AUTHENTICATING),
        ev.CatalogueOffline,
        M.on_api_failed,
        (S.SERVICE_ERROR,),
        "",
        "Announce error",
    ),
    Rule(
        _states(S.AUTHENTICATING),
        ev.AuthenticationFailed,
        M.on_api_failed,
        (S.SERVICE_ERROR,),
        "",
        "Announce error",
    ),
    Rule(
        _states(S.CATALOGUE),
        ev.ChooseDocument,
        M.on_choose,
        (S.CONFIRM,),
        "the document is offered",
        "",
    ),
    # Confirm, fetch, print.
    Rule(
        _states(S.CONFIRM),
        ev.Confirm,
        M.on_confirm,
        (S.FETCHING, S.SERVICE_ERROR),
        "error when the printer is unavailable",
        "RequestDocument with a new idempotency key",
    ),
    Rule(_states(S.CONFIRM), ev.Back, M.on_back_to_catalogue, (S.CATALOGUE,), "", ""),
    Rule(
        _states(S.FETCHING),
        ev.DocumentReady,
        M.on_document,
        (S.PRINTING,),
        "",
        "holder keeps the document; PrintDocument",
    ),
    Rule(
        _states(S.FETCHING),
        ev.DocumentFailed,
        M.on_api_failed,
        (S.SERVICE_ERROR,),
        "",
        "Announce error; Try again repeats the request when its outcome is unknown",
    ),
    Rule(
        _states(S.FETCHING),
        ev.CitizenTokenExpired,
        M.on_token_expired,
        (S.AUTHENTICATING, S.SERVICE_ERROR),
        "once per choice",
        "RequestChallenge, then the same request",
    ),
    Rule(_states(S.PRINTING), ev.PrintQueued, M.on_print_queued, (), "", "job id kept for wipe"),
    Rule(_states(S.PRINTING), ev.PrintProgress, M.on_print_progress, (), "", "Announce progress"),
    Rule(
        _states(S.PRINTING),
        ev.PrintCompleted,
        M.on_printed,
        (),
        "",
        "PrintReceipt; the receipt's wait (policy.receipt_wait) starts",
    ),
    Rule(
        _states(S.PRINTING),
        ev.ReceiptFinished,
        M.on_receipt,
        (S.TAKE_CARD,),
        "the document is printed",
        "EjectHint, Announce (receipt printed or not)",
    ),
    Rule(
        _states(S.TAKE_CARD),
        ev.ReceiptFinished,
        M.on_late_receipt,
        (),
        "",
        "Announce when it is printed after all",
    ),
    Rule(
        _states(S.PRINTING),
        ev.PrintFailed,
        M.on_print_failed,
        (S.PRINT_ERROR,),
        "",
        "Announce error",
    ),
    # Ways back and out.
    Rule(
        _CANCELLABLE | _ERRORS | {S.CONFIRM},
        ev.Cancel,
        M.on_give_card_back,
        (S.TAKE_CARD,),
        "",
        "CancelApiCalls, EjectHint",
    ),
    Rule(
        _states(S.PIN, S.CATALOGUE, S.PRINT_ERROR),
        ev.Back,
        M.on_give_card_back,
        (S.TAKE_CARD,),
        "",
        "CancelApiCalls, EjectHint",
    ),
    Rule(
        _states(S.CARD_ERROR),
        ev.Back,
        M.on_retry_card,
        (S.READING, S.TAKE_CARD),
        "reading again when worth it and the card is in",
        "ReadCard",
    ),
    Rule(
        _states(S.SERVICE_ERROR),
        ev.Back,
        M.on_service_back,
        (S.FETCHING, S.CATALOGUE, S.AUTHENTICATING),
        "the same request (same key) when its outcome is unknown; else catalogue if one was "
        "loaded; else authenticate again",
        "RequestDocument or RequestChallenge",
    ),
    # Timers (the deadline of the state passed: see docs for the seconds).
    Rule(CHOOSING, Expired, M.on_idle_timeout, (S.WIPING,), "idle", "Wipe, Announce"),
    Rule(
        _states(S.READING, S.CHECKING_PIN),
        Expired,
        M.on_card_timeout,
        (S.CARD_ERROR,),
        "operation too slow",
        "Announce error",
    ),
    Rule(
        _states(S.AUTHENTICATING, S.FETCHING),
        Expired,
        M.on_api_timeout,
        (S.SERVICE_ERROR,),
        "operation too slow",
        "CancelApiCalls, Announce error",
    ),
    Rule(
        _states(S.PRINTING),
        Expired,
        M.on_print_timeout,
        (S.PRINT_ERROR, S.TAKE_CARD),
        "operation too slow; take card when only the receipt is awaited",
        "Announce error, or receipt not printed",
    ),
    Rule(
        _states(S.THANK_YOU),
        Expired,
        M.on_thank_you_over,
        (S.ATTRACT, S.OUT_OF_SERVICE),
        "out of service if a device is missing",
        "",
    ),
    Rule(
        _states(S.THANK_YOU),
        ev.Touch,
        M.on_thank_you_over,
        (S.ATTRACT, S.OUT_OF_SERVICE),
        "out of service if a device is missing",
        "",
    ),
    Rule(
        _states(S.WIPING),
        Expired,
        M.on_wipe_timeout,
        (S.OUT_OF_SERVICE,),
        "no WipeFinished in time",
        "",
    ),
    Rule(
        _states(S.OUT_OF_SERVICE),
        Expired,
        M.on_retry_wipe,
        (S.WIPING,),
        "after a failed wipe",
        "Wipe again",
    ),
    Rule(CHOOSING, ev.MoreTime, M.on_more_time, (), "warning shown, extensions left", "Announce"),
    Rule(
        CHOOSING,
        ev.Touch,
        M.on_touch,
        (),
        "while the warning shows: as MoreTime",
        "idle timer restarts",
    ),
    Rule(
        CHOOSING | {S.READING, S.CHECKING_PIN, S.AUTHENTICATING, S.FETCHING, S.PRINTING},
        ev.Help,
        M.on_help,
        (),
        "",
        "Announce help",
    ),
    # Wipe and maintenance.
    Rule(
        _states(S.WIPING),
        ev.WipeFinished,
        M.on_wiped,
        (S.ATTRACT, S.THANK_YOU, S.OUT_OF_SERVICE),
        "out of service if unverified or a device is missing",
        "",
    ),
    Rule(
        _states(S.ATTRACT, S.OUT_OF_SERVICE),
        ev.MaintenanceRequested,
        M.on_maintenance,
        (S.MAINTENANCE,),
        "",
        "",
    ),
    Rule(
        _states(S.MAINTENANCE),
        ev.MaintenanceDone,
        M.on_maintenance_done,
        (S.WIPING,),
        "",
        "Wipe",
    ),
)


def _index(rules: tuple[Rule, ...]) -> dict[tuple[State, type[ev.Event]], Rule]:
    index: dict[tuple[State, type[ev.Event]], Rule] = {}
    for rule in rules:
        for state in rule.sources:
            key = (state, rule.event)
            if key in index:
                raise ValueError(f"two rules for {rule.event.__name__} in {state.value}")
            index[key] = rule
    return index


RULES_BY_KEY = _index(RULES)
