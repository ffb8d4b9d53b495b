"""An attacker (or a bug) makes a worker thread of the kiosk fail with a citizen's national
number and name in the exception's message: nothing of it may reach stderr, which under
systemd is the journal. The same for an uncaught exception in the main thread, one raised in
`__del__` (an "unraisable" one) and a warning, and for the session machine's own error log.

The process is started as `kiosk run` starts: logging set up by kiosk.logs.setup_logging, its
stderr a file that JOURNAL_STREAM names (so the journal's format is used)."""

from __future__ import annotations

import logging
import os
import subprocess
import sys
from pathlib import Path

import pytest

from session import events as ev
from session.machine import RULES_BY_KEY, SessionMachine
from session.states import State

CANARY = "85073003328"  # a valid national number (mod 97), born 1985-07-30
CANARY_DOTTED = "85.07.30-033.28"
NAME = "Zebulon Quackenbush"

CHILD = f"""
import sys, threading, warnings
from kiosk.logs import setup_logging

setup_logging(level="info")  # as `kiosk run` does with the configured level

def worker():
    raise ValueError("card of {NAME} {CANARY}")

t = threading.Thread(target=worker, name="eid-worker")
t.start()
t.join()

class Holder:
    def __repr__(self):
        return "Holder({NAME} {CANARY_DOTTED})"
    def __del__(self):
        raise RuntimeError("dropping {NAME} {CANARY_DOTTED}")

h = Holder()
del h
warnings.warn("card {CANARY}")
try:
    raise KeyError("{NAME}")
except KeyError as exc:
    raise LookupError("no address for {CANARY}") from exc
"""


def run_child(tmp_path: Path, journal: bool) -> tuple[int, str]:
    err = tmp_path / "stderr.txt"
    env = dict(os.environ)
    env.pop("JOURNAL_STREAM", None)
    with err.open("wb") as stderr:
        if journal:
            st = os.fstat(stderr.fileno())
            env["JOURNAL_STREAM"] = f"{st.st_dev}:{st.st_ino}"
        done = subprocess.run(
            [sys.executable, "-c", CHILD],
            stdout=subprocess.DEVNULL,
            stderr=stderr,
            env=env,
            timeout=60,
        )
    return done.returncode, err.read_text(errors="replace")


@pytest.mark.parametrize("journal", [False, True], ids=["terminal", "journal"])
def test_uncaught_exceptions_leave_no_citizen_data_on_stderr(tmp_path: Path, journal: bool) -> None:
    code, text = run_child(tmp_path, journal)
    assert code == 1, text  # the uncaught main-thread exception still ends the process
    for secret in (CANARY, CANARY_DOTTED, "Quackenbush"):
        assert secret not in text, f"{secret!r} leaked:\n{text}"
    # ...and each failure is still reported, by type and thread, through logging.
    assert "ValueError" in text and "eid-worker" in text
    assert "RuntimeError" in text and "__del__" in text
    assert "LookupError" in text and "KeyError" in text
    assert "UserWarning" in text
    if journal:
        assert all(line.startswith("<") for line in text.splitlines() if line), text


def test_a_failing_session_rule_logs_no_message(
    machine_in_catalogue: SessionMachine, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    machine = machine_in_catalogue

    def broken(self: SessionMachine, event: ev.Event) -> None:
        raise RuntimeError(f"document for {NAME}")

    rule = RULES_BY_KEY[(State.CATALOGUE, ev.ChooseDocument)]
    object.__setattr__(rule, "handler", broken)
    try:
        machine.handle(ev.ChooseDocument("residence"))
    finally:
        object.__setattr__(rule, "handler", SessionMachine.on_choose)
    text = caplog.text + "".join(
        logging.Formatter().formatException(r.exc_info) for r in caplog.records if r.exc_info
    )
    assert "RuntimeError" in text
    assert "Quackenbush" not in text, text


@pytest.fixture
def machine_in_catalogue(tmp_path: Path) -> SessionMachine:
    from i18n.languages import CODES
    from session.timers import ManualClock, TimerPolicy
    from tests.unit.test_session_machine import drive_to

    machine = SessionMachine(
        TimerPolicy(), ManualClock(), tmp_path, languages=CODES, new_id=lambda: "0" * 16
    )
    drive_to(machine, State.CATALOGUE)
    return machine
