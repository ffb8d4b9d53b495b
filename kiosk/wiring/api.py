"""The city API's side of the runtime: the client's calls shaped to the session's effects.

The machine splits citizen authentication into RequestChallenge, SignChallenge and
AuthenticateCitizen (the card signs on the eID worker, between two HTTP calls), while
`CityApiClient.authenticate_citizen` does the three in one call with a `sign` callback.
`SignBridge` joins them: the callback posts ChallengeIssued and waits (bounded) until the
machine's AuthenticateCitizen effect hands it the signature the card made.
"""

from __future__ import annotations

import datetime
import os
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from cityapi.models import CatalogueItem, CitizenSession, DocumentStatus, Language
from kiosk.cityclient import CityApiClient, CityApiError, ErrorKind
from session import events as ev
from session.problems import ApiProblem

PENDING_POLL_S = 0.5


class Cancelled(Exception):
    """The session stopped waiting for this call (cancel, wipe, timeout)."""


def api_problem(exc: BaseException) -> ApiProblem:
    if isinstance(exc, CityApiError):
        if exc.code == "not_in_register":  # the counter can help; trying again cannot
            return ApiProblem.NOT_IN_REGISTER
        if exc.status == 404:
            return ApiProblem.NOT_FOUND
        return {
            ErrorKind.UNREACHABLE: ApiProblem.OFFLINE,
            ErrorKind.TIMEOUT: ApiProblem.TIMEOUT,
            ErrorKind.SERVER_ERROR: ApiProblem.SERVER_ERROR,
            ErrorKind.BAD_RESPONSE: ApiProblem.SERVER_ERROR,
            ErrorKind.UNAUTHORISED: ApiProblem.REFUSED,
            ErrorKind.REFUSED: ApiProblem.REFUSED,
        }[exc.kind]
    if isinstance(exc, TimeoutError | Cancelled):
        return ApiProblem.TIMEOUT
    return ApiProblem.SERVER_ERROR


class SignBridge:
    """One challenge: the API worker waits in `sign` for what `resolve` hands over."""

    def __init__(self, on_challenge: Callable[[bytes], None], timeout: float) -> None:
        self._on_challenge = on_challenge
        self._timeout = timeout
        self._done = threading.Event()
        self._answer: tuple[bytearray, bytearray] | None = None
        self._cancelled = False

    def sign(self, challenge: bytes) -> tuple[bytes, bytes]:
        self._on_challenge(challenge)
        if not self._done.wait(self._timeout):
            raise Cancelled("no signature in time")
        if self._cancelled or self._answer is None:
            raise Cancelled("cancelled")
        signature, certificate = self._answer
        self._answer = None
        # The client only base64-encodes them: the holder's own buffers, not copies.
        return signature, certificate  # type: ignore[return-value]

    def resolve(self, signature: bytearray, certificate: bytearray) -> None:
        self._answer = (signature, certificate)
        self._done.set()

    def cancel(self) -> None:
        self._cancelled = True
        self._answer = None
        self._done.set()


def citizen_session(token: bytearray) -> CitizenSession:
    # The server decides expiry; the client never reads this field.
    return CitizenSession(
        citizen_token=token.decode("ascii"),
        expires_at=datetime.datetime.now(datetime.UTC) + datetime.timedelta(minutes=10),
    )


def end_citizen_session(client: CityApiClient, token: bytearray) -> None:
    """The citizen has gone: the city ends their session (their token dies at once)."""
    client.end_citizen_session(citizen_session(token))


def offers(items: list[CatalogueItem]) -> tuple[ev.DocumentOffer, ...]:
    return tuple(ev.DocumentOffer(i.id, f"doc.{i.id}", i.price_cents) for i in items)


@dataclass(frozen=True)
class FetchedDocument:
    """The document's bytes (the citizen's: handed to the holder) and its public facts."""

    data: bytearray
    status: DocumentStatus


def fetch_document(
    client: CityApiClient,
    token: bytearray,
    document_type: str,
    language: Language,
    folder: Path,
    *,
    deadline: float,
    cancelled: threading.Event,
    idempotency_key: str | None = None,
    on_ready: Callable[[DocumentStatus], None] | None = None,
) -> FetchedDocument:
    """Request (a repeat with the same `idempotency_key` gets the document already made),
    wait while pending, download into `folder`, read into memory, delete the file.
    `on_ready` hears of the document as soon as the city has made it."""
    session = citizen_session(token)
    status = client.request_document(session, document_type, language, idempotency_key)
    while status.status == "pending":
        if time.monotonic() > deadline:
            raise TimeoutError("document still pending")
        if cancelled.wait(PENDING_POLL_S):
            raise Cancelled("cancelled")
        status = client.document_status(status.document_id)
    if status.status == "ready" and on_ready is not None:
        on_ready(status)
    if status.status == "refused":
        raise CityApiError(ErrorKind.REFUSED, "the city refused the document", code="refused")
    path = client.download_document(session, status, folder)
    try:
        data = read_into_bytearray(path)
    finally:
        zero_and_unlink(path)
    return FetchedDocument(data, status)


def read_into_bytearray(path: Path) -> bytearray:
    size = path.stat().st_size
    data = bytearray(size)
    with path.open("rb", buffering=0) as handle:
        view = memoryview(data)
        done = 0
        while done < size:
            got = handle.readinto(view[done:])
            if not got:
                break
            done += got
    del data[done:]
    return data


def zero_and_unlink(path: Path) -> None:
    """Overwrite then delete (tmpfs frees on unlink; the overwrite covers a misconfigured disk)."""
    try:
        size = path.stat().st_size
        with path.open("r+b", buffering=0) as handle:
            handle.write(bytes(size))
            os.fsync(handle.fileno())
    except OSError:
        pass
    path.unlink(missing_ok=True)
