"""The kiosk's city API client against the reference server over real HTTP on 127.0.0.1.

Every injected fault (latency, 5xx, dropped connection, malformed JSON, slow body) and a
refused connection: no call outlasts the client's own bound, errors have the right kind, and
a retried document request never creates a second document (counted in the server's database).
"""

from __future__ import annotations

import base64
import hashlib
import json
import socket
import stat
import time
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from typing import Any

import pytest
import requests
from pypdf import PdfReader

from cityapi.models import CitizenSession, DeviceState, DocumentStatus, Heartbeat
from devices.eid.emulator import build_card, demo_profile, shared_test_pki
from kiosk.cityclient import CityApiClient, CityApiError, ErrorKind
from kiosk.config import CityApiSettings
from tests.harness.cityserver import (
    CityServer,
    InsertedCard,
    enrol,
    enrolment_code,
    foreign_profile,
    insert_card,
    start_cityserver,
    write_test_roots,
)
from tests.harness.http import serve_http

pytestmark = pytest.mark.integration

# Short timeouts keep the fault tests quick; the bound is computed from them.
FAST = {"connect_timeout": 0.5, "read_timeout": 0.6, "retries": 2, "backoff_factor": 0.05}
MARGIN_S = 0.5  # scheduling slack on a loaded machine


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[CityServer]:
    folder = tmp_path_factory.mktemp("cityapi-client")
    running = start_cityserver(folder / "data", [write_test_roots(folder)])
    yield running
    running.stop()


@pytest.fixture(scope="module")
def card() -> InsertedCard:
    return insert_card(build_card(demo_profile(), shared_test_pki(), "1.8"))


@pytest.fixture(scope="module")
def terminal(server: CityServer) -> tuple[str, str]:
    return "kiosk-client-01", enrol(server, "kiosk-client-01")


@pytest.fixture
def make_client(
    server: CityServer, terminal: tuple[str, str], tmp_path: Path
) -> Iterator[Callable[..., CityApiClient]]:
    made: list[CityApiClient] = []

    def make(
        url: str | None = None, token: str | None = terminal[1], **overrides: Any
    ) -> CityApiClient:
        values: dict[str, Any] = {
            "token_file": tmp_path / "token",
            "catalogue_cache": tmp_path / "catalogue.json",
            **FAST,
            **overrides,
        }
        client = CityApiClient(CityApiSettings(**values), url or server.url, token=token)
        made.append(client)
        return client

    yield make
    server.clear_faults()
    for client in made:
        client.close()


@pytest.fixture
def citizen(make_client: Callable[..., CityApiClient], card: InsertedCard) -> CitizenSession:
    return make_client().authenticate_citizen(
        card.files, card.sign, card.citizen_ca, terminal_id="kiosk-client-01"
    )


def timed(call: Callable[[], Any]) -> tuple[Any, float]:
    start = time.monotonic()
    try:
        result: Any = call()
    except CityApiError as exc:
        result = exc
    return result, time.monotonic() - start


def documents_for(server: CityServer, terminal_id: str) -> int:
    rows = server.query("SELECT count(*) FROM documents WHERE terminal_id = ?", (terminal_id,))
    return int(rows[0][0])


def remaining_fault_count(server: CityServer) -> int:
    return int(requests.get(f"{server.url}/_faults", timeout=5).json()[0]["count"])


# -- enrolment, tokens, catalogue ----------------------------------------------------------------


def test_enrolment_keeps_a_private_token_and_rotation_revokes_the_old_one(
    server: CityServer, make_client: Callable[..., CityApiClient], tmp_path: Path
) -> None:
    client = make_client(token=None)
    code = enrolment_code(server, "kiosk-enrol-01")
    assert client.enrol(code, "kiosk-enrol-01") == "kiosk-enrol-01"
    token_file = tmp_path / "token"
    assert stat.S_IMODE(token_file.stat().st_mode) == 0o600
    first = token_file.read_text().strip()
    assert first not in repr(client) and first not in repr(client.transport)

    client.rotate_token()
    second = token_file.read_text().strip()
    assert second != first
    assert client.catalogue().catalogue.items
    with pytest.raises(CityApiError) as refused:
        make_client(token=first).catalogue()
    assert refused.value.kind is ErrorKind.UNAUTHORISED and refused.value.status == 401


