"""`kiosk demo` on a machine with no display: it runs under Xvfb and shows its first screen."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from PIL import Image

from tests.harness.common import require_binary

pytestmark = pytest.mark.ui


def test_demo_without_a_display_photographs_the_first_screen(tmp_path: Path) -> None:
    require_binary("Xvfb", "xvfb")
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY")}
    result = subprocess.run(
        [sys.executable, "-m", "kiosk.cli", "demo", "--out", str(tmp_path)],
        env=env,
        capture_output=True,
        text=True,
        timeout=90,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    shot = tmp_path / "attract.png"
    assert f"saved to {shot}" in result.stdout
    image = Image.open(shot).convert("RGB")
    assert image.size == (1920, 1080)
    # Something was drawn on the background: the title and the invitations.
    assert len(image.getcolors(maxcolors=100_000) or []) > 10
