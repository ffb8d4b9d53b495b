"""Read back the ESC/POS bytes we send: text runs with their attributes, images, QR, cuts.

Tests assert on this structure, and the renderer draws it. It knows the commands
python-escpos emits plus the common Epson ones around them, with their parameter lengths;
an unknown command becomes an `Unknown` element rather than a guess. Hand-written because
no maintained Python package reads ESC/POS back (they all go the other way).
"""

from __future__ import annotations

import codecs
from dataclasses import dataclass, field, replace
from typing import Literal

from escpos.capabilities import get_profile
from escpos.codepages import CodePages

Align = Literal["left", "center", "right"]

ESC, GS, FS, DLE = 0x1B, 0x1D, 0x1C, 0x10
LF, CR, HT, FF = 0x0A, 0x0D, 0x09, 0x0C


class EscposDecodeError(ValueError):
    """The bytes end in the middle of a command, or a command's length is impossible."""


@dataclass(frozen=True)
class Style:
    bold: bool = False
    underline: int = 0
    align: Align = "left"
    width: int = 1
    height: int = 1
    font: int = 0
    invert: bool = False
    upside_down: bool = False


@dataclass(frozen=True)
class TextRun:
    text: str
    style: Style
    code_page: str


@dataclass(frozen=True)
class LineFeed:
    """End of a printed line (LF, or ESC d n which gives n of them)."""


@dataclass(frozen=True)
class DotFeed:
    dots: int


@dataclass(frozen=True)
class LineSpacing:
    dots: int | None
    """None: the printer's default (ESC 2)."""


