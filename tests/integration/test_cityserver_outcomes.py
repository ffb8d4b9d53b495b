"""What became of each document: the terminal reports it (POST /v1/documents/{id}/outcome),
city IT lists the documents issued but not handed over (GET /v1/admin/documents), and
`kiosk cityapi admin documents` prints them. The reference server over real HTTP, the
kiosk's own clients."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from cityapi.models import CitizenSession, DocumentStatus
from cityserver.store import Store
from devices.eid.emulator import build_card, canary_profile, shared_test_pki
from kiosk.cityclient import CityApiClient, CityApiError, ErrorKind
from kiosk.cityclient.admin import CityAdminClient
from kiosk.cityclient.errors import CITIZEN_TOKEN_EXPIRED
from kiosk.config import CityApiSettings
from tests.harness.cityserver import (
    CityServer,
    enrol,
    insert_card,
    start_cityserver,
    write_test_roots,
)
from tests.security._city import bearer

pytestmark = pytest.mark.integration

TERMINAL_ID = "kiosk-outcomes-01"
AIDS = {"document_id", "terminal_id", "document_type", "status", "outcome"}
ADMIN_FIELDS = AIDS | {"created_at", "outcome_at"}


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[CityServer]:
    roots = write_test_roots(tmp_path_factory.mktemp("roots"))
    running = start_cityserver(tmp_path_factory.mktemp("outcomes") / "data", [roots])
    yield running
    running.stop()


@pytest.fixture(scope="module")
def token(server: CityServer) -> str:
    return enrol(server, TERMINAL_ID)


@pytest.fixture
def client(server: CityServer, token: str, tmp_path: Path) -> Iterator[CityApiClient]:
    settings = CityApiSettings(token_file=tmp_path / "token", catalogue_cache=tmp_path / "c.json")
    with CityApiClient(settings, server.url, token=token) as made:
        yield made


def admin_client(server: CityServer, tmp_path: Path) -> CityAdminClient:
    settings = CityApiSettings(
        url=server.url, token_file=tmp_path / "t", catalogue_cache=tmp_path / "c.json"
    )
    return CityAdminClient(settings, server.admin_token)


def citizen(client: CityApiClient, number: int = 31) -> CitizenSession:
    card = insert_card(build_card(canary_profile(number), shared_test_pki(), "1.8"))
    return client.authenticate_citizen(
        card.files, card.sign, card.citizen_ca, terminal_id=TERMINAL_ID
    )


def issued(client: CityApiClient, number: int = 31) -> DocumentStatus:
    document = client.request_document(citizen(client, number), "residence", "fr")
    assert document.status == "ready" and document.outcome is None
    return document


def test_an_outcome_is_recorded_once_and_a_retry_is_harmless(client: CityApiClient) -> None:
    document = issued(client)
    printed = client.report_outcome(document.document_id, "printed")
    assert printed.outcome == "printed" and printed.outcome_at is not None
    again = client.report_outcome(document.document_id, "printed")
    assert again.outcome_at == printed.outcome_at, "a retry changes nothing"
    with pytest.raises(CityApiError) as conflict:
        client.report_outcome(document.document_id, "abandoned")
    assert conflict.value.status == 409 and conflict.value.code == "outcome_already_recorded"
    assert client.document_status(document.document_id).outcome == "printed"


def test_no_outcome_for_a_document_that_does_not_exist(client: CityApiClient) -> None:
    with pytest.raises(CityApiError) as missing:
        client.report_outcome("doc-" + "0" * 24, "printed")
    assert missing.value.status == 404 and missing.value.code == "not_found"


def test_an_outcome_outside_the_vocabulary_is_refused(
    server: CityServer, token: str, client: CityApiClient
) -> None:
    document = issued(client)
    answer = requests.post(
        f"{server.url}/v1/documents/{document.document_id}/outcome",
        json={"outcome": "burnt"},
        headers=bearer(token),
        timeout=5,
    )
    assert answer.status_code == 422
    assert client.document_status(document.document_id).outcome is None


def test_only_a_terminal_reports_outcomes(
    server: CityServer, client: CityApiClient, tmp_path: Path
) -> None:
    document = issued(client)
    made = requests.post(
        f"{server.url}/v1/admin/animators",
        json={"username": "olga", "display_name": "Olga", "locations": ["epn-laeken"]},
        headers=server.admin_headers(),
        timeout=5,
    )
    assert made.status_code == 201, made.text
    for who in (server.admin_headers(), bearer(made.json()["token"])):
        answer = requests.post(
            f"{server.url}/v1/documents/{document.document_id}/outcome",
            json={"outcome": "abandoned"},
            headers=who,
            timeout=5,
        )
        assert answer.status_code == 403 and answer.json()["code"] == "forbidden_role"
    assert client.document_status(document.document_id).outcome is None


def test_city_it_lists_the_documents_not_handed_over(
    server: CityServer, token: str, client: CityApiClient, tmp_path: Path
) -> None:
    printed, abandoned, silent = issued(client), issued(client), issued(client)
    client.report_outcome(printed.document_id, "printed")
    client.report_outcome(abandoned.document_id, "abandoned")
    other_token = enrol(server, "kiosk-outcomes-02")
    settings = CityApiSettings(token_file=tmp_path / "o", catalogue_cache=tmp_path / "oc.json")
    with CityApiClient(settings, server.url, token=other_token) as other:
        card = insert_card(build_card(canary_profile(32), shared_test_pki(), "1.8"))
        session = other.authenticate_citizen(
            card.files, card.sign, card.citizen_ca, terminal_id="kiosk-outcomes-02"
        )
        elsewhere = other.request_document(session, "residence", "nl")
    with admin_client(server, tmp_path) as admin:
        waiting = {
            d.document_id: d for d in admin.documents(TERMINAL_ID, handed_over=False).documents
        }
        everything = {d.document_id for d in admin.documents().documents}
        handed = {d.document_id for d in admin.documents(handed_over=True).documents}
    assert abandoned.document_id in waiting and silent.document_id in waiting
    assert printed.document_id not in waiting and elsewhere.document_id not in waiting
    assert waiting[abandoned.document_id].outcome == "abandoned"
    assert waiting[silent.document_id].outcome is None
    assert {printed.document_id, elsewhere.document_id, silent.document_id} <= everything
    assert printed.document_id in handed and silent.document_id not in handed
    raw = requests.get(
        f"{server.url}/v1/admin/documents", headers=server.admin_headers(), timeout=5
    )
    assert all(set(row) == ADMIN_FIELDS for row in raw.json()["documents"]), "never who"
    typo = requests.get(
        f"{server.url}/v1/admin/documents?handed_ovr=false",
        headers=server.admin_headers(),
        timeout=5,
    )
    assert typo.status_code == 422 and typo.json()["code"] == "unknown_parameter"
    as_terminal = requests.get(f"{server.url}/v1/admin/documents", headers=bearer(token), timeout=5)
    assert as_terminal.status_code == 403 and as_terminal.json()["code"] == "forbidden_role"


def test_a_repeat_after_the_citizen_token_expired_gets_the_same_document(
    server: CityServer, client: CityApiClient, tmp_path: Path
) -> None:
    """The kiosk authenticates the citizen again and repeats with the same key: the city
    answers with the document it made, and lets the same citizen fetch it; another citizen
    reusing the key (never happens: one key per choice) gets no PDF."""
    key = uuid.uuid4().hex
    first_session = citizen(client, 33)
    first = client.request_document(first_session, "residence", "fr", key)
    client.end_citizen_session(first_session)  # the token dies, as it would expire
    with pytest.raises(CityApiError) as expired:
        client.request_document(first_session, "residence", "fr", key)
    assert expired.value.kind is ErrorKind.UNAUTHORISED
    assert expired.value.code == CITIZEN_TOKEN_EXPIRED
    before = server.query("SELECT count(*) FROM documents")
    again = client.request_document(citizen(client, 33), "residence", "fr", key)
    assert server.query("SELECT count(*) FROM documents") == before, "no second document"
    assert again.document_id == first.document_id
    pdf = client.download_document(citizen(client, 33), again, tmp_path)
    assert pdf.read_bytes().startswith(b"%PDF")
    pdf.unlink()
    stranger = citizen(client, 34)
    replayed = client.request_document(stranger, "residence", "fr", key)
    with pytest.raises(CityApiError) as refused:
        client.download_document(stranger, replayed, tmp_path)
    assert refused.value.status == 404


def test_kiosk_cityapi_admin_documents_prints_one_line_each_and_a_count(
    server: CityServer, client: CityApiClient, tmp_path: Path
) -> None:
    waiting = issued(client)
    config = tmp_path / "kiosk.toml"
    config.write_text(
        f'[terminal]\nid = "kiosk-cli-09"\n[cityapi]\nurl = "{server.url}"\n'
        f'token_file = "{tmp_path / "token"}"\ncatalogue_cache = "{tmp_path / "c.json"}"\n'
    )
    token_file = tmp_path / "admin-token"
    token_file.write_text(server.admin_token + "\n")
    token_file.chmod(0o600)
    command = [sys.executable, "-m", "kiosk.cli", "--config", str(config), "cityapi", "admin"]
    listed = subprocess.run(
        [
            *command,
            "--admin-token-file",
            str(token_file),
            "documents",
            "--not-handed-over",
            "--terminal-id",
            TERMINAL_ID,
        ],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert listed.returncode == 0, listed.stderr
    lines = listed.stdout.splitlines()
    assert any(line.startswith(waiting.document_id + " ") for line in lines)
    assert lines[-1] == f"{len(lines) - 1} document(s) not handed over"
    assert all(f"  {TERMINAL_ID}  residence  ready  " in line for line in lines[:-1])
    from_stdin = subprocess.run(
        [*command, "--admin-token-file", "-", "documents"],
        input=server.admin_token + "\n",
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert from_stdin.returncode == 0 and from_stdin.stdout.endswith(" document(s)\n")
    wrong = subprocess.run(
        [*command, "--admin-token-file", "-", "documents"],
        input="not-the-admin-token\n",
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert wrong.returncode == 4 and wrong.stderr.count("\n") == 1
    assert "Traceback" not in wrong.stderr


def test_a_database_from_before_outcomes_gains_them(tmp_path: Path) -> None:
    path = tmp_path / "old.sqlite3"
    with sqlite3.connect(path) as old:
        old.execute(
            "CREATE TABLE documents (document_id TEXT PRIMARY KEY, terminal_id TEXT NOT NULL,"
            " citizen_token_hash TEXT NOT NULL, document_type TEXT NOT NULL, language TEXT NOT"
            " NULL, status TEXT NOT NULL, reason TEXT, page_count INTEGER NOT NULL, size_bytes"
            " INTEGER NOT NULL, sha256 TEXT, pdf BLOB, price_cents INTEGER NOT NULL,"
            " verification_code TEXT UNIQUE, created_at REAL NOT NULL)"
        )
        old.execute(
            "INSERT INTO documents VALUES ('doc-old', 'k1', 'h', 'residence', 'fr', 'ready', NULL,"
            " 1, 10, NULL, NULL, 0, 'ABCD-EFGH-JKLM', 1.0)"
        )
    store = Store(path)
    try:
        assert [r["outcome"] for r in store.documents_for_admin("k1", False, 10)] == [None]
        row = store.record_outcome("doc-old", "k1", "unknown", 2.0)
        assert row is not None and row["outcome"] == "unknown" and row["outcome_at"] == 2.0
        assert store.documents_for_admin(None, True, 10) == []
    finally:
        store.close()
