"""The cupsd fixture prints for real: a PDF goes through pycups and comes out of cups-pdf."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from pypdf import PdfReader

from tests.harness.common import wait_until
from tests.harness.cupsd import Cupsd
from tests.harness.documents import make_pdf

pytestmark = pytest.mark.integration

JOB_COMPLETED = 9


def test_a_pdf_printed_through_pycups_comes_out_of_cups_pdf(cupsd: Cupsd, tmp_path: Path) -> None:
    source = make_pdf(tmp_path / "three-pages.pdf", pages=3)
    conn = cupsd.connection()
    assert cupsd.queue in conn.getPrinters()
    title = f"harness-{time.monotonic_ns()}"
    job_id = conn.printFile(cupsd.queue, str(source), title, {"media": "A4"})

    def completed() -> bool:
        state = conn.getJobAttributes(job_id, requested_attributes=["job-state"])["job-state"]
        assert state in (3, 4, 5, JOB_COMPLETED), f"job ended in state {state}"
        return bool(state == JOB_COMPLETED)

    wait_until(completed, 30, "the cups-pdf job to complete")
    wait_until(lambda: any(title in p.name for p in cupsd.output_pdfs()), 10, "the output PDF")
    output = next(p for p in cupsd.output_pdfs() if title in p.name)
    assert len(PdfReader(output).pages) == 3