def test_a_spent_enrolment_code_is_refused(
    server: CityServer, make_client: Callable[..., CityApiClient]
) -> None:
    code = enrolment_code(server, "kiosk-enrol-02")
    make_client(token=None).enrol(code, "kiosk-enrol-02")
    with pytest.raises(CityApiError) as spent:
        make_client(token=None).enrol(code, "kiosk-enrol-02")
    assert spent.value.kind is ErrorKind.UNAUTHORISED


def test_without_a_token_nothing_is_sent(make_client: Callable[..., CityApiClient]) -> None:
    with pytest.raises(CityApiError) as missing:
        make_client(token=None).catalogue()
    assert missing.value.kind is ErrorKind.UNAUTHORISED and missing.value.status is None


def test_catalogue_is_cached_with_its_etag_and_shown_offline(
    server: CityServer,
    make_client: Callable[..., CityApiClient],
    terminal: tuple[str, str],
    tmp_path: Path,
) -> None:
    client = make_client()
    fresh = client.catalogue()
    assert not fresh.offline
    ids = {item.id for item in fresh.catalogue.items}
    assert {"residence", "household", "nationality", "life", "population_extract"} <= ids
    for item in fresh.catalogue.items:
        assert all(item.name.get(lang) for lang in ("fr", "nl", "en", "de"))
    cached = json.loads((tmp_path / "catalogue.json").read_text())
    etag = requests.get(
        f"{server.url}/v1/catalogue", headers={"Authorization": f"Bearer {terminal[1]}"}, timeout=5
    ).headers["ETag"]
    assert cached["etag"] == etag
    not_modified = requests.get(
        f"{server.url}/v1/catalogue",
        headers={"Authorization": f"Bearer {terminal[1]}", "If-None-Match": etag},
        timeout=5,
    )
    assert not_modified.status_code == 304 and not not_modified.content
    assert client.catalogue().catalogue == fresh.catalogue

    server.set_faults({"kind": "drop"})
    offline, elapsed = timed(client.catalogue)
    assert offline.offline and offline.catalogue == fresh.catalogue
    assert offline.problem.kind is ErrorKind.UNREACHABLE
    assert elapsed <= client.worst_case_s + MARGIN_S


# -- every fault ---------------------------------------------------------------------------------

FAULTS = [
    pytest.param({"kind": "error"}, ErrorKind.SERVER_ERROR, id="5xx"),
    pytest.param({"kind": "drop"}, ErrorKind.UNREACHABLE, id="dropped"),
    pytest.param({"kind": "latency", "seconds": 3}, ErrorKind.TIMEOUT, id="latency"),
    pytest.param({"kind": "malformed"}, ErrorKind.BAD_RESPONSE, id="malformed-json"),
    pytest.param({"kind": "slow_body", "seconds": 3}, ErrorKind.TIMEOUT, id="slow-body"),
]


@pytest.mark.parametrize(("fault", "kind"), FAULTS)
def test_every_fault_gives_its_kind_within_the_bound(
    server: CityServer,
    make_client: Callable[..., CityApiClient],
    fault: dict[str, Any],
    kind: ErrorKind,
) -> None:
    client = make_client()
    server.set_faults(fault)
    failure, elapsed = timed(client.catalogue)  # no cache yet: the error comes through
    assert isinstance(failure, CityApiError), failure
    assert failure.kind is kind
    assert elapsed <= client.worst_case_s + MARGIN_S
    server.set_faults(fault)
    beat, elapsed = timed(lambda: client.send_heartbeat(heartbeat("kiosk-client-01")))
    assert isinstance(beat, CityApiError) and beat.kind is kind
    assert elapsed <= client.worst_case_s + MARGIN_S


def test_retries_are_bounded_and_counted(
    server: CityServer, make_client: Callable[..., CityApiClient]
) -> None:
    client = make_client()
    server.set_faults({"kind": "error", "count": 10})
    with pytest.raises(CityApiError):
        client.catalogue()
    attempts = 10 - remaining_fault_count(server)
    assert attempts == client.settings.retries + 1


def test_a_refused_connection_is_unreachable(make_client: Callable[..., CityApiClient]) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    client = make_client(url=f"http://127.0.0.1:{port}")
    failure, elapsed = timed(client.status)
    assert isinstance(failure, CityApiError) and failure.kind is ErrorKind.UNREACHABLE
    assert elapsed <= client.worst_case_s + MARGIN_S


