"""Fault injection for tests and demos: an ASGI wrapper around the whole application.

Mounted only when the server is started with `cityserver serve --fault-injection` (the test
harness does; the demo and production never do): otherwise `/_faults` does not exist.
`PUT /_faults` with a JSON list of rules, `GET /_faults` shows them, `DELETE /_faults` clears
them; only from loopback (anyone else gets 404), and not part of the contract. A rule applies
to requests whose path starts with `path_prefix`, to a share `rate` of them, and to at most
`count` of them when given (then it is spent). Kinds:

- latency: wait `seconds`, then answer normally;
- error: handle the request, then answer 5xx (`status`) instead: the work was done, the
  answer was lost, which is what a retrying client must survive;
- drop: handle the request, then close the connection without answering;
- malformed: handle the request, then answer 200 with truncated JSON;
- slow_body: send the real answer's headers at once and its body over `seconds`.
"""

from __future__ import annotations

import asyncio
import json
import random
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, ValidationError

from cityserver.problems import problem_bytes

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

CONTROL_PATH = "/_faults"
LOOPBACK = {"127.0.0.1", "::1"}


class FaultRule(BaseModel):
    model_config = ConfigDict(extra="forbid")

    kind: Literal["latency", "error", "drop", "malformed", "slow_body"]
    path_prefix: str = "/v1/"
    rate: float = Field(1.0, ge=0, le=1)
    count: int | None = Field(None, ge=0)
    seconds: float = Field(1.0, ge=0, le=120)
    status: int = Field(503, ge=500, le=599)


_RULES = TypeAdapter(list[FaultRule])


class FaultInjector:
    def __init__(self, app: ASGIApp, seed: int | None = None) -> None:
        self.app = app
        self.rules: list[FaultRule] = []
        self._random = random.Random(seed)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        if scope["path"] == CONTROL_PATH:
            await self._control(scope, receive, send)
            return
        rule = self._pick(scope["path"])
        if rule is None:
            await self.app(scope, receive, send)
        elif rule.kind == "latency":
            await asyncio.sleep(rule.seconds)
            await self.app(scope, receive, send)
        else:
            status, headers, body = await _capture(self.app, scope, receive)
            await self._misbehave(rule, send, status, headers, body)

    def _pick(self, path: str) -> FaultRule | None:
        for rule in self.rules:
            if not path.startswith(rule.path_prefix) or rule.count == 0:
                continue
            if rule.rate < 1 and self._random.random() >= rule.rate:
                continue
            if rule.count is not None:
                rule.count -= 1
            return rule
        return None

    async def _misbehave(
        self, rule: FaultRule, send: Send, status: int, headers: list[Any], body: bytes
    ) -> None:
        if rule.kind == "error":
            payload = problem_bytes(rule.status, "Injected fault", "fault injection")
            await _answer(send, rule.status, "application/problem+json", payload)
        elif rule.kind == "malformed":
            await _answer(send, 200, "application/json", b'{"truncated": [1, 2')
        elif rule.kind == "drop":
            await _drop(send)
        else:  # slow_body
            await send({"type": "http.response.start", "status": status, "headers": headers})
            pieces = max(1, min(len(body), 20))
            step = -(-len(body) // pieces) if body else 1
            for offset in range(0, max(len(body), 1), step):
                await asyncio.sleep(rule.seconds / pieces)
                chunk = body[offset : offset + step]
                more = offset + step < len(body)
                await send({"type": "http.response.body", "body": chunk, "more_body": more})

    async def _control(self, scope: Scope, receive: Receive, send: Send) -> None:
        client = scope.get("client") or ("", 0)
        if client[0] not in LOOPBACK:
            await _answer(
                send,
                404,
                "application/problem+json",
                problem_bytes(404, "Not Found", "no such resource"),
            )
            return
        method = scope["method"]
        if method == "PUT":
            raw = await _read_body(receive)
            try:
                self.rules = _RULES.validate_json(raw)
            except ValidationError as exc:
                await _answer(
                    send,
                    422,
                    "application/problem+json",
                    problem_bytes(422, "Unprocessable Content", str(exc.errors()[0])),
                )
                return
        elif method == "DELETE":
            self.rules = []
        elif method != "GET":
            await _answer(
                send,
                405,
                "application/problem+json",
                problem_bytes(405, "Method Not Allowed", "GET, PUT or DELETE"),
            )
            return
        body = json.dumps([r.model_dump() for r in self.rules]).encode()
        await _answer(send, 200, "application/json", body)


async def _capture(app: ASGIApp, scope: Scope, receive: Receive) -> tuple[int, list[Any], bytes]:
    """Run the real application and keep its answer instead of sending it."""
    status = 500
    headers: list[Any] = []
    body = bytearray()

    async def keep(message: Message) -> None:
        nonlocal status, headers
        if message["type"] == "http.response.start":
            status, headers = message["status"], list(message.get("headers", []))
        elif message["type"] == "http.response.body":
            body.extend(message.get("body", b""))

    await app(scope, receive, keep)
    return status, headers, bytes(body)


async def _answer(send: Send, status: int, media_type: str, body: bytes) -> None:
    headers = [(b"content-type", media_type.encode()), (b"content-length", str(len(body)).encode())]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


async def _read_body(receive: Receive) -> bytes:
    body = bytearray()
    while len(body) < 64 * 1024:
        message = await receive()
        body.extend(message.get("body", b""))
        if not message.get("more_body"):
            break
    return bytes(body)


async def _drop(send: Send) -> None:
    """Close the TCP connection without a byte of answer.

    ASGI has no message for this, so we reach the transport that uvicorn's protocol keeps on
    the object whose bound method `send` is. Elsewhere, a response announcing more bytes than
    it sends, then an exception, makes the server cut the connection mid-answer instead.
    """
    transport = getattr(getattr(send, "__self__", None), "transport", None)
    if transport is not None:
        transport.abort()
        # Let the protocol notice the disconnection before the application returns, so the
        # server does not try to send its own 500 on a closed socket.
        for _ in range(3):
            await asyncio.sleep(0)
        return
    await send(
        {"type": "http.response.start", "status": 200, "headers": [(b"content-length", b"1000")]}
    )
    raise ConnectionAbortedError("injected dropped connection")
