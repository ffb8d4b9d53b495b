"""`kiosk cityapi ...` as IT uses it on a terminal: ping, enrol, catalogue, against the reference
server over HTTP; every failure one line and a documented exit code."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from tests.harness.cityserver import enrolment_code, start_cityserver

pytestmark = pytest.mark.integration


def kiosk(
    *args: str, config: Path | None = None, stdin: str = ""
) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "kiosk.cli"]
    if config is not None:
        command += ["--config", str(config)]
    return subprocess.run(
        [*command, *args], input=stdin, capture_output=True, text=True, timeout=60, check=False
    )


def test_ping_enrol_and_catalogue_from_the_command_line(tmp_path: Path) -> None:
    server = start_cityserver(tmp_path / "data")
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
        code = enrolment_code(server, "kiosk-cli-02")
        on_the_line = kiosk("cityapi", "enrol", code, config=config)
        assert on_the_line.returncode == 2 and on_the_line.stderr.count("\n") == 1
        assert code not in on_the_line.stderr  # refused, and not echoed to the screen either
        nothing = kiosk("cityapi", "enrol", config=config)
        assert nothing.returncode == 2 and "no enrolment code" in nothing.stderr
        other = enrolment_code(server, "kiosk-cli-other")
        wrong_terminal = kiosk("cityapi", "enrol", config=config, stdin=other + "\n")
        assert wrong_terminal.returncode == 5 and wrong_terminal.stderr.count("\n") == 1
        assert other not in wrong_terminal.stderr
        # A token for another id than terminal.id: the city would refuse every citizen here.
        elsewhere = kiosk(
            "cityapi", "enrol", "--terminal-id", "kiosk-cli-other", config=config, stdin=other
        )
        assert elsewhere.returncode == 2 and "terminal.id" in elsewhere.stderr
        assert elsewhere.stderr.count("\n") == 1
        enrolled = kiosk("cityapi", "enrol", config=config, stdin=f"\n{code}\n")
        assert enrolled.returncode == 0, enrolled.stderr
        assert code not in enrolled.stdout
        token = (tmp_path / "token").read_text().strip()
        assert token not in enrolled.stdout + enrolled.stderr
        code_file = tmp_path / "code"
        code_file.write_text(code + "\n")
        spent = kiosk("cityapi", "enrol", "--code-file", str(code_file), config=config)
        assert spent.returncode == 4 and spent.stderr.count("\n") == 1
        assert code not in spent.stderr
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


def test_city_it_makes_codes_and_animators_with_its_token_from_a_private_file(
    tmp_path: Path,
) -> None:
    server = start_cityserver(tmp_path / "data")
    try:
        config = tmp_path / "kiosk.toml"
        config.write_text(
            f'[terminal]\nid = "kiosk-cli-03"\n[cityapi]\nurl = "{server.url}"\n'
            f'token_file = "{tmp_path / "token"}"\ncatalogue_cache = "{tmp_path / "c.json"}"\n'
        )
        admin = tmp_path / "admin-token"
        admin.write_text(server.admin_token + "\n")
        admin.chmod(0o644)
        admin_args = ("cityapi", "admin", "--admin-token-file", str(admin))
        code_args = ("enrolment-code", "kiosk-cli-03", "--location", "hall")
        open_file = kiosk(*admin_args, *code_args, config=config)
        assert open_file.returncode == 2 and "open to others" in open_file.stderr
        admin.chmod(0o600)
        made = kiosk(*admin_args, *code_args, config=config)
        assert made.returncode == 0, made.stderr
        code = made.stdout.strip()
        assert code and code not in made.stderr and server.admin_token not in made.stderr
        enrolled = kiosk("cityapi", "enrol", config=config, stdin=code)
        assert enrolled.returncode == 0, enrolled.stderr
        animator = kiosk(
            *admin_args,
            "animator",
            "anna",
            "--name",
            "Anna",
            "--location",
            "epn-marolles",
            config=config,
        )
        assert animator.returncode == 0, animator.stderr
        assert "epn-marolles" in animator.stderr and animator.stdout.strip()
        terminal_token = tmp_path / "terminal-as-admin"
        terminal_token.write_text((tmp_path / "token").read_text())
        terminal_token.chmod(0o600)
        as_terminal = kiosk(
            "cityapi",
            "admin",
            "--admin-token-file",
            str(terminal_token),
            *code_args,
            config=config,
        )
        assert as_terminal.returncode == 5 and as_terminal.stderr.count("\n") == 1
    finally:
        server.stop()


def test_without_a_url_the_client_commands_say_so_in_one_line(tmp_path: Path) -> None:
    empty = tmp_path / "empty.toml"
    empty.write_text("")
    no_url = kiosk("cityapi", "ping", config=empty)
    assert no_url.returncode == 2 and "cityapi.url" in no_url.stderr
