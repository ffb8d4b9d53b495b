"""The gallery page (kiosk.showcase.gallery) from a headless run's summary: a table per
situation group, a row per situation, a column per language; the pictures it shows, lighter,
in docs/screenshots, and none that it does not show."""

from __future__ import annotations

import json
from pathlib import Path

from PIL import Image, ImageDraw

from kiosk.showcase.gallery import main, write_gallery


def fake_run(out: Path, pictures: list[dict[str, str]]) -> None:
    """Pictures such as the demo writes (1920 x 1080, words in a few colours), a summary."""
    out.mkdir()
    for index, picture in enumerate(pictures):
        image = Image.new("RGB", (1920, 1080), (0xF7, 0xF7, 0xF2))
        draw = ImageDraw.Draw(image)
        for line in range(30):
            draw.text((40, 30 * line + 8), f"{picture['file']} {index} line {line}", fill="navy")
        draw.rectangle((1200, 600, 1800, 700), fill=(0x0A, 0x3D, 0x6B))
        image.save(out / picture["file"])
    Image.new("RGB", (576, 900), "white").save(out / "receipt.png")
    languages = sorted({p["language"] for p in pictures}, key=["fr", "nl", "en", "de"].index)
    summary = {
        "ok": True,
        "languages": {lang: {"ok": True} for lang in languages},
        "screenshots": [p["file"] for p in pictures],
        "pictures": pictures,
        "receipt": "receipt.png",
    }
    (out / "summary.json").write_text(json.dumps(summary))


def picture(file: str, lang: str, situation: str, mode: str = "normal") -> dict[str, str]:
    return {"file": file, "language": lang, "situation": situation, "mode": mode}


RUN = [
    picture("fr-01-attract.png", "fr", "attract"),
    picture("fr-01-attract-large_text.png", "fr", "attract", "large_text"),
    picture("fr-04-pin.png", "fr", "pin"),
    picture("de-04-pin.png", "de", "pin"),
    picture("de-card_blocked.png", "de", "card_blocked"),
    picture("de-maintenance_login.png", "de", "maintenance_login"),
]


def test_the_page_has_a_row_per_situation_and_a_column_per_language(tmp_path: Path) -> None:
    fake_run(tmp_path / "out", RUN)
    page = write_gallery(tmp_path / "out", tmp_path / "docs").read_text()
    assert page.startswith("# Every screen, in every language")
    assert "## The journey\n" in page and "## The journey in large text" in page
    assert "## The journey in high contrast" not in page  # no picture of it in this run
    journey = section(page, "## The journey\n")
    assert journey[0] == "| | fr | de |"
    rows = {row.split(" | ")[0]: row for row in journey[2:]}
    assert list(rows) == ["| Waiting for a citizen", "| Type the PIN code"]
    pin = rows["| Type the PIN code"].split(" | ")
    assert pin[1] == "![Type the PIN code (fr)](screenshots/fr-04-pin.png)"
    assert pin[2] == "![Type the PIN code (de)](screenshots/de-04-pin.png) |"
    attract = rows["| Waiting for a citizen"].split(" | ")
    assert attract[2] == " |"  # no German picture of it: an empty cell
    large = section(page, "## The journey in large text")
    assert "(screenshots/fr-01-attract-large_text.png)" in large[2]
    wrong = section(page, "## When something goes wrong")
    assert "A third wrong PIN code: the card is blocked" in wrong[2]
    assert "(screenshots/de-maintenance_login.png)" in page
    assert "![The receipt](screenshots/receipt.png)" in page


def test_the_pictures_are_lighter_and_the_folder_holds_only_those_shown(tmp_path: Path) -> None:
    fake_run(tmp_path / "out", RUN)
    folder = tmp_path / "docs" / "screenshots"
    folder.mkdir(parents=True)
    (folder / "old-screen.png").write_bytes(b"not shown any more")
    assert main([str(tmp_path / "out"), str(tmp_path / "docs")]) == 0
    shown = sorted(p.name for p in folder.iterdir())
    assert shown == sorted([p["file"] for p in RUN] + ["receipt.png"])
    for name in shown:
        source, copy = tmp_path / "out" / name, folder / name
        with Image.open(copy) as image:
            assert image.width <= 960 and image.height <= 540
            assert image.mode == "P"  # a palette of flat colours
        assert copy.stat().st_size < source.stat().st_size
    with Image.open(folder / "fr-04-pin.png") as image:
        assert image.size == (960, 540)
        colours = {colour for _, colour in image.convert("RGB").getcolors(1 << 16) or []}
    assert (0xF7, 0xF7, 0xF2) in colours and (0x0A, 0x3D, 0x6B) in colours  # kept exactly


def test_usage(tmp_path: Path) -> None:
    assert main([]) == 2


def section(page: str, heading: str) -> list[str]:
    """The table lines under `heading`."""
    after = page.split(heading, 1)[1]
    return [line for line in after.split("\n## ", 1)[0].splitlines() if line.startswith("|")]
