"""The city API's wire format: one set of pydantic models for the client and the reference server.

The reference server builds its OpenAPI document (docs/openapi.json) from these classes and the
client parses answers with them, so the two cannot disagree. Binary card data travels as
standard base64 strings. Nothing here logs or prints itself with citizen data: models that
carry it have redacted reprs.
"""

from __future__ import annotations

import datetime
import re
from typing import TYPE_CHECKING, Annotated, Any, Literal, Self

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    GetJsonSchemaHandler,
    RootModel,
    StrictBool,
    model_validator,
)
from pydantic.config import JsonDict
from pydantic.json_schema import JsonSchemaValue
from pydantic_core import CoreSchema

from i18n.languages import CODES

# The kiosk's languages (i18n.languages), an enum on the wire: Literal[("fr", "nl")] is
# Literal["fr", "nl"]. mypy cannot read a Literal built from a tuple, so it sees a str.
if TYPE_CHECKING:
    Language = str
else:
    Language = Literal[CODES]
LANGUAGES: tuple[Language, ...] = CODES

# Bounded strings keep the property-based contract run (and hostile clients) from sending
# megabytes into the server; real card files are a few kilobytes. Standard base64 with its
# padding, as the server decodes it (base64.b64decode(validate=True)).
Base64Blob = Annotated[
    str,
    Field(
        min_length=4,
        max_length=16_384,
        pattern=r"^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{4}|[A-Za-z0-9+/]{3}=|[A-Za-z0-9+/]{2}==)$",
    ),
]
Identifier = Annotated[str, Field(min_length=1, max_length=64, pattern=r"^[a-z0-9][a-z0-9_-]*$")]
ShortText = Annotated[str, Field(max_length=200)]
PersonKey = Annotated[str, Field(pattern=r"^[0-9a-f]{64}$")]

# Requests take JSON's own types only. Pydantic's lax mode would also take "5" for 5, 0 or
# "yes" for false and 1700000000 for a date, none of which the contract allows.


