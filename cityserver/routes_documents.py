"""What became of the documents: the terminal reports each one's outcome (printed, print
failed, abandoned, unknown after a crash), and city IT lists them, e.g. those issued but never
handed over (the payments to come refund exactly these). Never any citizen data."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from starlette.responses import Response

from cityapi.models import AdminDocument, AdminDocuments, DocumentOutcome, DocumentStatus
from cityserver.problems import ProblemError, problem_docs
from cityserver.replies import config_of, json_response, now_of, store_of, timestamp
from cityserver.routes_citizen import DocumentId, document_status_of
from cityserver.security import Admin, TerminalId

router = APIRouter(prefix="/v1")

ADMIN_LISTING_LIMIT = 1000  # newest first; a fleet's day is far below


@router.post(
    "/documents/{document_id}/outcome",
    response_model=DocumentStatus,
    responses=problem_docs(401, 403, 404, 409, 422),
    tags=["documents"],
)
async def record_outcome(
    request: Request, document_id: DocumentId, body: DocumentOutcome, terminal_id: TerminalId
) -> Response:
    """What became of this terminal's document. Recorded once: the same outcome again is
    200 (a retry), a different one is 409 `outcome_already_recorded`. Another terminal's
    document, like one that does not exist, is 404."""
    row = store_of(request).record_outcome(document_id, terminal_id, body.outcome, now_of(request))
    if row is None:
        raise ProblemError(404, "Not Found", "no such document for this terminal", "not_found")
    if row["outcome"] != body.outcome:
        raise ProblemError(
            409,
            "Conflict",
            f"the outcome {row['outcome']} was recorded already",
            "outcome_already_recorded",
        )
    base = config_of(request).public_url or str(request.base_url).rstrip("/")
    return json_response(200, document_status_of(row, base).model_dump_json())


@router.get(
    "/admin/documents",
    response_model=AdminDocuments,
    responses=problem_docs(401, 403, 422),
    tags=["admin"],
)
async def list_documents(
    request: Request,
    _admin: Admin,
    terminal_id: Annotated[str | None, Query(max_length=64)] = None,
    handed_over: Annotated[
        bool | None,
        Query(
            description="false: only documents issued (`ready`) whose outcome is not "
            "`printed` (not reported yet, print failed, abandoned, unknown); true: only "
            "those reported `printed`."
        ),
    ] = None,
) -> Response:
    """City IT's view of the documents, newest first (at most 1000): what, where, when and
    whether it was handed over; never who they are about."""
    rows = store_of(request).documents_for_admin(terminal_id, handed_over, ADMIN_LISTING_LIMIT)
    answer = AdminDocuments(
        documents=[
            AdminDocument(
                document_id=row["document_id"],
                terminal_id=row["terminal_id"],
                document_type=row["document_type"],
                status=row["status"],
                outcome=row["outcome"],
                created_at=timestamp(row["created_at"]),
                outcome_at=timestamp(row["outcome_at"]) if row["outcome_at"] else None,
            )
            for row in rows
        ]
    )
    return json_response(200, answer.model_dump_json())
