"""What a receipt printer says about itself (DLE EOT), and what that means for a journey.

python-escpos' paper_status() cannot tell "no paper" from "no answer" (and its is_online()
takes silence for "offline"), so the bytes are read and judged here. Every reply of
DLE EOT n is one byte whose bits 1 and 4 are set and bits 0 and 7 clear; anything else is
not a status reply.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from typing import Any

from devices.printing.readiness import Level, Readiness

DLE_EOT = b"\x10\x04"
PRINTER_STATUS = 1  # bit 3: offline
# Offline cause, bit 2: cover open; bit 3: feed button; bit 5: stopped at paper end; bit 6: error.
OFFLINE_CAUSE = 2
ERROR_CAUSE = 3
PAPER_SENSOR = 4  # bits 2-3: roll near its end; bits 5-6: roll out

_FIXED_MASK = 0b1001_0011
_FIXED_BITS = 0b0001_0010


class InvalidStatusByte(ValueError):
    """A byte that is not a DLE EOT reply (noise, or a printer that speaks something else)."""


def status_query(kind: int) -> bytes:
    if kind not in (PRINTER_STATUS, OFFLINE_CAUSE, ERROR_CAUSE, PAPER_SENSOR):
        raise ValueError(f"unknown DLE EOT status kind {kind}")
    return DLE_EOT + bytes([kind])


def check_status_byte(value: int) -> int:
    if not 0 <= value <= 0xFF or value & _FIXED_MASK != _FIXED_BITS:
        raise InvalidStatusByte(f"0x{value:02x} is not a DLE EOT status reply")
    return value


class Paper(enum.Enum):
    ADEQUATE = "adequate"
    NEAR_END = "near-end"
    OUT = "out"


def paper_from_byte(value: int) -> Paper:
    check_status_byte(value)
    if value & 0x60:
        return Paper.OUT
    if value & 0x0C:
        return Paper.NEAR_END
    return Paper.ADEQUATE


def offline_from_byte(value: int) -> bool:
    return bool(check_status_byte(value) & 0x08)


@dataclass(frozen=True)
class OfflineCause:
    cover_open: bool
    paper_end_stop: bool
    error: bool


def offline_cause_from_byte(value: int) -> OfflineCause:
    check_status_byte(value)
    return OfflineCause(bool(value & 0x04), bool(value & 0x20), bool(value & 0x40))


class ReceiptState(enum.Enum):
    READY = "ready"
    PAPER_NEAR_END = "paper-near-end"
    PAPER_OUT = "paper-out"
    COVER_OPEN = "cover-open"
    OFFLINE = "offline"
    ERROR = "error"
    NO_ANSWER = "no-answer"
    """Connected, but the printer did not answer the status query in time."""
    INVALID_ANSWER = "invalid-answer"
    UNREACHABLE = "unreachable"
    """The connection could not be opened, or broke."""
    NO_PRINTER = "no-printer"
    """No receipt printer is configured."""


_LEVELS = {
    ReceiptState.READY: Level.READY,
    ReceiptState.PAPER_NEAR_END: Level.DEGRADED,
    # Silence is not "paper out": the receipt is still offered, and IT is told that this
    # printer cannot report its state (some USB models have no return channel).
    ReceiptState.NO_ANSWER: Level.DEGRADED,
    ReceiptState.INVALID_ANSWER: Level.DEGRADED,
    ReceiptState.PAPER_OUT: Level.UNAVAILABLE,
    ReceiptState.COVER_OPEN: Level.UNAVAILABLE,
    ReceiptState.OFFLINE: Level.UNAVAILABLE,
    ReceiptState.ERROR: Level.UNAVAILABLE,
    ReceiptState.UNREACHABLE: Level.UNAVAILABLE,
    ReceiptState.NO_PRINTER: Level.UNAVAILABLE,
}

_REASONS = {
    ReceiptState.READY: "ready",
    ReceiptState.PAPER_NEAR_END: "receipt paper roll near its end",
    ReceiptState.PAPER_OUT: "receipt printer out of paper",
    ReceiptState.COVER_OPEN: "receipt printer cover open",
    ReceiptState.OFFLINE: "receipt printer offline",
    ReceiptState.ERROR: "receipt printer reports an error (cutter jam or hardware fault)",
    ReceiptState.NO_ANSWER: "receipt printer does not answer status queries (state unknown)",
    ReceiptState.INVALID_ANSWER: "receipt printer gave an invalid status answer",
    ReceiptState.UNREACHABLE: "receipt printer unreachable",
    ReceiptState.NO_PRINTER: "no receipt printer configured",
}


@dataclass(frozen=True)
class ReceiptStatus:
    state: ReceiptState
    detail: str = ""
    """Technical detail for IT, e.g. the connection error."""
    raw: tuple[int, ...] = ()
    """The status bytes received, in query order (printer, offline cause, paper)."""

    @property
    def level(self) -> Level:
        return _LEVELS[self.state]

    def readiness(self) -> Readiness:
        reason = _REASONS[self.state] + (f": {self.detail}" if self.detail else "")
        return Readiness(self.level, reason, (self.state.value,))

    def as_dict(self) -> dict[str, Any]:
        return {
            "state": self.state.value,
            "level": self.level.label,
            "reason": self.readiness().reason,
            "raw": [f"0x{byte:02x}" for byte in self.raw],
        }


def status_from_replies(printer: int, cause: int | None, paper: int | None) -> ReceiptStatus:
    """Judge the three replies (the first one is required; the others may be missing)."""
    raw = tuple(b for b in (printer, cause, paper) if b is not None)
    try:
        offline = offline_from_byte(printer)
        causes = offline_cause_from_byte(cause) if cause is not None else None
        roll = paper_from_byte(paper) if paper is not None else None
    except InvalidStatusByte as exc:
        return ReceiptStatus(ReceiptState.INVALID_ANSWER, str(exc), raw)
    if roll is Paper.OUT or (causes is not None and causes.paper_end_stop):
        return ReceiptStatus(ReceiptState.PAPER_OUT, raw=raw)
    if causes is not None and causes.cover_open:
        return ReceiptStatus(ReceiptState.COVER_OPEN, raw=raw)
    if causes is not None and causes.error:
        return ReceiptStatus(ReceiptState.ERROR, raw=raw)
    if offline:
        return ReceiptStatus(ReceiptState.OFFLINE, raw=raw)
    if roll is Paper.NEAR_END:
        return ReceiptStatus(ReceiptState.PAPER_NEAR_END, raw=raw)
    return ReceiptStatus(ReceiptState.READY, raw=raw)