@pytest.mark.parametrize(
    "fault",
    [
        pytest.param({"kind": "error", "count": 1}, id="5xx-once"),
        pytest.param({"kind": "drop", "count": 1}, id="dropped-once"),
        pytest.param({"kind": "latency", "seconds": 1.0, "count": 1}, id="slow-once"),
    ],
)
def test_a_retried_document_request_never_makes_a_second_document(
    server: CityServer,
    make_client: Callable[..., CityApiClient],
    citizen: CitizenSession,
    fault: dict[str, Any],
) -> None:
    client = make_client()
    before = documents_for(server, "kiosk-client-01")
    server.set_faults({**fault, "path_prefix": "/v1/documents"})
    document, elapsed = timed(lambda: client.request_document(citizen, "residence", "nl"))
    assert isinstance(document, DocumentStatus), document
    assert remaining_fault_count(server) == 0  # the fault did happen, and was survived
    assert elapsed <= client.worst_case_s + MARGIN_S
    time.sleep(fault.get("seconds", 0))  # let a delayed first attempt finish on the server
    assert documents_for(server, "kiosk-client-01") == before + 1
    rows = server.query("SELECT document_id FROM documents WHERE created_at >= 0")
    assert (document.document_id,) in rows


def test_the_same_idempotency_key_gives_the_same_document(
    server: CityServer, make_client: Callable[..., CityApiClient], citizen: CitizenSession
) -> None:
    client = make_client()
    before = documents_for(server, "kiosk-client-01")
    first = client.request_document(citizen, "life", "de", idempotency_key="receipt-42-life")
    again = client.request_document(citizen, "life", "de", idempotency_key="receipt-42-life")
    assert again == first
    assert documents_for(server, "kiosk-client-01") == before + 1
    with pytest.raises(CityApiError) as reused:
        client.request_document(citizen, "household", "de", idempotency_key="receipt-42-life")
    assert reused.value.kind is ErrorKind.REFUSED
    assert reused.value.code == "idempotency_key_reused"


# -- documents -----------------------------------------------------------------------------------


def test_a_ready_certificate_is_streamed_private_and_digest_checked(
    make_client: Callable[..., CityApiClient], citizen: CitizenSession, tmp_path: Path
) -> None:
    client = make_client()
    document = client.request_document(citizen, "residence", "fr")
    assert document.status == "ready" and document.page_count == 1
    assert document.verification_code and document.verification_url
    folder = tmp_path / "session"
    folder.mkdir(mode=0o700)
    path = client.download_document(citizen, document, folder)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert path.stat().st_size == document.size_bytes
    text = PdfReader(path).pages[0].extract_text()
    profile = demo_profile()
    assert "Certificat de résidence" in text
    assert profile.surname in text and profile.street_and_number in text
    assert document.verification_code in text
    verification = requests.get(document.verification_url, timeout=5).json()
    assert verification["valid"] is True and verification["document_type"] == "residence"
    assert profile.surname not in str(verification)


def test_an_oversized_or_slow_pdf_leaves_no_file(
    server: CityServer,
    make_client: Callable[..., CityApiClient],
    citizen: CitizenSession,
    tmp_path: Path,
) -> None:
    document = make_client().request_document(citizen, "household", "en")
    small = make_client(max_document_bytes=2048)
    with pytest.raises(CityApiError) as too_big:
        small.download_document(citizen, document, tmp_path)
    assert too_big.value.kind is ErrorKind.BAD_RESPONSE
    assert not list(tmp_path.glob("*.pdf"))
    client = make_client()
    server.set_faults({"kind": "slow_body", "seconds": 3, "path_prefix": "/v1/documents/"})
    failure, elapsed = timed(lambda: client.download_document(citizen, document, tmp_path))
    assert isinstance(failure, CityApiError) and failure.kind is ErrorKind.TIMEOUT
    assert elapsed <= client.worst_case_s + MARGIN_S
    assert not list(tmp_path.glob("*.pdf"))


