"""Specimens: the first page of a document type's real certificate, with placeholder data and
a "SPECIMEN" mark, as a PNG the kiosk shows before the citizen confirms.

No citizen data goes in: the name and address are placeholders, the verification code can
never be issued (the real ones have no 0), the date is fixed. So a specimen depends only on
the document type and the language, and each is rendered once per server process.

Rasterising is poppler's `pdftoppm`, run as a subprocess with a timeout: poppler is the
reference PDF renderer on Debian, already a system package of this project (Makefile), and a
subprocess keeps a misbehaving renderer out of the server's own memory and bounded in time.
"""

from __future__ import annotations

import datetime
import hashlib
import shutil
import subprocess
import threading
from dataclasses import dataclass

from cityapi.models import Language
from cityserver.catalogue import CertificateKind
from cityserver.certificate_pdf import CertificateText, render_certificate
from cityserver.words import N_, in_language

MARK = "SPECIMEN"
WIDTH_PX = 600
RENDER_TIMEOUT_S = 10.0
PLACEHOLDER_NAME = MARK
PLACEHOLDER_ADDRESS = N_("Example Street 1, 1000 Brussels")
PLACEHOLDER_CODE = "0000-0000-0000"  # outside the code alphabet: never a real certificate's
PLACEHOLDER_URL = f"https://kiosk.brussels.example/v1/verify/{PLACEHOLDER_CODE}"
PLACEHOLDER_DATE = datetime.date(2026, 1, 1)


class SpecimenUnavailable(Exception):
    """The page could not be rasterised here (no pdftoppm, or it failed or took too long)."""


@dataclass(frozen=True)
class Specimen:
    png: bytes
    etag: str


def specimen_pdf(kind: CertificateKind, language: Language) -> bytes:
    address = in_language(PLACEHOLDER_ADDRESS, language)
    text = CertificateText(
        language=language,
        title=kind.title(language),
        statement=kind.statement_in(language, name=PLACEHOLDER_NAME, address=address),
        issued_on=PLACEHOLDER_DATE,
        verification_code=PLACEHOLDER_CODE,
        verification_url=PLACEHOLDER_URL,
    )
    pdf, _pages = render_certificate(text, mark=MARK)
    return pdf


def first_page_png(pdf: bytes, width_px: int = WIDTH_PX) -> bytes:
    """Page 1 of `pdf` as a PNG `width_px` wide (height to scale)."""
    tool = shutil.which("pdftoppm")
    if tool is None:
        raise SpecimenUnavailable("pdftoppm is not installed (Debian package poppler-utils)")
    command = [tool, "-png", "-f", "1", "-l", "1", "-singlefile"]
    command += ["-scale-to-x", str(width_px), "-scale-to-y", "-1", "-"]  # "-": PDF on stdin
    try:
        done = subprocess.run(command, input=pdf, capture_output=True, timeout=RENDER_TIMEOUT_S)
    except subprocess.TimeoutExpired:
        raise SpecimenUnavailable("pdftoppm took too long") from None
    if done.returncode != 0 or not done.stdout.startswith(b"\x89PNG\r\n\x1a\n"):
        raise SpecimenUnavailable(f"pdftoppm failed (exit {done.returncode})")
    return done.stdout


class SpecimenCache:
    """Rendered specimens in memory, per (document type, language): at most types x languages.

    One lock for rendering: a burst of kiosks asking at start-up renders each page once.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._done: dict[tuple[str, str], Specimen] = {}

    def get(self, kind: CertificateKind, language: Language) -> Specimen:
        key = (kind.id, language)
        with self._lock:
            found = self._done.get(key)
            if found is None:
                png = first_page_png(specimen_pdf(kind, language))
                found = Specimen(png, '"' + hashlib.sha256(png).hexdigest()[:32] + '"')
                self._done[key] = found
            return found