@dataclass(frozen=True)
class RasterImage:
    width: int
    height: int
    rows: bytes = field(repr=False)
    """Packed rows, most significant bit first, 1 = black; `(width + 7) // 8` bytes a row."""
    align: Align = "left"
    scale_x: int = 1
    scale_y: int = 1

    @property
    def width_bytes(self) -> int:
        return (self.width + 7) // 8

    def pixel(self, x: int, y: int) -> bool:
        return bool(self.rows[y * self.width_bytes + x // 8] & (0x80 >> (x % 8)))


@dataclass(frozen=True)
class QrCode:
    """A QR code the printer draws itself (GS ( k)."""

    data: bytes
    module_size: int
    error_level: str
    align: Align


@dataclass(frozen=True)
class Barcode:
    kind: int
    data: bytes
    align: Align


@dataclass(frozen=True)
class Cut:
    partial: bool
    feed_dots: int = 0


@dataclass(frozen=True)
class StatusQuery:
    kind: int


@dataclass(frozen=True)
class Unknown:
    data: bytes


Element = (
    TextRun
    | LineFeed
    | DotFeed
    | LineSpacing
    | RasterImage
    | QrCode
    | Barcode
    | Cut
    | StatusQuery
    | Unknown
)

# Commands with a fixed number of parameter bytes that change nothing we draw.
_ESC_IGNORED = {
    "=": 1, "R": 1, "r": 1, "U": 1, "V": 1, " ": 1, "%": 1, "e": 1, "c": 2, "p": 3,
    "B": 2, "$": 2, "\\": 2, "L": 0, "S": 0, "T": 1, "W": 8, "<": 0, "?": 2,
}  # fmt: skip
_GS_IGNORED = {
    "b": 1, "H": 1, "h": 1, "w": 1, "f": 1, "L": 2, "W": 2, "P": 2, "|": 1, "a": 1,
    "r": 1, "I": 1, "$": 2, "T": 1, "^": 3, ":": 0, "E": 1,
}  # fmt: skip
_QR_LEVELS = {48: "L", 49: "M", 50: "Q", 51: "H"}


class _Decoder:
    def __init__(self, data: bytes, profile: str) -> None:
        self.data = data
        self.pos = 0
        self.elements: list[Element] = []
        self.style = Style()
        pages = get_profile(profile).get_code_pages()
        self.code_pages = {int(number): name for name, number in pages.items()}
        self.default_page = self.code_pages.get(0, "CP437")
        self.code_page = self.default_page
        self.text = bytearray()
        self.qr_data = b""
        self.qr_size = 3
        self.qr_level = "L"
        self.graphics: RasterImage | None = None

    # -- reading helpers -------------------------------------------------------------------

    def take(self, count: int) -> bytes:
        if self.pos + count > len(self.data):
            raise EscposDecodeError(
                f"the bytes end inside a command at offset {self.pos} (needs {count} more)"
            )
        chunk = self.data[self.pos : self.pos + count]
        self.pos += count
        return chunk

    def byte(self) -> int:
        return self.take(1)[0]

    def word(self) -> int:
        low, high = self.take(2)
        return low + 256 * high

    # -- text ------------------------------------------------------------------------------

    def flush_text(self) -> None:
        if not self.text:
            return
        text = decode_text(bytes(self.text), self.code_page)
        self.text.clear()
        last = self.elements[-1] if self.elements else None
        if (
            isinstance(last, TextRun)
            and last.style == self.style
            and last.code_page == self.code_page
        ):
            self.elements[-1] = replace(last, text=last.text + text)
        else:
            self.elements.append(TextRun(text, self.style, self.code_page))

    def emit(self, element: Element) -> None:
        self.flush_text()
        self.elements.append(element)

    def set_style(self, **changes: object) -> None:
        self.flush_text()
        self.style = replace(self.style, **changes)  # type: ignore[arg-type]

    # -- the loop --------------------------------------------------------------------------

    def run(self) -> list[Element]:
        while self.pos < len(self.data):
            value = self.byte()
            if value == ESC:
                self.esc()
            elif value == GS:
                self.gs()
            elif value == DLE:
                self.dle()
            elif value == FS:
                self.fs()
            elif value in (LF, FF):
                self.emit(LineFeed())
            elif value == HT:
                self.text.extend(b"    ")
            elif value >= 0x20:
                self.text.append(value)
            # other control bytes (CR, NUL, BEL...) print nothing
        self.flush_text()
        return self.elements

    def esc(self) -> None:
        command = chr(self.byte())
        if command == "@":
            self.set_style(**vars(Style()))
            self.code_page = self.default_page
        elif command == "t":
            self.flush_text()
            number = self.byte()
            self.code_page = self.code_pages.get(number, f"#{number}")
        elif command in "EG":
            self.set_style(bold=bool(self.byte() & 1))
        elif command == "-":
            self.set_style(underline=self.byte() % 48 % 3)
        elif command == "a":
            self.set_style(align=_align(self.byte()))
        elif command == "!":
            mode = self.byte()
            self.set_style(
                font=mode & 1,
                bold=bool(mode & 0x08),
                height=2 if mode & 0x10 else 1,
                width=2 if mode & 0x20 else 1,
                underline=1 if mode & 0x80 else 0,
            )
        elif command == "M":
            self.set_style(font=self.byte() % 48 % 2)
        elif command == "{":
            self.set_style(upside_down=bool(self.byte() & 1))
        elif command == "d":
            self.flush_text()
            for _ in range(self.byte()):
                self.emit(LineFeed())
        elif command == "J":
            self.emit(DotFeed(self.byte()))
        elif command == "2":
            self.emit(LineSpacing(None))
        elif command == "3":
            self.emit(LineSpacing(self.byte()))
        elif command in "im":
            self.emit(Cut(partial=command == "m"))
        elif command == "*":
            self.column_image()
        elif command == "D":
            while self.byte() != 0:  # tab stops, up to a NUL
                pass
        elif command in _ESC_IGNORED:
            self.flush_text()
            self.take(_ESC_IGNORED[command])
        else:
            self.emit(Unknown(bytes([ESC, ord(command)])))

    def gs(self) -> None:
        command = chr(self.byte())
        if command == "!":
            size = self.byte()
            self.set_style(width=(size >> 4) + 1, height=(size & 0x0F) + 1)
        elif command == "B":
            self.set_style(invert=bool(self.byte() & 1))
        elif command == "V":
            mode = self.byte()
            feed = self.byte() if mode in (65, 66, 97, 98, 103, 104) else 0
            self.emit(
                Cut(partial=mode % 2 == 1 if mode < 65 else mode in (66, 98, 104), feed_dots=feed)
            )
        elif command == "v":
            self.raster_image()
        elif command == "(":
            self.extended()
        elif command == "k":
            self.barcode()
        elif command in _GS_IGNORED:
            self.flush_text()
            self.take(_GS_IGNORED[command])
        else:
            self.emit(Unknown(bytes([GS, ord(command)])))

    def dle(self) -> None:
        command = self.byte()
        if command == 0x04:
            self.emit(StatusQuery(self.byte()))
        elif command == 0x05:
            self.take(1)
        elif command == 0x14:
            self.take(3)
        else:
            self.emit(Unknown(bytes([DLE, command])))

    def fs(self) -> None:
        command = chr(self.byte())
        if command in ".&":
            return  # kanji mode off/on: single-byte text either way here
        if command == "p":
            self.take(2)
            self.emit(Unknown(b"\x1cp"))
        else:
            self.emit(Unknown(bytes([FS, ord(command)])))

    # -- images and codes ------------------------------------------------------------------

    def raster_image(self) -> None:
        if self.byte() not in (0x00, 0x30):
            raise EscposDecodeError(f"GS v: only GS v 0 is known (offset {self.pos})")
        density = self.byte() % 48
        width_bytes, height = self.word(), self.word()
        rows = self.take(width_bytes * height)
        self.emit(
            RasterImage(
                width_bytes * 8,
                height,
                rows,
                self.style.align,
                scale_x=2 if density & 1 else 1,
                scale_y=2 if density & 2 else 1,
            )
        )

    def column_image(self) -> None:
        mode = self.byte()
        columns = self.word()
        depth = 3 if mode in (32, 33) else 1
        data = self.take(columns * depth)
        width_bytes = (columns + 7) // 8
        rows = bytearray(width_bytes * depth * 8)
        for x in range(columns):
            for slice_index in range(depth):
                column_byte = data[x * depth + slice_index]
                for bit in range(8):
                    if column_byte & (0x80 >> bit):
                        y = slice_index * 8 + bit
                        rows[y * width_bytes + x // 8] |= 0x80 >> (x % 8)
        self.emit(RasterImage(width_bytes * 8, depth * 8, bytes(rows), self.style.align))

    def extended(self) -> None:
        function = chr(self.byte())
        length = self.word()
        body = self.take(length)
        if function == "k" and len(body) >= 2 and body[0] == 49:
            self.qr_function(body[1], body[2:])
        elif function == "L" and len(body) >= 2:
            self.graphics_function(body[1], body[2:])
        else:
            self.flush_text()

    def qr_function(self, function: int, args: bytes) -> None:
        if function == 67 and args:
            self.qr_size = args[0]
        elif function == 69 and args:
            self.qr_level = _QR_LEVELS.get(args[0], "L")
        elif function == 80:
            self.qr_data = args[1:]
        elif function == 81:
            self.emit(QrCode(self.qr_data, self.qr_size, self.qr_level, self.style.align))

    def graphics_function(self, function: int, args: bytes) -> None:
        if function in (112, 113) and len(args) >= 8:  # store a raster graphic
            scale_x, scale_y = args[1], args[2]
            width, height = args[4] + 256 * args[5], args[6] + 256 * args[7]
            width_bytes = (width + 7) // 8
            rows = args[8 : 8 + width_bytes * height]
            if len(rows) != width_bytes * height:
                raise EscposDecodeError("GS ( L: the graphic is shorter than its size says")
            self.graphics = RasterImage(
                width_bytes * 8, height, rows, self.style.align, max(1, scale_x), max(1, scale_y)
            )
        elif function in (50, 2) and self.graphics is not None:  # print the stored graphic
            self.emit(replace(self.graphics, align=self.style.align))

    def barcode(self) -> None:
        kind = self.byte()
        if kind <= 6:
            start = self.pos
            while self.byte() != 0:
                pass
            data = self.data[start : self.pos - 1]
        else:
            data = self.take(self.byte())
        self.emit(Barcode(kind, data, self.style.align))


def _align(value: int) -> Align:
    return ("left", "center", "right")[value % 48 % 3]


def decode_text(raw: bytes, code_page: str) -> str:
    """Bytes of the printer's code page as text; unknown pages are read as CP437."""
    try:
        encoding = CodePages.get_encoding(code_page)
    except KeyError:
        encoding = {"python_encode": "cp437"}
    codec = encoding.get("python_encode")
    if codec:
        try:
            codecs.lookup(codec)
            return raw.decode(codec, errors="replace")
        except LookupError:
            pass
    table = "".join(encoding.get("data", []))
    if len(table) == 128:
        return "".join(chr(b) if b < 128 else table[b - 128] for b in raw)
    return raw.decode("cp437", errors="replace")


def decode(data: bytes, profile: str = "TM-T88V") -> list[Element]:
    """The elements of an ESC/POS byte stream, in order."""
    return _Decoder(bytes(data), profile).run()


def text_lines(elements: list[Element]) -> list[str]:
    """The printed text, one string per line (images and codes leave no text)."""
    lines: list[str] = []
    current: list[str] = []
    for element in elements:
        if isinstance(element, TextRun):
            current.append(element.text)
        elif isinstance(element, LineFeed):
            lines.append("".join(current))
            current = []
    if current:
        lines.append("".join(current))
    return lines


def runs_containing(elements: list[Element], text: str) -> list[TextRun]:
    return [e for e in elements if isinstance(e, TextRun) and text in e.text]
