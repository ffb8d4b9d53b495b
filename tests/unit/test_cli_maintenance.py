"""`kiosk maintenance code`: city IT set the maintenance code; only its hash is kept, the rest of
the configuration file is left as it was, and a bad code or file changes nothing."""

from __future__ import annotations

import fcntl
import os
import re
import select
import subprocess
import sys
import termios
import time
from pathlib import Path

import pytest

from kiosk.config import load_settings
from kiosk.maintenance_pin import check_maintenance_pin

CONFIG = """\
# Terminal 12, Anspach: provisioned by city IT.
[terminal]
id = "bxl-anspach-12"  # the name on the fleet dashboard

[ui]
# Dutch speakers are the majority at this counter.
large_text = true
maintenance_lockout = 600.0
"""
HASH_LINE = re.compile(r'^maintenance_pin_hash = "(\$argon2id\$[^"]+)"$')


def kiosk(*args: str, code: str | None = None) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != "KIOSK_CONFIG"}
    return subprocess.run(
        [sys.executable, "-m", "kiosk.cli", *args],
        input=code,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
        env=env,
    )


@pytest.fixture
def config(tmp_path: Path) -> Path:
    path = tmp_path / "kiosk.toml"
    path.write_text(CONFIG)
    path.chmod(0o640)
    return path


def test_without_write_it_prints_the_line_for_ui() -> None:
    result = kiosk("maintenance", "code", code="24681357\n")
    assert result.returncode == 0, result.stderr
    found = HASH_LINE.match(result.stdout.strip())
    assert found, result.stdout
    assert check_maintenance_pin(b"24681357", found.group(1))
    assert not check_maintenance_pin(b"24681358", found.group(1))
    assert "24681357" not in result.stdout + result.stderr


def test_write_sets_the_hash_and_keeps_the_rest_of_the_file(config: Path) -> None:
    result = kiosk("--config", str(config), "maintenance", "code", "--write", code="975310\n")
    assert result.returncode == 0, result.stderr
    assert result.stdout.count("\n") == 1 and str(config) in result.stdout
    settings = load_settings(config)
    assert check_maintenance_pin(b"975310", settings.ui.maintenance_pin_hash)
    assert settings.ui.large_text and settings.ui.maintenance_lockout == 600.0
    assert settings.terminal.id == "bxl-anspach-12"
    text = config.read_text()
    assert text.startswith(CONFIG.rstrip("\n"))  # comments, order and values as they were
    assert "975310" not in text
    assert config.stat().st_mode & 0o777 == 0o640
    assert not result.stderr  # not readable by everyone: no warning
    assert [p.name for p in config.parent.iterdir()] == ["kiosk.toml"]  # no temporary left


def test_write_replaces_an_earlier_hash_and_adds_ui_when_missing(tmp_path: Path) -> None:
    path = tmp_path / "kiosk.toml"
    path.write_text('[terminal]\nid = "t1"\n')
    path.chmod(0o644)
    write = ("--config", str(path), "maintenance", "code", "--write")
    result = kiosk(*write, code="111111\n")
    assert result.returncode == 0
    assert result.stderr == f"kiosk: warning: everyone can read {path}; chmod o-r it\n"
    first = load_settings(path).ui.maintenance_pin_hash
    assert kiosk(*write, code="222222\n").returncode == 0
    second = load_settings(path).ui.maintenance_pin_hash
    assert check_maintenance_pin(b"111111", first) and not check_maintenance_pin(b"111111", second)
    assert check_maintenance_pin(b"222222", second)
    assert path.read_text().count("maintenance_pin_hash") == 1


def test_a_configuration_behind_a_symbolic_link_stays_behind_it(config: Path) -> None:
    link = config.parent / "current.toml"
    link.symlink_to(config.name)
    result = kiosk("--config", str(link), "maintenance", "code", "--write", code="135792\n")
    assert result.returncode == 0, result.stderr
    assert link.is_symlink()
    assert check_maintenance_pin(b"135792", load_settings(config).ui.maintenance_pin_hash)


