"""The touch shell under a private Xvfb (software OpenGL).

The kiosk is measured as `kiosk run` starts on a terminal: its configuration file (simulated
eID card, certificates to a PDF folder, no receipt printer), the city API a separate process
on loopback (`cityserver serve`, as the real one is another machine), the same
`kiosk.commands.run` functions. `kiosk demo` (which starts the city's server as its child
process) is measured beside it. Each against a bare Kivy window, interleaved in the same run,
with the kiosk's modules byte-compiled first as an installed terminal has them:

- cold start: process start to the attract screen's first frame (targets: <= 1.5 s and
  <= 1.3x the bare window); and to "ready", when the runtime is built and started (devices,
  city API client, recovery) and a touch starts a session;
- idle CPU on the attract screen, the app running normally with its tick (target <= 2 % of
  one core);
- touch-to-feedback on the PIN pad: a touch posted to the window until the frame showing the
  new dot is flipped (target <= 50 ms), plus half a frame of input polling at the idle rate;
- RSS on the idle attract screen, and steady RSS: after JOURNEYS citizens one after another,
  by touches, each printing a certificate (CUPS) and a receipt (ESC/POS), when every screen
  is built and every library a journey needs is loaded (target <= 200 MB).
"""

from __future__ import annotations

import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROUNDS = 9  # medians: a cold start moves by 10 to 20 ms from one run to the next here
JOURNEYS = 20
IDLE_SECONDS = 10.0
REPO = Path(__file__).resolve().parents[1]
SERVER_START_S = 30.0

_PRELUDE = """
import sys, time, json, os
from pathlib import Path
from kiosk.kivy_setup import prepare_kivy
prepare_kivy(fullscreen=False)
"""

BARE = (
    _PRELUDE
    + """
from kivy.app import App
from kivy.clock import Clock
from kivy.core.window import Window
from kivy.uix.label import Label

idle = float(sys.argv[2])

class Bare(App):
    def build(self):
        Window.bind(on_flip=self.drawn)
        return Label(text="bare")

    def drawn(self, *_):
        Window.unbind(on_flip=self.drawn)
        now = time.time()
        print(json.dumps({"drawn": now, "ready": now}), flush=True)
        Clock.schedule_once(lambda _dt: self.stop(), idle)

Bare().run()
"""
)

# The attract screen alone: the kiosk's shell and first screen, no configuration, no session,
# no runtime. What drawing the screen itself costs over a bare window (the floor of the ratio),
# with the garbage collector set aside until the first frame as kiosk_app does.
SCREEN_ONLY = (
    _PRELUDE
    + """
from kiosk import startup_gc
startup_gc.pause()
from kivy.app import App
from kivy.clock import Clock
from kivy.core.window import Window

idle = float(sys.argv[2])

class ScreenOnly(App):
    def build(self):
        from screens.shell import Shell
        from screens.theme import register_fonts
        from session.context import SessionContext
        from session.states import State

        register_fonts()
        Window.bind(on_flip=self.drawn)
        shell = Shell(demo=False, port=None)
        shell.add_screens()
        shell.screen("attract").update(State.ATTRACT, SessionContext(language="fr"))
        return shell

    def drawn(self, *_):
        Window.unbind(on_flip=self.drawn)
        now = time.time()
        startup_gc.resume()
        print(json.dumps({"drawn": now, "ready": now}), flush=True)
        Clock.schedule_once(lambda _dt: self.stop(), idle)

ScreenOnly().run()
"""
)

# After the app is made, the same for both kiosk variants: report the first frame and the
# moment the runtime is ready, then idle for argv[2] seconds.
_REPORT = """
from kivy.clock import Clock
from kivy.core.window import Window

idle = float(sys.argv[2])
seen = {}

def drawn(*_):
    Window.unbind(on_flip=drawn)
    seen["drawn"] = time.time()
    Clock.schedule_once(wait_ready, 0)

def wait_ready(_dt):
    if app.start_error is not None:
        raise SystemExit(f"the kiosk did not start: {app.start_error}")
    if not app.ready:
        Clock.schedule_once(wait_ready, 0.005)
        return
    seen["ready"] = time.time()
    print(json.dumps(seen), flush=True)
    Clock.schedule_once(lambda _dt: app.stop(), idle)

Window.bind(on_flip=drawn)
app.run()
app.stop_runtime()
"""

