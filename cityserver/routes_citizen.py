"""Citizen authentication (challenge, card answer), document requests, PDFs, verification."""

from __future__ import annotations

import base64
import hashlib
import json
import secrets
import sqlite3
from typing import Annotated, Any

from fastapi import APIRouter, Header, Path, Request
from pydantic import BaseModel
from starlette.responses import Response

from cityapi.models import (
    Challenge,
    CitizenAuthentication,
    CitizenSession,
    DocumentRequest,
    DocumentStatus,
    Localized,
    Verification,
)
from cityserver.catalogue import BY_ID, NOT_BELGIAN, is_belgian
from cityserver.certificate_pdf import CertificateText, render_certificate
from cityserver.citizen_auth import CitizenRefused, verify_citizen
from cityserver.problems import ProblemError, problem_docs
from cityserver.register import full_address, full_name
from cityserver.replies import (
    TOKEN_RETENTION_S,
    config_of,
    idempotent,
    json_response,
    now_of,
    store_of,
    timestamp,
)
from cityserver.routes_register import register_of
from cityserver.routes_terminals import IDEMPOTENCY_KEY_PATTERN, IdempotencyKey
from cityserver.security import Citizen, TerminalId
from cityserver.store import new_token, secret_hash
from cityserver.words import localized
from devices.eid.challenge import NONCE_BYTES, signed_message

router = APIRouter(prefix="/v1")

_CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: read aloud at a counter

RequiredIdempotencyKey = Annotated[
    str,
    Header(
        alias="Idempotency-Key",
        pattern=IDEMPOTENCY_KEY_PATTERN,
        description="Required: a retried request with the same key never creates a second "
        "document.",
    ),
]
DocumentId = Annotated[str, Path(max_length=64)]


@router.post(
    "/citizen/challenges",
    response_model=Challenge,
    status_code=201,
    responses=problem_docs(401, 422),
    tags=["citizens"],
)
async def new_challenge(request: Request, terminal_id: TerminalId) -> Response:
    """A fresh nonce of exactly 32 random bytes, valid once, for a short while. The card
    signs the hash of `devices.eid.challenge.signed_message(terminal id, nonce)`, never the
    nonce itself."""
    now = now_of(request)
    nonce = secrets.token_bytes(NONCE_BYTES)
    expires = now + config_of(request).challenge_ttl_s
    challenge_id = store_of(request).add_challenge(terminal_id, nonce, expires)
    answer = Challenge(
        challenge_id=challenge_id,
        nonce=base64.b64encode(nonce).decode(),
        expires_at=timestamp(expires),
    )
    return json_response(201, answer.model_dump_json())


@router.post(
    "/citizen/sessions",
    response_model=CitizenSession,
    status_code=201,
    responses=problem_docs(401, 403, 410, 422, idempotent=True),
    tags=["citizens"],
)
async def citizen_session(
    request: Request,
    body: CitizenAuthentication,
    terminal_id: TerminalId,
    key: IdempotencyKey = None,
) -> Response:
    """Check the card's files and its signature over the challenge; a citizen token if all hold.

    Refusals are 403 with `code`: challenge_unknown, challenge_used, challenge_expired,
    card_not_authentic, bad_signature, untrusted_certificate, certificate_expired,
    certificate_revoked, card_mismatch, card_expired, malformed; not_in_register when the card
    is genuine but its national number is not in the population register (the citizen goes to
    the counter: no document could be made for them here, so they are told before choosing).
    """
    config = config_of(request)
    store = store_of(request)
    register = register_of(request)
    now = now_of(request)

    def create(db: sqlite3.Connection) -> tuple[int, BaseModel]:
        challenge = store.spend_challenge(db, body.challenge_id, terminal_id)
        try:
            if challenge is None:
                raise CitizenRefused("challenge_unknown", "no such challenge for this terminal")
            if challenge["used"]:
                raise CitizenRefused("challenge_used", "the challenge was already answered")
            if challenge["expires_at"] <= now:
                raise CitizenRefused("challenge_expired", "the challenge has expired")
            # The card signed the protocol's message naming this terminal, never the bare nonce.
            message = signed_message(terminal_id, challenge["nonce"])
            citizen = verify_citizen(
                body, message, config.trust_roots, timestamp(now), config.revocation_lists
            )
            if register.lookup(citizen.national_number) is None:
                raise CitizenRefused("not_in_register", "not in the population register")
        except CitizenRefused as exc:
            # Commit the spent challenge, then refuse: the refusal must not roll it back.
            return 403, _Refusal(code=exc.code, detail=str(exc))
        # Sessions nobody ended (a kiosk cut off mid-session) go once expired: a few a time.
        db.execute(
            "DELETE FROM citizen_sessions WHERE rowid IN (SELECT rowid FROM citizen_sessions "
            "WHERE expires_at <= ? LIMIT 16)",
            (now,),
        )
        token = new_token()
        expires = now + config.citizen_token_ttl_s
        # Only the key into the register: what a document states is read there when it is
        # made, so a move recorded meanwhile is already on it.
        record = {"national_number": citizen.national_number}
        db.execute(
            "INSERT INTO citizen_sessions (token_hash, terminal_id, expires_at, citizen) "
            "VALUES (?, ?, ?, ?)",
            (secret_hash(token), terminal_id, expires, json.dumps(record)),
        )
        return 201, CitizenSession(citizen_token=token, expires_at=timestamp(expires))

    scope = "citizen:" + terminal_id
    response = idempotent(request, scope, key, body, create, TOKEN_RETENTION_S, secret=True)
    if response.status_code == 403:
        refusal = _Refusal.model_validate_json(bytes(response.body))
        raise ProblemError(403, "Forbidden", refusal.detail, refusal.code)
    return response


