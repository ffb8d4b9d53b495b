"""`cityserver` as IT uses it: a restart loses nothing; enrolment codes, each for one terminal,
come from a private file or stdin, never the command line, or from `cityserver enrolment-code`;
every failure is one line and a documented exit code."""

from __future__ import annotations

import signal
import subprocess
import sys
from pathlib import Path

import pytest
import requests

from devices.eid.emulator import build_card, demo_profile, shared_test_pki
from kiosk.cityclient import CityApiClient
from kiosk.config import CityApiSettings
from tests.harness.cityserver import enrol, insert_card, start_cityserver, write_test_roots

pytestmark = pytest.mark.integration


def cityserver(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "cityserver", *args],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_a_restart_loses_nothing(tmp_path: Path) -> None:
    roots = write_test_roots(tmp_path)
    data = tmp_path / "data"
    first = start_cityserver(data, [roots])
    try:
        token = enrol(first, "kiosk-cli-01")
        settings = CityApiSettings(token_file=tmp_path / "t", catalogue_cache=tmp_path / "c")
        with CityApiClient(settings, first.url, token=token) as client:
            card = insert_card(build_card(demo_profile(), shared_test_pki(), "1.8"))
            session = client.authenticate_citizen(
                card.files, card.sign, card.citizen_ca, terminal_id="kiosk-cli-01"
            )
            document = client.request_document(session, "residence", "fr", "restart-key-1")
    finally:
        first.stop()
    second = start_cityserver(data, [roots])
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


def test_serve_reports_bad_arguments_in_one_line(tmp_path: Path) -> None:
    missing_root = cityserver("serve", "--trust-roots", str(tmp_path / "none.pem"))
    assert missing_root.returncode == 2 and missing_root.stderr.count("\n") == 1
    with requests.Session() as session:  # a port that is taken
        server = start_cityserver(tmp_path / "data")
        try:
            port = server.url.rsplit(":", 1)[1]
            taken = cityserver("serve", "--port", port, "--data", str(tmp_path / "d2"))
            assert taken.returncode == 3 and taken.stderr.count("\n") == 1
            assert session.get(f"{server.url}/v1/status", timeout=5).status_code == 200
        finally:
            server.stop()


def test_fault_control_is_not_part_of_the_contract() -> None:
    contract = (Path(__file__).resolve().parents[2] / "docs" / "openapi.json").read_text()
    assert "/_faults" not in contract


def test_enrolment_codes_come_from_a_file_never_the_command_line(tmp_path: Path) -> None:
    on_the_line = cityserver("serve", "--enrolment-code", "a-secret-code-1")
    assert on_the_line.returncode == 2 and on_the_line.stderr.count("\n") == 1
    missing = cityserver("serve", "--enrolment-codes", str(tmp_path / "none"))
    assert missing.returncode == 2 and missing.stderr.count("\n") == 1
    short = tmp_path / "short"
    short.write_text("# the codes\nkiosk-01 hall long-enough-code-1\nkiosk-02 hall short12\n")
    short.chmod(0o600)
    refused = cityserver("serve", "--enrolment-codes", str(short))
    assert refused.returncode == 2 and refused.stderr.count("\n") == 1
    assert "line 3" in refused.stderr
    assert "short12" not in refused.stderr and "long-enough" not in refused.stderr
    unbound = tmp_path / "unbound"
    unbound.write_text("a-code-for-any-terminal\n")  # the old format: bound to nothing
    unbound.chmod(0o600)
    refused = cityserver("serve", "--enrolment-codes", str(unbound))
    assert refused.returncode == 2 and "TERMINAL_ID LOCATION CODE" in refused.stderr
    assert "a-code-for-any" not in refused.stderr
    both = cityserver("serve", "--enrolment-codes", "-", "--until-stdin-closes")
    assert both.returncode == 2 and both.stderr.count("\n") == 1


