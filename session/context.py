"""What the screens know of the session besides its state: a small, plain record.

Its own module, apart from the machine, so that the attract screen can be drawn before the
session's events and effects are loaded (cold start; see screens/presenter.py).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from session.problems import ApiProblem, CardProblem, PrinterStatus, PrintProblem
from session.states import State

if TYPE_CHECKING:
    from session.events import DocumentOffer

Problem = CardProblem | ApiProblem | PrintProblem


@dataclass
class SessionContext:
    """Facts the screens need besides the state. Never citizen data. Read-only for the app."""

    language: str  # a code the terminal offers; the session's own default until one is chosen
    session_id: str = ""
    card_present: bool = False
    card_fresh: bool = False  # inserted during this session (not left behind by someone else)
    reader_present: bool = True
    printer: PrinterStatus = PrinterStatus.READY
    offers: tuple[DocumentOffer, ...] = ()
    document_id: str | None = None
    # The confirmed choice's Idempotency-Key: made once at Confirm, every repeat of that
    # request carries it (the city then answers with the document already made). Gone at wipe.
    request_key: str | None = None
    repeat_request: bool = False  # the request's outcome is unknown: "Try again" repeats it
    token_renewed: bool = False  # the citizen token expired once during this choice
    authenticated: bool = False
    pin_tries_left: int | None = None
    problem: Problem | None = None
    card_failed_at: float | None = None  # the session clock when the card last failed
    job_ids: list[int] = field(default_factory=list)
    completed: bool = False
    receipt_printed: bool | None = None  # None: not asked, or no answer yet
    extensions_used: int = 0
    after_wipe: State = State.ATTRACT
    wipe_failed: bool = False

    def fresh(self, default_language: str) -> SessionContext:
        """A context for the next citizen, keeping only what the devices told us."""
        return SessionContext(
            language=default_language,
            card_present=self.card_present,
            reader_present=self.reader_present,
            printer=self.printer,
            wipe_failed=self.wipe_failed,
        )

    @property
    def devices_ready(self) -> bool:
        return self.reader_present and self.printer is not PrinterStatus.UNAVAILABLE