class _Refusal(BaseModel):
    code: str
    detail: str


@router.delete(
    "/citizen/sessions/current",
    status_code=204,
    responses=problem_docs(401, 422),
    tags=["citizens"],
)
async def end_citizen_session(request: Request, citizen: Citizen) -> Response:
    """End this citizen's session now: the kiosk calls it when it wipes the session, so a
    copy of the citizen token is worth nothing once the citizen has left. Afterwards the
    token gets 401, as an unknown one does (ending it twice is a 401 too)."""
    store_of(request).execute(
        "DELETE FROM citizen_sessions WHERE token_hash = ? AND terminal_id = ?",
        (secret_hash(citizen["token"]), citizen["terminal_id"]),
    )
    return Response(status_code=204)


@router.post(
    "/documents",
    response_model=DocumentStatus,
    status_code=201,
    responses=problem_docs(
        401, 403, 422, unknown=("document type", "unknown_document_type"), idempotent=True
    ),
    tags=["documents"],
)
async def request_document(
    request: Request, body: DocumentRequest, citizen: Citizen, key: RequiredIdempotencyKey
) -> Response:
    """Ask for a certificate for the authenticated citizen.

    The answer says ready (the PDF can be fetched), pending (a civil servant checks it
    first) or refused (with the reason in each language of the kiosk). Name, nationality and
    address come from the population register, never from the card; 403 `not_in_register`
    when the citizen left it since they authenticated.
    """
    kind = BY_ID.get(body.document_type)
    if kind is None:
        raise ProblemError(
            422, "Unprocessable Content", "no such document type", "unknown_document_type"
        )
    now = now_of(request)
    terminal_id = citizen["terminal_id"]
    base = config_of(request).public_url or str(request.base_url).rstrip("/")
    registered = register_of(request).lookup(citizen.get("national_number", ""))
    if registered is None:
        raise ProblemError(403, "Forbidden", "not in the population register", "not_in_register")

    def create(db: sqlite3.Connection) -> tuple[int, BaseModel]:
        document_id = "doc-" + secrets.token_hex(12)
        code = _verification_code()
        reason: Localized | None = None
        pdf: bytes | None = None
        pages = 0
        if kind.belgians_only and not is_belgian(registered.nationality):
            status, reason = "refused", localized(NOT_BELGIAN)
        elif kind.delivery == "manual_review":
            status = "pending"
        else:
            status = "ready"
            statement = kind.statement_in(
                body.language, name=full_name(registered), address=full_address(registered)
            )
            # Rendered synchronously on purpose: nothing else runs on the event loop between
            # the idempotency lookup and the insert, so a concurrent retry cannot slip in.
            pdf, pages = render_certificate(
                CertificateText(
                    language=body.language,
                    title=kind.title(body.language),
                    statement=statement,
                    issued_on=timestamp(now).date(),
                    verification_code=code,
                    verification_url=f"{base}/v1/verify/{code}",
                )
            )
        digest = hashlib.sha256(pdf).hexdigest() if pdf else None
        db.execute(
            "INSERT INTO documents (document_id, terminal_id, citizen_token_hash, document_type,"
            " language, status, reason, page_count, size_bytes, sha256, pdf, price_cents,"
            " verification_code, created_at, citizen_ref) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
            (
                document_id,
                terminal_id,
                secret_hash(citizen["token"]),
                body.document_type,
                body.language,
                status,
                reason.model_dump_json() if reason else None,
                pages,
                len(pdf or b""),
                digest,
                pdf,
                kind.price_cents,
                code if status != "refused" else None,
                now,
                _citizen_ref(citizen),
            ),
        )
        row = db.execute("SELECT * FROM documents WHERE document_id = ?", (document_id,))
        return 201, document_status_of(row.fetchone(), base)

    return idempotent(request, "documents:" + terminal_id, key, body, create)