def test_a_pdf_with_the_wrong_digest_is_refused(
    make_client: Callable[..., CityApiClient], tmp_path: Path
) -> None:
    body = b"%PDF-1.7 not what the digest says"
    wrong = base64.b64encode(hashlib.sha256(b"something else").digest()).decode()

    class Lying(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self.send_response(200)
            self.send_header("Content-Type", "application/pdf")
            self.send_header("Content-Length", str(len(body)))
            self.send_header("Repr-Digest", f"sha-256=:{wrong}:")
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *_args: object) -> None:
            pass

    document = DocumentStatus(
        document_id="doc-1",
        document_type="residence",
        status="ready",
        page_count=1,
        size_bytes=len(body),
        price_cents=0,
        created_at="2026-01-01T00:00:00Z",
    )
    session = CitizenSession(citizen_token="t", expires_at="2026-01-01T00:10:00Z")
    with serve_http(Lying) as url, pytest.raises(CityApiError) as mismatch:
        make_client(url=url).download_document(session, document, tmp_path)
    assert mismatch.value.kind is ErrorKind.BAD_RESPONSE and "digest" in str(mismatch.value)
    assert not list(tmp_path.iterdir())


def test_pending_and_refused_documents(
    make_client: Callable[..., CityApiClient], tmp_path: Path
) -> None:
    client = make_client()
    card = insert_card(build_card(foreign_profile(), shared_test_pki(), "1.8"))
    session = client.authenticate_citizen(
        card.files, card.sign, card.citizen_ca, terminal_id="kiosk-client-01"
    )
    refused = client.request_document(session, "nationality", "nl")
    assert refused.status == "refused" and refused.reason is not None
    assert "Belgische nationaliteit" in refused.reason.get("nl") and refused.reason.get("de")
    assert refused.verification_code is None and refused.page_count == 0
    pending = client.request_document(session, "residence_history", "fr")
    assert pending.status == "pending"
    assert client.document_status(pending.document_id) == pending
    with pytest.raises(CityApiError) as not_ready:
        client.download_document(session, pending, tmp_path)
    assert not_ready.value.kind is ErrorKind.REFUSED and not_ready.value.code == "not_ready"


def test_a_citizen_token_works_only_on_its_own_terminal(
    server: CityServer, make_client: Callable[..., CityApiClient], citizen: CitizenSession
) -> None:
    other = make_client(token=enrol(server, "kiosk-client-02"))
    with pytest.raises(CityApiError) as foreign:
        other.request_document(citizen, "residence", "fr")
    assert foreign.value.kind is ErrorKind.UNAUTHORISED


# -- heartbeat and commands ----------------------------------------------------------------------


def heartbeat(terminal_id: str) -> Heartbeat:
    return Heartbeat(
        terminal_id=terminal_id,
        sent_at="2026-01-01T10:00:00Z",
        software_version="0.1.0",
        uptime_s=3600,
        devices={
            "eid_reader": DeviceState(state="ok"),
            "printer": DeviceState(state="degraded", detail="toner low"),
        },
        counters={"sessions": 12, "documents_printed": 9},
    )


def test_heartbeat_carries_pending_commands_until_acknowledged(
    server: CityServer, make_client: Callable[..., CityApiClient], terminal: tuple[str, str]
) -> None:
    client = make_client()
    assert client.send_heartbeat(heartbeat("kiosk-client-01")).commands == []
    queued = requests.post(
        f"{server.url}/v1/epn/commands",
        json={"terminal_id": "kiosk-client-01", "kind": "reload_catalogue"},
        headers=server.admin_headers(),  # a fleet command: city IT's
        timeout=5,
    )
    assert queued.status_code == 201
    commands = client.send_heartbeat(heartbeat("kiosk-client-01")).commands
    assert [c.kind for c in commands] == ["reload_catalogue"]
    client.acknowledge_command(commands[0].command_id)
    assert client.send_heartbeat(heartbeat("kiosk-client-01")).commands == []
    stored = server.query(
        "SELECT last_heartbeat FROM terminals WHERE terminal_id = 'kiosk-client-01'"
    )
    assert "toner low" in stored[0][0]


def test_a_heartbeat_for_another_terminal_is_refused(
    make_client: Callable[..., CityApiClient],
) -> None:
    with pytest.raises(CityApiError) as wrong:
        make_client().send_heartbeat(heartbeat("someone-else"))
    assert wrong.value.kind is ErrorKind.REFUSED and wrong.value.code == "terminal_mismatch"
