"""The receipt's layout, turned into ESC/POS bytes by python-escpos (its Dummy printer).

The bytes are built once, without touching any device, so the same receipt can go to a
real printer, to the simulated twin, or to the renderer. Text is sent in one fixed code
page that has every accented letter of the kiosk's languages and the euro sign, so é, è, ë,
ç, ß and € print right; wrapping and centring follow the printer profile's columns.

The receipt holds no words of any language: its labels, its date and its price come in
with the content, already in the citizen's language (the kiosk's wiring takes them from
its catalogues).
"""

from __future__ import annotations

import functools
import textwrap
from dataclasses import dataclass

from PIL import Image, ImageDraw

from devices.printing.receipt.fonts import dejavu

# Tried in this order; each must be in the profile and must encode every character below.
PREFERRED_CODE_PAGES = ("CP858", "ISO_8859-15", "CP1252")
MUST_ENCODE = "éèëêàâçîïôûüùäößÉÈÇ€·"

CITY_LINE = "Ville de Bruxelles · Stad Brussel"


@dataclass(frozen=True)
class ReceiptLabels:
    """The receipt's words, in the citizen's language."""

    title: str
    date: str
    terminal: str
    reference: str
    verification_code: str
    price: str
    scan_to_check: str
    """Above the QR code, e.g. "Scan to check the document:"."""
    thanks: str


@dataclass(frozen=True)
class ReceiptContent:
    labels: ReceiptLabels
    document_name: str
    issued_at: str
    """The date and time of issue, written as the citizen reads them."""
    terminal_id: str
    reference: str
    verification_code: str
    verification_url: str
    price: str = ""
    """The price as the citizen reads it; empty when the document is free: then no price
    line is printed."""


def choose_code_page(profile_name: str) -> str | None:
    """The first preferred code page the printer has; None: let python-escpos switch."""
    # Imported here, not at the top: python-escpos reads its whole printer-capabilities
    # database at import (~160 ms), which the kiosk need not pay before its first frame.
    from escpos.capabilities import get_profile
    from escpos.codepages import CodePages

    supported = set(get_profile(profile_name).get_code_pages())
    for name in PREFERRED_CODE_PAGES:
        if name not in supported:
            continue
        codec = CodePages.get_encoding(name).get("python_encode")
        try:
            MUST_ENCODE.encode(codec)
        except (LookupError, TypeError, UnicodeEncodeError):
            continue
        return name
    return None


@functools.cache
def city_logo(width: int = 288) -> Image.Image:
    """A simple emblem drawn at run time (an iris, Brussels' flower) and the city's name."""
    height = 80
    image = Image.new("1", (width, height), 1)
    draw = ImageDraw.Draw(image)
    # The iris: three petals and a stem, in a circle.
    cx, cy, r = 40, 40, 36
    draw.ellipse((cx - r, cy - r, cx + r, cy + r), outline=0, width=3)
    draw.polygon([(cx, cy - 28), (cx - 9, cy - 6), (cx, cy + 4), (cx + 9, cy - 6)], fill=0)
    draw.polygon([(cx - 26, cy - 14), (cx - 6, cy + 2), (cx - 10, cy + 14), (cx - 24, cy)], fill=0)
    draw.polygon([(cx + 26, cy - 14), (cx + 6, cy + 2), (cx + 10, cy + 14), (cx + 24, cy)], fill=0)
    draw.rectangle((cx - 2, cy + 4, cx + 2, cy + 28), fill=0)
    draw.text((88, 14), "BRUXELLES", font=dejavu("DejaVuSans-Bold.ttf", 24), fill=0)
    draw.text((88, 44), "BRUSSEL", font=dejavu("DejaVuSans-Bold.ttf", 24), fill=0)
    return image


def _wrap(text: str, columns: int) -> list[str]:
    return textwrap.wrap(text, columns, break_long_words=True, break_on_hyphens=False) or [""]


def _label_value(label: str, value: str, columns: int) -> list[str]:
    """`Label ....... value` on one line when it fits, else the value under the label."""
    dots = columns - len(label) - len(value) - 2
    if dots >= 1:
        return [f"{label} {'.' * dots} {value}"]
    return [f"{label}:", *(f"  {line}" for line in _wrap(value, columns - 2))]


def build_receipt(content: ReceiptContent, profile: str = "TM-T88V") -> bytes:
    """The whole receipt as ESC/POS bytes for this printer profile, ending in a partial cut."""
    from escpos.printer import Dummy

    printer = Dummy(profile=profile)
    columns = printer.profile.get_columns("a")
    words = content.labels
    printer.hw("INIT")
    code_page = choose_code_page(profile)
    if code_page:
        printer.charcode(code_page)
    printer.set(align="center")
    printer.image(city_logo(), center=False)
    printer.ln()
    printer.set(align="center", bold=True, double_width=True, double_height=True)
    for line in _wrap(words.title, columns // 2):
        printer.textln(line)
    printer.set(align="center", bold=True, normal_textsize=True)
    for line in _wrap(content.document_name, columns):
        printer.textln(line)
    printer.set(align="left", bold=False)
    printer.ln()
    rows = [
        (words.date, content.issued_at),
        (words.terminal, content.terminal_id),
        (words.reference, content.reference),
        (words.verification_code, content.verification_code),
    ]
    if content.price:
        rows.append((words.price, content.price))
    for label, value in rows:
        for line in _label_value(label, value, columns):
            printer.textln(line)
    printer.ln()
    printer.set(align="center")
    for line in _wrap(words.scan_to_check, columns):
        printer.textln(line)
    # As an image rather than GS ( k: every ESC/POS printer prints raster images.
    printer.qr(content.verification_url, size=6, center=False)
    # The small font fits a whole address on one line of an 80 mm roll.
    printer.set(font="b")
    for line in _wrap(content.verification_url, printer.profile.get_columns("b")):
        printer.textln(line)
    printer.set(font="a")
    printer.ln()
    printer.set(bold=True)
    for line in _wrap(words.thanks, columns):
        printer.textln(line)
    printer.set(bold=False)
    for line in _wrap(CITY_LINE, columns):
        printer.textln(line)
    printer.cut(mode="PART")
    return bytes(printer.output)