# `kiosk run --config FILE --window`, step by step (kiosk.commands.run).
RUN = (
    """
import sys, time, json, os
from pathlib import Path
from kiosk.commands.run import kiosk_app, preflight
from kiosk.config import load_settings
from kiosk.kivy_setup import prepare_kivy
from kiosk.logs import setup_logging

settings = load_settings(sys.argv[1])
setup_logging(verbose=False, level=settings.logging.level)
preflight(settings)
prepare_kivy(fullscreen=False)
app = kiosk_app(settings)
"""
    + _REPORT
)

# `kiosk demo --window --workdir DIR`, step by step (kiosk.commands.demo).
DEMO = (
    _PRELUDE
    + """
from kiosk.commands.demo import demo_app
from kiosk.config import Settings, UiSettings

settings = Settings(ui=UiSettings(fullscreen=False))
app = demo_app(settings, Path(sys.argv[1]))
"""
    + _REPORT
)

# Citizens one after another, by touches, until the memory settles: the steady RSS is the one
# after JOURNEYS journeys (every screen built, every library a journey needs loaded).
JOURNEYS_SCRIPT = """
import json, sys, types
from pathlib import Path
from kiosk.kivy_setup import prepare_kivy
prepare_kivy(fullscreen=False)
from bench.bench_ui import rss_parts
from devices.eid.emulator import BelpicApplet
from kiosk.commands.demo import demo_app, journey
from kiosk.commands.run import kiosk_app, preflight
from kiosk.config import Settings, UiSettings, load_settings
from kiosk.wiring.devices import DEMO_PIN
from screens.driver import Driver

def rss_mb():
    for line in open("/proc/self/status"):
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024

variant, where, count = sys.argv[1], Path(sys.argv[2]), int(sys.argv[3])
if variant == "run":
    settings = load_settings(where)
    preflight(settings)
    app = kiosk_app(settings)
else:
    app = demo_app(Settings(ui=UiSettings(fullscreen=False)), where)
driver = Driver(app)
driver.start()
runtime = app.runtime
if runtime.demo is not None:
    hand = runtime.demo
else:  # `kiosk run` with eid.simulated: the same card, put in and taken out by hand (the
    # reader's monitor tells the session, as the demo's)
    reader, card = runtime.devices.sim_reader, runtime.devices.demo_card
    def insert_card():
        reader.insert(BelpicApplet(card, DEMO_PIN))
    hand = types.SimpleNamespace(insert_card=insert_card, remove_card=reader.remove)
    driver.advance(0.2)
citizen = types.SimpleNamespace(machine=runtime.machine, demo=hand)
rss = {"0": rss_mb()}
for n in range(1, count + 1):
    # No pictures: they are not the kiosk's memory.
    journey(driver, citizen, ("fr", "nl", "en", "de")[n % 4], Path("."), pictures=False)
    if n in (1, 5, 10) or n == count:
        driver.advance(1.5)  # as between two citizens: the wipe's memory release has run
        rss[str(n)] = rss_mb()
rss["parts"] = rss_parts()
app.stop_runtime()
print(json.dumps(rss), flush=True)
"""

FEEDBACK = (
    _PRELUDE
    + """
from kivy.base import EventLoop
from kivy.core.window import Window
from screens.synthetic_touch import SyntheticTouch
from devices.speech import EspeakSpeaker
from i18n import voices
from kiosk.app import KioskApp
from kiosk.config import Settings, UiSettings
from kiosk.wiring import build_demo_runtime
from screens.driver import Driver

settings = Settings(ui=UiSettings(fullscreen=False))
runtime = build_demo_runtime(settings, Path(sys.argv[1]))
app = KioskApp(settings, runtime, speaker=EspeakSpeaker(voices()))
driver = Driver(app)
driver.start()
m = runtime.machine
driver.touch_at(960, 540)
driver.wait_for(lambda: m.state.value == "language", 10, "language")
driver.touch("English")
driver.wait_for(lambda: m.state.value == "insert_card", 10, "insert card")
runtime.demo.insert_card()
driver.wait_for(lambda: m.state.value == "pin", 20, "pin")
pad = app.shell.screen("pin").ids.pad
flips = []
Window.bind(on_flip=lambda *_: flips.append(time.perf_counter()))
latencies = []
for i in range(20):
    key = driver.find(str(i % 10))
    x, y = key.to_window(*key.center)
    touch = SyntheticTouch(x, y)
    before = pad.count
    start = time.perf_counter()
    flips.clear()
    touch.touch_down()
    while not (flips and pad.count != before):
        EventLoop.idle()
    latencies.append((flips[-1] - start) * 1000)
    touch.touch_up()
    driver.frames(2)
    if pad.count >= 8:
        pad.clear()
runtime.stop()
print(json.dumps({"latencies_ms": latencies}), flush=True)
"""
)


