"""The kiosk's client of the city API: typed calls, typed failures (see errors.py).

Blocking: call it from a worker thread, never from the Kivy main thread. Timeouts, retries
and TLS are in transport.py. The terminal's token lives in a private attribute and the token
file; it is never logged and never shown by repr.
"""

from __future__ import annotations

import base64
import binascii
import datetime
import logging
import re
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

from pydantic import BaseModel

from cityapi.models import (
    LANGUAGES,
    Catalogue,
    Challenge,
    CitizenAuthentication,
    CitizenSession,
    DocumentOutcome,
    DocumentOutcomeValue,
    DocumentRequest,
    DocumentStatus,
    EnrolmentRequest,
    Heartbeat,
    HeartbeatAck,
    Language,
    ServiceInfo,
    TerminalToken,
)
from devices.eid.challenge import NONCE_BYTES, NotAChallenge, signed_message
from devices.eid.model import CardFiles
from kiosk.cityclient.bounded_cache import BoundedCache
from kiosk.cityclient.catalogue_cache import CatalogueCache
from kiosk.cityclient.errors import CITIZEN_TOKEN_EXPIRED, CityApiError, ErrorKind
from kiosk.cityclient.tokens import TokenFile
from kiosk.cityclient.transport import (
    HashingFile,
    Reply,
    Transport,
    error_for_status,
    expect,
    worst_case_s,
)
from kiosk.config import CityApiSettings

log = logging.getLogger(__name__)

Model = TypeVar("Model", bound=BaseModel)
# The card signs devices.eid.challenge.signed_message(terminal id, nonce), never a bare server
# value: BelpicCard.sign_challenge, after the PIN was verified.
SignChallenge = Callable[[bytes], tuple[bytes, bytes]]

_REPR_DIGEST = re.compile(r"(?:^|,)\s*sha-256=:([A-Za-z0-9+/]+={0,2}):\s*(?:,|$)")
_SAFE_ID = re.compile(r"[A-Za-z0-9_-]{1,64}")
_ETAG = re.compile(r"[\x21-\x7e][\x20-\x7e]{0,1023}")
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
MAX_SPECIMEN_BYTES = 2 * 1024 * 1024  # a 600-pixel-wide page is about 50 kB
SPECIMEN_CACHE_ENTRIES = 64  # 4 languages x a catalogue's documents, with room to spare


@dataclass(frozen=True)
class CatalogueResult:
    catalogue: Catalogue
    fetched_at: datetime.datetime
    offline: bool  # True: the service could not be asked; this is the last known offer
    problem: CityApiError | None = None  # why, when offline


def parse_repr_digest(header: str) -> bytes | None:
    """The SHA-256 in an RFC 9530 Repr-Digest header, or None when absent or malformed."""
    match = _REPR_DIGEST.search(header)
    if match is None:
        return None
    try:
        digest = base64.b64decode(match.group(1), validate=True)
    except (binascii.Error, ValueError):
        return None
    return digest if len(digest) == 32 else None


