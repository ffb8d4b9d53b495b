"""What can go wrong talking to the city API, in the few kinds a screen needs to tell apart.

Every failure of the client is a `CityApiError` with a `kind`; the screens turn a kind into one
plain sentence (`PLAIN_SENTENCES` has them in the four languages). Messages are technical,
for logs: they never hold a token or citizen data.
"""

from __future__ import annotations

from enum import StrEnum

from cityapi.models import Language


class ErrorKind(StrEnum):
    UNREACHABLE = "unreachable"  # no connection, connection dropped, TLS refused
    TIMEOUT = "timeout"  # connected, but no (complete) answer in time
    SERVER_ERROR = "server_error"  # 5xx, still after the retries
    BAD_RESPONSE = "bad_response"  # an answer we cannot use: malformed, too large, bad digest
    UNAUTHORISED = "unauthorised"  # this terminal's token (or the citizen's) is not accepted
    REFUSED = "refused"  # the service understood and said no (see `code`)


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


_NOT_ANSWERING: dict[Language, str] = {
    "fr": "Le service de la Ville ne répond pas. Réessayez plus tard ou allez au guichet.",
    "nl": "De dienst van de Stad antwoordt niet. Probeer later opnieuw of ga naar het loket.",
    "en": "The city's service is not answering. Please try again later or go to the counter.",
    "de": "Der Dienst der Stadt antwortet nicht. Versuchen Sie es später oder gehen Sie zum "
    "Schalter.",
}

PLAIN_SENTENCES: dict[ErrorKind, dict[Language, str]] = {
    ErrorKind.UNREACHABLE: _NOT_ANSWERING,
    ErrorKind.TIMEOUT: _NOT_ANSWERING,
    ErrorKind.SERVER_ERROR: _NOT_ANSWERING,
    ErrorKind.BAD_RESPONSE: {
        "fr": "Le service de la Ville a un problème. Réessayez plus tard ou allez au guichet.",
        "nl": "De dienst van de Stad heeft een probleem. Probeer later opnieuw of ga naar het "
        "loket.",
        "en": "The city's service has a problem. Please try again later or go to the counter.",
        "de": "Der Dienst der Stadt hat ein Problem. Versuchen Sie es später oder gehen Sie zum "
        "Schalter.",
    },
    ErrorKind.UNAUTHORISED: {
        "fr": "Cette borne n'est pas reliée au service de la Ville. Allez au guichet, s'il vous "
        "plaît.",
        "nl": "Deze zuil is niet verbonden met de dienst van de Stad. Ga naar het loket, "
        "alstublieft.",
        "en": "This terminal is not connected to the city's service. Please go to the counter.",
        "de": "Dieses Terminal ist nicht mit dem Dienst der Stadt verbunden. Bitte gehen Sie "
        "zum Schalter.",
    },
    ErrorKind.REFUSED: {
        "fr": "La Ville ne peut pas faire cette demande ici. Allez au guichet, s'il vous plaît.",
        "nl": "De Stad kan deze aanvraag hier niet uitvoeren. Ga naar het loket, alstublieft.",
        "en": "The city cannot handle this request here. Please go to the counter.",
        "de": "Die Stadt kann diesen Antrag hier nicht bearbeiten. Bitte gehen Sie zum Schalter.",
    },
}


def plain_sentence(kind: ErrorKind, language: Language) -> str:
    return PLAIN_SENTENCES[kind][language]
