"""Answers shared by the routers: timestamps, JSON bodies, and idempotent POSTs."""

from __future__ import annotations

import datetime
import hashlib
import sqlite3
from collections.abc import Callable

from fastapi import Request
from pydantic import BaseModel
from starlette.responses import Response

from cityserver.config import ServerConfig
from cityserver.problems import ProblemError
from cityserver.sealing import AnswerSeal
from cityserver.store import IdempotencyConflict, Store

# How long a POST's answer is kept for retries; answers that carry a token are kept
# only briefly, and sealed (cityserver.sealing): the table never holds a token in clear.
RETENTION_S = 24 * 3600.0
TOKEN_RETENTION_S = 300.0


def config_of(request: Request) -> ServerConfig:
    config: ServerConfig = request.app.state.config
    return config


def store_of(request: Request) -> Store:
    store: Store = request.app.state.store
    return store


def now_of(request: Request) -> float:
    return config_of(request).clock()


def timestamp(seconds: float) -> datetime.datetime:
    return datetime.datetime.fromtimestamp(seconds, datetime.UTC)


def json_response(status: int, body: str, headers: dict[str, str] | None = None) -> Response:
    return Response(body, status, headers=headers, media_type="application/json")


def idempotent(
    request: Request,
    scope: str,
    key: str | None,
    payload: BaseModel | None,
    create: Callable[[sqlite3.Connection], tuple[int, BaseModel]],
    retention_s: float = RETENTION_S,
    *,
    secret: bool = False,
) -> Response:
    """Run `create` once per Idempotency-Key; a retry gets the first answer again.

    The fingerprint covers the operation and the body, so reusing a key for a different
    request is an error (422), as draft-ietf-httpapi-idempotency-key-header says. `secret`:
    the answer carries a token, so it is kept sealed; when it cannot be opened any more (the
    server restarted without `--secrets-key-file`), the retry gets 410 `answer_unavailable`.
    """
    body = payload.model_dump_json() if payload is not None else ""
    fingerprint = hashlib.sha256(f"{request.method} {request.url.path}\n{body}".encode())
    seal: AnswerSeal = request.app.state.seal
    context = f"{scope}\n{key}\n{fingerprint.hexdigest()}"

    def run(db: sqlite3.Connection) -> tuple[int, str]:
        status, model = create(db)
        answer = model.model_dump_json()
        return status, seal.seal(answer, context) if secret else answer

    try:
        status, answer = store_of(request).idempotent(
            scope, key, fingerprint.hexdigest(), run, now_of(request), retention_s
        )
    except IdempotencyConflict:
        raise ProblemError(
            422,
            "Unprocessable Content",
            "this Idempotency-Key was used for a different request",
            "idempotency_key_reused",
        ) from None
    if secret:
        opened = seal.open(answer, context)
        if opened is None:
            raise ProblemError(
                410,
                "Gone",
                "the first answer to this request held a secret that is no longer kept; "
                "rotate the token, enrol again or authenticate again",
                "answer_unavailable",
            )
        answer = opened
    return json_response(status, answer)
