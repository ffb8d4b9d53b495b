"""Terminals: enrolment, token rotation, heartbeat and commands; the catalogue and its
specimens; service status."""

from __future__ import annotations

import logging
import sqlite3
from typing import Annotated

from fastapi import APIRouter, Header, Path, Query, Request
from fastapi.security import HTTPAuthorizationCredentials
from pydantic import BaseModel
from starlette.concurrency import run_in_threadpool
from starlette.responses import Response

from cityapi.models import (
    Catalogue,
    EnrolmentRequest,
    Heartbeat,
    HeartbeatAck,
    Language,
    ServiceInfo,
    TerminalCommand,
    TerminalToken,
)
from cityserver.attempts import FailureLimiter
from cityserver.catalogue import BY_ID, published_catalogue
from cityserver.problems import ProblemError, problem_docs, unauthorised
from cityserver.replies import (
    TOKEN_RETENTION_S,
    idempotent,
    json_response,
    now_of,
    store_of,
    timestamp,
)
from cityserver.security import PresentedToken, TerminalId, require_terminal
from cityserver.specimen import SpecimenCache, SpecimenUnavailable
from cityserver.store import EnrolmentRefused, secret_hash
from cityserver.version import software_version

log = logging.getLogger(__name__)

router = APIRouter(prefix="/v1")

# 8 to 128 visible characters, e.g. a UUID.
IDEMPOTENCY_KEY_PATTERN = r"^[A-Za-z0-9._:+/=-]{8,128}$"
IdempotencyKey = Annotated[
    str | None,
    Header(
        alias="Idempotency-Key",
        pattern=IDEMPOTENCY_KEY_PATTERN,
        description="Same key, same request: the first answer is given again.",
    ),
]

IfNoneMatch = Annotated[str | None, Header(pattern=r"^[\x21-\x7e][\x20-\x7e]{0,1023}$")]
_ETAG_HEADER = {"ETag": {"schema": {"type": "string"}, "description": "Version"}}

_STATUS = ServiceInfo(status="ok", api_version="v1", software_version=software_version())


@router.get("/status", response_model=ServiceInfo, tags=["service"])
async def service_status() -> Response:
    """Is the service up? Needs no token."""
    return json_response(200, _STATUS.model_dump_json())


@router.post(
    "/terminals/enrol",
    response_model=TerminalToken,
    status_code=201,
    responses=problem_docs(401, 403, 410, 422, 429, idempotent=True),
    tags=["terminals"],
)
async def enrol(request: Request, body: EnrolmentRequest, key: IdempotencyKey = None) -> Response:
    """Spend a one-time enrolment code, made by city IT for this terminal id, for a long-lived
    bearer token (a terminal enrolled before: its old token stops at once).

    A code that is unknown, used or expired is a 401; a code made for another terminal id is a
    403 (`enrolment_code_other_terminal`). Too many wrong codes from one address, or from all
    together, in a minute: 429 (`too_many_attempts`) with Retry-After, whatever the code."""
    now = now_of(request)
    address = request.client.host if request.client else "unknown"
    attempts: FailureLimiter = request.app.state.enrolment_attempts
    wait = attempts.retry_after(address, now)
    if wait is not None:
        raise ProblemError(
            429,
            "Too Many Requests",
            "too many wrong enrolment codes; try again later",
            "too_many_attempts",
            {"Retry-After": str(wait)},
        )

    def create(db: sqlite3.Connection) -> tuple[int, BaseModel]:
        token = store_of(request).enrol(
            db, body.enrolment_code, body.terminal_id, body.software_version, now
        )
        return 201, TerminalToken(
            terminal_id=body.terminal_id, token=token, issued_at=timestamp(now)
        )

    scope = "enrol:" + secret_hash(body.enrolment_code)
    try:
        return idempotent(request, scope, key, body, create, TOKEN_RETENTION_S, secret=True)
    except EnrolmentRefused as refused:
        # Never the code itself: it may be one digit off a real one.
        reason = "a code made for another terminal" if refused.other_terminal else "a wrong code"
        log.warning("enrolment refused: %s for %s from %s", reason, body.terminal_id, address)
        if attempts.record(address, now):
            log.warning("enrolment: too many wrong codes; refusing some for a minute")
        if refused.other_terminal:
            raise ProblemError(
                403,
                "Forbidden",
                "this enrolment code was made for another terminal id",
                "enrolment_code_other_terminal",
            ) from None
        raise unauthorised("the enrolment code is not valid, was used, or has expired") from None


