"""A terminal token that never changes is worth stealing once and keeping: a copy taken from
a backup of the kiosk, or a disk sent for repair, works for ever. The kiosk replaces its
token when it is older than `cityapi.token_max_age_days` (default 7): the old one then stops
at the city at once. Tested with a short schedule against the real server."""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
from msgspec.structs import replace

from kiosk.cityclient import CityApiClient
from kiosk.cityclient.tokens import TokenFile
from kiosk.config import CityApiSettings, Settings
from kiosk.wiring import build_demo_runtime
from session.timers import ManualClock
from tests.harness.cityserver import CityServer, enrol, start_cityserver
from tests.integration.test_runtime_demo import demo_settings

pytestmark = pytest.mark.integration

DAY_S = 86400.0


def works(url: str, token: str) -> bool:
    headers = {"Authorization": f"Bearer {token}"}
    answer = requests.get(f"{url}/v1/catalogue", headers=headers, timeout=5)
    assert answer.status_code in (200, 401), answer.text
    return answer.status_code == 200


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[CityServer]:
    running = start_cityserver(tmp_path_factory.mktemp("rotation") / "data")
    yield running
    running.stop()


def test_the_default_schedule_is_a_week() -> None:
    assert CityApiSettings().token_max_age_days == 7


def test_a_token_older_than_the_schedule_is_replaced(server: CityServer, tmp_path: Path) -> None:
    old = enrol(server, "kiosk-rotate-01")
    token_file = TokenFile(tmp_path / "token")
    token_file.write(old)
    settings = CityApiSettings(
        token_file=token_file.path, catalogue_cache=tmp_path / "c.json", token_max_age_days=1
    )
    with CityApiClient(settings, server.url) as client:
        assert client.rotate_token_if_due() is False  # a fresh token stays
        assert token_file.read() == old and works(server.url, old)
        two_days_ago = time.time() - 2 * DAY_S
        os.utime(token_file.path, (two_days_ago, two_days_ago))
        assert client.rotate_token_if_due() is True
        new = token_file.read()
        assert new is not None and new != old
        assert (token_file.path.stat().st_mode & 0o777) == 0o600
        assert not works(server.url, old)  # a copy of the old token is worth nothing now
        assert works(server.url, new)
        client.catalogue()  # the client itself goes on with the new one
        assert client.rotate_token_if_due() is False  # and the new one is fresh


def test_the_kiosk_rotates_its_token_on_its_own(tmp_path: Path) -> None:
    base = demo_settings(tmp_path)
    # A schedule of a fraction of a second, checked every 0.2 s: the token is soon "old".
    settings: Settings = replace(
        base, cityapi=replace(base.cityapi, token_max_age_days=0.5 / DAY_S)
    )
    runtime = build_demo_runtime(
        settings,
        tmp_path / "work",
        clock=ManualClock(),
        tick_s=None,
        printer_poll_s=None,
        token_check_s=0.2,
    )
    token_file = TokenFile(tmp_path / "work" / "token")
    first = token_file.read()
    assert first is not None
    runtime.start(lambda _job: None)
    try:
        url = runtime.demo.server.url  # type: ignore[union-attr]
        deadline = time.monotonic() + 10
        while token_file.read() == first and time.monotonic() < deadline:
            time.sleep(0.05)
        rotated = token_file.read()
        assert rotated is not None and rotated != first
        assert not works(url, first)
    finally:
        runtime.stop()


def test_a_rotation_whose_answer_was_lost_is_not_a_lockout(
    server: CityServer, tmp_path: Path
) -> None:
    old = enrol(server, "kiosk-rotate-02")
    token_file = TokenFile(tmp_path / "token")
    token_file.write(old)
    long_ago = time.time() - 30 * DAY_S
    os.utime(token_file.path, (long_ago, long_ago))
    settings = CityApiSettings(token_file=token_file.path, catalogue_cache=tmp_path / "c.json")
    # The server replaces the token, then its answer is lost: the kiosk retries with the same
    # Idempotency-Key and the token it still has (the old one, now dead for everything else).
    server.set_faults({"kind": "error", "path_prefix": "/v1/terminals/me/token", "count": 1})
    with CityApiClient(settings, server.url) as client:
        assert client.rotate_token_if_due() is True
    new = token_file.read()
    assert new is not None and new != old
    assert works(server.url, new) and not works(server.url, old)
    # The old token replays only that answer: a new rotation with it is refused.
    again = requests.post(
        f"{server.url}/v1/terminals/me/token",
        headers={"Authorization": f"Bearer {old}", "Idempotency-Key": "another-key-0001"},
        timeout=5,
    )
    assert again.status_code == 401
