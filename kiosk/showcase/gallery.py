"""The gallery page: `docs/screens.md`, built from the pictures of `kiosk demo --headless`.

One table per situation group (the journey, in high contrast, in large text, when something
goes wrong, time and maintenance), one row per situation and one column per language. The
pictures it shows are copied into `docs/screenshots/`, halved (960 x 540) and reduced to a
palette of 64 colours, so that the repository stays light; pictures there that the page no
longer shows are removed (the folder is the gallery's).

    python -m kiosk.showcase.gallery OUT_DIR [DOCS_DIR]   # from a finished headless run
    kiosk demo --headless --out OUT_DIR --gallery docs    # a run, then the page
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

SIZE = (960, 540)
COLOURS = 64  # the screens are flat colours; 64 keeps the anti-aliasing of the text smooth
FOLDER = "screenshots"
PAGE = "screens.md"

JOURNEY = {
    "attract": "Waiting for a citizen",
    "language": "Choose the language",
    "insert_card": "Insert the card",
    "reading": "Reading the card",
    "pin": "Type the PIN code",
    "catalogue": "Choose a document",
    "confirm": "Check before printing",
    "printing": "Printing",
    "take_card": "Take card, document and receipt",
    "thank_you": "Thank you",
}
TROUBLES = {
    "wrong_pin": "A wrong PIN code: tries left",
    "last_try": "A wrong PIN code again: the last try",
    "card_blocked": "A third wrong PIN code: the card is blocked",
    "foreign_card": "A card that is not a Belgian eID",
    "unreadable_card": "A card that does not answer",
    "card_pulled_out": "The card pulled out while typing the PIN",
    "city_api_unreachable": "The city's service cannot be reached",
    "printer_unavailable": "The printer goes offline before printing",
    "out_of_service": "Out of service (no printer), once the card is out",
}
TIME_AND_MAINTENANCE = {
    "idle_warning": "Nobody touches the screen: the idle warning",
    "maintenance_login": "City IT: the maintenance code (3-second press, top-left corner)",
    "maintenance": "City IT: maintenance",
}
SECTIONS: tuple[tuple[str, str, dict[str, str], str], ...] = (
    (
        "The journey",
        "normal",
        JOURNEY,
        "One citizen, by touches, from start to finish. Until a language is chosen the kiosk "
        "speaks the terminal's own (French here).",
    ),
    (
        "The journey in high contrast",
        "high_contrast",
        JOURNEY,
        "The same screens with the accessibility bar's *Contrast* on.",
    ),
    (
        "The journey in large text",
        "large_text",
        JOURNEY,
        "The same screens with *Big text* on: every text 1.5 times larger; a page that "
        "does not fit scrolls between its title and its buttons.",
    ),
    (
        "When something goes wrong",
        "normal",
        TROUBLES,
        "Each brought about as at a kiosk, through the demo's simulated devices: wrong PIN "
        "codes typed on the pad, a card of another kind, a card that does not answer, a card "
        "pulled out, the city's service cut off from the kiosk, the printer taken offline.",
    ),
    (
        "Time and maintenance",
        "normal",
        TIME_AND_MAINTENANCE,
        "The idle warning comes when the session's clock is moved on; maintenance is in the "
        "language of the session that ended last.",
    ),
)


def write_gallery(out: Path, docs: Path) -> Path:
    """Write `docs/screens.md` and its pictures from the headless run in `out`."""
    summary = json.loads((out / "summary.json").read_text())
    pictures: list[dict[str, str]] = summary["pictures"]
    languages = list(summary["languages"])
    folder = docs / FOLDER
    folder.mkdir(parents=True, exist_ok=True)
    shown = {p["file"] for p in pictures}
    if summary.get("receipt"):
        shown.add(summary["receipt"])
    for stale in folder.glob("*.png"):
        if stale.name not in shown:
            stale.unlink()
    for name in sorted(shown):
        shrink(out / name, folder / name)
    page = docs / PAGE
    page.write_text(render(pictures, languages, summary.get("receipt")))
    return page


def shrink(source: Path, target: Path) -> None:
    """A lighter copy: at most 960 x 540, flat colours, compressed. Reduced by a whole factor
    (each pixel the mean of a square): fewer in-between colours than a finer filter, a third
    lighter once compressed, and quicker."""
    from PIL import Image

    with Image.open(source) as image:
        picture = image.convert("RGB")
    factor = max(1, -(-picture.width // SIZE[0]), -(-picture.height // SIZE[1]))
    if factor > 1:
        picture = picture.reduce(factor)
    flat = picture.quantize(COLOURS, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE)
    flat.save(target, optimize=True)


def render(pictures: Sequence[dict[str, str]], languages: Sequence[str], receipt: Any) -> str:
    where = {(p["mode"], p["situation"], p["language"]): p["file"] for p in pictures}
    lines = [
        "# Every screen, in every language",
        "",
        "Pictures of `kiosk demo --headless`, on its simulated devices at 1920 x 1080 (shown",
        "here at half size). Written by `kiosk demo --headless --gallery docs` (or",
        "`python -m kiosk.showcase.gallery OUT_DIR docs` from a finished run); do not edit.",
        "",
    ]
    for title, mode, situations, intro in SECTIONS:
        rows = [s for s in situations if any((mode, s, lang) in where for lang in languages)]
        if not rows:
            continue
        lines += [f"## {title}", "", intro, ""]
        files = {(s, lang): where[m, s, lang] for m, s, lang in where if m == mode}
        lines += table(rows, situations, languages, files)
        lines.append("")
    if receipt:
        lines += ["## The receipt", "", f"![The receipt]({FOLDER}/{receipt})", ""]
    return "\n".join(lines)


def table(
    rows: Iterable[str],
    names: dict[str, str],
    languages: Sequence[str],
    files: dict[tuple[str, str], str],
) -> list[str]:
    """One row per situation, one column per language."""
    head = "| | " + " | ".join(languages) + " |"
    rule = "| --- |" + " --- |" * len(languages)
    body = []
    for situation in rows:
        cells = []
        for lang in languages:
            found = files.get((situation, lang))
            cells.append(f"![{names[situation]} ({lang})]({FOLDER}/{found})" if found else "")
        body.append(f"| {names[situation]} | " + " | ".join(cells) + " |")
    return [head, rule, *body]


def main(argv: Sequence[str]) -> int:
    if len(argv) not in (1, 2):
        print("usage: python -m kiosk.showcase.gallery OUT_DIR [DOCS_DIR]", file=sys.stderr)
        return 2
    out = Path(argv[0])
    docs = Path(argv[1]) if len(argv) == 2 else Path("docs")
    print(f"gallery: {write_gallery(out, docs)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
