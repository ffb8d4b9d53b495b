"""Certificate PDFs (fpdf2): city header, title, statement with name and address, date,
verification code and its QR code, in the citizen's language.

A specimen (cityserver.specimen) is the same page with placeholder data and a large
diagonal mark across it (`mark=`), so that a preview can never pass for a certificate.

Text is set in Atkinson Hyperlegible (the kiosk's own font, a project dependency) with DejaVu
Sans as fallback for characters it lacks, so every name on a Belgian card prints.
The QR code is drawn as vector squares from qrcode's module matrix: no image library needed.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

from cityapi.models import Language
from cityserver.words import N_, in_language

if TYPE_CHECKING:
    from fpdf import FPDF

_DEJAVU = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")

# The page's own words (msgids: cityserver.words).
_CITY = N_("City of Brussels")
_SERVICE = N_("Demography — Boulevard Anspach 6, 1000 Brussels")
_DATE = N_("Issued on")
_CODE = N_("Verification code")
_CHECK = N_("Check this document by scanning the QR code or at")
_FOOTER = N_("Document issued electronically by a City of Brussels e-guichet terminal.")


@dataclass(frozen=True, repr=False)
class CertificateText:
    """What goes on one certificate. Holds citizen data: its repr is redacted."""

    language: Language
    title: str
    statement: str
    issued_on: datetime.date
    verification_code: str
    verification_url: str

    def __repr__(self) -> str:
        return "CertificateText(<redacted>)"


@cache
def _font_files() -> tuple[Path, Path | None]:
    import fontpkg_atkinson_hyperlegible as atkinson

    folder = Path(atkinson.__file__).parent / "files"
    regular = folder / "AtkinsonHyperlegible-Regular.ttf"
    return regular, _DEJAVU if _DEJAVU.exists() else None


def render_certificate(text: CertificateText, *, mark: str | None = None) -> tuple[bytes, int]:
    """The PDF bytes and their page count; `mark` (e.g. "SPECIMEN") is written across page 1."""
    # fpdf2 (with fontTools) takes about 0.2 s to import: on the first certificate, not on the
    # way to the server's first answer (`kiosk demo` waits for that).
    from fpdf import FPDF

    regular, fallback = _font_files()
    pdf = FPDF(format="A4")
    pdf.set_creator("Brussels kiosk reference city API")
    pdf.set_title(text.title)
    pdf.set_lang(text.language)
    pdf.add_font("Atkinson", "", str(regular))
    pdf.add_font("Atkinson", "B", str(regular.with_name("AtkinsonHyperlegible-Bold.ttf")))
    if fallback is not None:
        pdf.add_font("DejaVu", "", str(fallback))
        pdf.set_fallback_fonts(["DejaVu"])
    pdf.set_margins(20, 20, 20)
    pdf.add_page()
    lang = text.language

    def words(msgid: str) -> str:
        return in_language(msgid, lang)

    pdf.set_font("Atkinson", "B", 20)
    pdf.cell(0, 10, words(_CITY), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Atkinson", "", 10)
    pdf.cell(0, 6, words(_SERVICE), new_x="LMARGIN", new_y="NEXT")
    pdf.line(20, pdf.get_y() + 2, 190, pdf.get_y() + 2)
    pdf.ln(14)

    pdf.set_font("Atkinson", "B", 18)
    pdf.multi_cell(0, 9, text.title, new_x="LMARGIN", new_y="NEXT")
    pdf.ln(8)
    pdf.set_font("Atkinson", "", 13)
    pdf.multi_cell(0, 7, text.statement, new_x="LMARGIN", new_y="NEXT")
    pdf.ln(8)
    pdf.cell(0, 7, f"{words(_DATE)} {text.issued_on:%d.%m.%Y}", new_x="LMARGIN", new_y="NEXT")

    top = 200.0
    _draw_qr(pdf, text.verification_url, x=20, y=top, size=40)
    pdf.set_xy(66, top + 4)
    pdf.set_font("Atkinson", "B", 12)
    pdf.cell(0, 7, f"{words(_CODE)}: {text.verification_code}", new_x="LEFT", new_y="NEXT")
    pdf.set_font("Atkinson", "", 10)
    pdf.multi_cell(0, 5, f"{words(_CHECK)}\n{text.verification_url}", new_x="LMARGIN")

    pdf.set_xy(20, 270)
    pdf.set_font("Atkinson", "", 8)
    pdf.multi_cell(0, 4, words(_FOOTER))
    if mark:
        _draw_mark(pdf, mark)
    data = bytes(pdf.output())
    return data, pdf.pages_count


def _draw_mark(pdf: FPDF, mark: str) -> None:
    """The mark on top of everything, corner to corner, red and half transparent: it shows at
    a glance even as a thumbnail, and the text under it stays readable."""
    pdf.set_font("Atkinson", "B", 96)
    width = pdf.get_string_width(mark)
    with (
        pdf.local_context(fill_opacity=0.35, text_color=(200, 0, 0)),
        pdf.rotation(55, x=105, y=148.5),  # A4's diagonal is about 55 degrees
    ):
        pdf.set_xy(105 - width / 2, 148.5 - 17)
        pdf.cell(width, 34, mark, align="C")
    # Also where a sheet is read first, for a page that is only glanced at.
    pdf.set_font("Atkinson", "B", 12)
    with pdf.local_context(text_color=(200, 0, 0), draw_color=(200, 0, 0), line_width=0.6):
        pdf.set_xy(150, 12)
        pdf.cell(40, 8, mark, border=1, align="C")


def _draw_qr(pdf: FPDF, payload: str, *, x: float, y: float, size: float) -> None:
    import qrcode

    code = qrcode.QRCode(border=2, error_correction=qrcode.constants.ERROR_CORRECT_M)
    code.add_data(payload)
    code.make(fit=True)
    matrix: list[list[bool]] = code.get_matrix()
    cell = size / len(matrix)
    pdf.set_fill_color(0, 0, 0)
    for row, modules in enumerate(matrix):
        column = 0
        while column < len(modules):
            if not modules[column]:
                column += 1
                continue
            start = column  # one rectangle per run of dark modules keeps the PDF small
            while column < len(modules) and modules[column]:
                column += 1
            pdf.rect(x + start * cell, y + row * cell, (column - start) * cell, cell, style="F")
