"""Effect → worker → event: how the runtime carries out what the session machine asks.

`execute` runs on the UI thread, right after the machine's step. It reads what a job needs
from the holder there (references to the holder's own buffers, never copies), hands the job
to its worker, and the worker's outcome comes back through `deliver` as an event.

Workers: one for the eID card (it owns the card connection), two for the city API (the
authentication call waits for the card's signature while the other stays free), one for the
specimen pages of the confirm screen (never in the way of a citizen's own calls), one for
the terminal's own calls (ending a wiped session at the city, rotating the terminal's token),
one for the printers, one for the wipe, one to report each document's outcome to the city
(kiosk.wiring.outcome_reporter).

Late results: every job carries a `Ticket` (the session's and the API calls' generation at
the time). A wipe starts a new session generation, a CancelApiCalls a new API generation;
`deliver` drops an event whose ticket is stale and zeroes the citizen data it carries.
"""

from __future__ import annotations

import datetime
import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from cityapi.models import CatalogueItem, DocumentStatus, Language
from devices.eid.card_session import CardSession
from devices.eid.errors import PinBlocked, WrongPin
from devices.printing import ReceiptContent
from kiosk.cityclient.errors import CITIZEN_TOKEN_EXPIRED, CityApiError
from kiosk.config import Settings
from kiosk.wiring.api import (
    SignBridge,
    api_problem,
    end_citizen_session,
    fetch_document,
    offers,
)
from kiosk.wiring.devices import DeviceSet
from kiosk.wiring.outcome_ledger import OutcomeLedger
from kiosk.wiring.outcome_reporter import OutcomeReporter
from kiosk.wiring.printing import Spool, print_certificate, print_receipt
from kiosk.wiring.receipt_content import receipt_in
from kiosk.wiring.specimens import SpecimenCache, fetch_specimens
from kiosk.wiring.wipe_ports import ProcessMemory
from kiosk.wiring.worker import Worker
from session import effects as fx
from session import events as ev
from session.effects import WipeReason
from session.machine import SessionMachine
from session.problems import CardProblem
from session.states import State
from session.wipe import Wiper, prepare_session_dir

log = logging.getLogger(__name__)

Deliver = Callable[[ev.Event, "Ticket"], None]
STOP_BUDGET_S = 2.0
MEMORY_RELEASE_DELAY_S = 1.0  # after the wipe: the UI thread has replaced its screens by then


@dataclass(frozen=True)
class Ticket:
    session: int
    api: int | None = None  # None: not an API call (CancelApiCalls does not drop it)


@dataclass
class SessionFacts:
    """What the runtime keeps for one session besides the holder. No citizen data: the
    citizen CA certificate is shared by a whole card batch, the document status is public.
    One secret: a copy of the citizen token, to end the session at the city at the wipe (the
    machine zeroes the holder's own before it asks for the wipe); zeroed once used."""

    citizen_ca: bytes | None = None
    document: DocumentStatus | None = None
    bridge: SignBridge | None = None
    citizen_token: bytearray | None = None
    api_cancelled: threading.Event = field(default_factory=threading.Event)


