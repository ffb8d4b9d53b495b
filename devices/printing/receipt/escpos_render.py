"""Draw the receipt that ESC/POS bytes would print, as a PNG: for tests and `kiosk demo`.

It draws what the decoder reads: text in the printer's fonts' cell sizes (Font A 12x24 dots,
Font B 9x17) with bold, underline, inversion, double sizes and alignment, raster images,
native QR codes (drawn with the qrcode package) and a dashed line where the paper is cut.
"""

from __future__ import annotations

import functools
import io
from dataclasses import dataclass

from escpos.capabilities import get_profile
from PIL import Image, ImageDraw

from devices.printing.receipt.escpos_decode import (
    Align,
    Barcode,
    Cut,
    DotFeed,
    Element,
    LineFeed,
    LineSpacing,
    QrCode,
    RasterImage,
    Style,
    TextRun,
    decode,
)
from devices.printing.receipt.fonts import Font, dejavu

DEFAULT_WIDTH = 576
DEFAULT_LINE_SPACING = 30  # 1/6 inch at 180 dpi, the Epson default
MARGIN = 8
CELLS = {0: (12, 24), 1: (9, 17)}  # Font A and Font B, in dots


@dataclass
class _Placed:
    image: Image.Image  # mode "1"-like "L": 0 black, 255 white
    x: int
    y: int


def paper_width(profile: str) -> int:
    pixels = get_profile(profile).profile_data.get("media", {}).get("width", {}).get("pixels")
    return pixels if isinstance(pixels, int) else DEFAULT_WIDTH


def _mono(bold: bool, size: int) -> Font:
    return dejavu("DejaVuSansMono-Bold.ttf" if bold else "DejaVuSansMono.ttf", size)


@functools.cache
def _glyph(char: str, style_key: tuple[bool, int, int, int]) -> Image.Image:
    """One character in its cell, black on white, scaled like the printer would."""
    bold, font_number, width, height = style_key
    cell_w, cell_h = CELLS[font_number]
    cell = Image.new("L", (cell_w, cell_h), 255)
    font = _mono(bold, round(cell_h * 0.8))
    ImageDraw.Draw(cell).text((cell_w / 2, cell_h * 0.8), char, font=font, fill=0, anchor="ms")
    if width > 1 or height > 1:
        cell = cell.resize((cell_w * width, cell_h * height), Image.Resampling.NEAREST)
    return cell


class _Renderer:
    def __init__(self, width: int) -> None:
        self.width = width
        self.y = MARGIN
        self.spacing = DEFAULT_LINE_SPACING
        self.placed: list[_Placed] = []
        self.line: list[tuple[str, Style]] = []
        self.cuts: list[tuple[int, bool]] = []

    def x_for(self, align: Align, used: int) -> int:
        if align == "center":
            return max(0, (self.width - used) // 2)
        if align == "right":
            return max(0, self.width - used)
        return 0

    def end_line(self) -> None:
        """Lay out the pending characters, wrapping at the paper's edge like the printer."""
        if not self.line:
            self.y += self.spacing
            return
        chars = self.line
        self.line = []
        while chars:
            used, count = 0, 0
            for _, style in chars:
                advance = CELLS[style.font][0] * style.width
                if used + advance > self.width and count:
                    break
                used += advance
                count += 1
            self.draw_line(chars[:count], used)
            chars = chars[count:]

    def draw_line(self, chars: list[tuple[str, Style]], used: int) -> None:
        height = max(CELLS[style.font][1] * style.height for _, style in chars)
        x = self.x_for(chars[0][1].align, used)
        for char, style in chars:
            glyph = _glyph(char, (style.bold, style.font, style.width, style.height))
            if style.invert:
                glyph = glyph.point(lambda value: 255 - value)
            if style.underline:
                glyph = glyph.copy()
                ImageDraw.Draw(glyph).rectangle(
                    (0, glyph.height - style.underline, glyph.width, glyph.height), fill=0
                )
            # Characters of one line share their baseline, at the bottom of the tallest cell.
            self.placed.append(_Placed(glyph, x, self.y + height - glyph.height))
            x += glyph.width
        self.y += max(height, self.spacing)

    def image(self, picture: Image.Image, align: Align) -> None:
        if self.line:
            self.end_line()
        self.placed.append(_Placed(picture, self.x_for(align, picture.width), self.y))
        self.y += picture.height

    def add(self, element: Element) -> None:
        if isinstance(element, TextRun):
            self.line.extend((char, element.style) for char in element.text)
        elif isinstance(element, LineFeed):
            self.end_line()
        elif isinstance(element, DotFeed):
            self.y += element.dots
        elif isinstance(element, LineSpacing):
            self.spacing = DEFAULT_LINE_SPACING if element.dots is None else element.dots
        elif isinstance(element, RasterImage):
            self.image(raster_to_image(element), element.align)
        elif isinstance(element, QrCode):
            self.image(qr_to_image(element), element.align)
        elif isinstance(element, Barcode):
            self.line.extend(
                (char, Style(align=element.align)) for char in f"[{element.data.decode('latin-1')}]"
            )
            self.end_line()
        elif isinstance(element, Cut):
            if self.line:
                self.end_line()
            self.y += element.feed_dots
            self.cuts.append((self.y, element.partial))
            self.y += 24

    def finish(self) -> Image.Image:
        if self.line:
            self.end_line()
        height = self.y + MARGIN
        canvas = Image.new("L", (self.width, height), 255)
        for item in self.placed:
            canvas.paste(item.image, (item.x, item.y))
        draw = ImageDraw.Draw(canvas)
        for y, partial in self.cuts:
            label = "partial cut" if partial else "full cut"
            for x in range(0, self.width, 16):
                draw.line((x, y + 18, x + 8, y + 18), fill=0, width=2)
            draw.text((self.width - 100, y), label, fill=0, font=_mono(False, 12))
        return canvas


def raster_to_image(raster: RasterImage) -> Image.Image:
    picture = Image.frombytes("1", (raster.width, raster.height), raster.rows)
    # In ESC/POS a set bit is black; in Pillow's mode "1" a set bit is white.
    picture = picture.point(lambda value: 255 - value).convert("L")
    if raster.scale_x > 1 or raster.scale_y > 1:
        picture = picture.resize(
            (raster.width * raster.scale_x, raster.height * raster.scale_y),
            Image.Resampling.NEAREST,
        )
    return picture


def qr_to_image(code: QrCode) -> Image.Image:
    import qrcode
    import qrcode.constants

    levels = {
        "L": qrcode.constants.ERROR_CORRECT_L,
        "M": qrcode.constants.ERROR_CORRECT_M,
        "Q": qrcode.constants.ERROR_CORRECT_Q,
        "H": qrcode.constants.ERROR_CORRECT_H,
    }
    maker = qrcode.QRCode(
        box_size=max(1, code.module_size), border=1, error_correction=levels[code.error_level]
    )
    maker.add_data(code.data)
    maker.make(fit=True)
    return maker.make_image().get_image().convert("L")


def render_elements(elements: list[Element], width: int = DEFAULT_WIDTH) -> Image.Image:
    renderer = _Renderer(width)
    for element in elements:
        renderer.add(element)
    return renderer.finish()


def render(data: bytes, profile: str = "TM-T88V") -> Image.Image:
    """A picture of the receipt these ESC/POS bytes print on this printer profile's paper."""
    return render_elements(decode(data, profile), paper_width(profile))


def render_png(data: bytes, profile: str = "TM-T88V") -> bytes:
    buffer = io.BytesIO()
    render(data, profile).save(buffer, format="PNG", optimize=False)
    return buffer.getvalue()
