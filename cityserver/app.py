"""The reference city API as an ASGI application.

`build_api(config)` is the FastAPI application (its `.openapi()` is the contract in
docs/openapi.json); `create_app(config)` wraps it with the request-size guard and the
fault injector, and is what uvicorn serves.
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi

from cityserver.attempts import FailureLimiter
from cityserver.config import ServerConfig
from cityserver.faults import ASGIApp, FaultInjector, Receive, Scope, Send
from cityserver.problems import install_handlers, problem_bytes, rewrite_openapi
from cityserver.register import PopulationRegister
from cityserver.routes_admin import router as admin_router
from cityserver.routes_citizen import router as citizen_router
from cityserver.routes_epn import router as epn_router
from cityserver.routes_register import router as register_router
from cityserver.routes_terminals import router as terminals_router
from cityserver.specimen import SpecimenCache
from cityserver.store import Store
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
    )
    app.state.config = config
    app.state.store = store or Store(config.database)
    app.state.register = PopulationRegister(app.state.store)
    app.state.specimens = SpecimenCache()
    app.state.enrolment_attempts = FailureLimiter(
        config.enrolment_failures_per_address, config.enrolment_failures_total
    )
    install_handlers(app)
    app.include_router(terminals_router)
    app.include_router(citizen_router)
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
    """413 for a request announcing a body larger than the limit, before anything reads it."""

    def __init__(self, app: ASGIApp, limit: int) -> None:
        self.app = app
        self.limit = limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            for name, value in scope.get("headers", []):
                if name == b"content-length" and (not value.isdigit() or int(value) > self.limit):
                    body = problem_bytes(413, "Content Too Large", "request body too large")
                    await send(
                        {
                            "type": "http.response.start",
                            "status": 413,
                            "headers": [
                                (b"content-type", b"application/problem+json"),
                                (b"content-length", str(len(body)).encode()),
                            ],
                        }
                    )
                    await send({"type": "http.response.body", "body": body})
                    return
        await self.app(scope, receive, send)


def create_app(config: ServerConfig, store: Store | None = None) -> FaultInjector:
    api = build_api(config, store)
    return FaultInjector(BodyLimit(api, config.max_body_bytes))
