"""Who is calling: the terminal's bearer token, and for citizen calls the citizen token too."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Depends, Request
from fastapi.security import APIKeyHeader, HTTPAuthorizationCredentials, HTTPBearer

from cityserver.problems import unauthorised
from cityserver.store import Store

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


async def require_terminal(
    request: Request,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> str:
    """The calling terminal's id, or 401."""
    if credentials is None or credentials.scheme.lower() != "bearer":
        raise unauthorised("a terminal bearer token is required")
    terminal = _store(request).terminal_for_token(credentials.credentials)
    if terminal is None:
        raise unauthorised("the terminal token is not valid")
    return terminal


TerminalId = Annotated[str, Depends(require_terminal)]


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
