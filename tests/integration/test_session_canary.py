"""1,000 journeys with distinct canary citizens; afterwards none of them may be found in the
logs, on disk (the kiosk's state, cache and temporary directories, the CUPS spool) or in any
object the garbage collector can reach."""

from __future__ import annotations

import gc
import io
import logging
import re
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from devices.eid.emulator.cardfiles import canary_profile
from i18n.languages import CODES
from kiosk.logs import setup_logging
from session import events as ev
from session.effects import Wipe
from session.machine import SessionMachine
from session.timers import ManualClock, TimerPolicy
from session.wipe import Wiper, prepare_session_dir
from tests.harness.cupsd import Cupsd
from tests.harness.virtual_citizen import (
    SCENARIOS,
    SimulatedPrinter,
    SimulatedSpool,
    VirtualCitizen,
    VirtualKiosk,
    citizen_document,
)
from tests.integration.test_session_wipe import CupsSpool

pytestmark = pytest.mark.integration

JOURNEYS = 1000
# Canaries of their own (20000 to 20999): other test modules keep a few profiles as module
# globals, so they must take theirs outside this range.
FIRST = 20_000
CUPS_EVERY = 200  # 5 journeys print through the real cupsd; the rest use the simulated spool
SURNAME = re.compile(r"Canari(\d{4,5})")
SURNAME_BYTES = re.compile(rb"Canari(\d{4,5})")
ELEVEN_DIGITS = re.compile(r"(?<!\d)\d{11}(?!\d)")
ELEVEN_DIGITS_BYTES = re.compile(rb"(?<!\d)\d{11}(?!\d)")


class CupsPrinter:
    """The document executor against the real cupsd: file on 'tmpfs', then a held job."""

    def __init__(self, spool: CupsSpool) -> None:
        self.spool = spool

    def print_document(self, document: bytearray, session_dir: Path, title: str) -> int:
        prepare_session_dir(session_dir)
        path = session_dir / "document.txt"
        path.write_bytes(document)
        return self.spool.submit_held(path, title)


class Leaks:
    """Finds the surnames and national numbers of the given canaries. Needles are ints, so they
    are not strings the memory scan would find."""

    def __init__(self, canaries: range) -> None:
        self.canaries = set(canaries)
        self.national_numbers = {int(canary_profile(n).national_number) for n in canaries}

    def in_text(self, text: str) -> list[str]:
        found = [f"Canari{m}" for m in SURNAME.findall(text) if int(m) in self.canaries]
        found += [m for m in ELEVEN_DIGITS.findall(text) if int(m) in self.national_numbers]
        return found

    def in_bytes(self, data: bytes | bytearray) -> list[str]:
        found = [
            f"Canari{m.decode()}" for m in SURNAME_BYTES.findall(data) if int(m) in self.canaries
        ]
        found += [
            m.decode() for m in ELEVEN_DIGITS_BYTES.findall(data) if int(m) in self.national_numbers
        ]
        return found

    def on_disk(self, roots: list[Path]) -> list[str]:
        found = []
        for root in roots:
            for path in root.rglob("*"):
                if path.is_file() and not path.is_symlink():
                    hits = self.in_bytes(path.read_bytes()) + self.in_text(path.name)
                    found += [f"{path}: {hit}" for hit in hits]
        return found

    def in_memory(self) -> list[str]:
        """Every str, bytes and bytearray reachable from gc-tracked objects, including through
        the containers gc stops tracking (tuples and dicts holding only atoms)."""
        gc.collect()
        seen: set[int] = set()
        found: list[str] = []
        for obj in gc.get_objects():
            stack = [obj, *gc.get_referents(obj)]
            while stack:
                item = stack.pop()
                if id(item) in seen:
                    continue
                if isinstance(item, str):
                    seen.add(id(item))
                    found += self.in_text(item)
                elif isinstance(item, bytes | bytearray):
                    seen.add(id(item))
                    found += self.in_bytes(item)
                elif isinstance(item, tuple | dict | frozenset) and not gc.is_tracked(item):
                    seen.add(id(item))
                    stack.extend(gc.get_referents(item))
        return found


