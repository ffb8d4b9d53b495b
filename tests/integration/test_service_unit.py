"""kiosk.service passes systemd's own verification, gives the kiosk's clean stop its time, and
holds the session's default folder on a tmpfs."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from kiosk.config import SessionSettings
from kiosk.stop_signals import EXIT_GRACE_S, LIMIT_S, SIGNALS
from tests.harness.common import require_binary

pytestmark = pytest.mark.integration

REPO = Path(__file__).resolve().parents[2]
INSTALLED_PATH = "/opt/kiosk/.venv/bin/kiosk"


def test_the_unit_passes_systemd_analyze_verify(tmp_path: Path) -> None:
    analyze = require_binary("systemd-analyze", "systemd")
    text = (REPO / "kiosk.service").read_text()
    assert f"ExecStart={INSTALLED_PATH} run" in text
    # verify checks that ExecStart exists: point it at this checkout's kiosk script.
    local = Path(sys.executable).with_name("kiosk")
    unit = tmp_path / "kiosk.service"
    unit.write_text(text.replace(INSTALLED_PATH, str(local)))
    result = subprocess.run(
        [analyze, "verify", str(unit)], capture_output=True, text=True, timeout=60, check=False
    )
    problems = [line for line in result.stderr.splitlines() if "kiosk.service" in line]
    assert result.returncode == 0 and not problems, result.stderr


def unit_settings() -> dict[str, str]:
    text = (REPO / "kiosk.service").read_text()
    found: dict[str, str] = {}
    for line in text.splitlines():
        key, sep, value = line.partition("=")
        if sep and not line.startswith("#"):
            found[key.strip()] = value.strip()
    return found


def test_systemd_stops_the_kiosk_with_a_signal_it_handles_and_waits_for_its_guard() -> None:
    unit = unit_settings()
    assert unit.get("KillSignal", "SIGTERM") in {s.name for s in SIGNALS}
    assert unit["KillMode"] == "mixed"  # the signal to the kiosk alone, SIGKILL to the rest after
    # The kiosk's own guard ends it before SIGKILL: the stop's limit, then the exit's grace.
    assert float(unit["TimeoutStopSec"]) > LIMIT_S + EXIT_GRACE_S


def test_the_default_session_folder_is_in_the_units_runtime_directory() -> None:
    """systemd makes /run/<RuntimeDirectory> on /run, a tmpfs: `kiosk run` accepts it."""
    unit = unit_settings()
    runtime = Path("/run") / unit["RuntimeDirectory"]
    assert SessionSettings().tmpfs_dir.is_relative_to(runtime)
