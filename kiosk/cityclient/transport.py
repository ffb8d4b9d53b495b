"""HTTP for the city API client: one requests.Session, bounded in time and size, errors typed.

- Connection pooling and retries come from requests and urllib3: an HTTPAdapter with a
  `Retry` (backoff, 5xx and dropped connections). POST is in its allowed methods because this
  client sends every POST with an Idempotency-Key (see `Transport.call`), which the server
  honours: a retried POST does nothing twice. Retry-After is not obeyed, so a server cannot
  stretch a call past the bound below.
- TLS verification is always on, against the system's CA store plus `cityapi.ca_bundle`
  (kiosk.cityclient.trust). Plain http is refused except on loopback (tests, the demo's
  embedded server).
- Time: each attempt waits at most connect_timeout to connect and read_timeout for the answer's
  head; the body must then arrive within read_timeout in total (a trickling body is cut off
  even though every single read is quick). `worst_case_s` is the bound for a whole call.
- Size: bodies are read up to a limit; more is a BAD_RESPONSE, not a full disk.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import os
import time
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol, TypeVar
from urllib.parse import urlsplit

import requests
from pydantic import BaseModel, ValidationError
from urllib3.exceptions import ConnectTimeoutError, NewConnectionError, ReadTimeoutError
from urllib3.util.retry import Retry

from cityapi.models import Problem
from kiosk import __version__
from kiosk.cityclient.errors import CityApiError, ErrorKind
from kiosk.cityclient.trust import TrustStoreAdapter, trust_store
from kiosk.config import CityApiSettings

Model = TypeVar("Model", bound=BaseModel)

log = logging.getLogger(__name__)

MAX_JSON_BYTES = 2 * 1024 * 1024
_CHUNK = 64 * 1024
_LOOPBACK_HOSTS = {"127.0.0.1", "localhost", "::1"}
# Statuses worth another try: the server (or a proxy) was briefly unable to answer.
RETRY_STATUSES = (429, 500, 502, 503, 504)


class Sink(Protocol):
    def write(self, data: bytes, /) -> int: ...


@dataclass(frozen=True)
class Reply:
    status: int
    headers: Mapping[str, str]
    body: bytes


def check_base_url(url: str) -> str:
    """The base URL without a trailing slash; raises ValueError when it is not allowed."""
    parts = urlsplit(url)
    if parts.scheme not in ("https", "http") or not parts.hostname:
        raise ValueError("the city API URL must be https://host[:port][/path]")
    if parts.scheme == "http" and parts.hostname not in _LOOPBACK_HOSTS:
        raise ValueError("the city API must be reached over https (http only on loopback)")
    if parts.query or parts.fragment or parts.username or parts.password:
        raise ValueError("the city API URL must not carry a query, fragment or credentials")
    return url.rstrip("/")


def build_retry(settings: CityApiSettings) -> Retry:
    return Retry(
        total=settings.retries,
        connect=settings.retries,
        read=settings.retries,
        status=settings.retries,
        other=0,
        redirect=0,
        allowed_methods=frozenset({"GET", "HEAD", "OPTIONS", "PUT", "DELETE", "POST"}),
        status_forcelist=RETRY_STATUSES,
        backoff_factor=settings.backoff_factor,
        backoff_max=settings.read_timeout,
        respect_retry_after_header=False,
        raise_on_status=False,
        raise_on_redirect=False,
    )


def worst_case_s(settings: CityApiSettings) -> float:
    """The longest one call can take: every attempt timing out, the back-offs, the body."""
    attempts = settings.retries + 1
    # urllib3 sleeps after the n-th error before retrying: nothing after the first, then
    # backoff_factor * 2**(n-1), capped by backoff_max (read_timeout here).
    backoff = sum(
        min(settings.read_timeout, settings.backoff_factor * 2 ** (n - 1))
        for n in range(2, settings.retries + 1)
    )
    return (
        attempts * (settings.connect_timeout + settings.read_timeout)
        + backoff
        + (settings.read_timeout)
    )


class Transport:
    def __init__(self, settings: CityApiSettings, base_url: str) -> None:
        self.settings = settings
        self.base_url = check_base_url(base_url)
        self.session = requests.Session()
        # Never let the environment switch off verification or route through a proxy.
        self.session.trust_env = False
        self.session.verify = True  # with the adapter's trust store below, never False
        self.session.headers["User-Agent"] = f"brussels-kiosk/{__version__}"
        # Bodies are read raw (to bound them in time and size): ask for them uncompressed.
        self.session.headers["Accept-Encoding"] = "identity"
        adapter = TrustStoreAdapter(
            trust_store(settings.ca_bundle), max_retries=build_retry(settings), pool_maxsize=4
        )
        self.session.mount("https://", adapter)
        self.session.mount("http://", adapter)

    def close(self) -> None:
        self.session.close()

    def __repr__(self) -> str:
        return f"Transport({self.base_url})"

    def call(
        self,
        method: str,
        path: str,
        *,
        headers: Mapping[str, str] | None = None,
        json_body: str | None = None,
        idempotency_key: str | None = None,
        sink: Sink | None = None,
        max_bytes: int = MAX_JSON_BYTES,
    ) -> Reply:
        """One call (with urllib3's retries). The body goes to `sink` when given."""
        send = dict(headers or {})
        if method == "POST":
            send["Idempotency-Key"] = idempotency_key or str(uuid.uuid4())
        if json_body is not None:
            send["Content-Type"] = "application/json"
        what = f"{method} {path}"
        try:
            response = self.session.request(
                method,
                self.base_url + path,
                headers=send,
                data=json_body.encode() if json_body is not None else None,
                timeout=(self.settings.connect_timeout, self.settings.read_timeout),
                stream=True,
                allow_redirects=False,
            )
        except requests.RequestException as exc:
            raise _transport_error(what, exc) from None
        if not 200 <= response.status_code < 300:
            sink, max_bytes = None, MAX_JSON_BYTES  # an error's problem+json, kept to parse
        with contextlib.closing(response):
            body = self._read_body(what, response, sink, max_bytes)
        return Reply(response.status_code, response.headers, body)

    def _read_body(
        self, what: str, response: requests.Response, sink: Sink | None, max_bytes: int
    ) -> bytes:
        declared = response.headers.get("Content-Length")
        if declared is not None and declared.isdigit() and int(declared) > max_bytes:
            raise CityApiError(ErrorKind.BAD_RESPONSE, f"{what}: answer larger than {max_bytes}")
        deadline = time.monotonic() + self.settings.read_timeout
        raw = response.raw
        sock = _socket_of(response)
        kept = bytearray()
        size = 0
        try:
            while True:
                left = deadline - time.monotonic()
                if left <= 0:
                    raise CityApiError(ErrorKind.TIMEOUT, f"{what}: answer too slow")
                if sock is not None:
                    sock.settimeout(min(left, self.settings.read_timeout))
                chunk = raw.read1(_CHUNK)
                if not chunk:
                    break
                size += len(chunk)
                if size > max_bytes:
                    raise CityApiError(ErrorKind.BAD_RESPONSE, f"{what}: answer too large")
                if sink is not None:
                    sink.write(chunk)
                else:
                    kept += chunk
        except (ReadTimeoutError, TimeoutError):
            raise CityApiError(ErrorKind.TIMEOUT, f"{what}: answer too slow") from None
        except CityApiError:
            raise
        except Exception as exc:  # urllib3/http.client errors of a broken connection
            raise CityApiError(
                ErrorKind.UNREACHABLE, f"{what}: connection broken ({type(exc).__name__})"
            ) from None
        if declared is not None and declared.isdigit() and size != int(declared):
            raise CityApiError(ErrorKind.UNREACHABLE, f"{what}: answer cut short")
        return bytes(kept)


def _socket_of(response: requests.Response) -> Any:
    """The socket under a streamed answer, to bound each read by the time left.

    urllib3 keeps the connection on the response until the body is read; if that ever
    changes, reads fall back to the plain per-read timeout.
    """
    connection = getattr(response.raw, "connection", None)
    return getattr(connection, "sock", None)


def _transport_error(what: str, exc: requests.RequestException) -> CityApiError:
    if isinstance(exc, requests.exceptions.SSLError):
        return CityApiError(ErrorKind.UNREACHABLE, f"{what}: TLS verification failed")
    if isinstance(exc, requests.exceptions.Timeout):
        return CityApiError(ErrorKind.TIMEOUT, f"{what}: no answer in time")
    reason = getattr(exc.args[0], "reason", None) if exc.args else None
    # urllib3's NewConnectionError (refused, no route) subclasses ConnectTimeoutError.
    if isinstance(reason, ReadTimeoutError | ConnectTimeoutError) and not isinstance(
        reason, NewConnectionError
    ):
        return CityApiError(ErrorKind.TIMEOUT, f"{what}: no answer in time")
    detail = type(reason).__name__ if reason is not None else type(exc).__name__
    return CityApiError(ErrorKind.UNREACHABLE, f"{what}: cannot reach the service ({detail})")


def error_for_status(what: str, reply: Reply) -> CityApiError:
    """The typed error for a non-success answer."""
    problem: Problem | None = None
    with contextlib.suppress(ValueError):
        problem = Problem.model_validate_json(reply.body)
    code = problem.code if problem else None
    detail = (problem.detail or problem.title) if problem else ""
    message = f"{what}: HTTP {reply.status}" + (f" ({detail})" if detail else "")
    if reply.status >= 500:
        kind = ErrorKind.SERVER_ERROR
    elif reply.status < 400:  # a success or redirect the contract does not have: not a "no"
        kind = ErrorKind.BAD_RESPONSE
    elif reply.status == 401:
        kind = ErrorKind.UNAUTHORISED
    else:
        kind = ErrorKind.REFUSED
    return CityApiError(kind, message, status=reply.status, code=code)


def expect(what: str, reply: Reply, model: type[Model], *ok: int) -> Model:
    """The answer as `model` when its status is one of `ok`; else the typed error."""
    if reply.status not in ok:
        raise error_for_status(what, reply)
    try:
        return model.model_validate_json(reply.body)
    except ValidationError:
        raise CityApiError(
            ErrorKind.BAD_RESPONSE, f"{what}: answer does not match the contract"
        ) from None


class HashingFile:
    """A new file only this user can read (never overwriting one), hashed as it is written."""

    def __init__(self, path: Path) -> None:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o600)
        self._file = os.fdopen(fd, "wb")
        self.sha256 = hashlib.sha256()

    def write(self, data: bytes) -> int:
        self.sha256.update(data)
        return self._file.write(data)

    def close(self) -> None:
        self._file.close()
