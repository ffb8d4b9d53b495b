"""The receipt layout, the ESC/POS decoder and the PNG renderer, without any printer."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
import zxingcpp
from escpos.printer import Dummy
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from PIL import Image, ImageFont

from devices.printing.receipt import fonts
from devices.printing.receipt.escpos_decode import (
    Cut,
    EscposDecodeError,
    LineFeed,
    QrCode,
    RasterImage,
    TextRun,
    decode,
    text_lines,
)
from devices.printing.receipt.escpos_render import render, render_png
from devices.printing.receipt.layout import (
    ReceiptContent,
    ReceiptLabels,
    build_receipt,
    choose_code_page,
)

URL = "https://e-guichet.brussels/verify/AB12CD34"


# The layout prints whatever words it is given (the kiosk's wiring translates them).
LABELS = ReceiptLabels(
    title="Ticket",
    date="Issued",
    terminal="Kiosk",
    reference="Ref.",
    verification_code="Check code",
    price="To pay",
    scan_to_check="Scan me:",
    thanks="Bye!",
)


def content(price: str = "") -> ReceiptContent:
    return ReceiptContent(
        labels=LABELS,
        document_name="Composition de ménage",
        issued_at="04/03/2026 09:07",
        terminal_id="bxl-epn-12",
        reference="REF-1",
        verification_code="AB12-CD34",
        verification_url=URL,
        price=price,
    )


# -- decoder ---------------------------------------------------------------------------------


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=300))
def test_any_bytes_decode_or_fail_clearly(data: bytes) -> None:
    try:
        elements = decode(data)
    except EscposDecodeError as exc:
        assert "offset" in str(exc) or "GS" in str(exc)
    else:
        assert isinstance(elements, list)


latin_text = st.text(alphabet="abcXYZ 0123.,:;!?-éèëêàçßäöüÉ€·", min_size=1, max_size=60)


@given(latin_text, st.booleans(), st.sampled_from(["left", "center", "right"]))
def test_text_through_python_escpos_reads_back_with_its_style(
    text: str, bold: bool, align: str
) -> None:
    printer = Dummy(profile="TM-T88V")
    printer.charcode("CP858")
    printer.set(bold=bold, align=align, double_width=True)
    printer.textln(text)
    elements = decode(printer.output)
    assert text_lines(elements) == [text]
    runs = [e for e in elements if isinstance(e, TextRun)]
    assert {(r.style.bold, r.style.align, r.style.width, r.code_page) for r in runs} == {
        (bold, align, 2, "CP858")
    }


def test_raster_images_keep_their_pixels() -> None:
    picture = Image.new("1", (16, 3), 1)
    picture.putpixel((0, 0), 0)
    picture.putpixel((15, 2), 0)
    printer = Dummy(profile="TM-T88V")
    printer.image(picture)
    (image,) = [e for e in decode(printer.output) if isinstance(e, RasterImage)]
    assert (image.width, image.height) == (16, 3)
    assert image.pixel(0, 0) and image.pixel(15, 2) and not image.pixel(1, 0)


def test_native_qr_and_cuts_are_recognised() -> None:
    printer = Dummy(profile="TM-T88V")
    printer.qr(URL, native=True, size=5)
    printer.cut(mode="PART")
    printer.cut(mode="FULL")
    elements = decode(printer.output)
    (code,) = [e for e in elements if isinstance(e, QrCode)]
    assert code.data == URL.encode() and code.module_size == 5
    assert [e.partial for e in elements if isinstance(e, Cut)] == [True, False]
    png = render_png(printer.output)
    found = zxingcpp.read_barcodes(Image.open(io.BytesIO(png)))
    assert [r.text for r in found] == [URL]


def test_a_truncated_command_is_an_error() -> None:
    with pytest.raises(EscposDecodeError, match="offset"):
        decode(b"\x1dv0\x00\x10\x00\x10\x00abc")


# -- layout ----------------------------------------------------------------------------------


def test_the_receipt_prints_the_words_and_figures_it_is_given() -> None:
    elements = decode(build_receipt(content("€ 12,50")))
    lines = text_lines(elements)
    assert [line for line in lines if line] == [
        "Ticket",
        "Composition de ménage",
        "Issued .................. 04/03/2026 09:07",
        "Kiosk ......................... bxl-epn-12",
        "Ref. ............................... REF-1",
        "Check code ..................... AB12-CD34",
        "To pay ........................... € 12,50",
        "Scan me:",
        URL,
        "Bye!",
        "Ville de Bruxelles · Stad Brussel",
    ]
    assert isinstance(elements[-1], Cut) and elements[-1].partial


def test_price_only_when_not_free() -> None:
    free = " ".join(text_lines(decode(build_receipt(content("")))))
    paid = " ".join(text_lines(decode(build_receipt(content("€ 12,50")))))
    assert "To pay" not in free
    assert "To pay" in paid and "€ 12,50" in paid


def test_code_page_choice_follows_the_profile() -> None:
    assert choose_code_page("TM-T88V") == "CP858"
    assert choose_code_page("simple") is None  # no code pages known: python-escpos switches


def test_narrow_paper_wraps_to_its_columns() -> None:
    data = build_receipt(content(), profile="POS-5890")
    lines = text_lines(decode(data, "POS-5890"))
    assert max(len(line) for line in lines if URL not in line) <= 32
    assert render(data, "POS-5890").width == 384


# -- renderer --------------------------------------------------------------------------------


def test_the_rendered_receipt_has_a_readable_qr_code_and_a_cut_line() -> None:
    picture = render(build_receipt(content()))
    assert picture.width == 512  # the TM-T88V's 80 mm at 180 dpi
    found = zxingcpp.read_barcodes(picture)
    assert [r.text for r in found] == [URL]
    # The dashed cut line: a row near the bottom that is half ink, in a regular pattern.
    rows = [
        sum(1 for x in range(picture.width) if picture.getpixel((x, y)) < 128)
        for y in range(picture.height - 60, picture.height)
    ]
    assert any(200 <= ink <= 320 for ink in rows)


def test_centred_text_is_drawn_in_the_middle_and_bold_is_darker() -> None:
    def ink_columns(bold: bool, align: str) -> tuple[int, int, int]:
        printer = Dummy(profile="TM-T88V")
        printer.set(bold=bold, align=align)
        printer.textln("HELLO")
        picture = render(printer.output)
        xs = [
            x
            for x in range(picture.width)
            for y in range(picture.height)
            if picture.getpixel((x, y)) < 128
        ]
        return min(xs), max(xs), len(xs)

    left, right, plain_ink = ink_columns(False, "center")
    assert abs((left + right) / 2 - 256) < 12
    assert ink_columns(False, "left")[0] < 12
    assert ink_columns(True, "center")[2] > plain_ink


def test_long_lines_wrap_at_the_paper_edge() -> None:
    printer = Dummy(profile="TM-T88V")
    printer.textln("x" * 50)
    one_line = Dummy(profile="TM-T88V")
    one_line.textln("x" * 10)
    assert render(printer.output).height > render(one_line.output).height


def test_line_feeds_are_elements() -> None:
    assert decode(b"a\n\nb") == [
        TextRun("a", decode(b"a")[0].style, "CP437"),  # type: ignore[union-attr]
        LineFeed(),
        LineFeed(),
        TextRun("b", decode(b"a")[0].style, "CP437"),  # type: ignore[union-attr]
    ]


# -- fonts -----------------------------------------------------------------------------------


def test_the_font_loader_finds_dejavu_and_falls_back_to_pillows_font(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    found = fonts.dejavu("DejaVuSans-Bold.ttf", 23)
    assert isinstance(found, ImageFont.FreeTypeFont)
    assert found.getname() == ("DejaVu Sans", "Bold")
    assert fonts.dejavu("DejaVuSans-Bold.ttf", 23) is found  # loaded once
    monkeypatch.setattr(fonts, "FONT_DIRS", (tmp_path,))
    fonts.dejavu.cache_clear()
    try:
        fallback = fonts.dejavu("DejaVuSans-Bold.ttf", 23)
    finally:
        fonts.dejavu.cache_clear()  # no stand-in font left behind for later tests
    assert fallback.getbbox("BRUSSEL")[2] > 0  # still draws, in Pillow's own font
    family = fallback.getname()[0] if isinstance(fallback, ImageFont.FreeTypeFont) else ""
    assert "DejaVu" not in str(family)