def _script(folder: Path, name: str, text: str) -> Path:
    path = folder / f"{name}.py"  # Kivy's App looks for its source file
    path.write_text(text)
    return path


def _env(display: str) -> dict[str, str]:
    env = {**os.environ, "DISPLAY": display, "PYTHONPATH": str(REPO)}
    env.pop("WAYLAND_DISPLAY", None)
    return env


def _kiosk_cli(*args: str) -> list[str]:
    return [sys.executable, "-c", "from kiosk.cli import entry; entry()", *args]


class Terminal:
    """A provisioned terminal: its files (config, token), its devices (a private cupsd with a
    cups-pdf queue, an ESC/POS receipt printer on loopback TCP, the simulated eID card) and
    its city API in another process. Needs root for the cupsd (tests.harness.cupsd). Sets
    `env` so that the kiosk processes started with it share the city API's test PKI."""

    def __init__(self, folder: Path, env: dict[str, str]) -> None:
        from devices.eid.emulator.testpki import SHARED_PKI_ENV, TestPki
        from tests.harness.cupsd import start_cupsd
        from tests.harness.escpos_printer import FakeEscposPrinter

        folder.mkdir(parents=True)
        # One test PKI for the kiosk's simulated card and the city API that must trust it.
        pki = TestPki()
        pki.save(folder / "pki")
        env[SHARED_PKI_ENV] = str(folder / "pki")
        self.cupsd = start_cupsd()
        self.receipts = FakeEscposPrinter().start()
        roots = folder / "test-roots.pem"
        roots.write_bytes(pki.root_pem())
        code = "bench-enrolment-code"
        codes = folder / "enrolment-codes"
        codes.write_text(f"bench-terminal bench {code}\n")
        codes.chmod(0o600)
        # The demo card's citizen, in the register the city's certificates are made from.
        from devices.eid.emulator import demo_profile
        from kiosk.wiring.cityserver_process import registered

        register = folder / "register.json"
        register.write_text(json.dumps([registered(demo_profile()).model_dump()]))
        register.chmod(0o600)
        self.server = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "cityserver",
                "serve",
                "--port",
                "0",
                "--data",
                str(folder / "server"),
                "--trust-roots",
                str(roots),
                "--enrolment-codes",
                str(codes),
                "--register",
                str(register),
            ],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
        )
        url = self._wait_for_url()
        shm = Path("/dev/shm")
        self.tmpfs = (shm if shm.is_dir() else folder) / f"kiosk-bench-{os.getpid()}"
        self.config = folder / "kiosk.toml"
        self.config.write_text(
            f"""
[terminal]
id = "bench-terminal"
location = "Bench"
[cityapi]
url = "{url}"
token_file = "{folder / "token"}"
catalogue_cache = "{folder / "catalogue.json"}"
[eid]
simulated = true
[printer]
queue = "{self.cupsd.queue}"
server = "{self.cupsd.socket}"
[receipt]
uri = "{self.receipts.uri}"
[session]
tmpfs_dir = "{self.tmpfs}"
[ui]
fullscreen = false
[logging]
level = "warning"
"""
        )
        subprocess.run(
            _kiosk_cli("--config", str(self.config), "cityapi", "enrol"),
            input=code,
            text=True,
            env=env,
            check=True,
            capture_output=True,
            timeout=60,
        )

    def _wait_for_url(self) -> str:
        assert self.server.stdout is not None
        deadline = time.monotonic() + SERVER_START_S
        while time.monotonic() < deadline:
            line = self.server.stdout.readline()
            if line.startswith("cityserver: serving "):
                return line.split()[-1]
            if not line and self.server.poll() is not None:
                break
        self.stop()
        raise RuntimeError("the reference city API did not start")

    def stop(self) -> None:
        self.server.terminate()
        self.server.wait(timeout=10)
        self.receipts.stop()
        self.cupsd.stop()
        shutil.rmtree(self.tmpfs, ignore_errors=True)


