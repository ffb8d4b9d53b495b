"""kiosk.stop_signals without Kivy, each case in a process of its own (signals are sent to it):
the stop runs once however many signals come, and a stop that never finishes is cut at its
limit with one line and exit 1."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]

SCRIPT = """
import logging, os, signal, sys, threading, time
from kiosk.stop_signals import StopOnSignals

logging.basicConfig(level=logging.INFO, format="%(levelname)s %(message)s")
hang = sys.argv[1] == "hang"
stops = []
stopped = threading.Event()

def request_stop():
    stops.append(time.monotonic())
    if hang:
        time.sleep(60)  # a device that never answers
    stopped.set()

stopper = StopOnSignals(
    request_stop,
    limit_s=1.0,
    schedule=lambda fn: threading.Thread(target=fn, daemon=True).start(),
).install()
print("ready", flush=True)
stopped.wait(30)
time.sleep(0.3)  # more signals may still come
stopper.finished(True)
print("stops", len(stops), flush=True)
"""


def start(tmp_path: Path, mode: str) -> subprocess.Popen[str]:
    script = tmp_path / "stopper.py"
    script.write_text(SCRIPT)
    process = subprocess.Popen(
        [sys.executable, str(script), mode],
        env={**os.environ, "PYTHONPATH": str(REPO)},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert process.stdout is not None
    assert process.stdout.readline().strip() == "ready"
    return process


def test_the_stop_runs_once_for_several_signals(tmp_path: Path) -> None:
    process = start(tmp_path, "finish")
    process.send_signal(signal.SIGTERM)
    time.sleep(0.1)  # pending together, Python would run SIGHUP's handler first (lowest number)
    process.send_signal(signal.SIGHUP)
    process.send_signal(signal.SIGINT)
    out, err = process.communicate(timeout=10)
    assert process.returncode == 0, err
    assert out.strip().splitlines() == ["stops 1"]
    lines = err.strip().splitlines()
    assert len(lines) == 1 and "stopped on SIGTERM" in lines[0] and "cleanly" in lines[0], err


def test_a_stop_that_never_finishes_is_cut_at_the_limit_with_one_line(tmp_path: Path) -> None:
    process = start(tmp_path, "hang")
    sent = time.monotonic()
    process.send_signal(signal.SIGTERM)
    out, err = process.communicate(timeout=10)
    took = time.monotonic() - sent
    assert process.returncode == 1, err
    assert 1.0 <= took < 5.0
    assert "stops" not in out
    lines = err.strip().splitlines()
    assert len(lines) == 1 and "not finished within 1 s" in lines[0], err