@router.get(
    "/documents/{document_id}",
    response_model=DocumentStatus,
    responses=problem_docs(401, 404, 422),
    tags=["documents"],
)
async def document_status(
    request: Request, document_id: DocumentId, terminal_id: TerminalId
) -> Response:
    """Where a document request stands (no citizen data in the answer)."""
    row = store_of(request).document(document_id, terminal_id)
    if row is None:
        raise ProblemError(404, "Not Found", "no such document for this terminal", "not_found")
    base = config_of(request).public_url or str(request.base_url).rstrip("/")
    return json_response(200, document_status_of(row, base).model_dump_json())


@router.get(
    "/documents/{document_id}/pdf",
    response_class=Response,
    responses={
        200: {
            "description": "The certificate",
            "content": {"application/pdf": {"schema": {"type": "string", "format": "binary"}}},
            "headers": {
                "Repr-Digest": {
                    "description": "RFC 9530: sha-256=:<base64 of the SHA-256 of the PDF>:",
                    "schema": {"type": "string"},
                },
            },
        },
        **problem_docs(401, 404, 409, 422),
    },
    tags=["documents"],
)
async def document_pdf(request: Request, document_id: DocumentId, citizen: Citizen) -> Response:
    """The certificate PDF, for the citizen it was made for, on the terminal that asked (with
    the token it was asked with, or, when that one expired, a new one of the same citizen)."""
    row = store_of(request).document(document_id, citizen["terminal_id"])
    if row is None or not _made_for(row, citizen):
        raise ProblemError(404, "Not Found", "no such document for this citizen", "not_found")
    if row["status"] != "ready":
        raise ProblemError(409, "Conflict", f"the document is {row['status']}", "not_ready")
    pdf: bytes = row["pdf"]
    digest = base64.b64encode(bytes.fromhex(row["sha256"])).decode()
    headers = {"Repr-Digest": f"sha-256=:{digest}:", "Cache-Control": "no-store"}
    return Response(pdf, 200, headers=headers, media_type="application/pdf")


@router.get(
    "/verify/{verification_code}",
    response_model=Verification,
    responses=problem_docs(422),
    tags=["documents"],
)
async def verify(
    request: Request, verification_code: Annotated[str, Path(max_length=32)]
) -> Response:
    """Public: is this certificate genuine? Says what and when, never who."""
    code = verification_code.upper()
    row = store_of(request).document_by_code(code)
    if row is None or row["status"] != "ready":
        answer = Verification(verification_code=code, valid=False)
    else:
        kind = BY_ID.get(row["document_type"])
        answer = Verification(
            verification_code=code,
            valid=True,
            document_type=row["document_type"],
            title=localized(kind.name) if kind else None,
            issued_at=timestamp(row["created_at"]),
        )
    return json_response(200, answer.model_dump_json())


def _verification_code() -> str:
    chars = "".join(secrets.choice(_CODE_ALPHABET) for _ in range(12))
    return f"{chars[:4]}-{chars[4:8]}-{chars[8:]}"


def _citizen_ref(citizen: dict[str, Any]) -> str | None:
    number = citizen.get("national_number")
    return secret_hash("citizen:" + number) if number else None


def _made_for(row: Any, citizen: dict[str, Any]) -> bool:
    if row["citizen_token_hash"] == secret_hash(citizen["token"]):
        return True
    ref = _citizen_ref(citizen)
    return ref is not None and row["citizen_ref"] == ref


def document_status_of(row: Any, base: str) -> DocumentStatus:
    code = row["verification_code"]
    outcome_at = row["outcome_at"]
    return DocumentStatus(
        document_id=row["document_id"],
        document_type=row["document_type"],
        status=row["status"],
        reason=Localized.model_validate_json(row["reason"]) if row["reason"] else None,
        page_count=row["page_count"],
        size_bytes=row["size_bytes"],
        price_cents=row["price_cents"],
        verification_code=code,
        verification_url=f"{base}/v1/verify/{code}" if code else None,
        created_at=timestamp(row["created_at"]),
        outcome=row["outcome"],
        outcome_at=timestamp(outcome_at) if outcome_at is not None else None,
    )
