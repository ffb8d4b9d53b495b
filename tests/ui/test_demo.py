"""`kiosk demo --headless` on a machine with no display: under its own Xvfb it plays the
journey in each of its languages and writes every screen, the PDF, the receipt and a summary."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from PIL import Image

from i18n.languages import CODES
from tests.harness.common import require_binary

pytestmark = pytest.mark.ui


SCREENS = (
    "attract",
    "language",
    "insert_card",
    "pin",
    "catalogue",
    "confirm",
    "printing",
    "take_card",
    "thank_you",
)


def test_headless_demo_plays_the_journey_in_every_language(tmp_path: Path) -> None:
    require_binary("Xvfb", "xvfb")
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY")}
    out = tmp_path / "demo"
    result = subprocess.run(
        [sys.executable, "-m", "kiosk.cli", "demo", "--headless", "--out", str(out)],
        env=env,
        capture_output=True,
        text=True,
        timeout=110,
        check=False,
    )
    assert result.returncode == 0, (result.stdout + result.stderr)[-3000:]
    summary = json.loads((out / "summary.json").read_text())
    assert summary["ok"], summary
    assert list(summary["languages"]) == list(CODES)  # all of them by default, in order
    for lang in CODES:
        names = [n for n in summary["screenshots"] if n.startswith(f"{lang}-")]
        # The demo's printer takes a printer's time: the printing screen is seen too.
        for screen in SCREENS:
            assert any(screen in n for n in names), (lang, screen, names)
    image = Image.open(out / summary["screenshots"][0]).convert("RGB")
    assert image.size == (1920, 1080)
    assert len(image.getcolors(maxcolors=100_000) or []) > 10
    assert len(summary["pdfs"]) == len(CODES) and all(
        (out / p).read_bytes()[:5] == b"%PDF-" for p in summary["pdfs"]
    )
    assert Image.open(out / "receipt.png").width > 100
