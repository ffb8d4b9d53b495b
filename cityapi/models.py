"""The city API's wire format: one set of pydantic models for the client and the reference server.

The reference server builds its OpenAPI document (docs/openapi.json) from these classes and the
client parses answers with them, so the two cannot disagree. Binary card data travels as
standard base64 strings. Nothing here logs or prints itself with citizen data: models that
carry it have redacted reprs.
"""

from __future__ import annotations

import datetime
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

Language = Literal["fr", "nl", "en", "de"]
LANGUAGES: tuple[Language, ...] = ("fr", "nl", "en", "de")

# Bounded strings keep the property-based contract run (and hostile clients) from sending
# megabytes into the server; real card files are a few kilobytes.
Base64Blob = Annotated[
    str, Field(min_length=4, max_length=16_384, pattern=r"^[A-Za-z0-9+/]+={0,2}$")
]
Identifier = Annotated[str, Field(min_length=1, max_length=64, pattern=r"^[a-z0-9][a-z0-9_-]*$")]
ShortText = Annotated[str, Field(max_length=200)]
PersonKey = Annotated[str, Field(pattern=r"^[0-9a-f]{64}$")]
Minutes = Annotated[int, Field(ge=1, le=480)]


class _Wire(BaseModel):
    """An answer: unknown fields are ignored, so a newer server does not break older kiosks."""

    model_config = ConfigDict(extra="ignore", frozen=True)


class _Request(BaseModel):
    """A request body: unknown fields are refused, so a typo never passes silently."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class _Redacted:
    """For models that carry a token or card data: a stray log line must not print them."""

    def __repr__(self) -> str:
        return f"{type(self).__name__}(<redacted>)"

    def __str__(self) -> str:
        return self.__repr__()


class Localized(_Wire):
    """One text in the four languages of the kiosk."""

    fr: str
    nl: str
    en: str
    de: str

    def get(self, language: Language) -> str:
        return str(getattr(self, language))


class Problem(BaseModel):
    """RFC 9457 problem details. `code` is a stable machine-readable reason."""

    model_config = ConfigDict(extra="allow", frozen=True)

    type: str = "about:blank"
    title: str
    status: int = Field(ge=400, le=599)
    detail: str | None = None
    code: str | None = None


class ServiceInfo(_Wire):
    status: Literal["ok"]
    api_version: Literal["v1"]
    software_version: str


# -- terminals ---------------------------------------------------------------------------------


class EnrolmentRequest(_Redacted, _Request):
    enrolment_code: str = Field(min_length=8, max_length=64)
    terminal_id: Identifier
    software_version: ShortText = ""


class TerminalToken(_Redacted, _Wire):
    """A terminal's long-lived bearer token (rotate it with POST /v1/terminals/me/token)."""

    terminal_id: str
    token: str
    issued_at: datetime.datetime


# -- catalogue ---------------------------------------------------------------------------------


class CatalogueItem(_Wire):
    id: Identifier
    name: Localized
    description: Localized
    price_cents: int = Field(ge=0)
    authentication: Literal["eid_pin"]
    delivery: Literal["instant", "manual_review"]
    icon: str


class Catalogue(_Wire):
    version: str
    items: list[CatalogueItem]


# -- citizen authentication --------------------------------------------------------------------


class Challenge(_Wire):
    challenge_id: str
    nonce: str  # base64 of random bytes the card's authentication key signs as they are
    expires_at: datetime.datetime


class CitizenAuthentication(_Redacted, _Request):
    """The card files as read (padding included), and the challenge signed after the PIN.

    The photo is not sent: the certificates need name and address only (data minimisation).
    """

    challenge_id: str = Field(min_length=1, max_length=64)
    identity: Base64Blob  # 4031
    identity_signature: Base64Blob  # 4032
    address: Base64Blob  # 4033
    address_signature: Base64Blob  # 4034
    rrn_certificate: Base64Blob  # 503C
    rrn_ca_certificate: Base64Blob | None = None  # 503D when the card has one
    authentication_certificate: Base64Blob  # 5038
    citizen_ca_certificate: Base64Blob | None = None  # 503A, issuer of 5038
    challenge_signature: Base64Blob


