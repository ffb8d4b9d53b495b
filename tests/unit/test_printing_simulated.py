"""The simulated twins behave like the real printers, without CUPS or a receipt printer."""

from __future__ import annotations

import io
from datetime import datetime
from pathlib import Path

import pytest
import zxingcpp
from PIL import Image

from devices.printing.documents import JobProgress, JobState
from devices.printing.errors import JobRefused, NotAPdf, ReceiptPrinterNotReady
from devices.printing.readiness import Level, Readiness
from devices.printing.receipt_layout import ReceiptContent
from devices.printing.receipt_status import ReceiptState
from devices.printing.simulated import SimulatedDocumentPrinter, SimulatedReceiptPrinter


def test_the_simulated_document_printer_writes_the_pdf_into_its_folder(tmp_path: Path) -> None:
    source = tmp_path / "in.pdf"
    source.write_bytes(b"%PDF-1.4\n%%EOF\n")
    printer = SimulatedDocumentPrinter(tmp_path / "out")
    seen: list[JobProgress] = []
    outcome = printer.print_pdf(
        source, session_id="abcdef123456", timeout=5, on_progress=seen.append
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


def test_the_simulated_receipt_printer_records_and_renders() -> None:
    printer = SimulatedReceiptPrinter()
    content = ReceiptContent(
        "en",
        "Residence certificate",
        datetime(2026, 1, 2, 3, 4),
        "t-1",
        "R",
        "C",
        "https://x.test/v",
    )
    outcome = printer.print_receipt(content)
    assert outcome.confirmed and len(printer.printed) == 1
    found = zxingcpp.read_barcodes(Image.open(io.BytesIO(printer.last_png())))
    assert [r.text for r in found] == ["https://x.test/v"]
    printer.state = ReceiptState.PAPER_OUT
    assert printer.readiness().level is Level.UNAVAILABLE
    with pytest.raises(ReceiptPrinterNotReady):
        printer.print_receipt(content)
    assert len(printer.printed) == 1