class CityApiClient:
    def __init__(
        self,
        settings: CityApiSettings,
        base_url: str | None = None,
        *,
        token: str | None = None,
    ) -> None:
        url = base_url or settings.url
        if not url:
            raise ValueError("no city API URL configured (cityapi.url)")
        self.settings = settings
        self.transport = Transport(settings, url)
        self.token_file = TokenFile(settings.token_file)
        self.cache = CatalogueCache(settings.catalogue_cache)
        # (ETag, PNG) per (type, language), to revalidate with If-None-Match.
        self.specimens: BoundedCache[tuple[str, bytes]] = BoundedCache(SPECIMEN_CACHE_ENTRIES)
        self._token = token

    def __repr__(self) -> str:
        return f"CityApiClient({self.transport.base_url})"

    def close(self) -> None:
        self.transport.close()

    def __enter__(self) -> CityApiClient:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    @property
    def worst_case_s(self) -> float:
        """The longest any single call may take under these settings."""
        return worst_case_s(self.settings)

    # -- plumbing ------------------------------------------------------------------------------

    def _terminal_headers(self) -> dict[str, str]:
        token = self._token or self.token_file.read()
        if token is None:
            raise CityApiError(ErrorKind.UNAUTHORISED, "this terminal is not enrolled (no token)")
        self._token = token
        return {"Authorization": f"Bearer {token}"}

    def _citizen_headers(self, session: CitizenSession) -> dict[str, str]:
        return {**self._terminal_headers(), "Citizen-Token": session.citizen_token}

    # -- service and terminal ------------------------------------------------------------------

    def status(self) -> ServiceInfo:
        reply = self.transport.call("GET", "/v1/status")
        return expect("status", reply, ServiceInfo, 200)

    def enrol(self, enrolment_code: str, terminal_id: str, software_version: str = "") -> str:
        """Spend the enrolment code; keep the token in the token file. Returns the terminal id."""
        body = EnrolmentRequest(
            enrolment_code=enrolment_code,
            terminal_id=terminal_id,
            software_version=software_version,
        )
        reply = self.transport.call("POST", "/v1/terminals/enrol", json_body=body.model_dump_json())
        token = expect("enrol", reply, TerminalToken, 201)
        self.token_file.write(token.token)
        self._token = token.token
        log.info("enrolled as terminal %s", token.terminal_id)
        return token.terminal_id

    def rotate_token(self) -> None:
        """Get a new token (the old one stops working) and keep it in the token file."""
        reply = self.transport.call(
            "POST", "/v1/terminals/me/token", headers=self._terminal_headers()
        )
        token = expect("rotate token", reply, TerminalToken, 200)
        self.token_file.write(token.token)
        self._token = token.token
        log.info("terminal token rotated")

    def rotate_token_if_due(self) -> bool:
        """Rotate when the token file is older than `token_max_age_days`; True if rotated.

        A copy of a token (a backup, a disk sent for repair) is then good for a week at most.
        Without a token file (a token given to the constructor) there is nothing to age.
        """
        age = self.token_file.age_s()
        if age is None or age < self.settings.token_max_age_days * 86400:
            return False
        self.rotate_token()
        return True

    def send_heartbeat(self, heartbeat: Heartbeat) -> HeartbeatAck:
        reply = self.transport.call(
            "POST",
            "/v1/terminals/me/heartbeat",
            headers=self._terminal_headers(),
            json_body=heartbeat.model_dump_json(),
        )
        return expect("heartbeat", reply, HeartbeatAck, 200)

    def acknowledge_command(self, command_id: str) -> None:
        _require_safe_id(command_id, "command id")
        reply = self.transport.call(
            "POST",
            f"/v1/terminals/me/commands/{command_id}/ack",
            headers=self._terminal_headers(),
        )
        if reply.status != 204:
            raise error_for_status("acknowledge command", reply)

    # -- catalogue -----------------------------------------------------------------------------

    def catalogue(self) -> CatalogueResult:
        """The current offer; when the service cannot be asked, the cached one (`offline`)."""
        cached = self.cache.load()
        try:
            headers = self._terminal_headers()
            if cached is not None:
                headers["If-None-Match"] = cached.etag
            reply = self.transport.call("GET", "/v1/catalogue", headers=headers)
            now = datetime.datetime.now(datetime.UTC)
            if reply.status == 304 and cached is not None:
                return CatalogueResult(cached.catalogue, now, offline=False)
            catalogue = expect("catalogue", reply, Catalogue, 200)
        except CityApiError as exc:
            if cached is None or not exc.unavailable:
                raise
            log.warning("showing the cached catalogue: %s", exc)
            return CatalogueResult(cached.catalogue, cached.fetched_at, offline=True, problem=exc)
        etag = reply.headers.get("ETag")
        if etag:
            self.cache.save(catalogue, etag, now)
        return CatalogueResult(catalogue, now, offline=False)

    def document_specimen(self, document_id: str, language: Language) -> bytes:
        """Page 1 of a specimen of a catalogue document, in `language`, as PNG bytes.

        No citizen data in it: kept in memory with its ETag and revalidated (304: no body).
        A non-PNG or oversized answer is a BAD_RESPONSE.
        """
        _require_safe_id(document_id, "document type")
        if language not in LANGUAGES:
            raise ValueError(f"not a kiosk language: {language!r}")
        what = "specimen"
        key = (document_id, language)
        cached = self.specimens.get(key)
        headers = self._terminal_headers()
        if cached is not None:
            headers["If-None-Match"] = cached[0]
        reply = self.transport.call(
            "GET",
            f"/v1/catalogue/{document_id}/specimen?lang={language}",
            headers=headers,
            max_bytes=MAX_SPECIMEN_BYTES,
        )
        if reply.status == 304:
            if cached is None:
                raise CityApiError(ErrorKind.BAD_RESPONSE, f"{what}: 304 to a plain request")
            return cached[1]
        if reply.status != 200:
            raise error_for_status(what, reply)
        if not reply.body.startswith(PNG_SIGNATURE):
            raise CityApiError(ErrorKind.BAD_RESPONSE, f"{what}: not a PNG")
        etag = reply.headers.get("ETag", "")
        if _ETAG.fullmatch(etag):  # it goes back in a header: nothing that could break one
            self.specimens.put(key, (etag, reply.body))
        return reply.body

    # -- citizens ------------------------------------------------------------------------------

    def authenticate_citizen(
        self,
        files: CardFiles,
        sign: SignChallenge,
        citizen_ca_certificate: bytes | bytearray | None = None,
        *,
        terminal_id: str,
    ) -> CitizenSession:
        """Prove to the city who is at the terminal: card files plus a signed challenge.

        `sign` is the card's `sign_challenge` (PIN already verified). It is given only
        `signed_message(terminal_id, nonce)`, this terminal's own id (from its configuration,
        never from the server) and the server's nonce, which must be exactly 32 bytes: any
        other answer is a BAD_RESPONSE and the card is not asked. `citizen_ca_certificate`
        is the card's file 503A, which lets the server chain the authentication certificate.
        A refusal is a REFUSED error whose `code` says why (e.g. bad_signature).
        """
        headers = self._terminal_headers()
        reply = self.transport.call("POST", "/v1/citizen/challenges", headers=headers)
        challenge = expect("challenge", reply, Challenge, 201)
        try:
            nonce = base64.b64decode(challenge.nonce, validate=True)
        except (binascii.Error, ValueError):
            raise CityApiError(ErrorKind.BAD_RESPONSE, "challenge: nonce is not base64") from None
        if len(nonce) != NONCE_BYTES:
            raise CityApiError(
                ErrorKind.BAD_RESPONSE, f"challenge: nonce is not {NONCE_BYTES} bytes"
            )
        try:
            message = signed_message(terminal_id, nonce)
        except NotAChallenge as exc:  # our own terminal id: a configuration mistake
            raise CityApiError(ErrorKind.BAD_RESPONSE, f"challenge: {exc}") from None
        signature, certificate = sign(message)
        body = CitizenAuthentication(
            challenge_id=challenge.challenge_id,
            identity=_b64(files.identity),
            identity_signature=_b64(files.identity_signature),
            address=_b64(files.address),
            address_signature=_b64(files.address_signature),
            rrn_certificate=_b64(files.rrn_certificate),
            rrn_ca_certificate=_b64(files.rrn_ca_certificate) if files.rrn_ca_certificate else None,
            authentication_certificate=_b64(certificate),
            citizen_ca_certificate=_b64(citizen_ca_certificate) if citizen_ca_certificate else None,
            challenge_signature=_b64(signature),
        )
        reply = self.transport.call(
            "POST", "/v1/citizen/sessions", headers=headers, json_body=body.model_dump_json()
        )
        return expect("citizen authentication", reply, CitizenSession, 201)

    def end_citizen_session(self, session: CitizenSession) -> None:
        """Tell the city the citizen has gone: their token stops working at once.

        A token the city no longer knows (ended before, expired) is fine: it is dead already.
        """
        reply = self.transport.call(
            "DELETE", "/v1/citizen/sessions/current", headers=self._citizen_headers(session)
        )
        if reply.status not in (204, 401):
            raise error_for_status("end citizen session", reply)

    # -- documents -----------------------------------------------------------------------------

    def request_document(
        self,
        session: CitizenSession,
        document_type: str,
        language: Language,
        idempotency_key: str | None = None,
    ) -> DocumentStatus:
        """Ask for a certificate. Pass the same `idempotency_key` to repeat a request safely."""
        body = DocumentRequest(document_type=document_type, language=language)
        reply = self.transport.call(
            "POST",
            "/v1/documents",
            headers=self._citizen_headers(session),
            json_body=body.model_dump_json(),
            idempotency_key=idempotency_key or str(uuid.uuid4()),
        )
        _check_citizen_token("document request", reply)
        return expect("document request", reply, DocumentStatus, 201)

    def report_outcome(self, document_id: str, outcome: DocumentOutcomeValue) -> DocumentStatus:
        """Tell the city what became of one of this terminal's documents. Safe to repeat: the
        same outcome again is accepted; a different one once recorded is REFUSED (409, code
        outcome_already_recorded), another terminal's document REFUSED (404)."""
        _require_safe_id(document_id, "document id")
        reply = self.transport.call(
            "POST",
            f"/v1/documents/{document_id}/outcome",
            headers=self._terminal_headers(),
            json_body=DocumentOutcome(outcome=outcome).model_dump_json(),
        )
        return expect("document outcome", reply, DocumentStatus, 200)

    def document_status(self, document_id: str) -> DocumentStatus:
        _require_safe_id(document_id, "document id")
        reply = self.transport.call(
            "GET", f"/v1/documents/{document_id}", headers=self._terminal_headers()
        )
        return expect("document status", reply, DocumentStatus, 200)

    def download_document(
        self, session: CitizenSession, document: DocumentStatus, folder: Path
    ) -> Path:
        """Stream the PDF into `folder` (the session's tmpfs directory); returns its path.

        The file is created 0600, never overwrites anything, and is deleted again unless it
        arrived whole, within the size limit and with the SHA-256 the server announced.
        """
        _require_safe_id(document.document_id, "document id")
        target = folder / f"{document.document_id}.pdf"
        what = "document download"
        sink = HashingFile(target)
        try:
            try:
                reply = self.transport.call(
                    "GET",
                    f"/v1/documents/{document.document_id}/pdf",
                    headers=self._citizen_headers(session),
                    sink=sink,
                    max_bytes=self.settings.max_document_bytes,
                )
            finally:
                sink.close()
            _check_citizen_token(what, reply)
            if reply.status != 200:
                raise error_for_status(what, reply)
            if reply.headers.get("Content-Type", "").split(";")[0].strip() != "application/pdf":
                raise CityApiError(ErrorKind.BAD_RESPONSE, f"{what}: not a PDF")
            if "Content-Length" not in reply.headers:
                raise CityApiError(ErrorKind.BAD_RESPONSE, f"{what}: no Content-Length")
            expected = parse_repr_digest(reply.headers.get("Repr-Digest", ""))
            if expected is None:
                raise CityApiError(ErrorKind.BAD_RESPONSE, f"{what}: no SHA-256 digest")
            if sink.sha256.digest() != expected:
                raise CityApiError(ErrorKind.BAD_RESPONSE, f"{what}: SHA-256 digest mismatch")
        except BaseException:
            target.unlink(missing_ok=True)
            raise
        return target


def _check_citizen_token(what: str, reply: Reply) -> None:
    """A 401 that names the citizen token (RFC 9110 WWW-Authenticate): the citizen's session
    ended at the city (it lives a few minutes); the card may authenticate again."""
    if reply.status == 401 and reply.headers.get("WWW-Authenticate", "") == "Citizen-Token":
        raise CityApiError(
            ErrorKind.UNAUTHORISED,
            f"{what}: the citizen token has expired",
            status=401,
            code=CITIZEN_TOKEN_EXPIRED,
        )


def _b64(data: bytes | bytearray) -> str:
    return base64.b64encode(bytes(data)).decode("ascii")


def _require_safe_id(value: str, what: str) -> None:
    # Ids go into URL paths and file names: anything else is a bad answer, not a path.
    if not _SAFE_ID.fullmatch(value):  # fullmatch: `$` would let a trailing newline in
        raise CityApiError(ErrorKind.BAD_RESPONSE, f"{what} has unexpected characters")
