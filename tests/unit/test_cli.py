"""The `kiosk` command: help, version, documented exit codes, never a traceback."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from kiosk import __version__
from kiosk.cli import main

SUBCOMMANDS = [
    "run",
    "demo",
    "eid",
    "print",
    "receipt",
    "health",
    "doctor",
    "provision",
    "maintenance",
    "cityapi",
    "animator",
]


def kiosk(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "kiosk.cli", *args],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_help_lists_every_subcommand_with_one_line() -> None:
    result = kiosk("--help")
    assert result.returncode == 0
    for name in SUBCOMMANDS:
        assert any(line.strip().startswith(name + " ") for line in result.stdout.splitlines()), name


def test_version_is_the_package_version(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as caught:
        main(["--version"])
    assert caught.value.code == 0
    assert capsys.readouterr().out.strip() == f"kiosk {__version__}"


def test_no_subcommand_prints_help_and_exits_2(capsys: pytest.CaptureFixture[str]) -> None:
    assert main([]) == 2
    assert "COMMAND" in capsys.readouterr().out


def test_an_unknown_subcommand_is_one_line_and_exit_2() -> None:
    result = kiosk("fly")
    assert result.returncode == 2
    assert len(result.stderr.strip().splitlines()) == 1
    assert "Traceback" not in result.stderr


def test_a_bad_config_file_is_one_line_naming_file_and_key(tmp_path: Path) -> None:
    bad = tmp_path / "kiosk.toml"
    bad.write_text("[receipt]\ntimeout = 'long'\n")
    result = kiosk("--config", str(bad), "demo", "--headless", "--out", str(tmp_path))
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1
    assert str(bad) in lines[0] and "receipt.timeout" in lines[0]
    assert "Traceback" not in result.stderr


def test_a_capability_not_landed_yet_says_so_in_one_line() -> None:
    result = kiosk("animator", "rooms")
    assert result.returncode == 2
    assert result.stderr.strip() == "kiosk: 'kiosk animator' is not available yet in this version"
