"""The touch shell under a private Xvfb (software OpenGL):

- cold start: process start to the attract screen's first frame, against a bare Kivy window
  in the same run (targets: <= 1.5 s and <= 1.3x the bare window); the demo runtime (embedded
  city API, simulated card) is built inside that time, as `kiosk demo` does;
- idle CPU on the attract screen, the app running normally with its tick (target <= 2 % of
  one core);
- touch-to-feedback on the PIN pad: a touch posted to the window until the frame showing the
  new dot is flipped (target <= 50 ms), plus half a frame of input polling at the idle rate;
- steady RSS after the idle period (target <= 200 MB).
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROUNDS = 3
IDLE_SECONDS = 10.0
REPO = Path(__file__).resolve().parents[1]

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
        print(json.dumps({"drawn": time.time()}), flush=True)
        Clock.schedule_once(lambda _dt: self.stop(), idle)

Bare().run()
"""
)

KIOSK = (
    _PRELUDE
    + """
from kivy.clock import Clock
from kivy.core.window import Window
from kiosk.app import KioskApp
from kiosk.config import Settings, UiSettings
from kiosk.wiring import build_demo_runtime

settings = Settings(ui=UiSettings(fullscreen=False))
built = time.time()
runtime = build_demo_runtime(settings, Path(sys.argv[1]))
built = time.time() - built
app = KioskApp(settings, runtime)
idle = float(sys.argv[2])

def drawn(*_):
    Window.unbind(on_flip=drawn)
    print(json.dumps({"drawn": time.time(), "runtime_s": built}), flush=True)
    Clock.schedule_once(lambda _dt: app.stop(), idle) if idle else Clock.schedule_once(
        lambda _dt: app.stop(), 0)

Window.bind(on_flip=drawn)
app.run()
"""
)

FEEDBACK = (
    _PRELUDE
    + """
from kivy.base import EventLoop
from kivy.core.window import Window
from kivy.tests.common import UnitTestTouch
from kiosk.app import KioskApp
from kiosk.config import Settings, UiSettings
from kiosk.wiring import build_demo_runtime
from screens.driver import Driver

settings = Settings(ui=UiSettings(fullscreen=False))
runtime = build_demo_runtime(settings, Path(sys.argv[1]))
app = KioskApp(settings, runtime)
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
    touch = UnitTestTouch(x, y)
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


def _cold_start(script: Path, env: dict[str, str], workdir: Path) -> tuple[float, float]:
    """Seconds from process start to the first frame, and those spent building the runtime."""
    started = time.time()
    result = subprocess.run(
        [sys.executable, str(script), str(workdir), "0"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    found = next(json.loads(line) for line in result.stdout.splitlines() if "drawn" in line)
    return float(found["drawn"] - started), float(found.get("runtime_s", 0.0))


def _proc_cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    ticks = int(fields[11]) + int(fields[12])  # utime + stime
    return ticks / os.sysconf("SC_CLK_TCK")


def _rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def _idle(script: Path, env: dict[str, str], workdir: Path) -> tuple[float, float]:
    """CPU share of one core over IDLE_SECONDS on the attract screen, and RSS after it."""
    child = subprocess.Popen(
        [sys.executable, str(script), str(workdir), str(IDLE_SECONDS + 8)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    try:
        assert child.stdout is not None
        child.stdout.readline()  # the first frame is drawn
        time.sleep(3.0)  # settle: first catalogue poll, caches, Python imports done
        cpu0, t0 = _proc_cpu_seconds(child.pid), time.monotonic()
        time.sleep(IDLE_SECONDS)
        cpu1, t1 = _proc_cpu_seconds(child.pid), time.monotonic()
        rss = _rss_mb(child.pid)
    finally:
        child.wait(timeout=60)
    return (cpu1 - cpu0) / (t1 - t0) * 100, rss


def main() -> dict[str, Any]:
    from kiosk.display import start_xvfb

    display = start_xvfb(1920, 1080)
    try:
        with tempfile.TemporaryDirectory(prefix="bench-ui-") as tmp:
            folder = Path(tmp)
            env = _env(display.display)
            bare_script = _script(folder, "bare_window", BARE)
            kiosk_script = _script(folder, "kiosk_window", KIOSK)
            feedback_script = _script(folder, "pin_feedback", FEEDBACK)
            bare, kiosk, runtime = [], [], []
            for i in range(ROUNDS):
                bare.append(_cold_start(bare_script, env, folder / f"b{i}")[0])
                total, built = _cold_start(kiosk_script, env, folder / f"k{i}")
                kiosk.append(total)
                runtime.append(built)
            cpu, rss = _idle(kiosk_script, env, folder / "idle")
            bare_cpu, bare_rss = _idle(bare_script, env, folder / "bare-idle")
            result = subprocess.run(
                [sys.executable, str(feedback_script), str(folder / "fb")],
                env=env,
                capture_output=True,
                text=True,
                timeout=120,
                check=True,
            )
            latencies = json.loads(result.stdout.strip().splitlines()[-1])["latencies_ms"]
    finally:
        display.stop()
    bare_s, kiosk_s = statistics.median(bare), statistics.median(kiosk)
    shell_s = statistics.median(k - r for k, r in zip(kiosk, runtime, strict=True))
    feedback = statistics.median(latencies)
    return {
        "cold_start_s": round(kiosk_s, 3),
        "demo_runtime_build_s": round(statistics.median(runtime), 3),
        "cold_start_shell_s": round(shell_s, 3),
        "bare_window_s": round(bare_s, 3),
        "cold_start_ratio": round(kiosk_s / bare_s, 2),
        "cold_start_shell_ratio": round(shell_s / bare_s, 2),
        "idle_cpu_percent": round(cpu, 2),
        "bare_idle_cpu_percent": round(bare_cpu, 2),
        "bare_rss_mb": round(bare_rss, 1),
        "pin_feedback_ms_median": round(feedback, 1),
        "pin_feedback_ms_max": round(max(latencies), 1),
        "steady_rss_mb": round(rss, 1),
        "targets": "cold <= 1.5 s and <= 1.3x bare; idle <= 2 %; feedback <= 50 ms; RSS <= 200 MB",
    }


if __name__ == "__main__":
    print(json.dumps(main()))
