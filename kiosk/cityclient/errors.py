"""What can go wrong talking to the city API, in the few kinds a screen needs to tell apart.

Every failure of the client is a `CityApiError` with a `kind`; `plain_sentence` turns a kind
into one plain sentence in the citizen's language (`PLAIN_SENTENCES` holds the English msgids;
the catalogues of i18n translate them). Messages are technical, for logs: they never hold a
token or citizen data.
"""

from __future__ import annotations

from enum import StrEnum

from i18n import gettext_for


class ErrorKind(StrEnum):
    UNREACHABLE = "unreachable"  # no connection, connection dropped, TLS refused
    TIMEOUT = "timeout"  # connected, but no (complete) answer in time
    SERVER_ERROR = "server_error"  # 5xx, still after the retries
    BAD_RESPONSE = "bad_response"  # an answer we cannot use: malformed, too large, bad digest
    UNAUTHORISED = "unauthorised"  # this terminal's token (or the citizen's) is not accepted
    REFUSED = "refused"  # the service understood and said no (see `code`)


# The `code` of an UNAUTHORISED error when the city no longer knows the citizen's token.
CITIZEN_TOKEN_EXPIRED = "citizen_token_expired"  # noqa: S105 (a problem code, not a secret)


class CityApiError(Exception):
    """A failed call. `code` is the server's problem code for REFUSED/UNAUTHORISED answers."""

    def __init__(
        self, kind: ErrorKind, message: str, *, status: int | None = None, code: str | None = None
    ) -> None:
        super().__init__(message)
        self.kind = kind
        self.status = status
        self.code = code

    def __repr__(self) -> str:
        return f"CityApiError({self.kind.value}, {str(self)!r}, status={self.status})"

    @property
    def unavailable(self) -> bool:
        """The service cannot be used right now (as opposed to: it said no)."""
        return self.kind in (ErrorKind.UNREACHABLE, ErrorKind.TIMEOUT, ErrorKind.SERVER_ERROR)


def N_(text: str) -> str:
    """Marks an English msgid for extraction; translated when said (plain_sentence)."""
    return text


_NOT_ANSWERING = N_(
    "The city's service is not answering. Please try again later or go to the counter."
)

PLAIN_SENTENCES: dict[ErrorKind, str] = {
    ErrorKind.UNREACHABLE: _NOT_ANSWERING,
    ErrorKind.TIMEOUT: _NOT_ANSWERING,
    ErrorKind.SERVER_ERROR: _NOT_ANSWERING,
    ErrorKind.BAD_RESPONSE: N_(
        "The city's service has a problem. Please try again later or go to the counter."
    ),
    ErrorKind.UNAUTHORISED: N_(
        "This terminal is not connected to the city's service. Please go to the counter."
    ),
    ErrorKind.REFUSED: N_("The city cannot handle this request here. Please go to the counter."),
}


def plain_sentence(kind: ErrorKind, language: str) -> str:
    return gettext_for(language)(PLAIN_SENTENCES[kind])