def _cold_start(script: Path, argv1: str, env: dict[str, str]) -> tuple[float, float]:
    """Seconds from process start to the first frame, and to the runtime being ready."""
    started = time.time()
    result = subprocess.run(
        [sys.executable, str(script), argv1, "0"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    found = next(json.loads(line) for line in result.stdout.splitlines() if "drawn" in line)
    return float(found["drawn"] - started), float(found["ready"] - started)


def _proc_cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    ticks = int(fields[11]) + int(fields[12])  # utime + stime
    return ticks / os.sysconf("SC_CLK_TCK")


def rss_parts(pid: int | str = "self") -> dict[str, float]:
    """RSS (MB) by kind of mapping: the software OpenGL driver (Mesa's llvmpipe and the LLVM
    it compiles shaders with: a GPU's driver would not be in the process like this), other
    libraries' code, memory shared with the X server, and the process's own (heap, Python's
    objects, buffers)."""
    parts = {"software_gl": 0.0, "libraries": 0.0, "x_shared": 0.0, "private": 0.0}
    kind = "private"
    for line in Path(f"/proc/{pid}/smaps").read_text().splitlines():
        fields = line.split()
        if "-" in fields[0] and ":" not in fields[0]:  # a mapping's first line
            name = fields[5] if len(fields) > 5 else ""
            if "libLLVM" in name or name.endswith("_dri.so") or "libgallium" in name:
                kind = "software_gl"
            elif name.startswith("/SYSV"):
                kind = "x_shared"
            elif name.startswith("/"):
                kind = "libraries"
            else:
                kind = "private"
        elif fields[0] == "Rss:":
            parts[kind] += int(fields[1]) / 1024
    return {name: round(mb, 1) for name, mb in parts.items()}


def _rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def _idle(script: Path, argv1: str, env: dict[str, str]) -> tuple[float, float, dict[str, float]]:
    """CPU share of one core over IDLE_SECONDS on the attract screen, and RSS after it."""
    child = subprocess.Popen(
        [sys.executable, str(script), argv1, str(IDLE_SECONDS + 8)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    try:
        assert child.stdout is not None
        child.stdout.readline()  # drawn and ready
        time.sleep(3.0)  # settle: first catalogue poll, caches, Python imports done
        cpu0, t0 = _proc_cpu_seconds(child.pid), time.monotonic()
        time.sleep(IDLE_SECONDS)
        cpu1, t1 = _proc_cpu_seconds(child.pid), time.monotonic()
        rss, parts = _rss_mb(child.pid), rss_parts(child.pid)
    finally:
        child.wait(timeout=60)
    return (cpu1 - cpu0) / (t1 - t0) * 100, rss, parts


def _feedback(script: Path, workdir: Path, env: dict[str, str]) -> list[float]:
    result = subprocess.run(
        [sys.executable, str(script), str(workdir)],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    latencies: list[float] = json.loads(result.stdout.strip().splitlines()[-1])["latencies_ms"]
    return latencies


def _journeys(script: Path, variant: str, where: str, env: dict[str, str]) -> dict[str, Any]:
    """RSS (MB) before the first citizen and after 1, 5, 10 and JOURNEYS journeys, and its
    parts after the last ("parts", see rss_parts)."""
    result = subprocess.run(
        [sys.executable, str(script), variant, where, str(JOURNEYS)],
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    if result.returncode != 0:  # say why: its last lines, not a bare CalledProcessError
        raise RuntimeError(f"{variant} journeys failed: {result.stderr.strip()[-2000:]}")
    found: dict[str, Any] = json.loads(result.stdout.strip().splitlines()[-1])
    return found


def _install_like() -> None:
    """Compile the kiosk's modules and its gettext catalogues as installing it does. A terminal
    runs installed, compiled code (kiosk.service's user cannot write next to it); with stale or
    missing bytecode, and PYTHONDONTWRITEBYTECODE set as on these machines, every cold start
    would also time Python compiling our sources, while the bare window's Kivy is compiled. A
    .mo older than its .po is compiled again in memory at every start (i18n.catalogs)."""
    import compileall

    from i18n import compile as compile_catalogues

    for package in ("kiosk", "screens", "session", "devices", "cityapi", "cityserver"):
        compileall.compile_dir(REPO / package, quiet=1)
    compile_catalogues.main()


def main() -> dict[str, Any]:
    from kiosk.display import start_xvfb

    _install_like()
    display = start_xvfb(1920, 1080)
    env = _env(display.display)
    try:
        with tempfile.TemporaryDirectory(prefix="bench-ui-") as tmp:
            folder = Path(tmp)
            terminal = Terminal(folder / "terminal", env)
            try:
                scripts = {
                    name: _script(folder, name, text)
                    for name, text in (
                        ("bare_window", BARE),
                        ("screen_only", SCREEN_ONLY),
                        ("kiosk_run", RUN),
                        ("kiosk_demo", DEMO),
                    )
                }
                argv1 = {
                    "bare_window": str(folder / "bare"),
                    "screen_only": str(folder / "screen"),
                    "kiosk_run": str(terminal.config),
                    "kiosk_demo": str(folder / "demo"),
                }
                cold: dict[str, list[tuple[float, float]]] = {name: [] for name in scripts}
                for _ in range(ROUNDS):  # interleaved: the machine's mood hits all alike
                    for name, script in scripts.items():
                        cold[name].append(_cold_start(script, argv1[name], env))
                idle = {
                    name: _idle(script, argv1[name], env)
                    for name, script in scripts.items()
                    if name != "screen_only"
                }
                latencies = _feedback(_script(folder, "pin_feedback", FEEDBACK), folder / "fb", env)
                journeys_script = _script(folder, "journeys", JOURNEYS_SCRIPT)
                journeys = {
                    "run": _journeys(journeys_script, "run", str(terminal.config), env),
                    "demo": _journeys(journeys_script, "demo", str(folder / "journeys"), env),
                }
            finally:
                terminal.stop()
    finally:
        display.stop()

    def median(name: str, which: int) -> float:
        return statistics.median(run[which] for run in cold[name])

    bare = median("bare_window", 0)
    screen = median("screen_only", 0)
    result: dict[str, Any] = {
        "bare_window_s": round(bare, 3),
        "attract_screen_only_s": round(screen, 3),
        "attract_screen_only_ratio": round(screen / bare, 2),
    }
    for name, label in (("kiosk_run", "run"), ("kiosk_demo", "demo")):
        drawn, ready = median(name, 0), median(name, 1)
        cpu, rss, _ = idle[name]
        steady = journeys[label]
        parts = steady.pop("parts")
        result[label] = {
            "cold_start_s": round(drawn, 3),
            "cold_start_ratio": round(drawn / bare, 2),
            "ready_s": round(ready, 3),
            "idle_cpu_percent": round(cpu, 2),
            "idle_rss_mb": round(rss, 1),
            "rss_mb_after_journeys": {n: round(v, 1) for n, v in steady.items()},
            "steady_rss_mb": round(steady[str(JOURNEYS)], 1),
            "steady_rss_parts_mb": parts,
        }
    bare_cpu, bare_rss, bare_parts = idle["bare_window"]
    result.update(
        {
            "bare_idle_cpu_percent": round(bare_cpu, 2),
            "bare_rss_mb": round(bare_rss, 1),
            "bare_rss_parts_mb": bare_parts,
            "pin_feedback_ms_median": round(statistics.median(latencies), 1),
            "pin_feedback_ms_max": round(max(latencies), 1),
            "targets": "cold <= 1.5 s and <= 1.3x bare; idle <= 2 %; feedback <= 50 ms; "
            "RSS <= 200 MB",
        }
    )
    return result


if __name__ == "__main__":
    print(json.dumps(main()))
