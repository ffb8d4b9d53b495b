"""What went wrong, in the small vocabularies events, effects and context share: the card's,
the city API's and the printers' problems, and the printer's status.

None of them carries citizen data, so they may be logged and shown to IT.
"""

from __future__ import annotations

from enum import StrEnum

from devices.eid import errors as eid


class CardProblem(StrEnum):
    NO_READER = "no_reader"
    NO_CARD = "no_card"
    CARD_REMOVED = "card_removed"
    COMMUNICATION = "communication"
    NOT_BELGIAN = "not_belgian"
    NOT_AUTHENTIC = "not_authentic"
    EXPIRED = "card_expired"  # past its end of validity: refused before the PIN
    PIN_BLOCKED = "pin_blocked"
    TIMEOUT = "timeout"

    @property
    def retryable(self) -> bool:
        """Worth a second try with the same card (a flaky contact, a slow read)."""
        return self in (CardProblem.COMMUNICATION, CardProblem.TIMEOUT)

    @classmethod
    def from_exception(cls, exc: BaseException) -> CardProblem:
        """The problem an eID exception stands for (order matters: subclasses first)."""
        mapping: tuple[tuple[type[BaseException], CardProblem], ...] = (
            (eid.CardRemoved, cls.CARD_REMOVED),
            (eid.ReaderGone, cls.NO_READER),
            (eid.NoReader, cls.NO_READER),
            (eid.NoCard, cls.NO_CARD),
            (eid.NotBelgianEid, cls.NOT_BELGIAN),
            (eid.CardNotAuthentic, cls.NOT_AUTHENTIC),
            (eid.CardExpired, cls.EXPIRED),
            (eid.PinBlocked, cls.PIN_BLOCKED),
            (TimeoutError, cls.TIMEOUT),
        )
        for kind, problem in mapping:
            if isinstance(exc, kind):
                return problem
        return cls.COMMUNICATION


class ApiProblem(StrEnum):
    OFFLINE = "offline"  # no network or the city API does not answer
    TIMEOUT = "timeout"
    REFUSED = "refused"  # the citizen may not get this document here
    NOT_IN_REGISTER = "not_in_register"  # a genuine card, but the city's register has no entry
    NOT_FOUND = "not_found"
    SERVER_ERROR = "server_error"

    @property
    def outcome_unknown(self) -> bool:
        """The request may have been carried out though its answer was lost (no answer, a
        cut or malformed one, a 5xx): only repeating it with the same key is safe."""
        return self in (ApiProblem.OFFLINE, ApiProblem.TIMEOUT, ApiProblem.SERVER_ERROR)


class PrintProblem(StrEnum):
    UNAVAILABLE = "unavailable"
    PAPER_OUT = "paper_out"
    JAM = "jam"
    TIMEOUT = "timeout"
    FAILED = "failed"


class PrinterStatus(StrEnum):
    READY = "ready"
    DEGRADED = "degraded"  # prints, but IT should look (toner low, paper low)
    UNAVAILABLE = "unavailable"
