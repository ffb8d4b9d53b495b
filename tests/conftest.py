"""Session-scoped fixtures that start real services in a private temporary directory."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from kiosk.display import VirtualDisplay, start_xvfb
from tests.harness.common import require_binary
from tests.harness.cupsd import Cupsd, start_cupsd
from tests.harness.pcscd import Pcscd, start_pcscd

REPO = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("KIOSK_SHARED", REPO.parent / "shared"))


@pytest.fixture(scope="session")
def pcscd(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Pcscd]:
    """pcscd listing "Virtual PCD 00 00" and "00 01"; stopped at the end if we started it."""
    daemon = start_pcscd(tmp_path_factory.mktemp("pcscd"))
    yield daemon
    daemon.stop()


@pytest.fixture(scope="session")
def cupsd() -> Iterator[Cupsd]:
    """A private cupsd with a cups-pdf queue whose output directory the test knows."""
    daemon = start_cupsd()
    yield daemon
    daemon.stop()


@pytest.fixture(scope="session")
def xvfb() -> Iterator[VirtualDisplay]:
    """An Xvfb on a free display; Kivy runs in child processes pointed at it."""
    require_binary("Xvfb", "xvfb")
    display = start_xvfb(1920, 1080)
    yield display
    display.stop()


@pytest.fixture(scope="session")
def shared_reference() -> Path:
    """The project's shared reference folder (specifications, test cards, root CAs)."""
    path = SHARED / "reference"
    if not path.is_dir():
        pytest.fail(
            f"{path} is missing: clone the project next to its shared/ folder", pytrace=False
        )
    return path
