"""The wipe against a real private cupsd: held print jobs of a citizen are purged from the
spool, the session directory is gone, and a wipe that cannot be verified reaches health."""

from __future__ import annotations

import contextlib
import time
from collections.abc import Sequence
from pathlib import Path

import pytest

from devices.eid.emulator.cardfiles import canary_profile
from session.effects import Wipe, WipeReason
from session.holder import CitizenData
from session.wipe import Wiper, prepare_session_dir
from session.workspace import new_session_id, session_dir
from tests.harness.cupsd import Cupsd
from tests.harness.virtual_citizen import citizen_document, virtual_eid

pytestmark = pytest.mark.integration


class CupsSpool:
    """The `PrintSpool` port in a few lines of pycups (the real adapter lives in devices/)."""

    def __init__(self, cupsd: Cupsd) -> None:
        self.cupsd = cupsd

    def submit_held(self, path: Path, title: str) -> int:
        """Submit a job that stays in the spool until purged (as a slow printer would)."""
        options = {"job-hold-until": "indefinite"}
        return int(self.cupsd.connection().printFile(self.cupsd.queue, str(path), title, options))

    def purge(self, job_ids: Sequence[int]) -> None:
        import cups

        connection = self.cupsd.connection()
        for job in job_ids:
            with contextlib.suppress(cups.IPPError):  # already gone: purging is idempotent
                connection.cancelJob(job, purge_job=True)

    def remaining(self, job_ids: Sequence[int]) -> list[int]:
        known = self.cupsd.connection().getJobs(which_jobs="all", my_jobs=False)
        return [job for job in job_ids if job in known]

    def active_jobs(self) -> list[int]:
        return sorted(self.cupsd.connection().getJobs(which_jobs="not-completed", my_jobs=False))


def spool_files_containing(cupsd: Cupsd, needle: bytes) -> list[Path]:
    return [
        p for p in (cupsd.root / "spool").rglob("*") if p.is_file() and needle in p.read_bytes()
    ]


class RecordingScreens:
    def __init__(self) -> None:
        self.calls: list[str] = []

    def clear_clipboard(self) -> None:
        self.calls.append("clipboard")

    def clear_selection(self) -> None:
        self.calls.append("selection")

    def reset_screens(self) -> None:
        self.calls.append("screens")


class RecordingHealth:
    def __init__(self) -> None:
        self.failures: list[tuple[str, tuple[str, ...]]] = []

    def wipe_failed(self, reason: str, problems: Sequence[str]) -> None:
        self.failures.append((reason, tuple(problems)))


class CountingApi:
    def __init__(self) -> None:
        self.cancelled = 0

    def cancel_all(self) -> None:
        self.cancelled += 1


def citizen_session(tmp_path: Path, spool: CupsSpool, n: int) -> tuple[CitizenData, Wipe, bytes]:
    """A session with the citizen's data in the holder, a file on 'tmpfs' and a held job."""
    profile = canary_profile(n)
    holder = CitizenData()
    holder.keep_card_read(virtual_eid(profile))
    holder.keep_document(citizen_document(profile, "residence"))
    directory = prepare_session_dir(session_dir(tmp_path, new_session_id()))
    document = directory / "document.txt"
    document.write_bytes(holder.document)
    job = spool.submit_held(document, "kiosk residence")
    return holder, Wipe(WipeReason.COMPLETED, directory, (job,)), profile.national_number.encode()


def test_wipe_purges_the_spool_deletes_the_directory_and_resets_screens(
    cupsd: Cupsd, tmp_path: Path
) -> None:
    spool, screens, health, api = (
        CupsSpool(cupsd),
        RecordingScreens(),
        RecordingHealth(),
        CountingApi(),
    )
    holder, request, needle = citizen_session(tmp_path, spool, 101)
    buffers = holder.buffers()
    assert spool_files_containing(cupsd, needle), "the held job is in the spool before the wipe"
    wiper = Wiper(spool=spool, screens=screens, api=api, health=health)

    report = wiper.wipe(request, holder)

    assert report.verified, report.problems
    assert report.duration_s < 0.3
    assert not request.session_dir.exists()  # type: ignore[union-attr]
    assert spool.remaining(request.job_ids) == []
    assert not spool_files_containing(cupsd, needle)
    assert holder.is_empty() and all(not any(b) for b in buffers)
    assert screens.calls == ["clipboard", "selection", "screens"] and api.cancelled == 1
    assert health.failures == []
    again = wiper.wipe(request, holder)
    assert again.verified, "a second wipe of the same session finds nothing and succeeds"


class HangingSpool(CupsSpool):
    def purge(self, job_ids: Sequence[int]) -> None:
        time.sleep(5)


def test_a_wipe_that_cannot_be_verified_is_bounded_and_reaches_health(
    cupsd: Cupsd, tmp_path: Path
) -> None:
    spool, health = HangingSpool(cupsd), RecordingHealth()
    holder, request, _ = citizen_session(tmp_path, spool, 102)
    started = time.monotonic()
    report = Wiper(spool=spool, health=health, step_budget_s=0.2).wipe(request, holder)
    assert time.monotonic() - started < 1.0
    assert not report.verified and report.jobs_left == request.job_ids
    assert report.directory_removed and report.holder_empty
    assert health.failures and health.failures[0][0] == "completed"
    assert any("purge print jobs" in p for p in health.failures[0][1])
    CupsSpool(cupsd).purge(request.job_ids)
