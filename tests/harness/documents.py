"""Test documents: small multi-page PDFs to print."""

from __future__ import annotations

from pathlib import Path

from fpdf import FPDF


def make_pdf(path: Path, pages: int, label: str = "Test page") -> Path:
    """An A4 PDF of `pages` pages, each saying its number."""
    pdf = FPDF(format="A4")
    pdf.set_font("helvetica", size=24)
    for number in range(1, pages + 1):
        pdf.add_page()
        pdf.cell(text=f"{label} {number}")
    pdf.output(str(path))
    return path
