"""`KioskRuntime`: the kiosk.runtime.Runtime the app drives (see that module for the contract).

It owns the session machine, feeds it events on the UI thread (`dispatch`), has the effects
carried out by the executor's workers, and brings their outcomes back through `post`.
Besides the workers it runs: a tick (about once a second), a printer readiness poll, the
terminal token's age check (hourly; rotated between sessions once older than
`cityapi.token_max_age_days`), and the eID reader unit's monitor (pcscd's or the simulated
slot's: the same events).
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Sequence
from pathlib import Path

from cryptography import x509

from devices.eid.card_session import CardSession
from devices.eid.monitor import ReaderMonitor
from kiosk.config import Settings
from kiosk.runtime import DemoControls, Listener, OfferText, Post
from kiosk.wiring.devices import DeviceSet
from kiosk.wiring.executor import EffectExecutor, Ticket
from kiosk.wiring.printing import Spool, printer_status
from kiosk.wiring.readers import session_event
from kiosk.wiring.ticker import Periodic
from kiosk.wiring.wipe_ports import ApiCalls, LogHealth, ScreenHook
from session import events as ev
from session.effects import WipeReason
from session.machine import SessionMachine, Step
from session.ports import ScreenReset
from session.problems import PrinterStatus
from session.recovery import recover_leftover_sessions
from session.states import State
from session.timers import Clock, TimerPolicy
from session.wipe import Wiper

log = logging.getLogger(__name__)

TICK_S = 1.0
PRINTER_POLL_S = 10.0
TOKEN_CHECK_S = 3600.0
WIPE_STEP_BUDGET_S = 1.0
STOP_BUDGET_S = 3.0
CLOSE_BUDGET_S = 0.5  # each device's close, once the stop budget is spent


class KioskRuntime:
    def __init__(
        self,
        settings: Settings,
        devices: DeviceSet,
        roots: Sequence[x509.Certificate],
        *,
        clock: Clock = time.monotonic,
        tick_s: float | None = TICK_S,
        printer_poll_s: float | None = PRINTER_POLL_S,
        token_check_s: float | None = TOKEN_CHECK_S,
        on_stop: Sequence[Callable[[], None]] = (),
    ) -> None:
        self.settings = settings
        self.devices = devices
        policy = TimerPolicy.from_settings(
            settings.session, print_timeout=settings.printer.job_timeout
        )
        self.machine = SessionMachine(
            policy,
            clock,
            settings.session.tmpfs_dir,
            languages=settings.terminal.languages,
            default_language=settings.terminal.start_language,
        )
        self.demo: DemoControls | None = None
        self.spool = Spool(devices.document_printer)
        self._screens = ScreenHook()
        self.wiper = Wiper(
            spool=self.spool,
            screens=self._screens,
            api=ApiCalls(self._cancel_api_calls),
            health=LogHealth(),
            step_budget_s=WIPE_STEP_BUDGET_S,
        )
        self.card = CardSession(devices.eid, roots)
        self.executor = EffectExecutor(
            settings, self.machine, devices, self.card, self.spool, self.wiper, self._from_worker
        )
        self._tick_s = tick_s
        self._printer_poll_s = printer_poll_s
        self._token_check_s = token_check_s
        self._on_stop = list(on_stop)
        self._listeners: list[Listener] = []
        self._post: Post | None = None
        self._periodic: list[Periodic] = []
        self.reader_monitor: ReaderMonitor | None = None
        self._printer_seen: PrinterStatus | None = None
        self._printer_lock = threading.Lock()
        self._stopped = False

    def __repr__(self) -> str:
        return f"KioskRuntime({self.machine!r})"

    # -- Runtime ---------------------------------------------------------------------------

    def start(self, post: Post) -> None:
        self._post = post
        reports = recover_leftover_sessions(self.settings.session.tmpfs_dir, self.wiper)
        if any(not r.verified for r in reports):
            log.error("start-up: leftovers of a previous run could not all be wiped")
        self.executor.outcomes.recover()  # what the last run's documents became, if it died
        if self._tick_s:
            tick = Periodic("kiosk-tick", self._tick_s, lambda: self._post_ui(self._tick))
            self._periodic.append(tick.start())
        if self._printer_poll_s:
            poll = Periodic("kiosk-printer", self._printer_poll_s, self._poll_printer, at_once=True)
            self._periodic.append(poll.start())
        if self._token_check_s:
            check = Periodic(
                "kiosk-token-age", self._token_check_s, self._check_token_age, at_once=True
            )
            self._periodic.append(check.start())
        reader = self.devices.eid
        self.executor.eid_worker.submit(
            lambda: None if reader.reader_present() else self.emit_device(ev.ReaderGone())
        )
        self.reader_monitor = reader.monitor(lambda event: self.emit_device(session_event(event)))
        self.reader_monitor.start()

    def dispatch(self, event: ev.Event) -> Step:
        if self._stopped:
            if isinstance(event, ev.CitizenPayload):
                event.discard()
            return Step(self.machine.state, (), handled=False)
        if isinstance(event, ev.CardRemoved | ev.ReaderGone):
            self.executor.eid_worker.submit(self.card.forget)
        step = self.machine.handle(event)
        for effect in step.effects:
            try:
                self.executor.execute(effect)
            except Exception as exc:
                log.error(
                    "effect %s failed to start (%s)", type(effect).__name__, type(exc).__name__
                )
        for listener in list(self._listeners):
            try:
                listener(step)
            except Exception as exc:
                log.error("a step listener failed (%s)", type(exc).__name__)
        return step

    def add_listener(self, listener: Listener) -> None:
        self._listeners.append(listener)

    def submit_pin(self, pin: bytearray) -> None:
        self.executor.hold_pin(pin)
        try:
            self.dispatch(ev.PinSubmitted())
        finally:
            self.executor.drop_pin()  # VerifyPin took it if the machine wanted it; else zero it

    def stop(self) -> bool:
        if self._stopped:
            return True
        self._stopped = True
        deadline = time.monotonic() + STOP_BUDGET_S
        for periodic in self._periodic:
            periodic.stop(0.5)
        if self.reader_monitor is not None:
            self.reader_monitor.stop(1.0)
        clean = False
        try:
            clean = self.executor.wipe_now(WipeReason.CANCELLED)
            if not clean:
                log.error("stop: the last wipe was not verified")
        except Exception as exc:
            log.error("stop: wipe failed (%s)", type(exc).__name__)
        if not self.executor.stop(max(0.1, deadline - time.monotonic())):
            clean = False
        for close in [*self.devices.closers, *self._on_stop]:
            _close_bounded(close, max(CLOSE_BUDGET_S, deadline - time.monotonic()))
        return clean

    def describe_offer(self, document_id: str, language: str) -> OfferText | None:
        item = self.executor.catalogue.get(document_id)
        if item is None or language not in item.name or language not in item.description:
            return None  # the city has no words in this language: the screens use the kiosk's
        return OfferText(
            item.name.get(language), item.description.get(language), item.icon, item.price_cents
        )

    def document_specimen(self, document_id: str, language: str) -> bytes | None:
        return self.executor.specimens.get(document_id, language)

    def citizen_display_name(self) -> str | None:
        holder = self.machine.citizen
        if not holder.has_card_read:
            return None
        identity = holder.identity
        return f"{identity.first_names} {identity.surname}".strip()

    def verification_code(self) -> str | None:
        status = self.executor.document_facts()
        return None if status is None else status.verification_code

    def set_screen_reset(self, reset: ScreenReset) -> None:
        self._screens.target = reset

    # -- beyond the protocol -----------------------------------------------------------------

    @property
    def stopped(self) -> bool:
        return self._stopped

    def emit_device(self, event: ev.Event) -> None:
        """A device event from any thread: dispatched on the UI thread."""
        self._post_ui(lambda: self._dispatch_quietly(event))

    def check_printer(self) -> PrinterStatus:
        """Ask the certificate printer how it is (any thread but the UI's: it may block);
        a change goes to the machine as PrinterStateChanged."""
        try:
            readiness = self.devices.document_printer.readiness()
            status, reason = printer_status(readiness.level), readiness.reason
        except Exception as exc:
            status, reason = PrinterStatus.UNAVAILABLE, f"readiness unknown ({type(exc).__name__})"
        with self._printer_lock:
            changed, self._printer_seen = status is not self._printer_seen, status
        if changed:
            if status is not PrinterStatus.READY:
                log.warning("certificate printer %s: %s", status.value, reason)
            self.emit_device(ev.PrinterStateChanged(status))
        return status

    # -- plumbing --------------------------------------------------------------------------

    def _poll_printer(self) -> None:
        self.check_printer()

    def _check_token_age(self) -> None:
        """Between sessions only: a rotation makes the old token fail at once, and a
        citizen's call in flight must not be the one that meets it."""
        if self.machine.state is not State.ATTRACT:
            return
        api = self.devices.api

        def rotate() -> None:
            try:
                if api.rotate_token_if_due():
                    log.info("terminal token replaced (older than the schedule)")
            except Exception as exc:
                log.warning("terminal token rotation failed: %s", type(exc).__name__)

        self.executor.terminal_worker.submit(rotate)

    def _tick(self) -> None:
        self.dispatch(ev.Tick())

    def _dispatch_quietly(self, event: ev.Event) -> None:
        self.dispatch(event)

    def _post_ui(self, fn: Callable[[], None]) -> None:
        post = self._post
        if post is None or self._stopped:
            return
        post(fn)

    def _from_worker(self, event: ev.Event, ticket: Ticket) -> None:
        """A worker's outcome: to the UI thread, where its ticket is checked."""
        if self._post is None or self._stopped:
            _drop(event)
            return
        self._post_ui(lambda: self._deliver(event, ticket))

    def _deliver(self, event: ev.Event, ticket: Ticket) -> None:
        if self._stopped or not self.executor.current(ticket):
            log.debug("late %s dropped", type(event).__name__)
            _drop(event)
            return
        self.dispatch(event)

    def _cancel_api_calls(self) -> None:
        self.executor.cancel_api_calls()


def _close_bounded(close: Callable[[], None], budget_s: float) -> None:
    """A device's close, waited for at most `budget_s`: one that waits for a hung server
    (a CUPS job being purged) is left behind on its daemon thread."""
    failure: list[Exception] = []

    def run() -> None:
        try:
            close()
        except Exception as exc:
            failure.append(exc)

    closer = threading.Thread(target=run, name="kiosk-close", daemon=True)
    closer.start()
    closer.join(budget_s)
    if closer.is_alive():
        log.warning("stop: a device did not close within %.1f s; left behind", budget_s)
    elif failure:
        log.warning("stop: closing a device failed (%s)", type(failure[0]).__name__)


def _drop(event: ev.Event) -> None:
    if isinstance(event, ev.CitizenPayload):
        event.discard()


def default_workdir() -> Path:
    return Path.home() / ".cache" / "kiosk-demo"
