"""Who is calling, and may they? Every bearer token has one role:

- terminal: a kiosk or EPN station, acting only as itself (`TerminalId`), at its location;
- animator: an account city IT made, acting on the stations of its locations (`Staff`);
- admin: city IT, one credential from the server's configuration (`Admin`).

A token the server does not know is 401; a known token on a route its role may not use is
403 with code `forbidden_role`: the caller is known, the action is not theirs. A known caller
acting on a location that is not theirs is 403 with code `outside_location`.
"""

from __future__ import annotations

import hmac
import json
from dataclasses import dataclass
from typing import Annotated, Any, Literal

from fastapi import Depends, Request
from fastapi.security import APIKeyHeader, HTTPAuthorizationCredentials, HTTPBearer

from cityserver.problems import ProblemError, unauthorised
from cityserver.store import Store, secret_hash

# auto_error=False: we answer 401 problem+json ourselves; these objects only put the schemes
# into the OpenAPI document.
_bearer = HTTPBearer(
    auto_error=False, scheme_name="terminalToken", description="The terminal's bearer token."
)
_admin_bearer = HTTPBearer(
    auto_error=False, scheme_name="adminToken", description="City IT's admin bearer token."
)
_any_bearer = HTTPBearer(
    auto_error=False,
    scheme_name="bearerToken",
    description="A terminal's, an animator's or city IT's bearer token: the operation says "
    "which roles it accepts, and on which locations.",
)
_citizen = APIKeyHeader(
    name="Citizen-Token",
    auto_error=False,
    scheme_name="citizenToken",
    description="A citizen token from POST /v1/citizen/sessions, with the terminal's token.",
)

Role = Literal["terminal", "animator", "admin"]


@dataclass(frozen=True)
class Caller:
    """A known caller: its role, its name (terminal id, animator username, "admin") and the
    locations it may act on (None: every location, for city IT)."""

    role: Role
    name: str
    locations: frozenset[str] | None

    def serves(self, location: str) -> bool:
        return self.locations is None or location in self.locations


_WHO = {"terminal": "a terminal", "animator": "an animator", "admin": "city IT"}


def _store(request: Request) -> Store:
    store: Store = request.app.state.store
    return store


def forbidden_role(detail: str) -> ProblemError:
    return ProblemError(403, "Forbidden", detail, "forbidden_role")


def outside_location(detail: str) -> ProblemError:
    return ProblemError(403, "Forbidden", detail, "outside_location")


def _is_admin_token(request: Request, token: str) -> bool:
    expected: str | None = request.app.state.config.admin_token_hash
    return expected is not None and hmac.compare_digest(secret_hash(token), expected)


def _bearer_token(credentials: HTTPAuthorizationCredentials | None, what: str) -> str:
    if credentials is None or credentials.scheme.lower() != "bearer":
        raise unauthorised(f"{what} bearer token is required")
    return credentials.credentials


def identify(request: Request, token: str) -> Caller | None:
    """Whose token this is, or None when nobody's."""
    store = _store(request)
    terminal = store.terminal_for_token(token)
    if terminal is not None:
        return Caller("terminal", terminal, frozenset({store.terminal_location(terminal) or ""}))
    if _is_admin_token(request, token):
        return Caller("admin", "admin", None)
    animator = store.animator_for_token(token)
    if animator is not None:
        locations = frozenset(json.loads(animator["locations"]))
        return Caller("animator", str(animator["username"]), locations)
    return None


def _caller(request: Request, token: str, what: str) -> Caller:
    caller = identify(request, token)
    if caller is None:
        raise unauthorised(f"the {what} token is not valid")
    return caller


async def require_terminal(
    request: Request,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> str:
    """The calling terminal's id; 401 for an unknown token, 403 for another role's."""
    token = _bearer_token(credentials, "a terminal")
    # The fast path: every terminal call needs it, and it is a dictionary look-up.
    terminal = _store(request).terminal_for_token(token)
    if terminal is not None:
        return terminal
    caller = _caller(request, token, "terminal")
    raise forbidden_role(f"this call is made by a terminal, not by {_WHO[caller.role]}")


async def require_admin(
    request: Request,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_admin_bearer)],
) -> None:
    """City IT's admin token; 401 for an unknown token, 403 for a terminal's or animator's."""
    token = _bearer_token(credentials, "an admin")
    caller = _caller(request, token, "admin")
    if caller.role != "admin":
        raise forbidden_role(f"only city IT may do this, not {_WHO[caller.role]}")


async def require_any(
    request: Request,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_any_bearer)],
) -> Caller:
    """Any known caller (the route then checks role and location); 401 for an unknown token."""
    return _caller(request, _bearer_token(credentials, "a"), "bearer")


async def require_staff(caller: Annotated[Caller, Depends(require_any)]) -> Caller:
    """An animator or city IT; 403 for a terminal's token."""
    if caller.role == "terminal":
        raise forbidden_role("only an animator or city IT may do this, not a terminal")
    return caller


TerminalId = Annotated[str, Depends(require_terminal)]


async def presented_terminal_token(
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> str:
    """The terminal's bearer token as sent, not yet checked: only for token rotation, whose
    retry comes with the token the lost first answer replaced (see `require_terminal`)."""
    return _bearer_token(credentials, "a terminal")


PresentedToken = Annotated[str, Depends(presented_terminal_token)]
Admin = Annotated[None, Depends(require_admin)]
AnyCaller = Annotated[Caller, Depends(require_any)]
Staff = Annotated[Caller, Depends(require_staff)]


async def require_citizen(
    request: Request,
    terminal_id: TerminalId,
    token: Annotated[str | None, Depends(_citizen)],
) -> dict[str, Any]:
    """The verified citizen bound to this terminal's citizen token, or 401."""
    if not token:
        raise unauthorised("a citizen token is required", "Citizen-Token")
    now = request.app.state.config.clock()
    citizen = _store(request).citizen_session(token, terminal_id, now)
    if citizen is None:
        raise unauthorised("the citizen token is not valid or has expired", "Citizen-Token")
    citizen["terminal_id"] = terminal_id
    citizen["token"] = token
    return citizen


Citizen = Annotated[dict[str, Any], Depends(require_citizen)]
