"""Start-up in a real Kivy window under Xvfb: the attract screen is drawn before the runtime is
built, a touch in that while is not lost, a runtime that arrives after the app stopped is
stopped too, and a configuration that only the runtime can refuse still ends `kiosk run` with
exit 2 and one line. Each in its own process: a Kivy window is created once per process."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from kiosk.display import VirtualDisplay

pytestmark = pytest.mark.ui

REPO = Path(__file__).resolve().parents[2]
KIOSK_CLI = "from kiosk.cli import entry; entry()"

_APP = """
import gc, json, sys, threading, time
from pathlib import Path
from kiosk import startup_gc
from kiosk.kivy_setup import prepare_kivy
startup_gc.pause()  # as kiosk_app and demo_app do
prepare_kivy(fullscreen=False, size=(1280, 800))
from kivy.clock import Clock
from kivy.core.window import Window
from screens.synthetic_touch import SyntheticTouch
from devices.speech import EspeakSpeaker
from i18n import voices
from kiosk.app import KioskApp
from kiosk.config import Settings, UiSettings
from kiosk.wiring import build_demo_runtime

settings = Settings(ui=UiSettings(fullscreen=False))
workdir = Path(sys.argv[1])
release = threading.Event()
built = []
seen = {}

def factory():
    release.wait(30)
    runtime = build_demo_runtime(settings, workdir, tick_s=None, printer_poll_s=None)
    built.append(runtime)
    return runtime

app = KioskApp(settings, factory=factory, demo=True, speaker=EspeakSpeaker(voices()))  # as demo_app
"""

EARLY_TOUCH = (
    _APP
    + """
def first_frame(*_):
    Window.unbind(on_flip=first_frame)
    seen["ready_at_first_frame"] = app.ready
    seen["shown_at_first_frame"] = app.presenter.shown
    seen["collector_at_first_frame"] = gc.isenabled()
    seen["frozen_at_first_frame"] = gc.get_freeze_count()
    touch = SyntheticTouch(640, 400)  # the attract screen is one big start button
    touch.touch_down()
    touch.touch_up()
    seen["state_after_touch"] = app.presenter.state.value
    release.set()
    Clock.schedule_once(wait_ready, 0)

def wait_ready(_dt):
    if not app.ready:
        Clock.schedule_once(wait_ready, 0.01)
        return
    Clock.schedule_once(report, 0.2)

def report(_dt):
    seen["state_when_ready"] = app.presenter.state.value
    seen["shown_when_ready"] = app.presenter.shown
    seen["collector_when_ready"] = gc.isenabled()
    seen["frozen_when_ready"] = gc.get_freeze_count()
    print(json.dumps(seen), flush=True)
    app.stop()

Window.bind(on_flip=first_frame)
app.run()
"""
)

STOP_WHILE_BUILDING = (
    _APP
    + """
def first_frame(*_):
    Window.unbind(on_flip=first_frame)
    Clock.schedule_once(lambda _dt: app.stop(), 0)
    threading.Timer(0.5, release.set).start()  # the build ends after the app has stopped

Window.bind(on_flip=first_frame)
app.run()
app.stop_runtime()
print(json.dumps({"built": len(built), "stopped": [r.stopped for r in built],
                  "collector": gc.isenabled()}), flush=True)
"""
)


def run_script(xvfb: VirtualDisplay, tmp_path: Path, name: str, text: str) -> dict[str, object]:
    script = tmp_path / f"{name}.py"  # Kivy's App looks for its source file
    script.write_text(text)
    result = subprocess.run(
        [sys.executable, str(script), str(tmp_path / "work")],
        env={**os.environ, "DISPLAY": xvfb.display, "PYTHONPATH": str(REPO)},
        capture_output=True,
        text=True,
        timeout=90,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    found: dict[str, object] = json.loads(result.stdout.strip().splitlines()[-1])
    return found


def test_attract_is_drawn_first_and_an_early_touch_starts_the_session(
    xvfb: VirtualDisplay, tmp_path: Path
) -> None:
    seen = run_script(xvfb, tmp_path, "early_touch", EARLY_TOUCH)
    assert seen["ready_at_first_frame"] is False
    assert seen["shown_at_first_frame"] == "attract"
    assert seen["state_after_touch"] == "attract"  # kept: there is no session yet
    assert seen["state_when_ready"] == "language"  # handed over once the runtime started
    assert seen["shown_when_ready"] == "language"
    # Stood aside for the start (kiosk.startup_gc), as usual again once the first frame is drawn.
    assert seen["collector_at_first_frame"] is False
    assert seen["frozen_at_first_frame"] > 1000  # what existed before Kivy was imported
    assert seen["collector_when_ready"] is True
    assert seen["frozen_when_ready"] == 0


def test_a_runtime_built_after_the_app_stopped_is_stopped(
    xvfb: VirtualDisplay, tmp_path: Path
) -> None:
    seen = run_script(xvfb, tmp_path, "stop_while_building", STOP_WHILE_BUILDING)
    assert seen == {"built": 1, "stopped": [True], "collector": True}


def test_kiosk_run_refuses_a_configuration_the_runtime_cannot_use(
    xvfb: VirtualDisplay, tmp_path: Path, tmpfs_dir: Path
) -> None:
    """The check happens while the attract screen already shows: still exit 2, one line."""
    token = tmp_path / "token"
    token.write_text("enrolled-terminal-token")
    token.chmod(0o600)
    config = tmp_path / "kiosk.toml"
    config.write_text(
        f'[cityapi]\nurl = "http://127.0.0.1:9"\ntoken_file = "{token}"\n'
        f'catalogue_cache = "{tmp_path / "catalogue.json"}"\n'
        f'[session]\ntmpfs_dir = "{tmpfs_dir}"\n'
        f'[printer]\npdf_folder = "{tmp_path / "pdf"}"\n'  # refused without eid.simulated
        "[ui]\nfullscreen = false\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", KIOSK_CLI, "--config", str(config), "run", "--window"],
        env={**os.environ, "DISPLAY": xvfb.display, "PYTHONPATH": str(REPO)},
        capture_output=True,
        text=True,
        timeout=90,
        check=False,
    )
    assert result.returncode == 2, result.stderr[-3000:]
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "printer.pdf_folder" in lines[0], lines
