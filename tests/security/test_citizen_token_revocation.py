"""A citizen token lets whoever holds it (with the terminal's token) fetch that citizen's
certificates. The attacker keeps a copy from a session (a memory dump of the kiosk, a proxy,
a log) and uses it after the citizen has left: the kiosk ends the session at the city when
it wipes, so the copy gets 401 at once; and a token nobody ended lives only a few minutes."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from cityserver.cli import build_parser
from cityserver.config import ServerConfig
from devices.eid.emulator import build_card, canary_profile, shared_test_pki
from kiosk.cityclient import CityApiClient
from kiosk.config import CityApiSettings
from kiosk.wiring import build_demo_runtime
from session.states import State
from session.timers import ManualClock
from tests.harness.cityserver import (
    CityServer,
    enrol,
    insert_card,
    start_cityserver,
    write_test_roots,
)
from tests.integration.test_runtime_demo import Driver, demo_settings

pytestmark = pytest.mark.integration

# The session's longest journey once authenticated: catalogue and confirm screens (each up to
# the idle timeout, 60 s, without a touch), then the document fetch (60 s). See session/timers.
JOURNEY_AFTER_AUTHENTICATION_S = 60 + 60 + 60


def probe(url: str, terminal_token: str, citizen_token: str) -> int:
    """What a call with this citizen token gets: 401 when the token is dead, else 404 (the
    made-up document does not exist): the probe never makes anything."""
    headers = {"Authorization": f"Bearer {terminal_token}", "Citizen-Token": citizen_token}
    answer = requests.get(f"{url}/v1/documents/doc-probe/pdf", headers=headers, timeout=5)
    return answer.status_code


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[CityServer]:
    folder = tmp_path_factory.mktemp("revoke")
    running = start_cityserver(folder / "data", [write_test_roots(folder)])
    yield running
    running.stop()


def test_an_ended_citizen_session_is_dead_at_once(server: CityServer, tmp_path: Path) -> None:
    token = enrol(server, "kiosk-revoke-01")
    terminal_id = "kiosk-revoke-01"
    settings = CityApiSettings(token_file=tmp_path / "t", catalogue_cache=tmp_path / "c.json")
    with CityApiClient(settings, server.url, token=token) as client:
        card = insert_card(build_card(canary_profile(71), shared_test_pki(), "1.8"))
        session = client.authenticate_citizen(
            card.files, card.sign, card.citizen_ca, terminal_id=terminal_id
        )
        assert probe(server.url, token, session.citizen_token) == 404  # alive
        headers = {"Authorization": f"Bearer {token}", "Citizen-Token": session.citizen_token}
        ended = requests.delete(
            f"{server.url}/v1/citizen/sessions/current", headers=headers, timeout=5
        )
        assert ended.status_code == 204, ended.text
        assert probe(server.url, token, session.citizen_token) == 401
        # Ending it again, or with another terminal's token, gives nothing away.
        again = requests.delete(
            f"{server.url}/v1/citizen/sessions/current", headers=headers, timeout=5
        )
        assert again.status_code == 401
    assert server.query("SELECT count(*) FROM citizen_sessions")[0][0] == 0


def test_another_terminal_cannot_end_a_citizen_session(server: CityServer, tmp_path: Path) -> None:
    token = enrol(server, "kiosk-revoke-02")
    terminal_id = "kiosk-revoke-02"
    other = enrol(server, "kiosk-revoke-03")
    settings = CityApiSettings(token_file=tmp_path / "t", catalogue_cache=tmp_path / "c.json")
    with CityApiClient(settings, server.url, token=token) as client:
        card = insert_card(build_card(canary_profile(72), shared_test_pki(), "1.8"))
        session = client.authenticate_citizen(
            card.files, card.sign, card.citizen_ca, terminal_id=terminal_id
        )
    headers = {"Authorization": f"Bearer {other}", "Citizen-Token": session.citizen_token}
    refused = requests.delete(
        f"{server.url}/v1/citizen/sessions/current", headers=headers, timeout=5
    )
    assert refused.status_code == 401
    assert probe(server.url, token, session.citizen_token) == 404  # still the citizen's


def test_after_the_kiosk_wipes_the_old_citizen_token_gets_401(tmp_path: Path) -> None:
    runtime = build_demo_runtime(
        demo_settings(tmp_path),
        tmp_path / "work",
        clock=ManualClock(),
        tick_s=None,
        printer_poll_s=None,
    )
    kiosk = Driver(runtime).start()
    try:
        kiosk.to_catalogue()
        stolen = bytes(runtime.machine.citizen.token).decode()
        terminal_token = (tmp_path / "work" / "token").read_text().strip()
        url = kiosk.demo.server.url
        assert probe(url, terminal_token, stolen) == 404  # the citizen's session is alive
        kiosk.demo.remove_card()  # the citizen leaves: the session is wiped
        assert kiosk.until_state(State.ATTRACT) is State.ATTRACT
        deadline = time.monotonic() + 5
        while probe(url, terminal_token, stolen) != 401 and time.monotonic() < deadline:
            time.sleep(0.05)
        assert probe(url, terminal_token, stolen) == 401
    finally:
        runtime.stop()


def test_a_citizen_token_nobody_ended_is_short_lived(tmp_path: Path) -> None:
    default = ServerConfig(data_dir=tmp_path).citizen_token_ttl_s
    assert build_parser().parse_args(["serve"]).citizen_token_ttl == default
    # Short, yet the journey still fits in it.
    assert JOURNEY_AFTER_AUTHENTICATION_S < default <= 300
