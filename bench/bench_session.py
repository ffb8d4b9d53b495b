"""Session wipe time and memory over many journeys.

- wipe without printing: `Wiper.wipe` of a session (holder + a tmpfs directory with the
  document and a photo) against a bare `shutil.rmtree` of the same directory (target <= 100 ms);
- wipe with a CUPS purge: the same plus one held job purged from a private cupsd, against
  rmtree plus a bare pycups cancel (target <= 300 ms);
- RSS after 1,000 virtual journeys against after 10 (target: growth <= 2 MB).
"""

from __future__ import annotations

import contextlib
import gc
import shutil
import statistics
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from devices.eid.emulator.cardfiles import canary_profile
from i18n.languages import CODES
from session.effects import Wipe, WipeReason
from session.holder import CitizenData
from session.machine import SessionMachine
from session.timers import ManualClock, TimerPolicy
from session.wipe import Wiper, prepare_session_dir
from session.workspace import new_session_id, session_dir
from tests.harness.virtual_citizen import (
    SCENARIOS,
    SimulatedPrinter,
    SimulatedSpool,
    VirtualCitizen,
    VirtualKiosk,
    citizen_document,
    virtual_eid,
)

ROUNDS = 30


def _rss_kib() -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise RuntimeError("no VmRSS in /proc/self/status")


def _session(root: Path, n: int) -> tuple[CitizenData, Path]:
    profile = canary_profile(n)
    holder = CitizenData()
    holder.keep_card_read(virtual_eid(profile))
    holder.keep_document(citizen_document(profile, "residence") * 200)  # ~20 KB
    directory = prepare_session_dir(session_dir(root, new_session_id()))
    (directory / "document.txt").write_bytes(holder.document)
    (directory / "photo.jpg").write_bytes(holder.photo)
    return holder, directory


def _median_ms(samples: list[float]) -> float:
    return round(statistics.median(samples) * 1000, 3)


def bench_wipe_without_printing(root: Path) -> dict[str, float]:
    wiper = Wiper()
    ours, baseline = [], []
    for n in range(ROUNDS):
        holder, directory = _session(root, n)
        started = time.perf_counter()
        wiper.wipe(Wipe(WipeReason.COMPLETED, directory), holder)
        ours.append(time.perf_counter() - started)
        _holder, other = _session(root, n)
        started = time.perf_counter()
        shutil.rmtree(other)
        baseline.append(time.perf_counter() - started)
    return {
        "wipe_ms": _median_ms(ours),
        "baseline_rmtree_ms": _median_ms(baseline),
        "ratio": round(statistics.median(ours) / statistics.median(baseline), 2),
    }


class _CupsSpool:
    def __init__(self, socket: Path) -> None:
        self.socket = socket

    def _connection(self) -> Any:
        import cups

        cups.setServer(str(self.socket))
        return cups.Connection()

    def submit_held(self, path: Path, queue: str) -> int:
        options = {"job-hold-until": "indefinite"}
        return int(self._connection().printFile(queue, str(path), "kiosk residence", options))

    def purge(self, job_ids: Sequence[int]) -> None:
        import cups

        connection = self._connection()
        for job in job_ids:
            with contextlib.suppress(cups.IPPError):
                connection.cancelJob(job, purge_job=True)

    def remaining(self, job_ids: Sequence[int]) -> list[int]:
        known = self._connection().getJobs(which_jobs="all", my_jobs=False)
        return [job for job in job_ids if job in known]

    def active_jobs(self) -> list[int]:
        return sorted(self._connection().getJobs(which_jobs="not-completed", my_jobs=False))


def bench_wipe_with_cups(root: Path) -> dict[str, float]:
    from tests.harness.cupsd import start_cupsd

    daemon = start_cupsd()
    try:
        spool = _CupsSpool(daemon.socket)
        wiper = Wiper(spool=spool)
        ours, baseline = [], []
        for n in range(ROUNDS):
            holder, directory = _session(root, n)
            job = spool.submit_held(directory / "document.txt", daemon.queue)
            request = Wipe(WipeReason.COMPLETED, directory, (job,))
            started = time.perf_counter()
            wiper.wipe(request, holder)
            ours.append(time.perf_counter() - started)
            _holder, other = _session(root, n)
            other_job = spool.submit_held(other / "document.txt", daemon.queue)
            started = time.perf_counter()
            shutil.rmtree(other)
            spool.purge([other_job])
            baseline.append(time.perf_counter() - started)
        assert not spool.active_jobs()
    finally:
        daemon.stop()
    return {
        "wipe_cups_ms": _median_ms(ours),
        "wipe_cups_max_ms": round(max(ours) * 1000, 3),
        "baseline_rmtree_cancel_ms": _median_ms(baseline),
        "cups_ratio": round(statistics.median(ours) / statistics.median(baseline), 2),
    }


def bench_rss(root: Path) -> dict[str, float]:
    clock = ManualClock()
    spool = SimulatedSpool()
    machine = SessionMachine(TimerPolicy(), clock, root / "tmpfs", languages=CODES)
    kiosk = VirtualKiosk(machine, clock, Wiper(spool=spool), SimulatedPrinter(spool))
    scenarios = sorted(SCENARIOS)

    def journeys(start: int, count: int) -> None:
        for n in range(start, start + count):
            VirtualCitizen(canary_profile(n), SCENARIOS[scenarios[n % len(scenarios)]]).visit(kiosk)

    journeys(0, 10)
    gc.collect()
    after_10 = _rss_kib()
    started = time.perf_counter()
    journeys(10, 990)
    elapsed = time.perf_counter() - started
    gc.collect()
    after_1000 = _rss_kib()
    return {
        "rss_after_10_mib": round(after_10 / 1024, 2),
        "rss_after_1000_mib": round(after_1000 / 1024, 2),
        "rss_growth_mib": round((after_1000 - after_10) / 1024, 3),
        "journey_ms": round(elapsed / 990 * 1000, 3),
    }


def main() -> dict[str, float]:
    root = Path(tempfile.mkdtemp(prefix="kiosk-bench-session-"))
    try:
        figures: dict[str, float] = {}
        figures.update(bench_wipe_without_printing(root))
        figures.update(bench_wipe_with_cups(root))
        figures.update(bench_rss(root))
        return figures
    finally:
        shutil.rmtree(root, ignore_errors=True)
