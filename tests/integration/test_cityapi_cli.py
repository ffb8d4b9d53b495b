"""`kiosk cityapi ...` as IT uses it: serve, restart without losing anything, ping, enrol,
catalogue; every failure one line and a documented exit code."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
import requests

from devices.eid.emulator import build_card, demo_profile, shared_test_pki
from kiosk.cityapi import CityApiClient
from kiosk.config import CityApiSettings
from tests.harness.cityapi import enrol, insert_card, start_refserver, write_test_roots

pytestmark = pytest.mark.integration


def kiosk(*args: str, config: Path | None = None) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "kiosk.cli"]
    if config is not None:
        command += ["--config", str(config)]
    return subprocess.run(
        [*command, *args], capture_output=True, text=True, timeout=60, check=False
    )


def test_a_restart_loses_nothing(tmp_path: Path) -> None:
    roots = write_test_roots(tmp_path)
    data = tmp_path / "data"
    first = start_refserver(data, [roots])
    try:
        token = enrol(first, "kiosk-cli-01")
        settings = CityApiSettings(token_file=tmp_path / "t", catalogue_cache=tmp_path / "c")
        with CityApiClient(settings, first.url, token=token) as client:
            card = insert_card(build_card(demo_profile(), shared_test_pki(), "1.8"))
            session = client.authenticate_citizen(card.files, card.sign, card.citizen_ca)
            document = client.request_document(session, "residence", "fr", "restart-key-1")
    finally:
        first.stop()
    second = start_refserver(data, [roots])
    try:
        with CityApiClient(settings, second.url, token=token) as client:
            # The verification URL follows the server's address (a new port here); the rest stays.
            same = {"verification_url"}
            status = client.document_status(document.document_id)
            assert status.model_dump(exclude=same) == document.model_dump(exclude=same)
            again = client.request_document(session, "residence", "fr", "restart-key-1")
            assert again == document
            pdf = client.download_document(session, document, tmp_path)
            assert pdf.read_bytes().startswith(b"%PDF")
        assert second.query("SELECT count(*) FROM documents")[0][0] == 1
    finally:
        second.stop()


def test_ping_enrol_and_catalogue_from_the_command_line(tmp_path: Path) -> None:
    server = start_refserver(tmp_path / "data")
    try:
        config = tmp_path / "kiosk.toml"
        config.write_text(
            f'[terminal]\nid = "kiosk-cli-02"\ndefault_language = "nl"\n'
            f'[cityapi]\nurl = "{server.url}"\ntoken_file = "{tmp_path / "token"}"\n'
            f'catalogue_cache = "{tmp_path / "catalogue.json"}"\n'
            "connect_timeout = 1\nread_timeout = 1\nretries = 1\n"
        )
        pinged = kiosk("cityapi", "ping", config=config)
        assert pinged.returncode == 0 and "ok" in pinged.stdout, pinged.stderr
        unenrolled = kiosk("cityapi", "catalogue", config=config)
        assert unenrolled.returncode == 4
        assert unenrolled.stderr.count("\n") == 1 and "Traceback" not in unenrolled.stderr
        code = server.enrolment_codes[0]
        enrolled = kiosk("cityapi", "enrol", code, config=config)
        assert enrolled.returncode == 0, enrolled.stderr
        assert code not in enrolled.stdout
        token = (tmp_path / "token").read_text().strip()
        assert token not in enrolled.stdout + enrolled.stderr
        spent = kiosk("cityapi", "enrol", code, config=config)
        assert spent.returncode == 4 and spent.stderr.count("\n") == 1
        listed = kiosk("cityapi", "catalogue", config=config)
        assert listed.returncode == 0 and "Getuigschrift van woonst" in listed.stdout
        server.set_faults({"kind": "drop"})
        offline = kiosk("cityapi", "catalogue", config=config)
        assert offline.returncode == 0 and "offline" in offline.stdout
        down = kiosk("cityapi", "ping", config=config)
        assert down.returncode == 3 and down.stderr.splitlines()[-1].startswith("kiosk: ")
        assert "Traceback" not in down.stderr
    finally:
        server.stop()


def test_serve_reports_bad_arguments_in_one_line(tmp_path: Path) -> None:
    missing_root = kiosk("cityapi", "serve", "--trust-roots", str(tmp_path / "none.pem"))
    assert missing_root.returncode == 2 and missing_root.stderr.count("\n") == 1
    with requests.Session() as session:  # a port that is taken
        server = start_refserver(tmp_path / "data")
        try:
            port = server.url.rsplit(":", 1)[1]
            taken = kiosk("cityapi", "serve", "--port", port, "--data", str(tmp_path / "d2"))
            assert taken.returncode == 3 and taken.stderr.count("\n") == 1
            assert session.get(f"{server.url}/v1/status", timeout=5).status_code == 200
        finally:
            server.stop()
    no_url = kiosk("cityapi", "ping", config=_empty_config(tmp_path))
    assert no_url.returncode == 2 and "cityapi.url" in no_url.stderr


def test_fault_control_is_not_part_of_the_contract() -> None:
    contract = (Path(__file__).resolve().parents[2] / "docs" / "openapi.json").read_text()
    assert "/_faults" not in contract


def _empty_config(folder: Path) -> Path:
    path = folder / "empty.toml"
    path.write_text("")
    return path


def test_the_embedded_server_serves_the_same_api(tmp_path: Path) -> None:
    from kiosk.refserver.config import ServerConfig
    from kiosk.refserver.serve import EmbeddedServer

    config = ServerConfig(data_dir=tmp_path / "data", enrolment_codes=["embedded-code-1"])
    embedded = EmbeddedServer(config)
    try:
        settings = CityApiSettings(token_file=tmp_path / "t", catalogue_cache=tmp_path / "c")
        with CityApiClient(settings, embedded.url) as client:
            assert client.status().status == "ok"
            client.enrol("embedded-code-1", "demo-terminal")
            assert len(client.catalogue().catalogue.items) >= 6
    finally:
        embedded.stop()
    with pytest.raises(requests.ConnectionError):
        requests.get(f"{embedded.url}/v1/status", timeout=2)
