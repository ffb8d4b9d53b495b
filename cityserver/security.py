"""Who is calling, and may they? Every bearer token has one role:

- terminal: a kiosk or EPN station, acting only as itself (`TerminalId`);
- admin: city IT, one credential from the server's configuration (`Admin`);
- (animators come with their console).

A token the server does not know is 401; a known token on a route its role may not use is
403 with code `forbidden_role`: the caller is known, the action is not theirs.
"""

from __future__ import annotations

import hmac
from typing import Annotated, Any

from fastapi import Depends, Request
from fastapi.security import APIKeyHeader, HTTPAuthorizationCredentials, HTTPBearer

from cityserver.problems import ProblemError, unauthorised
from cityserver.store import Store, secret_hash

# auto_error=False: we answer 401 problem+json ourselves; these objects only put the schemes
# into the OpenAPI document.
_bearer = HTTPBearer(
    auto_error=False, scheme_name="terminalToken", description="The terminal's bearer token."
)
_citizen = APIKeyHeader(
    name="Citizen-Token",
    auto_error=False,
    scheme_name="citizenToken",
    description="A citizen token from POST /v1/citizen/sessions, with the terminal's token.",
)


def _store(request: Request) -> Store:
    store: Store = request.app.state.store
    return store


def forbidden_role(detail: str) -> ProblemError:
    return ProblemError(403, "Forbidden", detail, "forbidden_role")


def _is_admin_token(request: Request, token: str) -> bool:
    expected: str | None = request.app.state.config.admin_token_hash
    return expected is not None and hmac.compare_digest(secret_hash(token), expected)


def _bearer_token(credentials: HTTPAuthorizationCredentials | None, what: str) -> str:
    if credentials is None or credentials.scheme.lower() != "bearer":
        raise unauthorised(f"{what} bearer token is required")
    return credentials.credentials


async def require_terminal(
    request: Request,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> str:
    """The calling terminal's id; 401 for an unknown token, 403 for another role's."""
    token = _bearer_token(credentials, "a terminal")
    terminal = _store(request).terminal_for_token(token)
    if terminal is None:
        if _is_admin_token(request, token):
            raise forbidden_role("this call is made by a terminal, not by city IT")
        raise unauthorised("the terminal token is not valid")
    return terminal


async def require_admin(
    request: Request,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> None:
    """City IT's admin token; 401 for an unknown token, 403 for a terminal's."""
    token = _bearer_token(credentials, "an admin")
    if _is_admin_token(request, token):
        return
    if _store(request).terminal_for_token(token) is not None:
        raise forbidden_role("only city IT may do this, not a terminal")
    raise unauthorised("the admin token is not valid")


TerminalId = Annotated[str, Depends(require_terminal)]


async def presented_terminal_token(
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> str:
    """The terminal's bearer token as sent, not yet checked: only for token rotation, whose
    retry comes with the token the lost first answer replaced (see `require_terminal`)."""
    return _bearer_token(credentials, "a terminal")


PresentedToken = Annotated[str, Depends(presented_terminal_token)]
Admin = Annotated[None, Depends(require_admin)]


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
