"""A real `kiosk run --window` process under Xvfb stops cleanly on SIGTERM, SIGINT and SIGHUP
(`kiosk demo` too), and only on them: a window manager's close request (WM_DELETE_WINDOW,
what Alt-F4 sends) is still refused.

At the attract screen the command is started as systemd starts it. Mid-session it runs the
same `kiosk.cli.main([... "run", "--window"])` with a hand beside it in the process (a thread
that plays the citizen's touches as the session events they become): the card is the
emulated one in a vpcd reader of a real pcscd, the city API the reference server, the
certificate printer the private cupsd's cups-pdf queue. The signal comes from this test.
"""

from __future__ import annotations

import json
import os
import queue
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from devices.eid.emulator import BelpicApplet
from kiosk.display import VirtualDisplay
from kiosk.stop_signals import EXIT_GRACE_S, LIMIT_S, SIGNALS
from tests.conftest import InsertCard
from tests.harness.cityserver import CityServer, enrol, start_cityserver, write_test_roots
from tests.harness.cupsd import Cupsd
from tests.harness.eid import card
from tests.harness.escpos_printer import FakeEscposPrinter
from tests.harness.pcscd import VPCD_READERS
from tests.harness.x11 import XDisplay

pytestmark = pytest.mark.ui

REPO = Path(__file__).resolve().parents[2]
STOP_WITHIN_S = 5.0
READY_LINE = "card reader available"  # the runtime has started (kiosk.wiring.readers)
STOPPED_LINE = "cleanly: the last wipe verified"  # kiosk.stop_signals
REFUSED_LINE = "request to close the window was refused"  # kiosk.app


