"""The certificate printer's simulated twin behaves like the CUPS backend, without CUPS."""

from __future__ import annotations

from pathlib import Path

import pytest

from devices.printing.document.printer import JobProgress, JobState, print_pdf
from devices.printing.document.simulated import SimulatedDocumentPrinter
from devices.printing.errors import JobRefused, NotAPdf
from devices.printing.readiness import Level, Readiness


def test_the_simulated_document_printer_writes_the_pdf_into_its_folder(tmp_path: Path) -> None:
    source = tmp_path / "in.pdf"
    source.write_bytes(b"%PDF-1.4\n%%EOF\n")
    printer = SimulatedDocumentPrinter(tmp_path / "out")
    seen: list[JobProgress] = []
    outcome = print_pdf(
        printer, source, session_id="abcdef123456", timeout=5, on_progress=seen.append
    )
    assert outcome.completed
    assert [p.state for p in seen] == [JobState.PROCESSING, JobState.COMPLETED]
    (written,) = (tmp_path / "out").iterdir()
    assert written.name == "kiosk-abcdef12-1.pdf"
    assert written.read_bytes() == source.read_bytes()
    assert printer.purge_session("abcdef123456").purged == (1,)


def test_the_simulated_document_printer_refuses_when_unavailable(tmp_path: Path) -> None:
    source = tmp_path / "in.pdf"
    source.write_bytes(b"%PDF-1.4\n")
    printer = SimulatedDocumentPrinter(tmp_path / "out")
    printer.set_readiness(Readiness(Level.UNAVAILABLE, "out of paper (media-empty-error)"))
    assert not printer.readiness().offered
    with pytest.raises(JobRefused):
        printer.submit(source, session_id="s")
    (tmp_path / "not.pdf").write_text("hello")
    with pytest.raises(NotAPdf):
        printer.submit(tmp_path / "not.pdf", session_id="s")


def test_the_simulated_document_printer_cancels_like_cups_a_completed_job(
    tmp_path: Path,
) -> None:
    source = tmp_path / "in.pdf"
    source.write_bytes(b"%PDF-1.4\n")
    printer = SimulatedDocumentPrinter(tmp_path / "out")
    job_id = printer.submit(source, session_id="s")
    assert not printer.cancel(job_id)  # done already: nothing to cancel
    assert printer.cancel(job_id, purge=True)
    assert not printer.cancel(job_id, purge=True)  # no longer known
    assert printer.purge_session("s").purged == ()
