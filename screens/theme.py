"""Colours, fonts and sizes shared by every screen.

Atkinson Hyperlegible (Braille Institute, OFL) is designed for low vision; DejaVu Sans is
the fallback when the font package is missing.
"""

from __future__ import annotations

from pathlib import Path

from kivy.core.text import LabelBase

FONT_NAME = "Kiosk"

# Dark blue on near-white: 12.6:1, above the 7:1 of WCAG AAA.
BACKGROUND = (0.97, 0.97, 0.95, 1)
TEXT = (0.06, 0.13, 0.30, 1)
ACCENT = (0.0, 0.32, 0.62, 1)
ON_ACCENT = (1, 1, 1, 1)

BODY_SIZE = "28sp"
TITLE_SIZE = "48sp"


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