@router.post(
    "/terminals/me/token",
    response_model=TerminalToken,
    responses=problem_docs(401, 410, 422),
    tags=["terminals"],
)
async def rotate_token(
    request: Request, presented: PresentedToken, key: IdempotencyKey = None
) -> Response:
    """Replace this terminal's token; the old one stops working at once.

    Except for one thing: a retry of this very call (same Idempotency-Key, within a few
    minutes) may come with the old token, since the first answer, lost, held the new one. It
    gets that answer again, and nothing else.
    """
    now = now_of(request)
    store = store_of(request)
    # Keyed by the token presented: only its holder can replay the answer.
    scope = "rotate:" + secret_hash(presented)
    if key is None or not store.has_answer(scope, key, now):
        credentials = HTTPAuthorizationCredentials(scheme="Bearer", credentials=presented)
        await require_terminal(request, credentials)  # 401 or 403 as for any terminal call

    def create(db: sqlite3.Connection) -> tuple[int, BaseModel]:
        terminal_id = store.terminal_for_token(presented)
        if terminal_id is None:  # replaced meanwhile
            raise unauthorised("the terminal token is not valid")
        token = store.rotate_token(db, terminal_id, now)
        return 200, TerminalToken(terminal_id=terminal_id, token=token, issued_at=timestamp(now))

    return idempotent(request, scope, key, None, create, TOKEN_RETENTION_S, secret=True)


@router.post(
    "/terminals/me/heartbeat",
    response_model=HeartbeatAck,
    responses=problem_docs(401, 403, 422),
    tags=["terminals"],
)
async def heartbeat(
    request: Request, body: Heartbeat, terminal_id: TerminalId, key: IdempotencyKey = None
) -> Response:
    """Record this terminal's health; the answer carries commands waiting for it.

    Heartbeats are idempotent by nature: an Idempotency-Key is accepted and not needed.
    """
    if body.terminal_id != terminal_id:
        raise ProblemError(
            403, "Forbidden", "terminal_id is not this token's terminal", "terminal_mismatch"
        )
    now = now_of(request)
    store = store_of(request)
    store.record_heartbeat(terminal_id, body.model_dump_json(), body.software_version, now)
    commands = [_command(row) for row in store.pending_commands(terminal_id)]
    ack = HeartbeatAck(received_at=timestamp(now), commands=commands)
    return json_response(200, ack.model_dump_json())


@router.post(
    "/terminals/me/commands/{command_id}/ack",
    status_code=204,
    responses=problem_docs(401, 404, 422),
    tags=["terminals"],
)
async def acknowledge_command(
    request: Request, command_id: str, terminal_id: TerminalId, key: IdempotencyKey = None
) -> Response:
    """Mark a command done (acknowledging twice is harmless)."""
    if not store_of(request).ack_command(terminal_id, command_id, now_of(request)):
        raise ProblemError(404, "Not Found", "no such command for this terminal", "not_found")
    return Response(status_code=204)


@router.get(
    "/catalogue",
    response_model=Catalogue,
    responses={
        200: {"headers": _ETAG_HEADER},
        304: {"description": "Not modified since the ETag sent in If-None-Match"},
        **problem_docs(401, 422),
    },
    tags=["catalogue"],
)
async def catalogue(_terminal: TerminalId, if_none_match: IfNoneMatch = None) -> Response:
    """The documents this terminal offers, in each language of the kiosk, with prices in cents."""
    published = published_catalogue()
    headers = {"ETag": published.etag, "Cache-Control": "no-cache"}
    if if_none_match and _etag_matches(if_none_match, published.etag):
        return Response(status_code=304, headers=headers)
    return json_response(200, published.json, headers)


@router.get(
    "/catalogue/{document_type}/specimen",
    response_class=Response,
    responses={
        200: {
            "description": "Page 1 of a specimen certificate, about 600 pixels wide",
            "content": {"image/png": {"schema": {"type": "string", "format": "binary"}}},
            "headers": _ETAG_HEADER,
        },
        304: {"description": "Not modified since the ETag sent in If-None-Match"},
        **problem_docs(401, 404, 422, 503),
    },
    tags=["catalogue"],
)
async def catalogue_specimen(
    request: Request,
    _terminal: TerminalId,
    document_type: Annotated[str, Path(max_length=64)],
    lang: Annotated[Language, Query(description="The certificate's language")],
    if_none_match: IfNoneMatch = None,
) -> Response:
    """The first page of a catalogue document's certificate as a PNG, in `lang`, filled with
    placeholder data and marked SPECIMEN, for the kiosk to show before the citizen confirms.

    It holds no citizen data and creates nothing: the same for every terminal and citizen.
    """
    kind = BY_ID.get(document_type)
    if kind is None:
        raise ProblemError(404, "Not Found", "no such document type", "not_found")
    cache: SpecimenCache = request.app.state.specimens
    try:
        # Rendering blocks (fpdf2, then pdftoppm): off the event loop.
        page = await run_in_threadpool(cache.get, kind, lang)
    except SpecimenUnavailable as exc:
        raise ProblemError(503, "Service Unavailable", str(exc), "specimen_unavailable") from None
    headers = {"ETag": page.etag, "Cache-Control": "no-cache"}
    if if_none_match and _etag_matches(if_none_match, page.etag):
        return Response(status_code=304, headers=headers)
    return Response(page.png, 200, headers=headers, media_type="image/png")


def _etag_matches(header: str, etag: str) -> bool:
    candidates = {tag.strip().removeprefix("W/") for tag in header.split(",")}
    return "*" in candidates or etag in candidates


def _command(row: sqlite3.Row) -> TerminalCommand:
    return TerminalCommand(
        command_id=row["command_id"],
        kind=row["kind"],
        argument=row["argument"],
        issued_at=timestamp(row["issued_at"]),
    )
