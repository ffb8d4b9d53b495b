"""The drills' rig: one set of real services for the whole suite, and one `kiosk run` process
reused by every drill that does not restart it (the next citizen of one drill is the start of
the next)."""

from __future__ import annotations

import contextlib
import time
from collections.abc import Iterator

import pytest

from kiosk.display import VirtualDisplay
from tests.drills.citizen import SHOTS, _, shows
from tests.harness.cupsd import Cupsd
from tests.harness.escpos_printer import Behaviour
from tests.harness.kiosk_process import KioskProcess, Rig, make_rig
from tests.harness.pcscd import Pcscd, card_present


@pytest.fixture(scope="session")
def rig(
    tmp_path_factory: pytest.TempPathFactory, pcscd: Pcscd, cupsd: Cupsd, xvfb: VirtualDisplay
) -> Iterator[Rig]:
    made = make_rig(tmp_path_factory.mktemp("drills"), pcscd, cupsd)
    made.log_dir = SHOTS
    made.display = xvfb.display
    yield made
    made.stop()


@pytest.fixture
def kiosk(rig: Rig) -> Iterator[KioskProcess]:
    """The running kiosk (started when there is none, or the last one ended); after the drill,
    every fault mended and the kiosk back at rest (or, stuck, ended: the next drill starts a
    new one)."""
    running = rig.kiosk
    if running is None or running.process.poll() is not None:
        running = KioskProcess(rig, rig.display, f"k{len(rig.logs)}")
    yield running
    mend_everything(rig)
    back_to_rest(rig)


def mend_everything(rig: Rig) -> None:
    rig.printer.behaviour = Behaviour.ONLINE
    if rig.cupsd.process.poll() is not None:
        rig.cupsd.start_daemon()
    rig.cupsd.run("cupsenable", rig.cupsd.queue)
    rig.cupsd.run("lpadmin", "-p", rig.cupsd.queue, "-o", "job-hold-until-default=no-hold")
    if rig.server.process.returncode is not None:
        rig.start_server()
    rig.server.clear_faults()


def back_to_rest(rig: Rig) -> None:
    kiosk = rig.kiosk
    if kiosk is None or kiosk.process.poll() is not None:
        if card_present(rig.card.reader):
            rig.card.remove()  # a new kiosk would take a card left in for a new citizen
        return
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        screen = kiosk.screen()
        if screen.get("state") == "attract" and not card_present(rig.card.reader):
            return
        if card_present(rig.card.reader):
            rig.card.remove()
        for way_out in (_("Give my card back"), _("Stop")):
            if shows(screen, way_out):
                with contextlib.suppress(AssertionError):
                    kiosk.touch(way_out)
                break
        time.sleep(1)
    kiosk.kill()  # stuck: the next drill starts a new kiosk (which wipes what this one left)
