"""RFC 9457 problem details for every error the server answers, and their place in the contract.

Details are technical and never carry citizen data (they end up in kiosk logs).
"""

from __future__ import annotations

import json
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.responses import Response
from starlette.routing import Match

from cityapi.models import Problem

PROBLEM_MEDIA_TYPE = "application/problem+json"


class ProblemError(Exception):
    def __init__(
        self,
        status: int,
        title: str,
        detail: str | None = None,
        code: str | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(detail or title)
        self.problem = Problem(title=title, status=status, detail=detail, code=code)
        self.headers = headers or {}


def unauthorised(detail: str, scheme: str = "Bearer") -> ProblemError:
    return ProblemError(401, "Unauthorized", detail, "unauthorised", {"WWW-Authenticate": scheme})


def problem_response(problem: Problem, headers: dict[str, str] | None = None) -> Response:
    body = problem.model_dump_json(exclude_none=True)
    return Response(body, problem.status, headers=headers, media_type=PROBLEM_MEDIA_TYPE)


def problem_bytes(status: int, title: str, detail: str) -> bytes:
    return json.dumps(
        {"type": "about:blank", "title": title, "status": status, "detail": detail}
    ).encode()


def install_handlers(app: FastAPI) -> None:
    async def on_problem(_request: Request, exc: Exception) -> Response:
        assert isinstance(exc, ProblemError)
        return problem_response(exc.problem, exc.headers)

    async def on_validation(_request: Request, exc: Exception) -> Response:
        assert isinstance(exc, RequestValidationError)
        # Where the request was wrong, never the value sent (it may be card data); and the
        # rule a whole body broke, which is a sentence of ours (cityapi.models).
        places = sorted({".".join(str(p) for p in err.get("loc", ())) for err in exc.errors()})
        rules = sorted(
            {
                str(err["msg"]).removeprefix("Value error, ")
                for err in exc.errors()
                if tuple(err.get("loc", ())) == ("body",) and err.get("type") == "value_error"
            }
        )
        detail = "invalid request: " + ", ".join(places[:5])
        if rules:
            detail += f" ({'; '.join(rules)})"
        return problem_response(
            Problem(title="Unprocessable Content", status=422, detail=detail, code="invalid")
        )

    async def on_http(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, StarletteHTTPException)
        titles = {400: "Bad Request", 404: "Not Found", 405: "Method Not Allowed"}
        title = titles.get(exc.status_code, "Error")
        headers = dict(exc.headers or {})
        if exc.status_code == 405:
            headers["Allow"] = ", ".join(_allowed_methods(app, request))
        return problem_response(
            Problem(title=title, status=exc.status_code, detail=str(exc.detail)), headers
        )

    app.add_exception_handler(ProblemError, on_problem)
    app.add_exception_handler(RequestValidationError, on_validation)
    app.add_exception_handler(StarletteHTTPException, on_http)


def _allowed_methods(app: FastAPI, request: Request) -> list[str]:
    """Every method any route serves on this path (Starlette names only the first route's)."""
    methods: set[str] = set()
    for route in app.router.routes:
        match, _ = route.matches(request.scope)
        if match != Match.NONE:
            methods |= set(getattr(route, "methods", None) or ())
    return sorted(methods)


INVALID = "The request does not match the contract (code `invalid`)"
KEY_REUSED = "an Idempotency-Key already used for another request (code `idempotency_key_reused`)"
TOO_LARGE = "Request body too large"


def problem_docs(
    *statuses: int,
    unknown: tuple[str, str] | None = None,
    missing: tuple[str, str] | None = None,
    idempotent: bool = False,
) -> dict[int | str, dict[str, Any]]:
    """`responses=` entries for the errors an operation can answer with. The 422s no schema
    can foresee: `unknown` (what, code) when the body may name a thing the server does not
    have (a seat of this room, a document type of the catalogue); `missing` (what, code) when
    the caller must name what the server cannot choose for it; `idempotent` when an
    Idempotency-Key sent before with another body is refused (cityserver.replies)."""
    invalid = INVALID
    if unknown:
        invalid += f"; or no such {unknown[0]} (code `{unknown[1]}`)"
    if missing:
        invalid += f"; or {missing[0]} needed and not given (code `{missing[1]}`)"
    if idempotent:
        invalid += f"; or {KEY_REUSED}"
    descriptions = {
        400: "Bad request",
        401: "Missing or wrong credentials",
        403: "Forbidden to this caller; the code says why (e.g. `forbidden_role`, "
        "`outside_location`)",
        404: "No such resource (for this terminal)",
        409: "Conflict with the resource's current state",
        410: "A retry whose first answer held a secret no longer kept (code "
        "`answer_unavailable`): rotate the token, enrol again or authenticate again",
        413: TOO_LARGE,
        422: invalid,
        429: "Too many attempts; try again after Retry-After seconds",
        503: "Not available right now; try again later",
    }
    return {
        status: {"model": Problem, "description": descriptions.get(status, "Error")}
        for status in statuses
    }


def rewrite_openapi(document: dict[str, Any]) -> dict[str, Any]:
    """Errors as problem+json, schemes required together, no FastAPI validation schemas; a
    body's size limit (413) wherever there is a body."""
    problem_ref = "#/components/schemas/Problem"
    problem = {PROBLEM_MEDIA_TYPE: {"schema": {"$ref": problem_ref}}}
    for path_item in document.get("paths", {}).values():
        for operation in path_item.values():
            for parameter in operation.get("parameters", []):
                _drop_null_alternative(parameter)
            if "requestBody" in operation:
                operation["responses"].setdefault(
                    "400", {"description": "The body is not parseable JSON", "content": problem}
                )
                # cityserver.app.BodyLimit, before anything reads the body.
                operation["responses"].setdefault(
                    "413", {"description": TOO_LARGE, "content": problem}
                )
            security = operation.get("security")
            if security and len(security) > 1:
                # FastAPI lists each scheme as an alternative; ours are all required at once.
                operation["security"] = [{k: v for req in security for k, v in req.items()}]
            responses = operation.get("responses", {})
            if "422" in responses:
                # FastAPI adds its own "Validation Error" where problem_docs said nothing.
                description = responses["422"].get("description", "")
                if not description.startswith(INVALID):
                    description = INVALID
                responses["422"] = {"description": description, "content": problem}
            for status, response in responses.items():
                content = response.get("content", {})
                schema = content.get("application/json", {}).get("schema", {})
                if int(status) >= 400 and schema.get("$ref") == problem_ref:
                    response["content"] = {PROBLEM_MEDIA_TYPE: {"schema": schema}}
    schemas = document.get("components", {}).get("schemas", {})
    for name in ("HTTPValidationError", "ValidationError"):
        schemas.pop(name, None)
    return document


def _drop_null_alternative(parameter: dict[str, Any]) -> None:
    """An optional header is absent, never JSON null: keep only its non-null schema."""
    schema = parameter.get("schema", {})
    options = schema.get("anyOf", [])
    kept = [option for option in options if option.get("type") != "null"]
    if len(options) == 2 and len(kept) == 1:
        rest = {k: v for k, v in schema.items() if k != "anyOf"}
        parameter["schema"] = {**kept[0], **rest}
