"""The one font loader of the printing devices: DejaVu (Debian's fonts-dejavu-core), with
Pillow's built-in font when it is missing, so a receipt is still drawn.

The receipt layout draws the city's name into its logo with it, and the renderer draws the
printer's character cells.
"""

from __future__ import annotations

import functools
from pathlib import Path

from PIL import ImageFont

FONT_DIRS = (Path("/usr/share/fonts/truetype/dejavu"), Path("/usr/share/fonts/dejavu"))

Font = ImageFont.FreeTypeFont | ImageFont.ImageFont


@functools.cache
def dejavu(name: str, size: int) -> Font:
    """The DejaVu font file `name` (e.g. "DejaVuSansMono-Bold.ttf") at `size` pixels."""
    for folder in FONT_DIRS:
        if (folder / name).exists():
            return ImageFont.truetype(str(folder / name), size)
    return ImageFont.load_default(size)
