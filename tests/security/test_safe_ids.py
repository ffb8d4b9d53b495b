"""Ids from the city API go into URL paths and file names (`_SAFE_ID`). A hostile answer tries
ids that `re.match(r"^...$")` lets through: a trailing newline matches `$`. The same holds for
a configuration pattern (msgspec searches with `re.search`).

No network is needed: an id is refused before any call (the URL points at a closed port, so a
call that went out would fail as UNREACHABLE, not as the BAD_RESPONSE a refusal is).
"""

from __future__ import annotations

import datetime
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cityapi.models import CitizenSession, DocumentStatus
from kiosk.cityclient import CityApiClient, CityApiError, ErrorKind
from kiosk.config import CityApiSettings, ConfigError, validate_settings
from kiosk.maintenance_pin import hash_maintenance_pin

CLOSED_PORT_URL = "http://127.0.0.1:9"


def make_client(folder: Path) -> CityApiClient:
    settings = CityApiSettings(
        token_file=folder / "token", catalogue_cache=folder / "c.json", retries=0
    )
    return CityApiClient(settings, CLOSED_PORT_URL, token="terminal-token-for-the-test")


@pytest.fixture
def client(tmp_path: Path) -> CityApiClient:
    return make_client(tmp_path)


@pytest.fixture(scope="module")
def shared_client(tmp_path_factory: pytest.TempPathFactory) -> CityApiClient:
    return make_client(tmp_path_factory.mktemp("ids"))


def refused(call: object) -> CityApiError:
    with pytest.raises(CityApiError) as caught:
        call()  # type: ignore[operator]
    return caught.value


def status_with_id(document_id: str) -> DocumentStatus:
    # model_construct: what a hostile server's answer would hold, were the model ever loosened.
    return DocumentStatus.model_construct(
        document_id=document_id,
        document_type="residence",
        status="ready",
        page_count=1,
        size_bytes=1,
        price_cents=0,
        created_at=datetime.datetime.now(datetime.UTC),
    )


@pytest.mark.parametrize("hostile", ["cmd-1\n", "doc-1\n", "a\r\n", "x\n\n"])
def test_a_trailing_newline_never_passes_as_an_id(client: CityApiClient, hostile: str) -> None:
    error = refused(lambda: client.acknowledge_command(hostile))
    assert error.kind is ErrorKind.BAD_RESPONSE and "unexpected characters" in str(error)
    error = refused(lambda: client.document_status(hostile))
    assert error.kind is ErrorKind.BAD_RESPONSE
    error = refused(lambda: client.document_specimen(hostile, "fr"))
    assert error.kind is ErrorKind.BAD_RESPONSE


def test_a_trailing_newline_never_becomes_a_file_name(
    client: CityApiClient, tmp_path: Path
) -> None:
    session_dir = tmp_path / "session"
    session_dir.mkdir()
    document = status_with_id("doc-1\n")
    session = CitizenSession(
        citizen_token="citizen-token", expires_at=datetime.datetime.now(datetime.UTC)
    )
    error = refused(lambda: client.download_document(session, document, session_dir))
    assert error.kind is ErrorKind.BAD_RESPONSE
    assert list(session_dir.iterdir()) == []


@settings(max_examples=200, deadline=None)
@given(st.text(min_size=1, max_size=70))
def test_only_plain_ids_pass(shared_client: CityApiClient, candidate: str) -> None:
    plain = (
        1 <= len(candidate) <= 64
        and candidate.isascii()
        and all(c.isalnum() or c in "_-" for c in candidate)
    )
    if plain:
        return  # a plain id goes out (and meets the closed port): not this test's business
    error = refused(lambda: shared_client.acknowledge_command(candidate))
    assert error.kind is ErrorKind.BAD_RESPONSE


def test_a_configured_hash_with_a_trailing_newline_is_refused(tmp_path: Path) -> None:
    # msgspec's `pattern` searches (re.search): with `$`, "...\n" passed as a valid hash.
    good = hash_maintenance_pin("2468")
    assert validate_settings({"ui": {"maintenance_pin_hash": good}}, "kiosk.toml")
    with pytest.raises(ConfigError, match="maintenance_pin_hash"):
        validate_settings({"ui": {"maintenance_pin_hash": good + "\n"}}, "kiosk.toml")