def test_enrolment_codes_from_stdin_each_for_its_terminal(tmp_path: Path) -> None:
    server = subprocess.Popen(
        [
            *(sys.executable, "-m", "cityserver", "serve", "--port", "0"),
            *("--data", str(tmp_path), "--enrolment-codes", "-"),
        ],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert server.stdout is not None and server.stdin is not None
        server.stdin.write("kiosk-in-01 hall code-from-stdin-1\n")
        server.stdin.close()
        ready = server.stdout.readline()
        assert ready.startswith("cityserver: serving http://127.0.0.1:"), ready
        url = ready.split()[-1]

        def enrol_as(terminal_id: str) -> requests.Response:
            return requests.post(
                f"{url}/v1/terminals/enrol",
                json={"enrolment_code": "code-from-stdin-1", "terminal_id": terminal_id},
                timeout=5,
            )

        assert enrol_as("kiosk-in-02").status_code == 403
        assert enrol_as("kiosk-in-01").status_code == 201
    finally:
        server.terminate()
        server.wait(timeout=10)


def test_the_enrolment_code_command_makes_a_code_beside_the_running_server(
    tmp_path: Path,
) -> None:
    server = start_cityserver(tmp_path / "data")
    try:
        made = cityserver(
            "enrolment-code", "kiosk-cmd-01", "--location", "hall", "--data", str(tmp_path / "data")
        )
        assert made.returncode == 0, made.stderr
        code = made.stdout.strip()
        assert len(code) >= 16 and code not in made.stderr and "kiosk-cmd-01" in made.stderr
        answer = requests.post(
            f"{server.url}/v1/terminals/enrol",
            json={"enrolment_code": code, "terminal_id": "kiosk-cmd-01"},
            timeout=5,
        )
        assert answer.status_code == 201, answer.text
        assert server.query(
            "SELECT location FROM terminals WHERE terminal_id = 'kiosk-cmd-01'"
        ) == [("hall",)]
    finally:
        server.stop()
    bad_id = cityserver("enrolment-code", "Kiosk 01", "--location", "hall", "--data", str(tmp_path))
    assert bad_id.returncode == 2 and bad_id.stderr.count("\n") == 1
    no_data = cityserver(
        "enrolment-code", "kiosk-01", "--location", "hall", "--data", str(tmp_path / "none")
    )
    assert no_data.returncode == 2 and no_data.stderr.count("\n") == 1


@pytest.mark.parametrize(
    ("content", "where"),
    [
        ("not json at all", ""),
        ('{"national_number": "85073003328"}', ""),  # an object, not a list
        (
            '[{"national_number": "85073003328", "surname": "Secretname", "nationality": "Belge",'
            ' "street_and_number": "Rue X 1", "zip_code": "B-1000", "municipality": "Bruxelles"}]',
            "0.zip_code",
        ),
    ],
)
def test_a_bad_register_file_is_one_line_without_its_content(
    tmp_path: Path, content: str, where: str
) -> None:
    register = tmp_path / "register.json"
    register.write_text(content)
    register.chmod(0o600)
    refused = cityserver(
        "serve", "--port", "0", "--data", str(tmp_path), "--register", str(register)
    )
    assert refused.returncode == 2 and refused.stderr.count("\n") == 1, refused.stderr
    assert "register" in refused.stderr and where in refused.stderr
    for secret in ("85073003328", "Secretname", "B-1000"):
        assert secret not in refused.stderr
    missing = cityserver("serve", "--register", str(tmp_path / "none.json"))
    assert missing.returncode == 2 and missing.stderr.count("\n") == 1


def test_serve_stops_when_stdin_closes_and_warns_of_an_open_codes_file(tmp_path: Path) -> None:
    codes = tmp_path / "codes"
    codes.write_text("# one a line\n\ncli-terminal hall first-code-0001\n")
    codes.chmod(0o644)
    server = subprocess.Popen(
        [
            *(sys.executable, "-m", "cityserver", "serve", "--port", "0"),
            *("--data", str(tmp_path), "--enrolment-codes", str(codes), "--until-stdin-closes"),
        ],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert server.stdout is not None and server.stdin is not None
        ready = server.stdout.readline()
        assert ready.startswith("cityserver: serving http://127.0.0.1:"), ready
        url = ready.split()[-1]
        enrolled = requests.post(
            f"{url}/v1/terminals/enrol",
            json={"enrolment_code": "first-code-0001", "terminal_id": "cli-terminal"},
            timeout=5,
        )
        assert enrolled.status_code == 201, enrolled.text
        server.stdin.close()
        assert server.wait(timeout=10) == 0
        warning = server.stderr.read() if server.stderr else ""
        assert "open to others" in warning and "first-code" not in warning
    finally:
        if server.poll() is None:
            server.kill()
            server.wait()


def test_sigterm_stops_it_gracefully(tmp_path: Path) -> None:
    server = start_cityserver(tmp_path / "data")
    server.process.stop()
    # Shut down in time (else stop() kills it: -SIGKILL), then ended by the signal it got.
    assert server.process.returncode == -signal.SIGTERM


def test_without_the_server_extra_it_says_which_in_one_line(tmp_path: Path) -> None:
    # The interpreter refuses `import fastapi` as if it were not installed.
    probe = "import sys; sys.modules['fastapi'] = None\nfrom cityserver.cli import entry; entry()\n"
    missing = subprocess.run(
        [sys.executable, "-c", probe, "serve", "--data", str(tmp_path)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert missing.returncode == 2 and missing.stderr.count("\n") == 1
    assert "fastapi" in missing.stderr and "brussels-kiosk[server]" in missing.stderr
