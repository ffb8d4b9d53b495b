"""The reference city API as an ASGI application.

`build_api(config)` is the FastAPI application (its `.openapi()` is the contract in
docs/openapi.json); `create_app(config)` wraps it with the request-size guard (and, only when
the server was started with `--fault-injection`, the fault injector), and is what uvicorn serves.
"""

from __future__ import annotations

from typing import Any

from fastapi import Depends, FastAPI
from fastapi.openapi.utils import get_openapi

from cityserver.attempts import FailureLimiter
from cityserver.config import ServerConfig
from cityserver.faults import ASGIApp, FaultInjector, Message, Receive, Scope, Send
from cityserver.problems import install_handlers, problem_bytes, rewrite_openapi
from cityserver.register import PopulationRegister
from cityserver.routes_admin import router as admin_router
from cityserver.routes_citizen import router as citizen_router
from cityserver.routes_documents import router as documents_router
from cityserver.routes_epn import router as epn_router
from cityserver.routes_register import router as register_router
from cityserver.routes_terminals import router as terminals_router
from cityserver.sealing import AnswerSeal
from cityserver.specimen import SpecimenCache
from cityserver.store import Store
from cityserver.strict_query import refuse_unknown_query
from cityserver.version import software_version

TITLE = "City of Brussels kiosk API"
DESCRIPTION = """\
What the city's self-service terminals (e-guichet kiosks and EPN public PCs) ask of the
back office. Versioned under /v1. Every call but enrolment, status and verification carries
a bearer token: a terminal's (acting only as itself), an animator's (acting on the stations
of its locations) or city IT's admin token (/v1/admin, enrolment codes, fleet commands); a
known token on a call that is not its role's, or on another location, is a 403 with a code.
Document calls carry a citizen token too. Errors are RFC 9457
problem+json with a stable `code`. POSTs accept an Idempotency-Key (required for documents):
a retried request with the same key is answered as the first one and does nothing twice.
"""


def build_api(config: ServerConfig, store: Store | None = None) -> FastAPI:
    app = FastAPI(
        title=TITLE,
        version=software_version(),
        description=DESCRIPTION,
        docs_url=None,
        redoc_url=None,
        dependencies=[Depends(refuse_unknown_query)],
    )
    app.state.config = config
    app.state.store = store or Store(config.database)
    app.state.register = PopulationRegister(app.state.store)
    app.state.specimens = SpecimenCache()
    app.state.enrolment_attempts = FailureLimiter(
        config.enrolment_failures_per_address, config.enrolment_failures_total
    )
    app.state.seal = AnswerSeal(config.secrets_key)
    install_handlers(app)
    app.include_router(terminals_router)
    app.include_router(citizen_router)
    app.include_router(documents_router)
    app.include_router(epn_router)
    app.include_router(admin_router)
    app.include_router(register_router)

    def contract() -> dict[str, Any]:
        if app.openapi_schema is None:
            document = get_openapi(
                title=app.title,
                version="1",  # the contract's version, not the software's: stable in the file
                description=app.description,
                routes=app.routes,
            )
            app.openapi_schema = rewrite_openapi(document)
        return app.openapi_schema

    app.openapi = contract  # type: ignore[method-assign]
    return app


class BodyLimit:
    """413 for a request body larger than the limit, before anything parses it.

    Content-Length is not enough: a chunked body announces no length. So the body is read
    here, counted as it comes, and refused the moment it passes the limit (the rest is never
    read); a body within the limit is handed on whole. The application would hold it in
    memory anyway to parse it, and no route streams a larger upload.
    """

    def __init__(self, app: ASGIApp, limit: int) -> None:
        self.app = app
        self.limit = limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        for name, value in scope.get("headers", []):
            if name == b"content-length" and (not value.isdigit() or int(value) > self.limit):
                await self._refuse(send)
                return
        body = bytearray()
        while True:
            message = await receive()
            if message["type"] != "http.request":  # the client went away
                return
            body += message.get("body", b"")
            if len(body) > self.limit:
                await self._refuse(send)
                return
            if not message.get("more_body", False):
                break
        await self.app(scope, _replay(bytes(body), receive), send)

    async def _refuse(self, send: Send) -> None:
        body = problem_bytes(413, "Content Too Large", "request body too large")
        await send(
            {
                "type": "http.response.start",
                "status": 413,
                "headers": [
                    (b"content-type", b"application/problem+json"),
                    (b"content-length", str(len(body)).encode()),
                    # The rest of the body is not read: the connection cannot carry another.
                    (b"connection", b"close"),
                ],
            }
        )
        await send({"type": "http.response.body", "body": body})


def _replay(body: bytes, receive: Receive) -> Receive:
    """The body read already, as one message; then the client's own (a disconnect)."""
    given = False

    async def replay() -> Message:
        nonlocal given
        if given:
            return await receive()
        given = True
        return {"type": "http.request", "body": body, "more_body": False}

    return replay


def create_app(config: ServerConfig, store: Store | None = None) -> ASGIApp:
    guarded = BodyLimit(build_api(config, store), config.max_body_bytes)
    # Without the explicit flag the injector is not there at all: /_faults is a plain 404.
    return FaultInjector(guarded) if config.fault_injection else guarded