@pytest.fixture
def kiosk_dirs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[dict[str, Path]]:
    dirs = {name: tmp_path / name for name in ("state", "cache", "tmp")}
    for path in dirs.values():
        path.mkdir()
    monkeypatch.setenv("XDG_STATE_HOME", str(dirs["state"]))
    monkeypatch.setenv("XDG_CACHE_HOME", str(dirs["cache"]))
    monkeypatch.setenv("TMPDIR", str(dirs["tmp"]))
    monkeypatch.setattr(tempfile, "tempdir", str(dirs["tmp"]))
    yield dirs


@pytest.fixture
def captured_logs() -> Iterator[io.StringIO]:
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    stream = io.StringIO()
    setup_logging(verbose=True, stream=stream)
    yield stream
    for handler in list(root.handlers):
        if handler not in handlers:
            root.removeHandler(handler)
    root.setLevel(level)


def make_kiosk(tmpfs: Path, spool: SimulatedSpool | CupsSpool, printer: object) -> VirtualKiosk:
    clock = ManualClock()
    machine = SessionMachine(TimerPolicy(), clock, tmpfs, languages=CODES)
    return VirtualKiosk(machine, clock, Wiper(spool=spool), printer)  # type: ignore[arg-type]


def run_journeys(tmpfs: Path, cupsd: Cupsd) -> tuple[int, int, int]:
    """Run every journey; return (journeys, verified wipes, real CUPS jobs). Keeps nothing."""
    simulated_spool = SimulatedSpool()
    simulated = make_kiosk(tmpfs, simulated_spool, SimulatedPrinter(simulated_spool))
    cups_spool = CupsSpool(cupsd)
    real = make_kiosk(tmpfs, cups_spool, CupsPrinter(cups_spool))
    scenarios = sorted(SCENARIOS)
    journeys = verified = cups_jobs = 0
    for n in range(FIRST, FIRST + JOURNEYS):
        kiosk = real if n % CUPS_EVERY == 0 else simulated
        behaviour = SCENARIOS["happy" if kiosk is real else scenarios[n % len(scenarios)]]
        result = VirtualCitizen(canary_profile(n), behaviour).visit(kiosk)
        journeys += 1
        verified += bool(result.wipes) and all(w.verified for w in result.wipes)
        if kiosk is real:
            cups_jobs += sum(len(e.job_ids) for e in result.effects if isinstance(e, Wipe))
        # A late answer for a citizen who has gone: ignored, logged, and its data zeroed.
        late = ev.DocumentReady(citizen_document(canary_profile(n), "residence"))
        assert not kiosk.machine.handle(late).handled and not any(late.document)
        assert kiosk.machine.citizen.is_empty()
    assert not simulated_spool.jobs and cups_spool.active_jobs() == []
    return journeys, verified, cups_jobs


def test_no_canary_survives_a_thousand_journeys(
    cupsd: Cupsd, kiosk_dirs: dict[str, Path], captured_logs: io.StringIO
) -> None:
    tmpfs = kiosk_dirs["tmp"] / "kiosk-session"
    journeys, verified, cups_jobs = run_journeys(tmpfs, cupsd)
    assert journeys == verified == JOURNEYS
    assert cups_jobs == JOURNEYS // CUPS_EVERY

    leaks = Leaks(range(FIRST, FIRST + JOURNEYS))
    logs = captured_logs.getvalue()
    assert logs.count("DocumentReady ignored in state attract") == JOURNEYS, "logs were captured"
    assert leaks.in_text(logs) == []
    assert not list(tmpfs.iterdir()), "no session directory left"
    assert leaks.on_disk([*kiosk_dirs.values(), cupsd.root / "spool"]) == []
    assert leaks.in_memory() == []


def test_the_leak_hunt_finds_a_planted_canary(tmp_path: Path) -> None:
    """The detectors above can fail: a canary kept in memory or on disk is found."""
    profile = canary_profile(24_999)
    leaks = Leaks(range(24_999, 25_000))
    planted = {"kept": bytearray(citizen_document(profile, "residence"))}
    (tmp_path / "leak.txt").write_bytes(bytes(planted["kept"]))
    assert leaks.in_memory()
    assert leaks.on_disk([tmp_path])
    del planted, profile
