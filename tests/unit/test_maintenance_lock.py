"""The maintenance lock-out: five wrong codes lock, the lock ends, and its file in the state
directory is private, replaced whole, and read on the safe side."""

from __future__ import annotations

import json
import logging
import stat
from pathlib import Path

import pytest

from kiosk.config import UiSettings
from kiosk.maintenance_lock_file import LockFile, maintenance_lock
from screens.maintenance_lock import MAX_TRIES, MaintenanceLock


class Clock:
    def __init__(self) -> None:
        self.now = 1_800_000_000.0

    def __call__(self) -> float:
        return self.now


def test_five_wrong_codes_lock_for_the_lockout_then_it_ends(tmp_path: Path) -> None:
    clock = Clock()
    lock = MaintenanceLock(300, LockFile(tmp_path / "lock.json", 300), clock)
    for _ in range(MAX_TRIES - 1):
        lock.failed()
        assert lock.seconds_locked() == 0
    lock.failed()
    assert lock.seconds_locked() == 300
    clock.now += 299
    assert lock.seconds_locked() == 1
    clock.now += 1
    assert lock.seconds_locked() == 0


def test_a_right_code_resets_the_count(tmp_path: Path) -> None:
    path = tmp_path / "lock.json"
    lock = MaintenanceLock(300, LockFile(path, 300))
    lock.failed()
    lock.succeeded()
    assert json.loads(path.read_text())["wrong"] == 0
    assert MaintenanceLock(300, LockFile(path, 300)).wrong == 0


def test_the_file_is_private_and_nothing_else_is_left_beside_it(tmp_path: Path) -> None:
    path = tmp_path / "state" / "lock.json"
    MaintenanceLock(300, LockFile(path, 300)).failed()
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert [p.name for p in path.parent.iterdir()] == ["lock.json"]


def test_a_clock_set_back_does_not_lock_for_ever(tmp_path: Path) -> None:
    clock = Clock()
    lock = MaintenanceLock(300, LockFile(tmp_path / "lock.json", 300), clock)
    for _ in range(MAX_TRIES):
        lock.failed()
    clock.now -= 10 * 365 * 86400
    assert lock.seconds_locked() == 300


@pytest.mark.parametrize(
    "content",
    [
        b"",
        b"{",
        b"[]",
        b'{"wrong": "x", "locked_until": 0}',
        b'{"wrong": -1, "locked_until": 0}',
        b'{"wrong": 0, "locked_until": NaN}',
        b"\xff\xfe",
    ],
)
def test_a_file_that_makes_no_sense_locks(
    tmp_path: Path, content: bytes, caplog: pytest.LogCaptureFixture
) -> None:
    path = tmp_path / "lock.json"
    path.write_bytes(content)
    with caplog.at_level(logging.WARNING):
        lock = MaintenanceLock(300, LockFile(path, 300))
    assert lock.seconds_locked() > 299
    assert "unreadable" in caplog.text


def test_a_state_directory_that_cannot_be_written_keeps_the_count_in_memory(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    blocker = tmp_path / "not-a-dir"
    blocker.write_text("")
    lock = MaintenanceLock(300, LockFile(blocker / "lock.json", 300))
    with caplog.at_level(logging.WARNING):
        for _ in range(MAX_TRIES):
            lock.failed()
    assert lock.seconds_locked() > 299
    assert "a restart resets it" in caplog.text


def test_unset_means_in_memory(tmp_path: Path) -> None:
    lock = maintenance_lock(UiSettings(maintenance_lock_file=None, maintenance_lockout=60))
    for _ in range(MAX_TRIES):
        lock.failed()
    assert lock.seconds_locked() > 59
    assert maintenance_lock(UiSettings(maintenance_lock_file=None)).seconds_locked() == 0