class CitizenSession(_Redacted, _Wire):
    """A short-lived citizen token, valid only with the terminal's own bearer token."""

    citizen_token: str
    expires_at: datetime.datetime


# -- documents ---------------------------------------------------------------------------------


class DocumentRequest(_Request):
    document_type: Identifier
    language: Language


class DocumentStatus(_Wire):
    document_id: str
    document_type: str
    status: Literal["ready", "pending", "refused"]
    reason: Localized | None = None  # why it was refused, in the four languages
    page_count: int = Field(ge=0)
    size_bytes: int = Field(ge=0)
    price_cents: int = Field(ge=0)
    verification_code: str | None = None
    verification_url: str | None = None
    created_at: datetime.datetime


class Verification(_Wire):
    """What anyone scanning a receipt's QR code learns: never who the document is about."""

    verification_code: str
    valid: bool
    document_type: str | None = None
    title: Localized | None = None
    issued_at: datetime.datetime | None = None


# -- terminal health ---------------------------------------------------------------------------


class DeviceState(_Request):
    state: Literal["ok", "degraded", "failed", "absent"]
    detail: ShortText = ""


class Heartbeat(_Request):
    """A terminal's health: software and devices only, never anything about a citizen."""

    terminal_id: Identifier
    sent_at: datetime.datetime
    software_version: ShortText
    uptime_s: float = Field(ge=0, le=1e9)
    session_active: bool = False
    devices: dict[Identifier, DeviceState] = Field(default_factory=dict, max_length=32)
    counters: dict[Identifier, Annotated[int, Field(ge=0, le=2**53)]] = Field(
        default_factory=dict, max_length=64
    )


CommandKind = Literal[
    "reload_catalogue", "restart", "lock", "unlock", "end_session", "show_message"
]


class TerminalCommand(_Wire):
    command_id: str
    kind: CommandKind
    argument: ShortText = ""
    issued_at: datetime.datetime


class HeartbeatAck(_Wire):
    received_at: datetime.datetime
    commands: list[TerminalCommand]


# -- EPN (public PCs) ---------------------------------------------------------------------------


class EpnSessionStart(_Request):
    """Start a timed session on a seat, for a person (keyed hash) or a guest ticket."""

    seat: Identifier
    minutes: Minutes
    person_key: PersonKey | None = None  # HMAC-SHA256 of the national number, never the number
    guest_ticket: Annotated[str, Field(pattern=r"^[A-Z0-9]{4}-[A-Z0-9]{4}$")] | None = None


class EpnSessionExtend(_Request):
    minutes: Minutes


class EpnSession(_Wire):
    session_id: str
    seat: str
    state: Literal["active", "ended"]
    guest: bool
    started_at: datetime.datetime
    ends_at: datetime.datetime


class EpnQuota(_Wire):
    person_key: str
    day: datetime.date
    minutes_used: int = Field(ge=0)
    minutes_allowed: int = Field(ge=0)


class GuestTicketRequest(_Request):
    minutes: Minutes


class GuestTicket(_Wire):
    code: str
    minutes: int
    expires_at: datetime.datetime
    used: bool


class Seat(_Wire):
    seat: str
    state: Literal["free", "busy"]
    session_id: str | None = None
    ends_at: datetime.datetime | None = None


class RoomState(_Wire):
    locked: bool
    message: ShortText = ""
    seats: list[Seat]


class RoomLock(_Request):
    locked: bool
    message: ShortText = ""


class AnimatorAccountCreate(_Request):
    username: Identifier
    display_name: Annotated[str, Field(min_length=1, max_length=80)]


class AnimatorAccount(_Wire):
    username: str
    display_name: str
    active: bool
    created_at: datetime.datetime


class CommandRequest(_Request):
    terminal_id: Identifier
    kind: CommandKind
    argument: ShortText = ""
