"""Everything that can happen to a session: device events, citizen intents, timer ticks and
city API answers. Frozen dataclasses; the machine dispatches on their type.

Events that carry citizen data (`CitizenPayload`) hold it in the very buffers the holder will
keep, never a copy, and have a redacted repr. When such an event arrives in a state that cannot
use it (a late answer after a cancel), the machine calls `discard()` so the data is zeroed.
The PIN never travels in an event: `PinSubmitted` only says "the PIN pad is done"; the app hands
the pad's buffer straight to the card when it executes the `VerifyPin` effect.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from devices.eid.model import EidRead
from session.problems import ApiProblem, CardProblem, PrinterStatus, PrintProblem


class Event:
    """Base of every event."""

    source = "?"


class DeviceEvent(Event):
    source = "device"


class Intent(Event):
    """Something the citizen (or IT) did on the screen."""

    source = "screen"


class TimerEvent(Event):
    source = "timer"


class ApiEvent(Event):
    source = "city API"


class CitizenPayload:
    """Mixin for events carrying citizen data: redacted repr, zeroable when unused."""

    def buffers(self) -> list[bytearray]:
        raise NotImplementedError

    def discard(self) -> None:
        for buf in self.buffers():
            buf[:] = bytes(len(buf))

    def __repr__(self) -> str:
        return f"{type(self).__name__}(<redacted>)"


# -- devices ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class CardInserted(DeviceEvent):
    pass


@dataclass(frozen=True)
class CardRemoved(DeviceEvent):
    pass


@dataclass(frozen=True)
class ReaderGone(DeviceEvent):
    pass


@dataclass(frozen=True)
class ReaderAvailable(DeviceEvent):
    pass


@dataclass(frozen=True)
class PrinterStateChanged(DeviceEvent):
    status: PrinterStatus


@dataclass(frozen=True, repr=False)
class ReadFinished(CitizenPayload, DeviceEvent):
    """The card was read and is authentic; the machine hands `read` to the holder."""

    read: EidRead

    def buffers(self) -> list[bytearray]:
        return self.read.files.buffers()


@dataclass(frozen=True)
class CardFailed(DeviceEvent):
    """Reading, PIN checking or signing failed (`CardProblem.from_exception` maps errors)."""

    problem: CardProblem


@dataclass(frozen=True)
class PinAccepted(DeviceEvent):
    pass


@dataclass(frozen=True)
class PinRejected(DeviceEvent):
    tries_left: int


@dataclass(frozen=True)
class PinLocked(DeviceEvent):
    """The card says the PIN is blocked (no tries left)."""


@dataclass(frozen=True, repr=False)
class ChallengeSigned(CitizenPayload, DeviceEvent):
    """The card signed the city's challenge; the certificate names the citizen."""

    signature: bytearray
    certificate: bytearray

    def buffers(self) -> list[bytearray]:
        return [self.signature, self.certificate]


@dataclass(frozen=True)
class PrintQueued(DeviceEvent):
    """The document printer accepted a job (its id is needed to purge it at wipe)."""

    job_id: int


@dataclass(frozen=True)
class PrintProgress(DeviceEvent):
    pages_done: int
    pages_total: int


@dataclass(frozen=True)
class PrintCompleted(DeviceEvent):
    pass


@dataclass(frozen=True)
class PrintFailed(DeviceEvent):
    problem: PrintProblem


@dataclass(frozen=True)
class ReceiptFinished(DeviceEvent):
    """The receipt printer's answer to `PrintReceipt`: `printed` only when the printer
    confirmed it after the receipt (an answer, and not out of paper, cover open or offline)."""

    printed: bool


@dataclass(frozen=True)
class WipeFinished(DeviceEvent):
    """The app ran the `Wipe` effect; `verified` is the wipe report's verdict."""

    verified: bool


# -- screens ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Touch(Intent):
    """Any touch (a PIN pad key, a page turn): shows the citizen is still there."""


@dataclass(frozen=True)
class Start(Intent):
    pass


@dataclass(frozen=True)
class ChooseLanguage(Intent):
    language: str


@dataclass(frozen=True)
class PinSubmitted(Intent):
    """The PIN pad holds a complete PIN. The digits stay in the pad's buffer."""


@dataclass(frozen=True)
class ChooseDocument(Intent):
    document_id: str


@dataclass(frozen=True)
class Confirm(Intent):
    pass


@dataclass(frozen=True)
class Back(Intent):
    pass


@dataclass(frozen=True)
class Cancel(Intent):
    pass


@dataclass(frozen=True)
class MoreTime(Intent):
    pass


@dataclass(frozen=True)
class Help(Intent):
    pass


@dataclass(frozen=True)
class MaintenanceRequested(Intent):
    """IT authenticated on the maintenance screen (the app checked the maintenance PIN)."""


@dataclass(frozen=True)
class MaintenanceDone(Intent):
    pass


# -- timers -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Tick(TimerEvent):
    """Sent by the app about once a second; the machine compares its deadlines with the clock."""


@dataclass(frozen=True)
class IdleExpired(TimerEvent):
    """A one-shot timer from `StartTimer` fired; honoured only if the deadline really passed."""


# -- city API -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class ChallengeIssued(ApiEvent):
    # devices.eid.challenge.signed_message(terminal id, the city's 32-byte nonce): what the
    # card signs, never a bare value from the city. Not citizen data.
    challenge: bytes


@dataclass(frozen=True, repr=False)
class CitizenAuthenticated(CitizenPayload, ApiEvent):
    token: bytearray

    def buffers(self) -> list[bytearray]:
        return [self.token]


@dataclass(frozen=True)
class AuthenticationFailed(ApiEvent):
    problem: ApiProblem


@dataclass(frozen=True)
class DocumentOffer:
    """One catalogue tile (generic: a document kind, not the citizen's document)."""

    document_id: str
    title_key: str
    price_cents: int = 0


@dataclass(frozen=True)
class CatalogueLoaded(ApiEvent):
    offers: tuple[DocumentOffer, ...] = field(default=())


@dataclass(frozen=True)
class CatalogueOffline(ApiEvent):
    problem: ApiProblem = ApiProblem.OFFLINE


@dataclass(frozen=True, repr=False)
class DocumentReady(CitizenPayload, ApiEvent):
    document: bytearray  # the certificate (PDF), handed to the holder as is
    pages: int = 1

    def buffers(self) -> list[bytearray]:
        return [self.document]


@dataclass(frozen=True)
class DocumentFailed(ApiEvent):
    problem: ApiProblem


@dataclass(frozen=True)
class CitizenTokenExpired(ApiEvent):
    """The city no longer knows the citizen token (401: it lives a few minutes): the
    citizen's card authenticates again, then the same request is repeated."""
