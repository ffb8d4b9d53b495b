"""What the machine asks the app to do. Frozen dataclasses, none carrying citizen data: an
executor that needs the citizen's data (the document to print, the token for the API) reads it
from the session's holder (`SessionMachine.citizen`), so no copy of it sits in an effect list.

The app executes effects in order, off the Kivy main thread for device and network I/O, and
feeds each outcome back as an event (see `session.machine`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path


class WipeReason(StrEnum):
    COMPLETED = "completed"
    CANCELLED = "cancelled"
    TIMEOUT = "timeout"
    CARD_REMOVED = "card_removed"
    DEVICE_LOST = "device_lost"
    ERROR = "error"
    MAINTENANCE = "maintenance"
    RETRY = "retry"  # a previous wipe could not be verified
    CRASH_RECOVERY = "crash_recovery"


class Effect:
    """Base of every effect."""


class DeviceCommand(Effect):
    pass


class ApiCall(Effect):
    pass


# -- devices ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ReadCard(DeviceCommand):
    """Read and verify the card; answer ReadFinished or CardFailed."""


@dataclass(frozen=True)
class VerifyPin(DeviceCommand):
    """Hand the PIN pad's buffer to the card, then zero it; answer PinAccepted, PinRejected,
    PinLocked or CardFailed. The PIN itself never passes through the machine."""


@dataclass(frozen=True)
class SignChallenge(DeviceCommand):
    """Sign the city's challenge with the card's authentication key; answer ChallengeSigned."""

    challenge: bytes


@dataclass(frozen=True)
class PrintDocument(DeviceCommand):
    """Write the holder's document into `session_dir` (tmpfs) and print it; answer PrintQueued,
    then PrintProgress / PrintCompleted / PrintFailed."""

    document_id: str
    session_dir: Path


@dataclass(frozen=True)
class PrintReceipt(DeviceCommand):
    """Print the receipt of the document the city issued (its reference and verification
    code); answer ReceiptFinished, printed or not."""

    document_id: str
    language: str


@dataclass(frozen=True)
class EjectHint(DeviceCommand):
    """Draw attention to the card slot (LED, arrow) so the citizen takes the card."""


# -- city API -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class RequestChallenge(ApiCall):
    """Ask the city for a challenge; answer ChallengeIssued or AuthenticationFailed."""


@dataclass(frozen=True)
class AuthenticateCitizen(ApiCall):
    """Send the holder's signature and certificate; answer CitizenAuthenticated or
    AuthenticationFailed."""


@dataclass(frozen=True)
class FetchCatalogue(ApiCall):
    language: str


@dataclass(frozen=True)
class RequestDocument(ApiCall):
    """Ask for the document with the holder's token; answer DocumentReady, DocumentFailed or
    CitizenTokenExpired. `idempotency_key`: the same for every repeat of one confirmed choice."""

    document_id: str
    language: str
    idempotency_key: str


@dataclass(frozen=True)
class CancelApiCalls(ApiCall):
    pass


# -- screens, sound, timers ---------------------------------------------------------------------


@dataclass(frozen=True)
class Announce(Effect):
    """A message for the screen and, when `sound` is set, a tone plus speech (EAA: two senses).
    `params` are plain numbers or keys, never citizen data."""

    message_key: str
    params: tuple[tuple[str, str | int], ...] = field(default=())
    sound: bool = False


class TimerKind(StrEnum):
    IDLE = "idle"  # the citizen may be gone; warns before it expires
    OPERATION = "operation"  # a device or the city API is too slow
    THANK_YOU = "thank_you"


@dataclass(frozen=True)
class StartTimer(Effect):
    """The current state's deadline, `seconds` from now (a screen may draw a countdown; an app
    may schedule an IdleExpired for it instead of ticking)."""

    kind: TimerKind
    seconds: float


@dataclass(frozen=True)
class CancelTimer(Effect):
    kind: TimerKind


@dataclass(frozen=True)
class Wipe(Effect):
    """Destroy everything of the session (see session.wipe.Wiper); answer WipeFinished."""

    reason: WipeReason
    session_dir: Path | None  # None: no session had started (maintenance, a retried wipe)
    job_ids: tuple[int, ...] = field(default=())
