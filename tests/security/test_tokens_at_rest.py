"""Whoever gets a copy of the city server's database (a backup, a stolen disk, a curious
admin) must find no credential in it. The attacker here greps the raw bytes of the SQLite
file and its WAL for every token the test was issued: terminal tokens from enrolment and
rotation, citizen tokens, the admin token. Idempotent answers are kept for retries (the
kiosk retries every POST with its Idempotency-Key), so answers that carry a token are kept
sealed (AES-GCM, under `--secrets-key-file` or a key held in memory only); and no
idempotency row stays past its retention.
"""

from __future__ import annotations

import base64
import os
import secrets
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
from hypothesis import given, settings
from hypothesis import strategies as st

from cityserver.sealing import AnswerSeal
from cityserver.store import Store
from devices.eid.emulator import build_card, canary_profile, shared_test_pki
from kiosk.cityclient import CityApiClient
from kiosk.config import CityApiSettings
from tests.harness.cityserver import (
    CityServer,
    enrol,
    enrolment_code,
    insert_card,
    start_cityserver,
    write_test_roots,
)

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def roots(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_test_roots(tmp_path_factory.mktemp("roots"))


def key_file(folder: Path) -> Path:
    path = folder / "secrets.key"
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(base64.b64encode(secrets.token_bytes(32)).decode() + "\n")
    return path


def files_at_rest(server: CityServer) -> dict[str, bytes]:
    """Every file in the server's data folder (the database, its -wal and -shm)."""
    return {p.name: p.read_bytes() for p in sorted(server.data_dir.iterdir()) if p.is_file()}


def leaked(server: CityServer, issued: dict[str, str]) -> list[str]:
    found = []
    for name, data in files_at_rest(server).items():
        for what, token in issued.items():
            if token.encode() in data:
                found.append(f"{what} in {name}")
    return found


def rotate(server: CityServer, token: str, key: str) -> requests.Response:
    headers = {"Authorization": f"Bearer {token}", "Idempotency-Key": key}
    return requests.post(f"{server.url}/v1/terminals/me/token", headers=headers, timeout=10)


def client_for(server: CityServer, token: str, folder: Path) -> CityApiClient:
    settings = CityApiSettings(token_file=folder / "token", catalogue_cache=folder / "c.json")
    return CityApiClient(settings, server.url, token=token)


@pytest.fixture
def server(tmp_path: Path, roots: Path) -> Iterator[CityServer]:
    running = start_cityserver(tmp_path / "data", [roots])
    yield running
    running.stop()


def test_no_token_issued_is_found_in_the_database_files(server: CityServer, tmp_path: Path) -> None:
    issued = {"admin token": server.admin_token}
    # A code city IT made and nobody spent yet: a secret waiting in the database.
    issued["unspent enrolment code"] = enrolment_code(server, "kiosk-rest-09")
    enrolled = enrol(server, "kiosk-rest-01")
    terminal_id = "kiosk-rest-01"
    issued["enrolment token"] = enrolled
    rotated = rotate(server, enrolled, "rotate-key-0001")
    assert rotated.status_code == 200, rotated.text
    issued["rotated token"] = rotated.json()["token"]
    ticket = requests.post(
        f"{server.url}/v1/epn/guest-tickets",
        json={"minutes": 30},
        headers={
            "Authorization": f"Bearer {issued['rotated token']}",
            "Idempotency-Key": "ticket-key-0001",
        },
        timeout=10,
    )
    assert ticket.status_code == 201, ticket.text
    issued["guest ticket"] = ticket.json()["code"]
    with client_for(server, issued["rotated token"], tmp_path) as client:
        for n, applet in enumerate(("1.7", "1.8")):
            card = insert_card(build_card(canary_profile(60 + n), shared_test_pki(), applet))  # type: ignore[arg-type]
            session = client.authenticate_citizen(
                card.files, card.sign, card.citizen_ca, terminal_id=terminal_id
            )
            issued[f"citizen token {n}"] = session.citizen_token
            # The token works, and a document is made with it (its rows are written too).
            assert client.request_document(session, "residence", "fr").status == "ready"
    # The answers that carried those tokens were kept for retries (the harness enrols as the
    # kiosk does, with an Idempotency-Key): the attacker has something to look at.
    scopes = {row[0].split(":")[0] for row in server.query("SELECT scope FROM idempotency")}
    assert {"enrol", "rotate", "citizen"} <= scopes
    assert leaked(server, issued) == []
    server.stop()  # the WAL checkpointed into the database file: still nothing
    assert leaked(server, issued) == []


def test_a_retry_whose_answer_was_lost_still_gets_its_token(
    server: CityServer, tmp_path: Path
) -> None:
    token = enrol(server, "kiosk-rest-02")
    terminal_id = "kiosk-rest-02"
    with client_for(server, token, tmp_path) as client:
        card = insert_card(build_card(canary_profile(62), shared_test_pki(), "1.8"))
        # The server makes the session, then its answer is lost: the kiosk retries the POST
        # with the same Idempotency-Key and must get the same token back, from the sealed row.
        server.set_faults({"kind": "error", "path_prefix": "/v1/citizen/sessions", "count": 1})
        session = client.authenticate_citizen(
            card.files, card.sign, card.citizen_ca, terminal_id=terminal_id
        )
        assert server.query("SELECT count(*) FROM citizen_sessions")[0][0] == 1
        assert client.request_document(session, "residence", "en").status == "ready"
    assert leaked(server, {"citizen token": session.citizen_token}) == []


def test_a_replay_after_a_restart_with_the_key_file_gets_the_same_token(
    tmp_path: Path, roots: Path
) -> None:
    key = key_file(tmp_path)
    first = start_cityserver(tmp_path / "data", [roots], "--secrets-key-file", str(key))
    try:
        token = enrol(first, "kiosk-rest-03")
        answer = rotate(first, token, "rotate-key-0003").json()
    finally:
        first.stop()
    second = start_cityserver(tmp_path / "data", [roots], "--secrets-key-file", str(key))
    try:
        # Replayed as a kiosk whose answer was lost would: the same key, the token it still has.
        again = rotate(second, token, "rotate-key-0003")
        assert again.status_code == 200 and again.json() == answer
        assert leaked(second, {"token": answer["token"], "first": token}) == []
    finally:
        second.stop()


def test_without_the_key_a_replay_after_a_restart_says_the_answer_is_gone(
    tmp_path: Path, roots: Path
) -> None:
    first = start_cityserver(tmp_path / "data", [roots])
    try:
        token = enrol(first, "kiosk-rest-04")
        answer = rotate(first, token, "rotate-key-0004").json()
    finally:
        first.stop()
    second = start_cityserver(tmp_path / "data", [roots])
    try:
        again = rotate(second, token, "rotate-key-0004")
        # The key was in the first process's memory only: the token cannot be given again.
        assert again.status_code == 410, again.text
        assert again.json()["code"] == "answer_unavailable"
        assert answer["token"] not in again.text
    finally:
        second.stop()


def test_idempotency_rows_expire(tmp_path: Path) -> None:
    store = Store(tmp_path / "db.sqlite3")
    try:
        made = lambda _db: (201, "answer")  # noqa: E731
        for n in range(5):
            store.idempotent("documents:k", f"old-key-{n}", "f", made, 1000.0 + n, 60)
        # Much later, any keyed write purges what is past its retention, whatever its key.
        store.idempotent("documents:k", "new-key", "f", made, 1000.0 + 3600, 60)
        keys = [row["key"] for row in store.query("SELECT key FROM idempotency")]
        assert keys == ["new-key"]
    finally:
        store.close()


@pytest.mark.parametrize(
    ("content", "mode", "said"),
    [
        (base64.b64encode(bytes(32)).decode(), 0o644, "open to others"),
        ("not a key", 0o600, "base64 of 32 bytes"),
        (base64.b64encode(bytes(16)).decode(), 0o600, "base64 of 32 bytes"),
    ],
)
def test_a_secrets_key_file_that_will_not_do_is_refused_in_one_line(
    tmp_path: Path, content: str, mode: int, said: str
) -> None:
    path = tmp_path / "secrets.key"
    path.write_text(content + "\n")
    path.chmod(mode)
    command = [sys.executable, "-m", "cityserver", "serve", "--port", "0"]
    result = subprocess.run(
        [*command, "--data", str(tmp_path), "--secrets-key-file", str(path)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 2 and result.stderr.count("\n") == 1, result.stderr
    assert said in result.stderr and content not in result.stderr


@settings(max_examples=50, deadline=None)
@given(answer=st.text(max_size=200), row=st.text(max_size=50), other=st.text(max_size=50))
def test_a_sealed_answer_opens_only_in_its_own_row_under_its_own_key(
    answer: str, row: str, other: str
) -> None:
    seal = AnswerSeal()
    sealed = seal.seal(answer, row)
    assert len(answer) < 12 or answer not in sealed  # (a short one may occur by chance)
    assert seal.open(sealed, row) == answer
    if other != row:
        assert seal.open(sealed, other) is None  # moved to another row
    assert AnswerSeal().open(sealed, row) is None  # another process's key
    tampered = sealed[:-4] + ("BBBB" if sealed.endswith("AAAA") else "AAAA")
    assert seal.open(tampered, row) is None  # altered


def test_expired_answers_are_gone_after_a_restart_even_without_a_write(tmp_path: Path) -> None:
    store = Store(tmp_path / "db.sqlite3")
    try:
        made = lambda _db: (201, "answer")  # noqa: E731
        store.idempotent("rotate:x", "a-key-0001", "f", made, 1000.0, 300)
        store.idempotent("documents:x", "a-key-0002", "f", made, 1000.0, 86400)
        assert store.purge_expired_answers(1000.0 + 3600) == 1
        assert [row["scope"] for row in store.query("SELECT scope FROM idempotency")] == [
            "documents:x"
        ]
    finally:
        store.close()
