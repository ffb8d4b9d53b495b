"""The README's "From a clone to a real terminal", followed as written: its shell blocks run
in order in one shell (test PKI, reference server, tmpfs, cups-pdf queue, configuration,
enrolment, the card emulator as a process, `kiosk eid read`), then `kiosk run --window`
serves a citizen by touches and stops cleanly on SIGTERM. In a private mount and network
namespace (tests/harness/readme_walk.sh), with the machine's pcscd, cupsd and display as a
Debian desk has them."""

from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path

import pytest

from tests.harness.common import require_binary

pytestmark = [pytest.mark.integration, pytest.mark.ui]

REPO = Path(__file__).resolve().parents[2]
SECTION = "## From a clone to a real terminal"


def readme_blocks() -> list[str]:
    text = (REPO / "README.md").read_text()
    start = text.index(SECTION)
    end = text.index("\n## ", start + len(SECTION))
    return re.findall(r"```sh\n(.*?)```", text[start:end], re.S)


def test_the_readme_section_has_every_step_as_a_command() -> None:
    commands = "\n".join(readme_blocks())
    for step in (
        "make setup",
        "KIOSK_TEST_PKI",
        "python -m devices.eid.emulator --write-roots",
        "cityserver serve",
        "mount -t tmpfs",
        "lpadmin",
        "cat > kiosk.toml",
        "kiosk cityapi enrol",
        "python -m devices.eid.emulator --applet",
    ):
        assert step in commands, step


def test_following_the_readme_section_serves_a_citizen(tmp_path: Path) -> None:
    for binary, package in (
        ("pcscd", "pcscd"),
        ("cupsd", "cups"),
        ("lpadmin", "cups-client"),
        ("Xvfb", "xvfb"),
        ("unshare", "util-linux"),
        ("ip", "iproute2"),
    ):
        require_binary(binary, package)
    if os.geteuid() != 0:
        pytest.fail("following the README needs root (mounts, pcscd, lpadmin)", pytrace=False)
    blocks = tmp_path / "readme-blocks.sh"
    blocks.write_text("\n".join(readme_blocks()))
    home = tmp_path / "home"
    home.mkdir()
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "KIOSK_CONFIG")}
    env.pop("KIOSK_TEST_PKI", None)
    done = subprocess.run(
        [
            "unshare",
            "--mount",
            "--net",
            "bash",
            str(REPO / "tests/harness/readme_walk.sh"),
            str(blocks),
            str(home),
            str(REPO / "tests/harness/readme_play.py"),
        ],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=240,
        check=False,
    )
    state = home / ".state"
    log = (state / "kiosk.log").read_text() if (state / "kiosk.log").exists() else ""
    report = f"{done.stdout[-3000:]}\n{done.stderr[-3000:]}\n--- kiosk log\n{log[-2000:]}"
    assert done.returncode == 0, report
    out = done.stdout
    assert "enrolled as kiosk-01" in out, report
    assert "rrn chain: True" in out, report  # kiosk eid read checked the card's chain
    assert "screen: take_card" in out, report
    assert "kiosk run exit 0" in out, report
    assert "PDFs: 1" in out, report  # printed by the README's cups-pdf queue
    assert "stopped on SIGTERM" in log and "cleanly" in log, report
