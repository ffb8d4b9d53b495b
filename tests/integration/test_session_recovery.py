"""Crash safety: a process killed mid-session leaves its directory and a print job; the next
start-up wipes both before anything is shown."""

from __future__ import annotations

import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from session.recovery import recover_leftover_sessions
from session.wipe import Wiper, leftover_session_dirs
from tests.harness.cupsd import Cupsd
from tests.integration.test_session_wipe import CupsSpool, RecordingHealth, spool_files_containing

pytestmark = pytest.mark.integration
REPO = Path(__file__).resolve().parents[2]

# A kiosk process in the middle of printing a citizen's certificate, killed without warning.
DOOMED_KIOSK = textwrap.dedent(
    """
    import os, signal, sys
    from pathlib import Path
    import cups
    from devices.eid.emulator.cardfiles import canary_profile
    from tests.harness.virtual_citizen import citizen_document
    from session.wipe import prepare_session_dir
    from session.workspace import new_session_id, session_dir

    tmpfs, socket, queue = Path(sys.argv[1]), sys.argv[2], sys.argv[3]
    directory = prepare_session_dir(session_dir(tmpfs, new_session_id()))
    document = directory / "document.txt"
    document.write_bytes(citizen_document(canary_profile(4242), "residence"))
    (directory / "scratch").mkdir()
    (directory / "scratch" / "photo.jpg").write_bytes(canary_profile(4242).photo)
    cups.setServer(socket)
    cups.Connection().printFile(queue, str(document), "kiosk residence",
                                {"job-hold-until": "indefinite"})
    os.kill(os.getpid(), signal.SIGKILL)
    """
)


def test_leftovers_of_a_killed_process_are_wiped_at_start_up(cupsd: Cupsd, tmp_path: Path) -> None:
    from devices.eid.emulator.cardfiles import canary_profile

    tmpfs = tmp_path / "run-kiosk-session"
    (tmpfs / "unrelated").mkdir(parents=True)  # not ours: left alone
    done = subprocess.run(
        [sys.executable, "-c", DOOMED_KIOSK, str(tmpfs), str(cupsd.socket), cupsd.queue],
        cwd=REPO,
        capture_output=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == -signal.SIGKILL, done.stderr.decode()
    needle = canary_profile(4242).national_number.encode()
    assert len(leftover_session_dirs(tmpfs)) == 1
    spool = CupsSpool(cupsd)
    assert spool.active_jobs() and spool_files_containing(cupsd, needle)

    health = RecordingHealth()
    reports = recover_leftover_sessions(tmpfs, Wiper(spool=spool, health=health))

    assert len(reports) == 1 and reports[0].verified, reports[0].problems
    assert leftover_session_dirs(tmpfs) == []
    assert (tmpfs / "unrelated").is_dir()
    assert spool.active_jobs() == [] and not spool_files_containing(cupsd, needle)
    assert health.failures == []
    assert recover_leftover_sessions(tmpfs, Wiper(spool=spool)) == [], "nothing left to do"


def test_recovery_with_no_tmpfs_dir_yet_is_a_no_op(tmp_path: Path) -> None:
    assert recover_leftover_sessions(tmp_path / "missing", Wiper()) == []
