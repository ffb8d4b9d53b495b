"""The reference city API as an ASGI application.

`build_api(config)` is the FastAPI application (its `.openapi()` is the contract in
docs/openapi.json); `create_app(config)` wraps it with the request-size guard (and, only when
the server was started with `--fault-injection`, the fault injector), and is what uvicorn serves.
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi

from cityserver.config import ServerConfig
from cityserver.faults import ASGIApp, FaultInjector, Receive, Scope, Send
from cityserver.problems import install_handlers, problem_bytes, rewrite_openapi
from cityserver.routes_citizen import router as citizen_router
from cityserver.routes_epn import router as epn_router
from cityserver.routes_terminals import router as terminals_router
from cityserver.specimen import SpecimenCache
from cityserver.store import Store
from cityserver.version import software_version

TITLE = "City of Brussels kiosk API"
DESCRIPTION = """\
What the city's self-service terminals (e-guichet kiosks and EPN public PCs) ask of the
back office. Versioned under /v1. Every call but enrolment, status and verification carries
the terminal's bearer token; document calls carry a citizen token too. Errors are RFC 9457
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
    app.state.specimens = SpecimenCache()
    install_handlers(app)
    app.include_router(terminals_router)
    app.include_router(citizen_router)
    app.include_router(epn_router)

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


def create_app(config: ServerConfig, store: Store | None = None) -> ASGIApp:
    guarded = BodyLimit(build_api(config, store), config.max_body_bytes)
    # Without the explicit flag the injector is not there at all: /_faults is a plain 404.
    return FaultInjector(guarded) if config.fault_injection else guarded
