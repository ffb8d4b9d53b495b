"""Colours, fonts and sizes shared by every screen, switchable at run time.

`THEME` is one observable object: .kv rules bind to its properties (`T.text`, `T.body`...), so
toggling high contrast or large text restyles every screen at once. Contrast ratios (WCAG 2.x
relative luminance) are checked by `tests/ui` on rendered pixels; the palettes below aim above
7:1 in normal mode too, so only the high-contrast mode's ≥ 7:1 is a hard floor that is met with
room to spare (21:1 white on black, 19:1 black on yellow).

Atkinson Hyperlegible (Braille Institute, OFL) is designed for low vision; DejaVu Sans is
the fallback when the font package is missing.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from kivy.core.text import LabelBase
from kivy.event import EventDispatcher
from kivy.metrics import sp
from kivy.properties import BooleanProperty, ColorProperty, NumericProperty

FONT_NAME = "Kiosk"
LARGE_TEXT_SCALE = 1.5

Rgba = tuple[float, float, float, float]


def _hex(code: str) -> Rgba:
    code = code.lstrip("#")
    r, g, b = (int(code[i : i + 2], 16) / 255 for i in (0, 2, 4))
    return (r, g, b, 1.0)


@dataclass(frozen=True)
class Palette:
    background: Rgba
    surface: Rgba  # tiles, panels
    text: Rgba
    muted: Rgba  # secondary text, still ≥ 7:1 on background and surface
    primary: Rgba  # the main action's fill
    primary_ink: Rgba
    outline: Rgba  # borders of secondary buttons and tiles
    focus: Rgba  # the pressed / selected state (also shown by a thicker border, not colour alone)
    danger: Rgba  # error titles (always with an icon and words)
    dim: Rgba  # the veil behind the idle warning: light, the buttons under it still work


NORMAL = Palette(
    background=_hex("#F7F7F2"),
    surface=_hex("#FFFFFF"),
    text=_hex("#0F2150"),
    muted=_hex("#2E3A52"),
    primary=_hex("#0A3D6B"),
    primary_ink=_hex("#FFFFFF"),
    outline=_hex("#0F2150"),
    focus=_hex("#D7E6F5"),
    danger=_hex("#8A1414"),
    dim=(0.0, 0.0, 0.0, 0.3),
)

HIGH_CONTRAST = Palette(
    background=_hex("#000000"),
    surface=_hex("#000000"),
    text=_hex("#FFFFFF"),
    muted=_hex("#FFFFFF"),
    primary=_hex("#FFE600"),
    primary_ink=_hex("#000000"),
    outline=_hex("#FFFFFF"),
    focus=_hex("#333333"),
    danger=_hex("#FFE600"),
    dim=(0.0, 0.0, 0.0, 0.4),
)

# Font sizes at normal scale, in sp. Body text ≥ 28 px at 1080p (DESIGN.md).
TITLE_SP = 48
BIG_SP = 36
BODY_SP = 30
SMALL_SP = 28  # the smallest text anywhere


class Theme(EventDispatcher):
    high_contrast = BooleanProperty(False)
    large_text = BooleanProperty(False)
    # Set by the app (under 1000 dp of height); no screen needs it since pages scroll.

    background = ColorProperty(NORMAL.background)
    surface = ColorProperty(NORMAL.surface)
    text = ColorProperty(NORMAL.text)
    muted = ColorProperty(NORMAL.muted)
    primary = ColorProperty(NORMAL.primary)
    primary_ink = ColorProperty(NORMAL.primary_ink)
    outline = ColorProperty(NORMAL.outline)
    focus = ColorProperty(NORMAL.focus)
    danger = ColorProperty(NORMAL.danger)
    dim = ColorProperty(NORMAL.dim)

    scale = NumericProperty(1.0)
    title = NumericProperty(sp(TITLE_SP))
    big = NumericProperty(sp(BIG_SP))
    body = NumericProperty(sp(BODY_SP))
    small = NumericProperty(sp(SMALL_SP))

    def on_high_contrast(self, _instance: object, value: bool) -> None:
        palette = HIGH_CONTRAST if value else NORMAL
        for name in Palette.__dataclass_fields__:
            setattr(self, name, getattr(palette, name))

    def on_large_text(self, _instance: object, value: bool) -> None:
        self.scale = LARGE_TEXT_SCALE if value else 1.0

    def on_scale(self, _instance: object, value: float) -> None:
        # Every size grows by the same factor: a page that no longer fits scrolls (Body).
        self.title = sp(TITLE_SP) * value
        self.big = sp(BIG_SP) * value
        self.body = sp(BODY_SP) * value
        self.small = sp(SMALL_SP) * value

    def palette(self) -> Palette:
        return HIGH_CONTRAST if self.high_contrast else NORMAL


THEME = Theme()


def relative_luminance(rgb: tuple[float, ...]) -> float:
    """WCAG 2.x relative luminance of an sRGB colour with channels in 0..1."""

    def channel(c: float) -> float:
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (channel(c) for c in rgb[:3])
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast_ratio(a: tuple[float, ...], b: tuple[float, ...]) -> float:
    la, lb = sorted((relative_luminance(a), relative_luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


def _font_files() -> tuple[str, str]:
    try:
        import fontpkg_atkinson_hyperlegible as pkg

        folder = Path(pkg.__file__).parent / "files"
        regular = folder / "AtkinsonHyperlegible-Regular.ttf"
        bold = folder / "AtkinsonHyperlegible-Bold.ttf"
        if regular.exists() and bold.exists():
            return str(regular), str(bold)
    except ImportError:
        pass
    dejavu = Path("/usr/share/fonts/truetype/dejavu")
    return str(dejavu / "DejaVuSans.ttf"), str(dejavu / "DejaVuSans-Bold.ttf")


def register_fonts() -> None:
    regular, bold = _font_files()
    LabelBase.register(name=FONT_NAME, fn_regular=regular, fn_bold=bold)