def _json_number(value: object) -> object:
    """A number in a request is a JSON number (5 and 5.0 alike), not text nor true/false."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ValueError("a number is a JSON number")
    return value


# The bounds come before the check: after it, pydantic writes them as "ge"/"le", which JSON
# Schema does not know (a contract test looks for them).
JSON_NUMBER = BeforeValidator(_json_number)
Minutes = Annotated[int, Field(ge=1, le=480), JSON_NUMBER]
Count = Annotated[int, Field(ge=0, le=2**53), JSON_NUMBER]
_RFC3339 = re.compile(r"\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:[Zz]|[+-]\d{2}:\d{2})")


def _rfc3339_text(value: object) -> object:
    """A date-time in a request is RFC 3339 text with its offset (JSON Schema's date-time)."""
    if isinstance(value, datetime.datetime):  # made in Python (the kiosk's side)
        return value
    if not isinstance(value, str) or not _RFC3339.fullmatch(value):
        raise ValueError("a date-time is RFC 3339 text with an offset")
    return value


SentAt = Annotated[datetime.datetime, BeforeValidator(_rfc3339_text)]


def _keys_by_pattern(schema: dict[str, Any]) -> None:
    """pydantic writes a dict whose keys must match a pattern as `patternProperties`, which
    lets any other key through with any value; the model refuses such keys, so the schema
    says it with `propertyNames` (the key's pattern) and `additionalProperties` (the value)."""
    ((pattern, value),) = schema.pop("patternProperties").items()
    schema["propertyNames"] = {**schema.get("propertyNames", {}), "pattern": pattern}
    schema["additionalProperties"] = value


def _exactly_one_of(*names: str) -> JsonDict:
    """JSON Schema for "exactly one of these fields is given" (absent and null: not given)."""
    return {
        "oneOf": [
            {"required": [name], "properties": {name: {"not": {"type": "null"}}}} for name in names
        ]
    }


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


class Localized(RootModel[dict[str, str]]):
    """One text in each language of the kiosk."""

    # On the wire, an object with a string for each language of the list (i18n.languages),
    # all required. It may carry more: a language added beside the list at run time (a test's),
    # which the server speaks too and the kiosk takes when it knows that language as well.
    model_config = ConfigDict(frozen=True)

    @model_validator(mode="after")
    def _in_every_language(self) -> Self:
        missing = [code for code in LANGUAGES if code not in self.root]
        if missing:
            raise ValueError(f"no text in {', '.join(missing)}")
        return self

    @classmethod
    def __get_pydantic_json_schema__(
        cls, core_schema: CoreSchema, handler: GetJsonSchemaHandler
    ) -> JsonSchemaValue:
        # As a model with a string field per language would write it, title and docstring kept.
        schema = handler.resolve_ref_schema(handler(core_schema))
        described: dict[str, Any] = {k: schema[k] for k in ("title", "description") if k in schema}
        schema.clear()
        schema["properties"] = {
            code: {"type": "string", "title": code.title()} for code in LANGUAGES
        }
        schema["type"] = "object"
        schema["required"] = list(LANGUAGES)
        schema.update(described)
        return schema

    def get(self, language: str) -> str:
        """The text in `language`; KeyError when it has none in that language."""
        return self.root[language]

    def __contains__(self, language: object) -> bool:
        """Has it a text in `language`?"""
        return language in self.root

    def __hash__(self) -> int:  # frozen models hash their fields; a dict does not hash
        return hash(frozenset(self.root.items()))


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


# -- city IT (admin) ---------------------------------------------------------------------------

# 1 s to 30 days; absent: the server's default (24 h unless configured).
CodeLifetime = Annotated[int, Field(ge=1, le=30 * 86400), JSON_NUMBER]


class EnrolmentCodeRequest(_Request):
    """City IT makes a one-time code for one terminal id, at one location."""

    terminal_id: Identifier
    location: Identifier
    valid_for_s: CodeLifetime | None = None


class EnrolmentCode(_Redacted, _Wire):
    """The code, shown once: the server keeps only its hash. It enrols `terminal_id` only."""

    terminal_id: str
    location: str
    enrolment_code: str
    expires_at: datetime.datetime


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


# Standard base64 of exactly 32 bytes: 43 characters, the last of them carrying 2 bits, then "=".
NONCE_PATTERN = r"^[A-Za-z0-9+/]{42}[AEIMQUYcgkosw048]=$"


class Challenge(_Wire):
    challenge_id: str
    nonce: Annotated[
        str,
        Field(
            pattern=NONCE_PATTERN,
            description="Base64 of exactly 32 random bytes. The card never signs them as they "
            "are: it signs the hash of devices.eid.challenge.signed_message(terminal id, nonce), "
            "'BE-KIOSK-CITIZEN-AUTH/v1' NUL, the terminal id's length (1 byte), the terminal id, "
            "then the 32 bytes.",
        ),
    ]
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


# -- population register (city IT) -------------------------------------------------------------

NationalNumber = Annotated[str, Field(pattern=r"^[0-9]{11}$")]
RegisterText = Annotated[str, Field(min_length=1, max_length=200)]


class RegisteredCitizen(_Redacted, _Request):
    """A citizen as the population register knows them now. Certificates are made from this,
    never from the card's own address: a card's signed address stays valid after a move."""

    national_number: NationalNumber
    surname: RegisterText
    first_names: Annotated[str, Field(max_length=200)] = ""
    nationality: RegisterText  # as the register writes it, e.g. "Belge"
    street_and_number: RegisterText
    zip_code: Annotated[str, Field(pattern=r"^[0-9]{4}$")]
    municipality: RegisterText


class RegisterRemoval(_Redacted, _Request):
    """The citizen leaves the register (moved out of the city, deceased)."""

    national_number: NationalNumber


class RegisterReceipt(_Wire):
    """The register took the entry: `created` is false when it replaced an earlier one."""

    created: bool
    recorded_at: datetime.datetime


# -- documents ---------------------------------------------------------------------------------


class DocumentRequest(_Request):
    document_type: Identifier
    language: Language


# What became of an issued document at the terminal: printed and handed over; printing
# failed; the citizen left before it was printed; the kiosk died with it (reported at restart).
DocumentOutcomeValue = Literal["printed", "print_failed", "abandoned", "unknown"]
DocumentState = Literal["ready", "pending", "refused"]


class DocumentStatus(_Wire):
    document_id: str
    document_type: str
    status: DocumentState
    reason: Localized | None = None  # why it was refused, in each language
    page_count: int = Field(ge=0)
    size_bytes: int = Field(ge=0)
    price_cents: int = Field(ge=0)
    verification_code: str | None = None
    verification_url: str | None = None
    created_at: datetime.datetime
    outcome: DocumentOutcomeValue | None = None  # null until the terminal reports it
    outcome_at: datetime.datetime | None = None


class DocumentOutcome(_Request):
    """The terminal's report of what became of one of its documents. Once recorded it stays:
    the same report again is accepted, a different one is a conflict."""

    outcome: DocumentOutcomeValue


class AdminDocument(_Wire):
    """One document as city IT sees it: what, where, when, and whether it was handed over;
    never who it is about."""

    document_id: str
    terminal_id: str
    document_type: str
    status: DocumentState
    outcome: DocumentOutcomeValue | None = None
    created_at: datetime.datetime
    outcome_at: datetime.datetime | None = None


class AdminDocuments(_Wire):
    documents: list[AdminDocument]


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
    sent_at: SentAt
    software_version: ShortText
    uptime_s: Annotated[float, Field(ge=0, le=1e9), JSON_NUMBER]
    session_active: StrictBool = False
    devices: dict[Identifier, DeviceState] = Field(
        default_factory=dict, max_length=32, json_schema_extra=_keys_by_pattern
    )
    counters: dict[Identifier, Count] = Field(
        default_factory=dict, max_length=64, json_schema_extra=_keys_by_pattern
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
    """Start a timed session on a seat, for exactly one: a person (keyed hash), a guest ticket."""

    model_config = ConfigDict(json_schema_extra=_exactly_one_of("person_key", "guest_ticket"))

    seat: Identifier
    minutes: Minutes
    person_key: PersonKey | None = None  # HMAC-SHA256 of the national number, never the number
    guest_ticket: Annotated[str, Field(pattern=r"^[A-Z0-9]{4}-[A-Z0-9]{4}$")] | None = None

    @model_validator(mode="after")
    def _for_one_holder(self) -> Self:
        if (self.person_key is None) == (self.guest_ticket is None):
            raise ValueError("give exactly one of person_key and guest_ticket")
        return self


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
    locked: StrictBool
    message: ShortText = ""


class AnimatorAccountCreate(_Request):
    username: Identifier
    display_name: Annotated[str, Field(min_length=1, max_length=80)]
    # The locations (EPN rooms) whose stations this animator acts on.
    locations: Annotated[list[Identifier], Field(min_length=1, max_length=32)]


class AnimatorAccount(_Wire):
    username: str
    display_name: str
    locations: list[str]
    active: bool
    created_at: datetime.datetime


class AnimatorToken(_Redacted, _Wire):
    """An animator's bearer token, shown once (at creation or a reset): the server keeps its
    hash only; a reset stops the previous token at once."""

    account: AnimatorAccount
    token: str
    issued_at: datetime.datetime


class CommandRequest(_Request):
    terminal_id: Identifier
    kind: CommandKind
    argument: ShortText = ""
