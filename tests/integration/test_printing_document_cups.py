"""Certificates through the real private cupsd and its cups-pdf queue."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from pypdf import PdfReader

from devices.printing.document.cups_printer import CupsDocumentPrinter
from devices.printing.document.printer import JobProgress, JobState, print_pdf
from devices.printing.errors import JobRefused, NotAPdf, QueueNotFound
from devices.printing.readiness import Level
from kiosk.cli import main
from tests.harness.common import wait_until
from tests.harness.cupsd import Cupsd
from tests.harness.documents import make_pdf

pytestmark = pytest.mark.integration


@pytest.fixture
def printer(cupsd: Cupsd) -> Iterator[CupsDocumentPrinter]:
    device = CupsDocumentPrinter(cupsd.queue, server=str(cupsd.socket))
    yield device
    device.close()


@pytest.fixture
def pdf(tmp_path: Path) -> Path:
    return make_pdf(tmp_path / "certificate.pdf", pages=3)


@pytest.fixture
def disabled(cupsd: Cupsd) -> Iterator[None]:
    """The queue paused for one test, and enabled again whatever happens."""
    assert cupsd.run("cupsdisable", cupsd.queue).returncode == 0
    try:
        yield
    finally:
        cupsd.run("cupsenable", cupsd.queue)


def spool_files(cupsd: Cupsd, job_id: int) -> list[str]:
    names = [p.name for p in (cupsd.root / "spool").iterdir()]
    return [n for n in names if n.startswith((f"d{job_id:05d}-", f"c{job_id:05d}"))]


def test_a_three_page_certificate_comes_out_whole(
    printer: CupsDocumentPrinter, cupsd: Cupsd, pdf: Path
) -> None:
    seen: list[JobProgress] = []
    outcome = print_pdf(printer, pdf, session_id="s-print-1", timeout=30, on_progress=seen.append)
    assert outcome.completed, outcome
    assert outcome.status == "completed"
    assert seen[-1].state is JobState.COMPLETED
    assert seen[-1].pages_done == 3

    def output() -> list[Path]:
        return [p for p in cupsd.output_pdfs() if "kiosk-s-print-" in p.name]

    wait_until(lambda: bool(output()), 10, "the cups-pdf output")
    assert len(PdfReader(output()[-1]).pages) == 3
    printer.purge_session("s-print-1")


def test_an_idle_queue_is_ready(printer: CupsDocumentPrinter) -> None:
    readiness = printer.readiness()
    assert readiness.level is Level.READY, readiness


def test_a_disabled_queue_is_unavailable_and_a_waiting_job_is_reported_stopped(
    printer: CupsDocumentPrinter, pdf: Path, disabled: None
) -> None:
    readiness = printer.readiness()
    assert readiness.level is Level.UNAVAILABLE
    assert readiness.reason == "queue stopped: Paused"
    assert readiness.details == ("paused",)
    job_id = printer.submit(pdf, session_id="s-disabled")
    started = time.monotonic()
    outcome = printer.follow(job_id, timeout=20)
    assert outcome.state is JobState.STOPPED and not outcome.timed_out
    assert "queue stopped" in outcome.reason
    assert time.monotonic() - started < 5, (
        "a paused queue is noticed without waiting for the timeout"
    )
    assert printer.purge_session("s-disabled").clean


def test_print_pdf_cancels_and_purges_a_job_that_did_not_complete(
    printer: CupsDocumentPrinter, cupsd: Cupsd, pdf: Path, disabled: None
) -> None:
    outcome = print_pdf(printer, pdf, session_id="s-not-done", timeout=20)
    assert outcome.state is JobState.STOPPED and not outcome.completed
    # Left in the spool, the job would print when the queue comes back, the citizen gone.
    assert outcome.job_id not in printer.known_job_ids()
    assert spool_files(cupsd, outcome.job_id) == []


def test_a_queue_rejecting_jobs_is_unavailable_and_refuses_the_job(
    printer: CupsDocumentPrinter, cupsd: Cupsd, pdf: Path
) -> None:
    assert cupsd.run("cupsreject", cupsd.queue).returncode == 0
    try:
        readiness = printer.readiness()
        assert readiness.level is Level.UNAVAILABLE
        assert "rejecting new jobs" in readiness.reason
        with pytest.raises(JobRefused, match="not accepting jobs"):
            printer.submit(pdf, session_id="s-reject")
        assert printer.session_jobs("s-reject") == ()
    finally:
        cupsd.run("cupsaccept", cupsd.queue)
    assert printer.readiness().level is Level.READY


def test_a_job_cancelled_half_way_ends_canceled(
    printer: CupsDocumentPrinter, cupsd: Cupsd, pdf: Path
) -> None:
    job_id = printer.submit(pdf, session_id="s-cancel", hold=True)
    seen: list[JobProgress] = []
    result: list[object] = []
    follower = threading.Thread(
        target=lambda: result.append(printer.follow(job_id, timeout=20, on_progress=seen.append))
    )
    follower.start()
    wait_until(lambda: bool(seen), 10, "the first progress report")
    assert seen[0].state is JobState.HELD
    # Cancelled from outside, as IT would with `cancel`: the follower sees it.
    assert cupsd.run("cancel", str(job_id)).returncode == 0
    follower.join(timeout=20)
    (outcome,) = result
    assert outcome.state is JobState.CANCELED  # type: ignore[attr-defined]
    assert outcome.status == "canceled"  # type: ignore[attr-defined]
    assert not outcome.completed  # type: ignore[attr-defined]
    assert printer.purge_session("s-cancel").clean


def test_a_job_that_does_not_finish_in_time_is_cancelled_and_purged(
    printer: CupsDocumentPrinter, cupsd: Cupsd, pdf: Path
) -> None:
    job_id = printer.submit(pdf, session_id="s-slow", hold=True)
    outcome = printer.follow(job_id, timeout=0.5)
    assert outcome.timed_out and outcome.status == "timed-out"
    assert outcome.state is JobState.HELD
    assert printer.cancel(job_id, purge=True)
    assert job_id not in printer.known_job_ids()


def test_wipe_purges_every_job_of_the_session_and_nothing_else(
    printer: CupsDocumentPrinter, cupsd: Cupsd, pdf: Path, tmp_path: Path
) -> None:
    done = print_pdf(printer, pdf, session_id="s-wipe-A", timeout=30)
    assert done.completed
    cupsd.run("cupsdisable", cupsd.queue)
    try:
        waiting = [printer.submit(pdf, session_id="s-wipe-A") for _ in range(2)]
        other = printer.submit(pdf, session_id="s-wipe-B")
        for job_id in waiting:
            assert spool_files(cupsd, job_id), "a waiting job has its document in the spool"
        report = printer.purge_session("s-wipe-A")
        assert report.clean
        assert set(report.purged) == {done.job_id, *waiting}
        known = printer.known_job_ids()
        assert not known & {done.job_id, *waiting}
        assert other in known, "another session's job is left alone"
        for job_id in (done.job_id, *waiting):
            assert spool_files(cupsd, job_id) == []
        assert printer.purge_session("s-wipe-B").clean
        assert spool_files(cupsd, other) == []
    finally:
        cupsd.run("cupsenable", cupsd.queue)


def test_an_unknown_queue_is_unavailable_and_refuses_jobs(cupsd: Cupsd, pdf: Path) -> None:
    printer = CupsDocumentPrinter("no-such-queue", server=str(cupsd.socket))
    try:
        readiness = printer.readiness()
        assert readiness.level is Level.UNAVAILABLE
        assert "no queue named 'no-such-queue'" in readiness.reason
        with pytest.raises(QueueNotFound):
            printer.submit(pdf, session_id="s-unknown")
    finally:
        printer.close()


def test_a_cupsd_that_is_not_there_is_unavailable(tmp_path: Path) -> None:
    printer = CupsDocumentPrinter("any", server=str(tmp_path / "nothing.sock"))
    try:
        readiness = printer.readiness()
        assert readiness.level is Level.UNAVAILABLE
        assert "cannot reach CUPS" in readiness.reason
    finally:
        printer.close()


def test_not_a_pdf_is_refused_before_cups(printer: CupsDocumentPrinter, tmp_path: Path) -> None:
    text = tmp_path / "note.txt"
    text.write_text("hello")
    with pytest.raises(NotAPdf):
        printer.submit(text, session_id="s-text")


def test_calls_from_many_threads_are_serialised_in_one_worker(
    printer: CupsDocumentPrinter,
) -> None:
    results: list[Level] = []
    threads = [
        threading.Thread(target=lambda: results.append(printer.readiness().level)) for _ in range(8)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=20)
    assert results == [Level.READY] * 8


# -- the CLI ---------------------------------------------------------------------------------


@pytest.fixture
def config(cupsd: Cupsd, tmp_path: Path) -> Path:
    path = tmp_path / "kiosk.toml"
    path.write_text(f'[printer]\nqueue = "{cupsd.queue}"\nserver = "{cupsd.socket}"\n')
    return path


def run_cli(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_cli_status_json(config: Path, cupsd: Cupsd, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run_cli(capsys, "--config", str(config), "print", "status", "--json")
    assert code == 0
    assert json.loads(out) == {
        "queue": cupsd.queue,
        "level": "ready",
        "reason": "ready",
        "details": [],
    }


def test_cli_status_of_a_disabled_queue(
    config: Path, capsys: pytest.CaptureFixture[str], disabled: None
) -> None:
    code, out, _ = run_cli(capsys, "--config", str(config), "print", "status")
    assert code == 4
    assert ": unavailable: queue stopped" in out


def test_cli_prints_a_pdf_and_waits(
    config: Path, pdf: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run_cli(
        capsys, "--config", str(config), "print", "pdf", str(pdf), "--wait", "--json"
    )
    assert code == 0, err
    result = json.loads(out)
    assert result["status"] == "completed" and result["pages_done"] == 3


def test_cli_test_page(config: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run_cli(capsys, "--config", str(config), "print", "test-page", "--wait")
    assert code == 0, err
    assert out.strip().endswith("printed")


def test_cli_refused_job_exit_code(
    config: Path, cupsd: Cupsd, pdf: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    cupsd.run("cupsreject", cupsd.queue)
    try:
        code, _, err = run_cli(capsys, "--config", str(config), "print", "pdf", str(pdf))
    finally:
        cupsd.run("cupsaccept", cupsd.queue)
    assert code == 4
    assert err.strip() == f"kiosk: queue '{cupsd.queue}' is not accepting jobs"


def test_cli_waiting_job_on_a_paused_queue(
    config: Path, pdf: Path, capsys: pytest.CaptureFixture[str], disabled: None
) -> None:
    code, _, err = run_cli(
        capsys, "--config", str(config), "print", "pdf", str(pdf), "--wait", "--timeout", "10"
    )
    assert code == 5
    assert "not printed: queue stopped" in err
    assert err.count("\n") == 1


def test_cli_not_a_pdf_and_no_cups(
    config: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    text = tmp_path / "x.txt"
    text.write_text("x")
    code, _, err = run_cli(capsys, "--config", str(config), "print", "pdf", str(text))
    assert code == 2 and err.strip().endswith("not a PDF file")
    other = tmp_path / "other.toml"
    other.write_text(f'[printer]\nserver = "{tmp_path / "none.sock"}"\nqueue = "q"\n')
    code, _, err = run_cli(capsys, "--config", str(other), "print", "status")
    assert code == 3 and "cannot reach CUPS" in err