# Full-width digits are digits to Python (str.isdigit), not to the pad.
@pytest.mark.parametrize(
    "code",
    ["12345", "1234567890123", "12345a", "", "\uff11\uff12\uff13\uff14\uff15\uff16", "12 345"],
)
def test_a_code_that_is_not_6_to_12_digits_changes_nothing(config: Path, code: str) -> None:
    result = kiosk("--config", str(config), "maintenance", "code", "--write", code=code + "\n")
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [
        "kiosk: the maintenance code must be 6 to 12 digits (the maintenance screen has a digit "
        "pad); nothing was changed"
    ]
    assert config.read_text() == CONFIG


def test_an_invalid_configuration_is_refused_as_it_stands(config: Path) -> None:
    broken = CONFIG.replace("large_text = true", "large_txt = true")
    config.write_text(broken)
    result = kiosk("--config", str(config), "maintenance", "code", "--write", code="246813\n")
    assert result.returncode == 2
    assert len(result.stderr.strip().splitlines()) == 1
    assert "ui.large_txt" in result.stderr
    assert config.read_text() == broken


def test_a_missing_or_unreadable_file_is_one_line(tmp_path: Path) -> None:
    missing = tmp_path / "nowhere.toml"
    result = kiosk("--config", str(missing), "maintenance", "code", "--write", code="246813\n")
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [
        f"kiosk: {missing}: configuration file not found; nothing was changed"
    ]
    assert not missing.exists()
    not_toml = tmp_path / "kiosk.toml"
    not_toml.write_text("[ui\n")
    result = kiosk("--config", str(not_toml), "maintenance", "code", "--write", code="246813\n")
    assert result.returncode == 2 and "not valid TOML" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def _on_a_terminal(args: list[str], answers: list[str]) -> tuple[int, str]:
    """Run `kiosk` with a pseudo-terminal as its controlling terminal (getpass reads /dev/tty)
    and type `answers` at its prompts."""
    leader, follower = os.openpty()

    def take_terminal() -> None:
        os.setsid()
        fcntl.ioctl(0, termios.TIOCSCTTY, 0)

    child = subprocess.Popen(
        [sys.executable, "-m", "kiosk.cli", *args],
        stdin=follower,
        stdout=follower,
        stderr=follower,
        preexec_fn=take_terminal,
        env={k: v for k, v in os.environ.items() if k != "KIOSK_CONFIG"},
    )
    os.close(follower)
    seen = b""
    deadline = time.monotonic() + 30
    for answer in answers:
        prompt = b""
        while not prompt.rstrip().endswith(b":"):
            prompt += _read(leader, deadline)
        seen += prompt
        os.write(leader, answer.encode() + b"\n")
    while chunk := _read(leader, deadline):
        seen += chunk
    code = child.wait(timeout=30)
    os.close(leader)
    return code, seen.decode(errors="replace")


def _read(leader: int, deadline: float) -> bytes:
    """What the child wrote next; b"" once it has closed the terminal."""
    ready, _, _ = select.select([leader], [], [], max(0.0, deadline - time.monotonic()))
    assert ready, "the command stopped answering"
    try:
        return os.read(leader, 4096)
    except OSError:  # EIO: the child has exited and closed the terminal
        return b""


def test_on_a_terminal_the_code_is_asked_twice_and_never_shown(config: Path) -> None:
    code, shown = _on_a_terminal(
        ["--config", str(config), "maintenance", "code", "--write"], ["864200", "864200"]
    )
    assert code == 0, shown
    assert "New maintenance code (6 to 12 digits)" in shown and "again" in shown
    assert "864200" not in shown  # no echo
    assert check_maintenance_pin(b"864200", load_settings(config).ui.maintenance_pin_hash)


def test_on_a_terminal_two_different_codes_change_nothing(config: Path) -> None:
    code, shown = _on_a_terminal(
        ["--config", str(config), "maintenance", "code", "--write"], ["864200", "864201"]
    )
    assert code == 2
    assert "the two codes differ; nothing was changed" in shown
    assert config.read_text() == CONFIG


def test_on_a_terminal_ctrl_d_changes_nothing(config: Path) -> None:
    code, shown = _on_a_terminal(
        ["--config", str(config), "maintenance", "code", "--write"], ["\x04"]
    )
    assert code == 2
    assert "no code was given; nothing was changed" in shown
    assert "Traceback" not in shown
    assert config.read_text() == CONFIG
