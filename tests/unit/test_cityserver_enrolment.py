"""Enrolment on the server's side: the wrong-code limiter over its sliding minute, the codes
file parser (never saying a code), and a database from before codes were bound to a terminal."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cityserver.attempts import FailureLimiter
from cityserver.cli import ServerCliError, parse_enrolment_codes
from cityserver.store import EnrolmentRefused, Store


def test_an_address_waits_until_its_oldest_counted_failure_leaves_the_minute() -> None:
    limiter = FailureLimiter(per_address=3, total=100)
    for second in (0.0, 10.0, 20.0):
        assert limiter.retry_after("10.0.0.1", second) is None
        limiter.record("10.0.0.1", second)
    assert limiter.retry_after("10.0.0.1", 30.0) == 30  # the failure at 0 s leaves at 60 s
    assert limiter.retry_after("10.0.0.2", 30.0) is None
    assert limiter.retry_after("10.0.0.1", 59.5) == 1
    assert limiter.retry_after("10.0.0.1", 60.0) is None


def test_all_addresses_together_share_the_total() -> None:
    limiter = FailureLimiter(per_address=10, total=5)
    for n in range(5):
        limiter.record(f"10.0.0.{n}", float(n))
    assert limiter.retry_after("10.9.9.9", 5.0) == 55
    assert limiter.retry_after("10.9.9.9", 60.5) is None  # the first has left the minute


def test_the_limiter_keeps_only_the_last_minute() -> None:
    limiter = FailureLimiter(per_address=10**6, total=10**6)
    for n in range(1000):
        limiter.record(f"10.0.{n // 256}.{n % 256}", float(n))
    limiter.retry_after("x", 1000.0)
    assert len(limiter) <= 61


def test_the_codes_file_binds_each_code_to_a_terminal_and_a_location() -> None:
    lines = parse_enrolment_codes(
        "# IT's codes\n\nkiosk-01 hall code-for-kiosk-01\n  epn-02 epn-marolles c0de-epn-02  \n",
        "codes",
    )
    assert [(c.terminal_id, c.location, c.code) for c in lines] == [
        ("kiosk-01", "hall", "code-for-kiosk-01"),
        ("epn-02", "epn-marolles", "c0de-epn-02"),
    ]
    assert "code-for" not in repr(lines)


@given(st.text(max_size=300))
def test_a_bad_codes_file_is_one_message_that_never_shows_a_line(text: str) -> None:
    try:
        lines = parse_enrolment_codes(text, "codes")
    except ServerCliError as exc:
        message = str(exc)
        assert message.startswith("codes, line ")
        for raw in text.splitlines():
            secret = raw.strip()
            if len(secret) >= 8:
                assert secret not in message
        return
    for line in lines:
        assert 8 <= len(line.code) <= 64 and line.terminal_id and line.location


OLD_SCHEMA = """
CREATE TABLE enrolment_codes (
    code_hash TEXT PRIMARY KEY, created_at REAL NOT NULL, used_by TEXT, used_at REAL);
CREATE TABLE terminals (
    terminal_id TEXT PRIMARY KEY, token_hash TEXT UNIQUE NOT NULL, issued_at REAL NOT NULL,
    software_version TEXT NOT NULL DEFAULT '', last_seen REAL, last_heartbeat TEXT);
CREATE TABLE animators (
    username TEXT PRIMARY KEY, display_name TEXT NOT NULL, active INTEGER NOT NULL,
    created_at REAL NOT NULL);
INSERT INTO enrolment_codes VALUES ('0123', 1.0, NULL, NULL);
INSERT INTO terminals (terminal_id, token_hash, issued_at) VALUES ('kiosk-old', 'ab', 1.0);
"""


def test_a_database_from_before_bound_codes_opens_and_its_unbound_codes_enrol_nothing(
    tmp_path: Path,
) -> None:
    database = tmp_path / "cityapi.sqlite3"
    with sqlite3.connect(database) as db:
        db.executescript(OLD_SCHEMA)
    store = Store(database)
    try:
        assert store.terminal_location("kiosk-old") == ""
        assert store.query("SELECT count(*) FROM enrolment_codes")[0][0] == 0
        code = store.new_enrolment_code("kiosk-old", "hall", 10.0, 100.0)
        with store.transaction() as db, pytest.raises(EnrolmentRefused):
            store.enrol(db, code, "kiosk-other", "", 20.0)
        with store.transaction() as db:
            token = store.enrol(db, code, "kiosk-old", "", 20.0)
        assert store.terminal_for_token(token) == "kiosk-old"
        assert store.terminal_location("kiosk-old") == "hall"
    finally:
        store.close()
