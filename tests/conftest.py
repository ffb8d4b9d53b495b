"""Session-scoped fixtures that start real services in a private temporary directory, and how
a randomised test tells how to reproduce its failure."""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Callable, Iterator
from functools import partial
from pathlib import Path
from typing import Any

import pytest
from hypothesis import settings

import devices.printing  # noqa: F401  (escpos learns its cache folder before a test imports it)
from devices.eid.emulator.applet import BelpicApplet
from devices.eid.emulator.vpcd import VirtualCard
from kiosk.display import VirtualDisplay, start_xvfb
from tests.harness.common import require_binary, wait_until
from tests.harness.cupsd import Cupsd, start_cupsd
from tests.harness.pcscd import VPCD_PORTS, VPCD_READERS, Pcscd, card_present, start_pcscd

# Property-based tests (hypothesis, and schemathesis on top of it) draw new examples at every
# run (derandomize stays off). A failure prints its minimal example, the decorator that
# replays it exactly (print_blob) and, from the hook below, the seed that reproduces the run.
settings.register_profile("kiosk", print_blob=True, derandomize=False)
settings.load_profile("kiosk")


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Iterator[None]:
    outcome = yield
    report: pytest.TestReport = outcome.get_result()  # type: ignore[attr-defined]
    test = getattr(item, "obj", None)
    seed = getattr(test, "_hypothesis_internal_use_generated_seed", None)
    if report.when == "call" and report.failed and seed is not None:
        report.sections.append(
            ("hypothesis seed", f"reproduce: pytest --hypothesis-seed={seed} '{item.nodeid}'")
        )


@pytest.fixture(scope="session")
def pcscd(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Pcscd]:
    """pcscd listing "Virtual PCD 00 00" and "00 01"; stopped at the end if we started it."""
    daemon = start_pcscd(tmp_path_factory.mktemp("pcscd"))
    yield daemon
    daemon.stop()


InsertCard = Callable[..., VirtualCard]


@pytest.fixture
def insert_card(pcscd: Pcscd) -> Iterator[InsertCard]:
    """Put emulated cards in vpcd readers (pcscd sees them present); all removed at teardown.

    `insert_card(applet, reader=VPCD_READERS[0], **options)` returns the VirtualCard, whose
    `remove()` and `insert()` pull the card out and put it back.
    """
    cards: list[tuple[VirtualCard, str]] = []

    def insert(applet: BelpicApplet, reader: str = VPCD_READERS[0], **options: Any) -> VirtualCard:
        card = VirtualCard(
            applet,
            port=VPCD_PORTS[reader],
            connect=lambda: pcscd.connect_emulator(reader),
            **options,
        )
        card.insert()
        cards.append((card, reader))
        wait_until(lambda: card_present(reader), 10, f"pcscd to see the card in {reader}")
        return card

    yield insert
    for card, _reader in cards:
        card.close()
    for reader in {reader for _card, reader in cards}:
        wait_until(partial(reader_is_empty, reader), 10, f"{reader} to be empty")


def reader_is_empty(reader: str) -> bool:
    return not card_present(reader)


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


@pytest.fixture
def tmpfs_dir() -> Iterator[Path]:
    """A fresh folder under /dev/shm (a tmpfs) for `session.tmpfs_dir`: `kiosk run` refuses a
    folder that is not on a tmpfs. Removed after the test."""
    shm = Path("/dev/shm")
    assert shm.is_dir(), "/dev/shm (a tmpfs) is missing: kiosk run needs a tmpfs in tests"
    folder = Path(tempfile.mkdtemp(prefix="kiosk-test-", dir=shm))
    yield folder / "session"
    shutil.rmtree(folder, ignore_errors=True)
