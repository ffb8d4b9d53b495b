"""Crash safety: before the kiosk shows anything, wipe what a dead process left behind.

A process killed mid-session (power cut, OOM, a crash) leaves its session directory under the
tmpfs dir (tmpfs survives a process, not a reboot) and maybe print jobs in the spool. The app
calls `recover_leftover_sessions` first thing at start-up.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path

from session.effects import Wipe, WipeReason
from session.wipe import Wiper, WipeReport, leftover_session_dirs

log = logging.getLogger(__name__)


def recover_leftover_sessions(tmpfs_dir: Path, wiper: Wiper) -> list[WipeReport]:
    """Wipe every leftover session directory and every unfinished job of this kiosk.

    The job ids died with the process; the kiosk is the only client of its queue, so every
    unfinished job on it at start-up belongs to a dead session.
    """
    jobs = _leftover_jobs(wiper)
    targets: list[Path | None] = list(leftover_session_dirs(tmpfs_dir))
    if not targets and jobs:
        targets.append(None)
    reports = []
    for index, directory in enumerate(targets):
        # The leftover jobs go with the first wipe; later ones only need their directory.
        request = Wipe(WipeReason.CRASH_RECOVERY, directory, jobs if index == 0 else ())
        reports.append(wiper.wipe(request))
    if reports:
        log.warning(
            "start-up: wiped %d leftover session(s) and %d print job(s)", len(reports), len(jobs)
        )
    return reports


def _leftover_jobs(wiper: Wiper) -> tuple[int, ...]:
    spool = wiper.spool
    if spool is None:
        return ()
    found: list[list[int]] = []
    problems: list[str] = []
    listing: Callable[[], None] = lambda: found.append(spool.active_jobs())  # noqa: E731
    if not wiper.run_bounded("list leftover print jobs", listing, problems):
        log.error("start-up: could not list leftover print jobs: %s", "; ".join(problems))
        if wiper.health is not None:
            wiper.health.wipe_failed(WipeReason.CRASH_RECOVERY.value, tuple(problems))
        return ()
    return tuple(found[0])
