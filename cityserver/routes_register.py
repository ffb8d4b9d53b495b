"""City IT keeps the population register: /v1/admin/register (admin token only).

The national number travels in the body, never in the URL: URLs end up in proxies' logs.
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from starlette.responses import Response

from cityapi.models import RegisteredCitizen, RegisterReceipt, RegisterRemoval
from cityserver.problems import ProblemError, problem_docs
from cityserver.register import PopulationRegister
from cityserver.replies import json_response, now_of, timestamp
from cityserver.security import Admin

router = APIRouter(prefix="/v1/admin/register", tags=["admin"])


def register_of(request: Request) -> PopulationRegister:
    register: PopulationRegister = request.app.state.register
    return register


@router.post(
    "",
    response_model=RegisterReceipt,
    status_code=201,
    responses={
        200: {"model": RegisterReceipt, "description": "The citizen's entry was replaced"},
        **problem_docs(401, 403, 422),
    },
)
async def record_citizen(request: Request, body: RegisteredCitizen, _admin: Admin) -> Response:
    """Add a citizen to the register, or replace their entry (a move: the new address).

    Certificates state what the register says, not what the card says. 201 for a new
    citizen, 200 for a replaced entry; 403 `forbidden_role` for a terminal's token.
    """
    now = now_of(request)
    created = register_of(request).record(body, now)
    receipt = RegisterReceipt(created=created, recorded_at=timestamp(now))
    return json_response(201 if created else 200, receipt.model_dump_json())


@router.post("/removals", status_code=204, responses=problem_docs(401, 403, 404, 422))
async def remove_citizen(request: Request, body: RegisterRemoval, _admin: Admin) -> Response:
    """Take a citizen out of the register (moved out of the city, deceased): from then on
    their card gets no citizen session, and a session already open gets no more documents.
    404 `not_in_register` when they were not in it."""
    if not register_of(request).remove(body.national_number):
        raise ProblemError(404, "Not Found", "not in the population register", "not_in_register")
    return Response(status_code=204)
