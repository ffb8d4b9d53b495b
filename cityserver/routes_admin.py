"""City IT's calls (the admin token): enrolment codes and animator accounts.

Answers that carry a secret (a code, a token) take no Idempotency-Key: the server would have
to keep the secret to answer a retry. A lost answer is mended by asking again: a new code
replaces the terminal's unused one, a token reset replaces the animator's token.
"""

from __future__ import annotations

import json
import sqlite3
from typing import Annotated

from fastapi import APIRouter, Path, Request
from starlette.responses import Response

from cityapi.models import (
    AnimatorAccount,
    AnimatorAccountCreate,
    AnimatorToken,
    EnrolmentCode,
    EnrolmentCodeRequest,
    Identifier,
)
from cityserver.problems import ProblemError, problem_docs
from cityserver.replies import config_of, json_response, now_of, store_of, timestamp
from cityserver.security import Admin

router = APIRouter(prefix="/v1/admin", tags=["admin"])

Username = Annotated[Identifier, Path()]


@router.post(
    "/enrolment-codes",
    response_model=EnrolmentCode,
    status_code=201,
    responses=problem_docs(401, 403, 422),
)
async def create_enrolment_code(
    request: Request, body: EnrolmentCodeRequest, _admin: Admin
) -> Response:
    """A one-time code that enrols this terminal id only, at this location, until it expires
    (`valid_for_s`, else the server's default, 24 h). Shown once: the server keeps its hash.
    It replaces the terminal's unused code, if any."""
    now = now_of(request)
    lifetime = body.valid_for_s or config_of(request).enrolment_code_ttl_s
    code = store_of(request).new_enrolment_code(
        body.terminal_id, body.location, now, now + lifetime
    )
    answer = EnrolmentCode(
        terminal_id=body.terminal_id,
        location=body.location,
        enrolment_code=code,
        expires_at=timestamp(now + lifetime),
    )
    return json_response(201, answer.model_dump_json())


def animator_account(row: sqlite3.Row) -> AnimatorAccount:
    return AnimatorAccount(
        username=row["username"],
        display_name=row["display_name"],
        locations=json.loads(row["locations"]),
        active=bool(row["active"]),
        created_at=timestamp(row["created_at"]),
    )


@router.get("/animators", response_model=list[AnimatorAccount], responses=problem_docs(401, 403))
async def list_animators(request: Request, _admin: Admin) -> Response:
    rows = store_of(request).query("SELECT * FROM animators ORDER BY username")
    body = "[" + ",".join(animator_account(row).model_dump_json() for row in rows) + "]"
    return json_response(200, body)


@router.post(
    "/animators",
    response_model=AnimatorToken,
    status_code=201,
    responses=problem_docs(401, 403, 409, 422),
)
async def create_animator(request: Request, body: AnimatorAccountCreate, _admin: Admin) -> Response:
    """An animator account for the stations of `locations`, and its token, shown once."""
    now = now_of(request)
    store = store_of(request)
    try:
        with store.transaction() as db:
            token = store.create_animator(db, body.username, body.display_name, body.locations, now)
            row = db.execute("SELECT * FROM animators WHERE username = ?", (body.username,))
            account = animator_account(row.fetchone())
    except sqlite3.IntegrityError:
        raise ProblemError(409, "Conflict", "this username exists", "username_taken") from None
    answer = AnimatorToken(account=account, token=token, issued_at=timestamp(now))
    return json_response(201, answer.model_dump_json())


@router.post(
    "/animators/{username}/token",
    response_model=AnimatorToken,
    responses=problem_docs(401, 403, 404, 422),
)
async def reset_animator_token(request: Request, username: Username, _admin: Admin) -> Response:
    """A new token for the animator; the old one stops at once."""
    now = now_of(request)
    store = store_of(request)
    with store.transaction() as db:
        token = store.reset_animator_token(db, username)
        row = db.execute("SELECT * FROM animators WHERE username = ?", (username,)).fetchone()
    if token is None or row is None:
        raise ProblemError(404, "Not Found", "no such animator", "not_found")
    answer = AnimatorToken(account=animator_account(row), token=token, issued_at=timestamp(now))
    return json_response(200, answer.model_dump_json())
