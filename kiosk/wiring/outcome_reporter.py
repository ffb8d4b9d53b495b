"""Telling the city what became of each document, off the citizen's path.

The executor notes a document when the city issues it and settles its outcome (printed,
print_failed, abandoned); `recover` settles what a dead process left as `unknown`. Every
change goes to the ledger first (kiosk.wiring.outcome_ledger), then a round of reports runs on
the reporter's own worker: never on the UI thread, never in the way of the citizen's calls.
A round stops at the first failure that says the city cannot be reached and is tried again
later (a few times, further apart each time); what is still in the ledger then waits for the
next report or the next start. An answer that will never change (404: not this terminal's;
409: another outcome recorded) ends the entry with a log line.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from functools import partial
from typing import Protocol, TypeVar

from cityapi.models import DocumentOutcomeValue, DocumentStatus
from kiosk.cityclient.errors import CityApiError
from kiosk.wiring.outcome_ledger import OutcomeLedger
from kiosk.wiring.worker import Worker

log = logging.getLogger(__name__)
T = TypeVar("T")

RETRY_DELAYS_S = (5.0, 15.0, 45.0, 120.0, 300.0)  # then wait for the next report or start


class OutcomeApi(Protocol):
    def report_outcome(self, document_id: str, outcome: DocumentOutcomeValue) -> DocumentStatus:
        """The city API's POST /v1/documents/{id}/outcome."""


class OutcomeReporter:
    def __init__(
        self,
        ledger: OutcomeLedger,
        api: OutcomeApi,
        *,
        retry_delays_s: tuple[float, ...] = RETRY_DELAYS_S,
    ) -> None:
        self.ledger = ledger
        self._api = api
        self._delays = retry_delays_s
        self.worker = Worker("kiosk-outcomes")
        self._lock = threading.Lock()
        self._failed_rounds = 0
        self._timer: threading.Timer | None = None
        self._stopped = False

    def __repr__(self) -> str:
        return f"OutcomeReporter({self.ledger!r})"

    # -- what the executor and the start-up tell it ------------------------------------------

    def issued(self, document_id: str) -> None:
        self._guard("note an issued document", lambda: self.ledger.issued(document_id))

    def settle(self, document_id: str, outcome: DocumentOutcomeValue) -> None:
        """Record the outcome (the first one wins) and report it soon."""
        if self._guard(f"record {outcome}", lambda: self.ledger.settle(document_id, outcome)):
            self.report_soon(fresh=True)

    def session_ended(self) -> None:
        """The citizen has gone: a document still open was never printed."""
        if self._guard("settle open documents", lambda: self.ledger.settle_open("abandoned")):
            self.report_soon(fresh=True)

    def recover(self) -> None:
        """At start: what the last process left open, it left with an unknown fate."""
        left = self._guard("recover open documents", lambda: self.ledger.settle_open("unknown"))
        if left:
            log.warning("start-up: %d document(s) of the last run: outcome unknown", len(left))
        self.report_soon(fresh=True)

    # -- reporting -------------------------------------------------------------------------

    def report_soon(self, fresh: bool = False) -> None:
        with self._lock:
            if self._stopped:
                return
            if fresh:
                self._failed_rounds = 0
                if self._timer is not None:
                    self._timer.cancel()
                    self._timer = None
        self.worker.submit(self._round)

    def _round(self) -> None:
        try:
            pending = self.ledger.to_report()
        except OSError as exc:
            log.error("outcome ledger unreadable (%s)", type(exc).__name__)
            return
        for document_id, outcome in pending.items():
            if self._stopped:
                return
            try:
                self._api.report_outcome(document_id, outcome)
            except CityApiError as exc:
                if exc.unavailable or exc.status == 401:
                    self._retry_later(exc)
                    return
                log.warning(
                    "outcome %s of a document refused for good (HTTP %s, %s)",
                    outcome,
                    exc.status,
                    exc.code,
                )
            except Exception as exc:
                log.warning("outcome report failed (%s)", type(exc).__name__)
                self._retry_later(exc)
                return
            self._guard("forget a report", partial(self.ledger.reported, document_id, outcome))
        with self._lock:
            self._failed_rounds = 0

    def _retry_later(self, exc: BaseException) -> None:
        with self._lock:
            if self._stopped or self._failed_rounds >= len(self._delays):
                log.warning(
                    "outcome reports wait for the next document or start (%s)", type(exc).__name__
                )
                return
            delay = self._delays[self._failed_rounds]
            self._failed_rounds += 1
            timer = threading.Timer(delay, self.report_soon)
            timer.daemon = True
            timer.name = "kiosk-outcomes-retry"
            self._timer = timer
        log.info("outcome reports retried in %.0f s (%s)", delay, type(exc).__name__)
        timer.start()

    def _guard(self, what: str, action: Callable[[], T]) -> T | None:
        try:
            return action()
        except OSError as exc:
            # The report is then lost for this document: say so, never stop the citizen.
            log.error("outcome ledger: cannot %s (%s)", what, type(exc).__name__)
            return None

    def stop(self, timeout: float) -> None:
        with self._lock:
            self._stopped = True
            if self._timer is not None:
                self._timer.cancel()
        self.worker.stop(timeout)
