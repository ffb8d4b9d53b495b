"""The wipe: destroy everything of a session, then check that it is gone.

The only module of session/ that does I/O: it creates and deletes the session's tmpfs directory
and purges print jobs through the `PrintSpool` port. Every step runs even when an earlier one
failed, the slow external ones (spool, API, screens) within a time budget each, and the result is
verified (directory gone, no job left, holder empty). A failed verification goes to health.
Idempotent: wiping an already wiped session verifies and succeeds.
"""

from __future__ import annotations

import logging
import os
import shutil
import stat
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from session.effects import Wipe, WipeReason
from session.holder import CitizenData
from session.ports import HealthReport, PendingCalls, PrintSpool, ScreenReset
from session.workspace import is_session_dir_name

log = logging.getLogger(__name__)

DEFAULT_STEP_BUDGET_S = 0.25  # per external step; the whole wipe stays well under a second


@dataclass(frozen=True)
class WipeReport:
    """What the wipe did and found. Technical only: no citizen data."""

    reason: WipeReason
    duration_s: float
    directory_removed: bool
    jobs_left: tuple[int, ...]
    holder_empty: bool
    problems: tuple[str, ...] = field(default=())

    @property
    def verified(self) -> bool:
        return self.directory_removed and not self.jobs_left and self.holder_empty


def prepare_session_dir(path: Path) -> Path:
    """Create the session's directory (0700) before the first file goes in; idempotent."""
    if not is_session_dir_name(path.name):
        raise ValueError("not a session directory name")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.mkdir(mode=0o700, exist_ok=True)
    return path


def leftover_session_dirs(tmpfs_dir: Path) -> list[Path]:
    """Session directories present under `tmpfs_dir` (after a crash, there should be none)."""
    try:
        entries = list(os.scandir(tmpfs_dir))
    except FileNotFoundError:
        return []
    return sorted(Path(e.path) for e in entries if is_session_dir_name(e.name))


def remove_session_dir(path: Path) -> None:
    """Overwrite every regular file with zeros, then delete the tree.

    On tmpfs the unlink alone frees the pages; the overwrite matters when the directory was
    misconfigured onto a disk, and costs little for the few small files a session writes.
    """
    if not path.exists():
        return
    for root, _dirs, files in os.walk(path):
        for name in files:
            _zero_file(Path(root) / name)
    shutil.rmtree(path)


def _zero_file(path: Path) -> None:
    try:
        info = path.lstat()
        if not stat.S_ISREG(info.st_mode) or info.st_size == 0:
            return
        with path.open("r+b", buffering=0) as handle:
            remaining = info.st_size
            chunk = bytes(min(remaining, 1 << 20))
            while remaining > 0:
                remaining -= handle.write(chunk[: min(remaining, len(chunk))])
    except OSError:
        pass  # deleting still follows; verification says whether it worked


class Wiper:
    def __init__(
        self,
        *,
        spool: PrintSpool | None = None,
        screens: ScreenReset | None = None,
        api: PendingCalls | None = None,
        health: HealthReport | None = None,
        step_budget_s: float = DEFAULT_STEP_BUDGET_S,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.spool = spool
        self.screens = screens
        self.api = api
        self.health = health
        self.step_budget_s = step_budget_s
        self.clock = clock

    def wipe(self, request: Wipe, holder: CitizenData | None = None) -> WipeReport:
        """Run every step of the wipe, verify, and report a failure to health."""
        started = self.clock()
        problems: list[str] = []
        if holder is not None:
            holder.wipe()
        if self.api is not None:
            self.run_bounded("cancel API calls", self.api.cancel_all, problems)
        if self.spool is not None and request.job_ids:
            spool = self.spool
            self.run_bounded("purge print jobs", lambda: spool.purge(request.job_ids), problems)
        if self.screens is not None:
            # Inline, on the wiping thread: the app's adapter schedules onto the UI thread.
            for what, action in (
                ("clear clipboard", self.screens.clear_clipboard),
                ("clear selection", self.screens.clear_selection),
                ("reset screens", self.screens.reset_screens),
            ):
                try:
                    action()
                except Exception as exc:
                    problems.append(f"{what}: {type(exc).__name__}")
        if request.session_dir is not None:
            try:
                remove_session_dir(request.session_dir)
            except OSError as exc:
                problems.append(f"delete session directory: {type(exc).__name__}")
        report = self._verify(request, holder, problems, started)
        if not report.verified:
            log.error("wipe (%s) not verified: %s", request.reason.value, "; ".join(problems))
            health = self.health
            if health is not None:
                reason = request.reason.value
                self.run_bounded("report", lambda: health.wipe_failed(reason, report.problems), [])
        return report

    def _verify(
        self,
        request: Wipe,
        holder: CitizenData | None,
        problems: list[str],
        started: float,
    ) -> WipeReport:
        directory_removed = request.session_dir is None or not os.path.lexists(request.session_dir)
        if not directory_removed:
            problems.append("session directory still present")
        jobs_left: tuple[int, ...] = ()
        if self.spool is not None and request.job_ids:
            spool = self.spool
            found: list[Sequence[int]] = []
            ok = self.run_bounded(
                "check print jobs", lambda: found.append(spool.remaining(request.job_ids)), problems
            )
            jobs_left = tuple(found[0]) if ok and found else tuple(request.job_ids)
            if jobs_left:
                problems.append(f"{len(jobs_left)} print job(s) still in the spool")
        holder_empty = holder is None or holder.is_empty()
        if not holder_empty:
            problems.append("holder not empty")
        return WipeReport(
            reason=request.reason,
            duration_s=self.clock() - started,
            directory_removed=directory_removed,
            jobs_left=jobs_left,
            holder_empty=holder_empty,
            problems=tuple(problems),
        )

    def run_bounded(self, what: str, action: Callable[[], object], problems: list[str]) -> bool:
        """Run `action` on a helper thread, waiting at most the step budget; True when it ran
        to completion. A step that hangs (a dead CUPS, a stuck request) is left behind."""
        failure: list[BaseException] = []

        def run() -> None:
            try:
                action()
            except BaseException as exc:
                failure.append(exc)

        worker = threading.Thread(target=run, name=f"wipe: {what}", daemon=True)
        worker.start()
        worker.join(self.step_budget_s)
        if worker.is_alive():
            problems.append(f"{what}: no answer within {self.step_budget_s:.2f} s")
            return False
        if failure:
            problems.append(f"{what}: {type(failure[0]).__name__}")
            return False
        return True