class Kiosk:
    """A kiosk process, its stderr read line by line on a thread (and its stdout, where the
    hand says where the session is)."""

    def __init__(self, command: list[str], env: dict[str, str]) -> None:
        self.process = subprocess.Popen(
            command,
            env=env,
            cwd=REPO,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        self.stderr: list[str] = []
        self._lines: queue.Queue[tuple[str, str]] = queue.Queue()
        for name in ("stdout", "stderr"):
            threading.Thread(target=self._read, args=(name,), daemon=True).start()

    def _read(self, name: str) -> None:
        stream = getattr(self.process, name)
        for line in stream:
            if name == "stderr":
                self.stderr.append(line)
            self._lines.put((name, line))

    def wait_for(self, stream: str, text: str, timeout: float) -> str:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                name, line = self._lines.get(timeout=0.2)
            except queue.Empty:
                if self.process.poll() is not None and self._lines.empty():
                    break
                continue
            if name == stream and text in line:
                return line
            if name == "stdout" and '"step": "failed"' in line:
                raise AssertionError(f"the hand failed: {json.loads(line)['error']}\n{self.log()}")
        raise AssertionError(f"no {text!r} on the kiosk's {stream}:\n{self.log()}")

    def said(self, key: str, timeout: float = 60.0) -> dict[str, object]:
        """The hand's next report whose "step" is `key` (JSON on stdout)."""
        line = self.wait_for("stdout", f'"step": "{key}"', timeout)
        found: dict[str, object] = json.loads(line)
        return found

    def stop_with(self, number: signal.Signals) -> float:
        """Send `number`; the seconds until the process ended (fails past STOP_WITHIN_S)."""
        sent = time.monotonic()
        self.process.send_signal(number)
        try:
            self.process.wait(STOP_WITHIN_S)
        except subprocess.TimeoutExpired:
            raise AssertionError(
                f"still running {STOP_WITHIN_S} s after {number.name}:\n{self.log()}"
            ) from None
        return time.monotonic() - sent

    def log(self) -> str:
        return "".join(self.stderr[-60:])

    def kill(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait(10)


def environment(xvfb: VirtualDisplay, **more: str) -> dict[str, str]:
    env = {**os.environ, "DISPLAY": xvfb.display, "PYTHONPATH": str(REPO), **more}
    env.pop("WAYLAND_DISPLAY", None)
    return env


def simulated_reader_config(tmp_path: Path, tmpfs_dir: Path) -> Path:
    """`kiosk run` with the simulated reader (empty: nobody inserts its card) and a city API
    that does not answer: the attract screen, the runtime started."""
    token = tmp_path / "token"
    token.write_text("t" * 40)
    token.chmod(0o600)
    config = tmp_path / "kiosk.toml"
    config.write_text(
        f'[cityapi]\nurl = "http://127.0.0.1:9"\ntoken_file = "{token}"\n'
        f'catalogue_cache = "{tmp_path / "catalogue.json"}"\n'
        "[eid]\nsimulated = true\n"
        f'[printer]\npdf_folder = "{tmp_path / "pdf"}"\n'
        f'[session]\ntmpfs_dir = "{tmpfs_dir}"\n'
        '[ui]\nfullscreen = false\n[logging]\nlevel = "info"\n'
    )
    return config


@pytest.fixture
def kiosks() -> Iterator[list[Kiosk]]:
    started: list[Kiosk] = []
    yield started
    for kiosk in started:
        kiosk.kill()


@pytest.mark.parametrize("number", SIGNALS, ids=[s.name for s in SIGNALS])
def test_kiosk_run_stops_on_a_signal_at_the_attract_screen(
    number: signal.Signals,
    xvfb: VirtualDisplay,
    tmp_path: Path,
    tmpfs_dir: Path,
    kiosks: list[Kiosk],
) -> None:
    config = simulated_reader_config(tmp_path, tmpfs_dir)
    command = [sys.executable, "-m", "kiosk.cli", "--config", str(config), "run", "--window"]
    kiosk = Kiosk(command, environment(xvfb))
    kiosks.append(kiosk)
    kiosk.wait_for("stderr", READY_LINE, 60)
    took = kiosk.stop_with(number)
    print(f"attract stop on {number.name}: {took:.2f} s")
    assert kiosk.process.returncode == 0, kiosk.log()
    assert took < STOP_WITHIN_S
    assert any(STOPPED_LINE in line and number.name in line for line in kiosk.stderr), kiosk.log()
    assert list(tmpfs_dir.iterdir()) == []


def test_kiosk_demo_stops_on_sigterm_with_its_city_server(
    xvfb: VirtualDisplay, tmp_path: Path, kiosks: list[Kiosk]
) -> None:
    workdir = tmp_path / "demo"
    command = [sys.executable, "-m", "kiosk.cli", "demo", "--window", "--workdir", str(workdir)]
    kiosk = Kiosk(command, environment(xvfb))
    kiosks.append(kiosk)
    kiosk.wait_for("stderr", READY_LINE, 60)
    server = [pid for pid in processes_using(workdir) if pid != kiosk.process.pid]
    assert server, "the demo's city server is not running"
    kiosk.stop_with(signal.SIGTERM)
    assert kiosk.process.returncode == 0, kiosk.log()
    assert any(STOPPED_LINE in line for line in kiosk.stderr), kiosk.log()
    assert processes_using(workdir) == [], "the demo's city server outlived the demo"


def processes_using(folder: Path) -> list[int]:
    """Processes whose command line names `folder` (the demo's city server has its data there)."""
    found = []
    for entry in Path("/proc").iterdir():
        try:
            if entry.name.isdigit() and str(folder).encode() in (entry / "cmdline").read_bytes():
                found.append(int(entry.name))
        except OSError:
            continue  # ended meanwhile
    return found


def test_a_close_request_from_the_window_manager_is_still_refused(
    xvfb: VirtualDisplay, tmp_path: Path, tmpfs_dir: Path, kiosks: list[Kiosk]
) -> None:
    config = simulated_reader_config(tmp_path, tmpfs_dir)
    command = [sys.executable, "-m", "kiosk.cli", "--config", str(config), "run", "--window"]
    kiosk = Kiosk(command, environment(xvfb))
    kiosks.append(kiosk)
    kiosk.wait_for("stderr", READY_LINE, 60)
    with XDisplay(xvfb.display) as x:
        window = x.window_of(kiosk.process.pid)
        x.ask_to_close(window)
    kiosk.wait_for("stderr", REFUSED_LINE, 10)  # SDL passed it on; the app refused it
    time.sleep(1.0)
    assert kiosk.process.poll() is None, f"the close request ended the kiosk:\n{kiosk.log()}"
    kiosk.stop_with(signal.SIGTERM)
    assert kiosk.process.returncode == 0, kiosk.log()


# -- mid-session ---------------------------------------------------------------------------

HAND = """
import json, sys, threading, time, traceback

from kiosk.cli import main


def say(**what):
    print(json.dumps(what), flush=True)


def on_kivy(fn):
    from kivy.clock import Clock

    done, out = threading.Event(), []
    Clock.schedule_once(lambda _dt: (out.append(fn()), done.set()), 0)
    if not done.wait(10):
        raise TimeoutError("the Kivy thread did not answer")
    return out[0]


def until(app, test, what, timeout=60):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if on_kivy(lambda: test(app.runtime.machine)):
            return
        time.sleep(0.05)
    raise TimeoutError(what + ", at " + on_kivy(lambda: app.runtime.machine.state.value))


def state_is(app, state, timeout=60):
    until(app, lambda machine: machine.state.value == state, state, timeout)


def hand():
    try:
        while "kivy.app" not in sys.modules:  # imported by kiosk run, after prepare_kivy
            time.sleep(0.05)
        from kivy.app import App
        from session import events as ev

        deadline = time.monotonic() + 60
        while (app := App.get_running_app()) is None or not app.ready:
            if time.monotonic() > deadline:
                raise TimeoutError("the runtime did not start")
            time.sleep(0.05)
        until(app, lambda m: m.context.printer.value == "ready", "the printer ready")
        runtime = app.runtime
        on_kivy(lambda: runtime.dispatch(ev.Touch()))
        on_kivy(lambda: runtime.dispatch(ev.ChooseLanguage("fr")))
        state_is(app, "insert_card")
        say(step="insert_card")
        state_is(app, "pin")
        on_kivy(lambda: runtime.submit_pin(bytearray(b"1234")))
        state_is(app, "catalogue")
        on_kivy(lambda: runtime.dispatch(ev.ChooseDocument("residence")))
        on_kivy(lambda: runtime.dispatch(ev.Confirm()))
        state_is(app, "take_card")
        machine = runtime.machine
        say(
            step="take_card",
            session_dir=str(machine.session_dir),
            jobs=list(machine.context.job_ids),
        )
    except BaseException:
        say(step="failed", error=traceback.format_exc())


threading.Thread(target=hand, daemon=True).start()
sys.exit(main(["--config", sys.argv[1], "run", "--window"]))
"""


class CountingApplet(BelpicApplet):
    """The emulated card, counting the LOG OFFs that found the PIN verified."""

    log_offs_after_pin = 0

    def _log_off(self, p1: int, p2: int, body: bytes) -> bytes:
        if self._verified:
            self.log_offs_after_pin += 1
        return super()._log_off(p1, p2, body)


@pytest.fixture
def cityserver(tmp_path: Path) -> Iterator[CityServer]:
    server = start_cityserver(tmp_path / "cityapi", [write_test_roots(tmp_path)])
    yield server
    server.stop()


def production_config(
    tmp_path: Path, tmpfs_dir: Path, server: CityServer, cupsd: Cupsd, receipt_uri: str
) -> Path:
    token = tmp_path / "token"
    token.write_text(enrol(server, "kiosk-stop-test") + "\n")
    token.chmod(0o600)
    config = tmp_path / "kiosk.toml"
    config.write_text(
        '[terminal]\nid = "kiosk-stop-test"\n'
        f'[cityapi]\nurl = "{server.url}"\ntoken_file = "{token}"\n'
        f'catalogue_cache = "{tmp_path / "catalogue.json"}"\nretries = 0\n'
        f'[eid]\nreader = "{VPCD_READERS[0]}"\n'
        f'trust_roots = ["{write_test_roots(tmp_path)}"]\n'
        f'[printer]\nserver = "{cupsd.socket}"\nqueue = "{cupsd.queue}"\njob_timeout = 60\n'
        f'[receipt]\nuri = "{receipt_uri}"\n'
        f'[session]\ntmpfs_dir = "{tmpfs_dir}"\n'
        '[ui]\nfullscreen = false\n[logging]\nlevel = "info"\n'
    )
    return config


def cups_jobs(cupsd: Cupsd) -> set[int]:
    """Every job this cupsd still knows, finished ones included."""
    return set(cupsd.connection().getJobs(which_jobs="all"))


def citizen_sessions(server: CityServer) -> int:
    rows = server.query(
        "SELECT count(*) FROM citizen_sessions WHERE terminal_id = ?", ("kiosk-stop-test",)
    )
    return int(rows[0][0])


@dataclass
class MidSession:
    """A `kiosk run` whose citizen has their certificate printed and has not taken their card
    yet: the card holds a verified PIN, the session has its folder, CUPS the job, the city
    the citizen's session."""

    kiosk: Kiosk
    applet: CountingApplet
    session_dir: Path
    jobs: set[int]


@pytest.fixture
def mid_session(
    xvfb: VirtualDisplay,
    tmp_path: Path,
    tmpfs_dir: Path,
    insert_card: InsertCard,
    cupsd: Cupsd,
    cityserver: CityServer,
    kiosks: list[Kiosk],
) -> Iterator[MidSession]:
    script = tmp_path / "kiosk_run_with_a_hand.py"  # Kivy's App looks for its source file
    script.write_text(HAND)
    with FakeEscposPrinter() as receipt_printer:
        config = production_config(tmp_path, tmpfs_dir, cityserver, cupsd, receipt_printer.uri)
        kiosk = Kiosk([sys.executable, str(script), str(config)], environment(xvfb))
        kiosks.append(kiosk)
        kiosk.said("insert_card")
        applet = CountingApplet(card("1.8"), "1234")
        insert_card(applet)
        where = kiosk.said("take_card")
        session_dir = Path(str(where["session_dir"]))
        jobs = {int(job) for job in where["jobs"]}  # type: ignore[attr-defined]
        assert session_dir.is_relative_to(tmpfs_dir) and session_dir.is_dir()
        assert jobs and jobs <= cups_jobs(cupsd)
        assert citizen_sessions(cityserver) == 1
        assert applet.log_offs_after_pin == 0
        yield MidSession(kiosk, applet, session_dir, jobs)


@pytest.mark.parametrize("number", SIGNALS, ids=[s.name for s in SIGNALS])
def test_kiosk_run_stops_mid_session_on_a_signal_with_the_session_wiped(
    number: signal.Signals,
    mid_session: MidSession,
    tmpfs_dir: Path,
    cupsd: Cupsd,
    cityserver: CityServer,
) -> None:
    """The signal ends all of the session, then the process, exit 0."""
    kiosk = mid_session.kiosk
    took = kiosk.stop_with(number)
    print(f"mid-session stop on {number.name}: {took:.2f} s")
    assert kiosk.process.returncode == 0, kiosk.log()
    assert took < STOP_WITHIN_S
    assert any(STOPPED_LINE in line and number.name in line for line in kiosk.stderr), kiosk.log()
    assert not mid_session.session_dir.exists(), "the session's folder outlived the stop"
    assert list(tmpfs_dir.iterdir()) == []
    assert mid_session.applet.log_offs_after_pin == 1, "the card was not logged off"
    assert not mid_session.jobs & cups_jobs(cupsd), "the session's print jobs are still in CUPS"
    assert citizen_sessions(cityserver) == 0, "the citizen's session is still open at the city"


def test_a_printer_server_that_hangs_does_not_hold_the_stop(
    mid_session: MidSession, cupsd: Cupsd, cityserver: CityServer
) -> None:
    """cupsd frozen (SIGSTOP) when the signal comes: the print jobs cannot be purged, and the
    stop says so in one line, but the card is logged off, the folder gone, the city told,
    and the process ends within its bound (CUPS's own thread, which would hold the exit, is
    cut once the stop is done)."""
    kiosk = mid_session.kiosk
    cupsd.process.send_signal(signal.SIGSTOP)
    try:
        sent = time.monotonic()
        kiosk.process.send_signal(signal.SIGTERM)
        kiosk.process.wait(LIMIT_S + EXIT_GRACE_S)
        took = time.monotonic() - sent
    finally:
        cupsd.process.send_signal(signal.SIGCONT)
    print(f"stop with cupsd frozen: {took:.2f} s")
    assert kiosk.process.returncode == 0, kiosk.log()
    assert took < LIMIT_S
    lines = [line for line in kiosk.stderr if "stopped on SIGTERM in" in line]
    assert len(lines) == 1 and "not cleanly" in lines[0], kiosk.log()
    assert any("print jobs" in line for line in kiosk.stderr), kiosk.log()  # what was not done
    assert not mid_session.session_dir.exists()
    assert mid_session.applet.log_offs_after_pin == 1, "the card was not logged off"
    assert citizen_sessions(cityserver) == 0, "the citizen's session is still open at the city"
