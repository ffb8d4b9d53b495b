"""kiosk.service passes systemd's own verification."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

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
