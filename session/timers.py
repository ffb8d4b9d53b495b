"""Idle and operation deadlines, against an injected clock (tests drive a `ManualClock`).

WCAG 2.2.1 (Timing Adjustable): a warning at least 20 s before an idle timeout, a one-touch
"more time", usable at least 10 times. The machine never sleeps: the app sends `Tick` events
(or `IdleExpired` from a one-shot timer) and the machine compares its deadline with the clock.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Protocol

from session.effects import TimerKind
from session.states import CHOOSING, WORKING, State

Clock = Callable[[], float]

MIN_WARNING_S = 20.0  # WCAG 2.2.1
MIN_EXTENSIONS = 10  # WCAG 2.2.1
# How long the end of a journey waits for the receipt printer's confirmation: above what an
# ESC/POS printer that does not answer costs (a 1 s status query, then 5 s after the receipt).
RECEIPT_WAIT_S = 10.0

# How long a device or the city API may take before the session reports it failed.
DEFAULT_OPERATION_TIMEOUTS: Mapping[State, float] = MappingProxyType(
    {
        State.READING: 30.0,
        State.CHECKING_PIN: 20.0,
        State.AUTHENTICATING: 30.0,
        State.FETCHING: 60.0,
        State.PRINTING: 180.0,
        State.WIPING: 10.0,
        State.OUT_OF_SERVICE: 30.0,  # only after a failed wipe: when to try the wipe again
    }
)


class SessionSettingsLike(Protocol):
    """The fields of kiosk.config.SessionSettings we read (session/ does not import kiosk/)."""

    @property
    def idle_timeout(self) -> float: ...
    @property
    def thank_you_timeout(self) -> float: ...
    @property
    def warning_before(self) -> float: ...
    @property
    def max_extensions(self) -> int: ...


@dataclass(frozen=True)
class TimerPolicy:
    idle_timeout: float = 60.0
    thank_you_timeout: float = 20.0
    warning_before: float = 30.0
    max_extensions: int = 10
    receipt_wait: float = RECEIPT_WAIT_S
    operation_timeouts: Mapping[State, float] = field(
        default_factory=lambda: DEFAULT_OPERATION_TIMEOUTS
    )

    def __post_init__(self) -> None:
        if self.warning_before < MIN_WARNING_S:
            raise ValueError(f"warning_before must be at least {MIN_WARNING_S:.0f} s")
        if self.max_extensions < MIN_EXTENSIONS:
            raise ValueError(f"max_extensions must be at least {MIN_EXTENSIONS}")
        if self.idle_timeout <= 0 or self.thank_you_timeout <= 0 or self.receipt_wait <= 0:
            raise ValueError("timeouts must be positive")

    @classmethod
    def from_settings(
        cls, settings: SessionSettingsLike, print_timeout: float | None = None
    ) -> TimerPolicy:
        operations = dict(DEFAULT_OPERATION_TIMEOUTS)
        if print_timeout is not None:
            operations[State.PRINTING] = print_timeout
        return cls(
            idle_timeout=settings.idle_timeout,
            thank_you_timeout=settings.thank_you_timeout,
            warning_before=settings.warning_before,
            max_extensions=settings.max_extensions,
            operation_timeouts=MappingProxyType(operations),
        )

    def timer_for(self, state: State) -> tuple[TimerKind, float] | None:
        """The deadline a state starts with, or None (attract has no deadline)."""
        if state in CHOOSING:
            return TimerKind.IDLE, self.idle_timeout
        if state is State.THANK_YOU:
            return TimerKind.THANK_YOU, self.thank_you_timeout
        if state in WORKING or state in self.operation_timeouts:
            return TimerKind.OPERATION, self.operation_timeouts[state]
        return None


@dataclass
class Deadline:
    """The running timer of the current state."""

    kind: TimerKind
    expires_at: float
    warn_at: float | None  # idle timers only
    warned: bool = False

    @classmethod
    def start(cls, kind: TimerKind, seconds: float, now: float, warning_before: float) -> Deadline:
        warn_at = None
        if kind is TimerKind.IDLE:
            # Never later than `warning_before` before expiry; at once when the timeout is short.
            warn_at = now + max(0.0, seconds - warning_before)
        return cls(kind, now + seconds, warn_at)

    def warning_due(self, now: float) -> bool:
        return self.warn_at is not None and not self.warned and now >= self.warn_at

    def expired(self, now: float) -> bool:
        return now >= self.expires_at

    def seconds_left(self, now: float) -> int:
        """Whole seconds before expiry, as the idle warning says and counts them down."""
        return max(0, math.ceil(self.expires_at - now))


class ManualClock:
    """A clock that moves only when told to: for tests and the virtual citizen."""

    def __init__(self, start: float = 1000.0) -> None:
        self.now = start

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        if seconds < 0:
            raise ValueError("time does not go backwards")
        self.now += seconds
