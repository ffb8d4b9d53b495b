"""`kiosk demo --headless` on a machine with no display: under its own Xvfb it plays the
journey, each of its screens again in high contrast and in large text, then what goes wrong
(by the demo's simulated devices), the idle warning and maintenance, and writes every
picture, the PDF, the receipt and a summary.

The command plays the four languages (156 pictures); this test plays one, German (the
longest words), to keep the suite quick: every language plays the same scenes."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from PIL import Image

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
# Printing may end before its pictures in the other modes are all taken.
STEADY = tuple(screen for screen in SCREENS if screen != "printing")
TROUBLES = (
    "wrong_pin",
    "last_try",
    "card_blocked",
    "foreign_card",
    "unreadable_card",
    "card_pulled_out",
    "city_api_unreachable",
    "printer_unavailable",
    "out_of_service",
    "idle_warning",
    "maintenance_login",
    "maintenance",
)


@pytest.mark.timeout(260)  # about 45 s alone; a loaded machine has taken twice that
def test_headless_demo_plays_the_journey_and_what_goes_wrong(tmp_path: Path) -> None:
    require_binary("Xvfb", "xvfb")
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY")}
    out, docs = tmp_path / "demo", tmp_path / "docs"
    command = ["demo", "--headless", "--out", str(out), "--languages", "de", "--gallery", str(docs)]
    result = subprocess.run(
        [sys.executable, "-m", "kiosk.cli", *command],
        env=env,
        capture_output=True,
        text=True,
        timeout=240,
        check=False,
    )
    assert result.returncode == 0, (result.stdout + result.stderr)[-3000:]
    summary = json.loads((out / "summary.json").read_text())
    assert summary["ok"], summary
    assert list(summary["languages"]) == ["de"]
    pictures = {(p["situation"], p["mode"]): p["file"] for p in summary["pictures"]}
    assert sorted(summary["screenshots"]) == sorted(pictures.values())
    assert all(p["language"] == "de" for p in summary["pictures"])
    # The demo's printer takes a printer's time: the printing screen is seen too.
    wanted = [(s, "normal") for s in (*SCREENS, *TROUBLES)]
    wanted += [(s, mode) for s in STEADY for mode in ("high_contrast", "large_text")]
    missing = [w for w in wanted if w not in pictures]
    assert not missing, (missing, sorted(pictures))  # 37 and more: x 4, the 70 and more

    attract = Image.open(out / pictures["attract", "normal"]).convert("RGB")
    assert attract.size == (1920, 1080)
    assert len(attract.getcolors(maxcolors=100_000) or []) > 10
    assert commonest(out / pictures["pin", "high_contrast"]) == (0, 0, 0)  # black, yellow, white
    assert commonest(out / pictures["pin", "normal"]) == (0xF7, 0xF7, 0xF2)
    # Each trouble has its own picture (no scene pictured the screen of another).
    troubles = [(out / pictures[s, "normal"]).read_bytes() for s in TROUBLES]
    assert len(set(troubles)) == len(TROUBLES)

    assert len(summary["pdfs"]) == 1 and (out / summary["pdfs"][0]).read_bytes()[:5] == b"%PDF-"
    assert Image.open(out / "receipt.png").width > 100
    page = (docs / "screens.md").read_text()
    shown = {p.name for p in (docs / "screenshots").glob("*.png")}
    assert shown == {*pictures.values(), "receipt.png"}
    assert all(f"(screenshots/{name})" in page for name in shown)


def commonest(path: Path) -> tuple[int, ...]:
    image = Image.open(path).convert("RGB")
    return tuple(max(image.getcolors(maxcolors=1 << 20) or [])[1])