class EffectExecutor:
    def __init__(
        self,
        settings: Settings,
        machine: SessionMachine,
        devices: DeviceSet,
        card: CardSession,
        spool: Spool,
        wiper: Wiper,
        deliver: Deliver,
    ) -> None:
        self.settings = settings
        self.machine = machine
        self.devices = devices
        self.card = card
        self.spool = spool
        self.wiper = wiper
        self._deliver = deliver
        self.eid_worker = Worker("kiosk-eid")
        self.api_workers = (Worker("kiosk-api-1"), Worker("kiosk-api-2"))
        self.specimen_worker = Worker("kiosk-specimens")
        self.terminal_worker = Worker("kiosk-terminal")
        self.specimens = SpecimenCache()  # no citizen data: kept across sessions
        self.print_worker = Worker("kiosk-print")
        self.wipe_worker = Worker("kiosk-wipe")
        self.outcomes = OutcomeReporter(OutcomeLedger(settings.session.tmpfs_dir), devices.api)
        self.memory = ProcessMemory()
        self._release: threading.Timer | None = None
        self.catalogue: dict[str, CatalogueItem] = {}
        self._session_gen = 0
        self._api_gen = 0
        self._next_api = 0
        self._facts = SessionFacts()
        self._pin: bytearray | None = None
        self._lock = threading.Lock()
        # Announce, StartTimer and CancelTimer are for the listeners (the app) only.
        self._handlers: dict[type[fx.Effect], Callable[[fx.Effect], None]] = {
            fx.ReadCard: self._read_card,
            fx.VerifyPin: self._verify_pin,
            fx.SignChallenge: self._sign,
            fx.EjectHint: self._eject_hint,
            fx.RequestChallenge: self._request_challenge,
            fx.AuthenticateCitizen: self._authenticate,
            fx.FetchCatalogue: self._fetch_catalogue,
            fx.RequestDocument: self._request_document,
            fx.CancelApiCalls: self._cancel_api,
            fx.PrintDocument: self._print_document,
            fx.PrintReceipt: self._print_receipt,
            fx.Wipe: self._wipe,
        }

    # -- tickets ---------------------------------------------------------------------------

    def ticket(self, api: bool = False) -> Ticket:
        with self._lock:
            return Ticket(self._session_gen, self._api_gen if api else None)

    def current(self, ticket: Ticket) -> bool:
        with self._lock:
            if ticket.session != self._session_gen:
                return False
            return ticket.api is None or ticket.api == self._api_gen

    def cancel_api_calls(self) -> None:
        """Drop every in-flight API call's answer; thread-safe (the wipe's port calls it)."""
        with self._lock:
            self._api_gen += 1
            facts = self._facts
            bridge, facts.bridge = facts.bridge, None
            facts.api_cancelled.set()
            facts.api_cancelled = threading.Event()
        if bridge is not None:
            bridge.cancel()

    def _new_session_generation(self) -> None:
        self.cancel_api_calls()
        with self._lock:
            self._session_gen += 1
            self._facts = SessionFacts()
            pin, self._pin = self._pin, None
        if pin is not None:
            pin[:] = bytes(len(pin))

    # -- the PIN ---------------------------------------------------------------------------

    def hold_pin(self, pin: bytearray) -> None:
        with self._lock:
            old, self._pin = self._pin, pin
        if old is not None and old is not pin:
            old[:] = bytes(len(old))

    def drop_pin(self) -> None:
        with self._lock:
            pin, self._pin = self._pin, None
        if pin is not None:
            pin[:] = bytes(len(pin))

    # -- dispatch on effect type ------------------------------------------------------------

    def execute(self, effect: fx.Effect) -> None:
        handler = self._handlers.get(type(effect))
        if handler is not None:
            handler(effect)

    def _emitter(self, ticket: Ticket) -> Callable[[ev.Event], None]:
        return lambda event: self._deliver(event, ticket)

    def _operation_timeout(self, state: State) -> float:
        return self.machine.policy.operation_timeouts.get(state, 30.0)

    def _api_worker(self) -> Worker:
        self._next_api = (self._next_api + 1) % len(self.api_workers)
        return self.api_workers[self._next_api]

    # -- the card --------------------------------------------------------------------------

    def _read_card(self, effect: fx.Effect) -> None:
        emit = self._emitter(self.ticket())
        facts = self._facts

        def job() -> None:
            try:
                read, citizen_ca = self.card.read()
            except Exception as exc:
                self.card.forget()
                emit(ev.CardFailed(CardProblem.from_exception(exc)))
                return
            facts.citizen_ca = citizen_ca
            emit(ev.ReadFinished(read))

        self.eid_worker.submit(job)

    def _verify_pin(self, effect: fx.Effect) -> None:
        emit = self._emitter(self.ticket())
        with self._lock:
            pin, self._pin = self._pin, None
        if pin is None:
            log.error("VerifyPin without a PIN: the PIN pad must use Runtime.submit_pin")
            emit(ev.CardFailed(CardProblem.COMMUNICATION))
            return

        def job() -> None:
            try:
                self.card.verify_pin(pin)
            except WrongPin as exc:
                emit(ev.PinRejected(exc.tries_left))
            except PinBlocked:
                emit(ev.PinLocked())
            except Exception as exc:
                emit(ev.CardFailed(CardProblem.from_exception(exc)))
            else:
                emit(ev.PinAccepted())
            finally:
                pin[:] = bytes(len(pin))

        if not self.eid_worker.submit(job):
            pin[:] = bytes(len(pin))  # the worker has stopped: nobody else will zero it

    def _sign(self, effect: fx.Effect) -> None:
        assert isinstance(effect, fx.SignChallenge)
        emit = self._emitter(self.ticket())
        challenge = effect.challenge

        def job() -> None:
            try:
                signature, certificate = self.card.sign(challenge)
            except Exception as exc:
                emit(ev.CardFailed(CardProblem.from_exception(exc)))
                return
            emit(ev.ChallengeSigned(bytearray(signature), bytearray(certificate)))

        self.eid_worker.submit(job)

    def _eject_hint(self, effect: fx.Effect) -> None:
        pass  # no slot LED on the supported readers; the screens show the arrow (listeners)

    # -- the city API ----------------------------------------------------------------------

    def _request_challenge(self, effect: fx.Effect) -> None:
        ticket = self.ticket(api=True)
        emit = self._emitter(ticket)
        files = self.machine.citizen.card_files
        facts = self._facts
        timeout = self._operation_timeout(State.AUTHENTICATING)
        bridge = SignBridge(lambda message: emit(ev.ChallengeIssued(message)), timeout)
        old, facts.bridge = facts.bridge, bridge
        if old is not None:
            old.cancel()
        api = self.devices.api
        terminal_id = self.settings.terminal.id

        def job() -> None:
            try:
                session = api.authenticate_citizen(
                    files, bridge.sign, facts.citizen_ca, terminal_id=terminal_id
                )
            except Exception as exc:
                if self.current(ticket):
                    log.warning("citizen authentication failed: %s", type(exc).__name__)
                emit(ev.AuthenticationFailed(api_problem(exc)))
                return
            token = bytearray(session.citizen_token.encode("ascii"))
            self._remember_citizen_token(facts, bytearray(token))
            emit(ev.CitizenAuthenticated(token))

        self._api_worker().submit(job)

    def _authenticate(self, effect: fx.Effect) -> None:
        bridge = self._facts.bridge
        if bridge is None:
            self._deliver(ev.AuthenticationFailed(api_problem(TimeoutError())), self.ticket(True))
            return
        holder = self.machine.citizen
        bridge.resolve(holder.signature, holder.certificate)

    def _fetch_catalogue(self, effect: fx.Effect) -> None:
        assert isinstance(effect, fx.FetchCatalogue)
        emit = self._emitter(self.ticket(api=True))
        api = self.devices.api
        language = effect.language

        def job() -> None:
            try:
                result = api.catalogue()
            except Exception as exc:
                emit(ev.CatalogueOffline(api_problem(exc)))
                return
            if result.offline:
                emit(ev.CatalogueOffline(api_problem(result.problem or TimeoutError())))
                return
            items = result.catalogue.items
            self.catalogue = {item.id: item for item in items}
            emit(ev.CatalogueLoaded(offers(items)))
            ids = [item.id for item in items]
            self.specimen_worker.submit(lambda: self._fetch_specimens(ids, language))

        self._api_worker().submit(job)

    def _fetch_specimens(self, document_ids: list[str], language: str) -> None:
        fetch_specimens(self.devices.api, document_ids, language, self.specimens)

    def _request_document(self, effect: fx.Effect) -> None:
        assert isinstance(effect, fx.RequestDocument)
        ticket = self.ticket(api=True)
        emit = self._emitter(ticket)
        token = self.machine.citizen.token
        folder = self.machine.session_dir
        assert folder is not None
        facts = self._facts
        cancelled = facts.api_cancelled
        language: Language = effect.language
        deadline = time.monotonic() + self._operation_timeout(State.FETCHING)
        api, document_type = self.devices.api, effect.document_id
        key = effect.idempotency_key

        def issued(status: DocumentStatus) -> None:
            # From here the city counts a document made: its outcome is owed, even if the
            # session ended while the answer was on its way.
            self.outcomes.issued(status.document_id)
            if not self.current(ticket):
                self.outcomes.session_ended()

        def job() -> None:
            try:
                prepare_session_dir(folder)
                fetched = fetch_document(
                    api,
                    token,
                    document_type,
                    language,
                    folder,
                    deadline=deadline,
                    cancelled=cancelled,
                    idempotency_key=key,
                    on_ready=issued,
                )
            except Exception as exc:
                if self.current(ticket):
                    log.warning("document request failed: %s", type(exc).__name__)
                if isinstance(exc, CityApiError) and exc.code == CITIZEN_TOKEN_EXPIRED:
                    emit(ev.CitizenTokenExpired())
                else:
                    emit(ev.DocumentFailed(api_problem(exc)))
                return
            facts.document = fetched.status
            emit(ev.DocumentReady(fetched.data, pages=max(1, fetched.status.page_count)))

        self._api_worker().submit(job)

    def _cancel_api(self, effect: fx.Effect) -> None:
        self.cancel_api_calls()

    # -- printing --------------------------------------------------------------------------

    def _print_document(self, effect: fx.Effect) -> None:
        assert isinstance(effect, fx.PrintDocument)
        emit = self._emitter(self.ticket())
        document = self.machine.citizen.document
        session_id = self.machine.context.session_id
        status = self._facts.document
        pages = status.page_count if status is not None else 1
        printer, spool = self.devices.document_printer, self.spool
        timeout = self.settings.printer.job_timeout
        outcomes = self.outcomes

        def emit_and_note(event: ev.Event) -> None:
            if status is not None and isinstance(event, ev.PrintCompleted):
                outcomes.settle(status.document_id, "printed")
            elif status is not None and isinstance(event, ev.PrintFailed):
                outcomes.settle(status.document_id, "print_failed")
            emit(event)

        def job() -> None:
            print_certificate(
                printer,
                spool,
                document,
                effect.session_dir,
                session_id,
                pages=pages,
                timeout=timeout,
                emit=emit_and_note,
            )

        self.print_worker.submit(job)

    def _print_receipt(self, effect: fx.Effect) -> None:
        assert isinstance(effect, fx.PrintReceipt)
        emit = self._emitter(self.ticket())
        content = self.receipt_content(effect)
        if content is None:
            log.warning("no receipt: the city API's answer for the document is missing")
            emit(ev.ReceiptFinished(printed=False))
            return
        printer = self.devices.receipt_printer

        def job() -> None:
            emit(ev.ReceiptFinished(printed=print_receipt(printer, content)))

        if not self.print_worker.submit(job):
            emit(ev.ReceiptFinished(printed=False))

    def document_facts(self) -> DocumentStatus | None:
        """The city API's answer for this session's document (public: codes, not the PDF)."""
        return self._facts.document

    def receipt_content(self, effect: fx.PrintReceipt) -> ReceiptContent | None:
        status = self._facts.document
        if status is None:
            return None
        language: Language = effect.language
        item = self.catalogue.get(effect.document_id)
        return receipt_in(
            language,
            document_name=item.name.get(language) if item else effect.document_id,
            issued_at=datetime.datetime.now().astimezone(),
            terminal_id=self.settings.terminal.id,
            reference=status.document_id,
            verification_code=status.verification_code or "-",
            verification_url=status.verification_url or "",
            price_cents=status.price_cents,
        )

    # -- the wipe --------------------------------------------------------------------------

    def _wipe(self, effect: fx.Effect) -> None:
        assert isinstance(effect, fx.Wipe)
        session_id = self.machine.context.session_id
        self._end_session_of(self._facts)
        self._new_session_generation()
        self.outcomes.session_ended()
        emit = self._emitter(self.ticket())
        request = self.wipe_request(effect, session_id)
        holder = self.machine.citizen
        self.eid_worker.submit(self.card.forget)

        def job() -> None:
            report = self.wiper.wipe(request, holder)
            emit(ev.WipeFinished(report.verified))
            self._release_memory_soon()

        self.wipe_worker.submit(job)

    def _release_memory_soon(self) -> None:
        """Once the screens have dropped what they showed (on the UI thread, just after the
        wipe), give the freed memory back: while the thank-you screen shows, outside the wipe's
        own time (a full garbage collection takes tens of milliseconds)."""
        with self._lock:
            if self._release is not None:
                self._release.cancel()
            self._release = threading.Timer(MEMORY_RELEASE_DELAY_S, self.memory.release)
            self._release.daemon = True
            self._release.name = "kiosk-memory"
            self._release.start()

    def wipe_request(self, effect: fx.Wipe, session_id: str) -> fx.Wipe:
        """The machine's request plus every job the printer took for the session (one may
        have been queued after the machine last heard of it)."""
        jobs = set(effect.job_ids) | set(self.spool.wiped(session_id))
        return fx.Wipe(effect.reason, effect.session_dir, tuple(sorted(jobs)))

    def _remember_citizen_token(self, facts: SessionFacts, token: bytearray) -> None:
        """Keep the copy the wipe will use; a session already wiped (or a token replaced by
        a second authentication) is ended at once."""
        with self._lock:
            old, facts.citizen_token = facts.citizen_token, token
            wiped = facts is not self._facts
        if old is not None:
            self._end_citizen_session(old)
        if wiped:
            self._end_session_of(facts)

    def _end_session_of(self, facts: SessionFacts) -> None:
        with self._lock:
            token, facts.citizen_token = facts.citizen_token, None
        if token is not None:
            self._end_citizen_session(token)

    def _end_citizen_session(self, token: bytearray) -> None:
        """Have the city end the citizen's session (its token dies at once), on the
        terminal's worker; `token` is zeroed after. Best effort and off the wipe's path: a
        city that does not answer costs the wipe nothing, and the token expires anyway."""
        api = self.devices.api

        def job() -> None:
            try:
                end_citizen_session(api, token)
            except Exception as exc:
                log.warning("ending the citizen session at the city failed: %s", type(exc).__name__)
            finally:
                token[:] = bytes(len(token))

        if not self.terminal_worker.submit(job):
            token[:] = bytes(len(token))

    def wipe_now(self, reason: WipeReason) -> bool:
        """Synchronous wipe of whatever is open (stop, on the caller's thread)."""
        session_id = self.machine.context.session_id
        self._end_session_of(self._facts)
        self._new_session_generation()
        self.outcomes.session_ended()
        request = self.wipe_request(fx.Wipe(reason, self.machine.session_dir), session_id)
        return self.wiper.wipe(request, self.machine.citizen).verified

    # -- stopping --------------------------------------------------------------------------

    def stop(self, budget_s: float = STOP_BUDGET_S) -> bool:
        """Log the card off and stop every worker, all at once, within `budget_s`. False when
        one that may touch the citizen's session (card, city, printers, wipe) was left
        behind; the specimen worker holds only public pages and is waited for last."""
        deadline = time.monotonic() + budget_s
        with self._lock:
            if self._release is not None:
                self._release.cancel()
        self.eid_worker.submit(self.card.forget)
        session_workers = (
            self.eid_worker,
            self.terminal_worker,
            self.print_worker,
            self.wipe_worker,
            *self.api_workers,
        )
        for worker in (*session_workers, self.specimen_worker):
            worker.stop_soon()
        ended = [worker.stop(max(0.05, deadline - time.monotonic())) for worker in session_workers]
        self.specimen_worker.stop(min(0.5, max(0.05, deadline - time.monotonic())))
        # Outcome reports wait in the ledger if they cannot go now: the next start sends them.
        self.outcomes.stop(min(0.5, max(0.05, deadline - time.monotonic())))
        return all(ended)
