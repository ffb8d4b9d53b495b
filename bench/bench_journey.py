"""A citizen's journey through the demo runtime, with no think time: card in → certificate
printed and receipt sent. Target: at most 2 s on loopback.

Baseline, measured in the same run against the same city server (the demo's child process):
a bare script making the same card, city API and printer calls in a row (read, PIN,
authenticate, catalogue, request + download, print, receipt) with no session machine, workers
or events. The ratio shows what the runtime's plumbing costs. Also RSS, before and after the
journeys (a growing RSS across journeys would point at something of the citizens kept behind).
"""

from __future__ import annotations

import contextlib
import datetime
import queue
import resource
import statistics
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from msgspec.structs import replace

from devices.eid.card import BelpicCard
from devices.eid.card_session import CITIZEN_CA_CERTIFICATE
from devices.eid.emulator import BelpicApplet, SimReader
from devices.eid.reader import read_eid
from devices.eid.simulated import SimulatedTransport
from devices.printing import print_pdf
from kiosk.config import Settings
from kiosk.wiring import KioskRuntime, SimulatedDemo, build_demo_runtime
from kiosk.wiring.api import fetch_document
from kiosk.wiring.devices import test_pki_roots, trust_roots
from kiosk.wiring.receipt_content import receipt_in
from session import events as ev
from session.states import State

JOURNEYS = 10
WARMUP = 2
TIMEOUT_S = 20.0
TARGET_S = 2.0


def _rss_mb() -> float:
    with open("/proc/self/statm") as statm:
        pages = int(statm.read().split()[1])
    return pages * resource.getpagesize() / 1e6


class _Ui:
    def __init__(self, runtime: KioskRuntime) -> None:
        self.runtime = runtime
        self.jobs: queue.SimpleQueue[Callable[[], None]] = queue.SimpleQueue()

    def drain(self, until: Callable[[], bool]) -> None:
        end = time.monotonic() + TIMEOUT_S
        while not until():
            if time.monotonic() > end:
                raise RuntimeError(f"journey stuck in {self.runtime.machine.state.value}")
            with contextlib.suppress(queue.Empty):
                self.jobs.get(timeout=0.002)()


def _journey(ui: _Ui, demo: SimulatedDemo) -> float:
    runtime = ui.runtime
    runtime.dispatch(ev.Touch())
    runtime.dispatch(ev.ChooseLanguage("fr"))
    receipts = demo.receipt_count()
    started = time.perf_counter()
    demo.insert_card()
    ui.drain(lambda: runtime.machine.state is State.PIN)
    runtime.submit_pin(bytearray(b"1234"))
    ui.drain(lambda: runtime.machine.state is State.CATALOGUE)
    runtime.dispatch(ev.ChooseDocument("residence"))
    runtime.dispatch(ev.Confirm())
    ui.drain(lambda: runtime.machine.state is State.TAKE_CARD and demo.receipt_count() > receipts)
    elapsed = time.perf_counter() - started
    demo.remove_card()
    ui.drain(lambda: runtime.machine.state is State.THANK_YOU)
    runtime.dispatch(ev.Touch())
    ui.drain(lambda: runtime.machine.state is State.ATTRACT)
    return elapsed


def _bare(runtime: KioskRuntime, demo: SimulatedDemo, folder: Path) -> float:
    """The same calls, in a row, on this thread."""
    devices = runtime.devices
    roots = trust_roots(runtime.settings, *test_pki_roots())
    started = time.perf_counter()
    card = BelpicCard(SimulatedTransport(SimReader(BelpicApplet(demo.card, "1234"))))
    read = read_eid(card, roots)
    ca = card.read_file(CITIZEN_CA_CERTIFICATE, der=True)
    card.verify_pin(bytearray(b"1234"))
    session = devices.api.authenticate_citizen(
        read.files,
        card.sign_challenge,
        bytes(ca) if ca else None,
        terminal_id=runtime.settings.terminal.id,
    )
    devices.api.catalogue()
    fetched = fetch_document(
        devices.api,
        bytearray(session.citizen_token.encode()),
        "residence",
        "fr",
        folder,
        deadline=time.monotonic() + TIMEOUT_S,
        cancelled=threading.Event(),
    )
    pdf = folder / "bare.pdf"
    pdf.write_bytes(fetched.data)
    print_pdf(devices.document_printer, pdf, session_id="bare", timeout=TIMEOUT_S)
    devices.receipt_printer.print_receipt(
        receipt_in(
            "fr",
            document_name="Certificat de résidence",
            issued_at=datetime.datetime.now().astimezone(),
            terminal_id="bench",
            reference=fetched.status.document_id,
            verification_code=fetched.status.verification_code or "-",
            verification_url=fetched.status.verification_url or "",
        )
    )
    elapsed = time.perf_counter() - started
    pdf.unlink()
    read.files.zero()
    return elapsed


def main() -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="bench-journey-") as tmp:
        base = Path(tmp)
        settings = Settings()
        settings = replace(settings, session=replace(settings.session, tmpfs_dir=base / "tmpfs"))
        rss_before_build = _rss_mb()
        runtime = build_demo_runtime(settings, base / "work", tick_s=None, printer_poll_s=None)
        demo = runtime.demo
        assert isinstance(demo, SimulatedDemo)
        ui = _Ui(runtime)
        runtime.start(ui.jobs.put)
        try:
            bare_dir = base / "bare"
            bare_dir.mkdir()
            for _ in range(WARMUP):
                _journey(ui, demo)
                _bare(runtime, demo, bare_dir)
            rss_start = _rss_mb()
            timings, baselines = [], []
            for _ in range(JOURNEYS):
                timings.append(_journey(ui, demo))
                baselines.append(_bare(runtime, demo, bare_dir))
            rss_end = _rss_mb()
        finally:
            runtime.stop()
    journey, bare = statistics.median(timings), statistics.median(baselines)
    return {
        "journeys": JOURNEYS,
        "journey_median_s": round(journey, 4),
        "journey_max_s": round(max(timings), 4),
        "baseline_median_s": round(bare, 4),
        "ratio": round(journey / bare, 2),
        "target_s": TARGET_S,
        "within_target": max(timings) <= TARGET_S,
        "rss_mb_before_build": round(rss_before_build, 1),
        "rss_mb_after_warmup": round(rss_start, 1),
        "rss_mb_after_journeys": round(rss_end, 1),
        "max_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1e3, 1),
    }


if __name__ == "__main__":
    print(main())
