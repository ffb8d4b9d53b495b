"""Large-text mode, measured on the rendered app: every text is exactly 1.5 times its normal
size (titles, buttons, keys, tiles, the accessibility bar, the idle warning...), and nothing
is lost: every text shown in normal mode is still on the page in large-text mode, on show or
where scrolling its page brings it, unclipped, and every target stays 48 dp or more; with
high contrast on as well, the same holds and every text keeps 7:1.

Each screen of the gallery is measured in normal mode, then in large-text mode: at once on
the same widgets (every font size), and in every language and window size by its texts (a
language switch makes some widgets anew: the catalogue's tiles, the steps of the work).
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.ui.conftest import SIZES, UiKiosk
from tests.ui.test_checks import (
    LANGUAGES,
    layout_problems,
    low_contrast,
    misdrawn_dots,
    screens_of,
)

pytestmark = pytest.mark.ui


def set_large_text(ui: UiKiosk, large: bool) -> None:
    from screens.theme import THEME

    THEME.large_text = large
    ui.driver.frames(3)


def hold_still(ui: UiKiosk) -> None:
    """Stop what moves by itself while a screen is measured: the attract screen's highlighted
    line (it changes size every few seconds). Showing the screen again starts it. (The idle
    warning's countdown moves only with the session's ticks.)"""
    screen = ui.screen()
    cycle = getattr(screen, "_cycle", None)
    if cycle is not None:
        cycle.cancel()
        if screen.index != 0:
            screen.index = 0
            ui.driver.frames(2)


def in_tile(widget: Any) -> bool:
    from screens.widgets.tile import DocumentTile

    return any(isinstance(parent, DocumentTile) for parent in parents(widget))


def parents(widget: Any) -> list[Any]:
    found = []
    while widget.parent is not None and widget.parent is not widget:
        widget = widget.parent
        found.append(widget)
    return found


def font_sizes(ui: UiKiosk, name: str) -> dict[str, list[float]]:
    """Each text on show (or reachable by scrolling), with the font sizes it is shown in."""
    switch = ui.app.shell.bar.ids.large_text  # says "Off", then "On"
    sizes: dict[str, list[float]] = {}
    for label in ui.driver.labels():
        if name == "catalogue" and (in_tile(label) or label.text == ui.screen().page_text):
            continue  # the tiles of a page, and their count: see catalogue_problems
        text = str(label.text)
        if text == switch.state_text and label.parent in switch.children:
            text = "(large text: on or off)"
        sizes.setdefault(text, []).append(float(label.font_size))
    return {text: sorted(found) for text, found in sizes.items()}


def catalogue_problems(ui: UiKiosk) -> list[str]:
    """Fewer tiles a page with large text: every document is still on one of the pages."""
    screen = ui.screen()
    seen: set[str] = set()
    for _ in range(screen.pages):
        seen |= {tile.document_id for tile in ui.tiles()}
        screen.turn(1)
        ui.driver.frames(2)
    screen.turn(-screen.pages)  # back to the first page (the pages do not wrap round)
    ui.driver.frames(2)
    offered = {offer.document_id for offer in screen._offers}
    return [f"on no page: {sorted(offered - seen)}"] if seen != offered else []


def compare(normal: dict[str, list[float]], large: dict[str, list[float]]) -> list[str]:
    from screens.theme import LARGE_TEXT_SCALE

    problems = []
    for text, sizes in normal.items():
        grown = large.get(text, [])
        if len(grown) < len(sizes):
            problems.append(f"gone from the page: {text!r}")
            continue
        for before, after in zip(sizes, grown, strict=False):
            if abs(after - before * LARGE_TEXT_SCALE) > 0.01:
                problems.append(f"{text!r}: {before:.1f} px -> {after:.1f} px")
    return problems


def test_every_text_is_one_and_a_half_times_larger(ui: UiKiosk) -> None:
    """On the same widgets: each screen in normal mode, then at once in large-text mode."""
    from screens.theme import LARGE_TEXT_SCALE
    from screens.widgets.accessbar import AccessBar

    ui.app.shell.demo = False
    problems, measured = [], []
    with ui.undrawn():  # font sizes: nothing here needs pixels
        for name in screens_of(ui, "en"):
            hold_still(ui)
            set_large_text(ui, False)
            labels = ui.driver.labels()
            normal = [float(label.font_size) for label in labels]
            set_large_text(ui, True)
            for label, size in zip(labels, normal, strict=True):
                measured.append(label)
                if abs(label.font_size - size * LARGE_TEXT_SCALE) > 0.01:
                    problems.append(
                        f"{name}: {label.text!r} {size:.1f} -> {label.font_size:.1f} px"
                    )
    assert not problems, "\n".join(problems[:40])
    kinds = {type(label).__name__ for label in measured}
    assert {"KioskLabel", "NoteLabel", "TitleLabel", "ButtonLabel"} <= kinds, kinds
    assert any(isinstance(p, AccessBar) for label in measured for p in parents(label))


@pytest.mark.parametrize("size", list(SIZES))
def test_large_text_loses_nothing_in_every_language(ui: UiKiosk, size: str) -> None:
    """Every screen in every language, in normal mode and then in large-text mode: the same
    texts, each 1.5 times larger, none clipped or out of reach, targets of 48 dp or more."""
    ui.driver.resize(*SIZES[size])
    ui.app.shell.demo = False  # the production layout: no demo strip
    problems = []
    with ui.undrawn():  # texts, sizes and places; a problem's picture still draws
        set_large_text(ui, False)
        normal = {}
        for lang in LANGUAGES:
            for name in screens_of(ui, lang):
                hold_still(ui)
                normal[lang, name] = font_sizes(ui, name)
        set_large_text(ui, True)
        for lang in LANGUAGES:
            for name in screens_of(ui, lang):
                hold_still(ui)
                found = compare(normal[lang, name], font_sizes(ui, name)) + layout_problems(ui)
                if name == "catalogue":
                    found += catalogue_problems(ui)
                if found:
                    ui.shot(f"large-text-problem-{size}-{lang}-{name}")
                problems += [f"{size} {lang} {name}: {p}" for p in found]
    assert not problems, "\n".join(problems[:40])


def test_large_text_in_high_contrast_in_every_language(ui: UiKiosk) -> None:
    """Both display modes at once, as someone with low vision may well want them: every
    screen in every language at 1920 x 1080 with nothing clipped, cut or out of reach (the
    layout checks above), every text at 7:1 or more on the rendered pixels, and the PIN dots
    drawn in their place."""
    from screens.theme import THEME

    ui.app.shell.demo = False
    THEME.high_contrast = THEME.large_text = True
    ui.driver.frames(3)
    problems = []
    with ui.undrawn():  # each screen is laid out, then drawn once settled for its pixels
        for lang in LANGUAGES:
            for name in screens_of(ui, lang):
                hold_still(ui)
                image = ui.pixels()
                found = layout_problems(ui) + low_contrast(ui, image, 7.0)
                found += misdrawn_dots(ui, image)
                if name == "catalogue":
                    found += catalogue_problems(ui)
                if found:
                    image.save(ui.shots / f"large-text-high-contrast-problem-{lang}-{name}.png")
                problems += [f"{lang} {name}: {p}" for p in found]
    assert not problems, "\n".join(problems[:40])


def test_a_page_that_does_not_fit_scrolls_under_a_visible_bar(ui: UiKiosk) -> None:
    """German, large text, 1280 x 800: the confirmation's body scrolls with a finger while
    its title and its buttons stay put, and its scroll bar is drawn in the text's colour."""
    from screens.theme import THEME
    from screens.widgets.layout import Body, Header
    from tests.ui.test_checks import gallery, show, window_rect

    ui.driver.resize(*SIZES["small"])
    ui.app.shell.demo = False
    THEME.large_text = True
    name, state, context = next(g for g in gallery("de") if g[0] == "confirm")
    show(ui, name, state, context)
    ui.driver.frames(3)
    screen = ui.screen()
    body = next(w for w in screen.walk() if isinstance(w, Body))
    header = next(w for w in screen.walk() if isinstance(w, Header))
    assert body.scrolls and body.do_scroll_y, "the German confirmation fits at 1280 x 800?"
    button = ui.driver.find(ui.tr("Print"))
    fixed = (window_rect(header), window_rect(button))
    assert body.scroll_y == 1
    x, y = body.to_window(body.center_x, body.y + body.height * 0.3)
    swipe(ui, x, y, x, y + body.height * 0.6)
    assert body.scroll_y < 0.95, "a swipe up did not scroll the body"
    assert (window_rect(header), window_rect(button)) == fixed, "title or buttons moved"
    shot = ui.shot("large-text-de-small-confirm-scrolled")
    assert bar_pixels(shot, body) > 0, "no scroll bar drawn"


def swipe(ui: UiKiosk, x0: float, y0: float, x1: float, y1: float, steps: int = 12) -> None:
    from screens.synthetic_touch import SyntheticTouch

    touch = SyntheticTouch(x0, y0)
    touch.touch_down()
    ui.driver.frames(1)
    for i in range(1, steps + 1):
        touch.touch_move(x0 + (x1 - x0) * i / steps, y0 + (y1 - y0) * i / steps)
        ui.driver.frames(1)
    touch.touch_up()
    ui.driver.advance(0.6)  # the scroll's momentum settles


def bar_pixels(shot: Any, body: Any) -> int:
    """Pixels of the text's colour in the body's bar strip (right edge, 48 dp wide)."""
    from PIL import Image

    from screens.theme import THEME

    image = Image.open(shot).convert("RGB")
    x0, y0 = body.to_window(body.right - body.bar_width, body.y)
    x1, y1 = body.to_window(body.right, body.top)
    box = (int(x0), int(image.height - y1), int(x1), int(image.height - y0))
    ink = tuple(round(c * 255) for c in THEME.text[:3])
    return sum(n for n, colour in image.crop(box).getcolors(1 << 20) or [] if colour == ink)


def test_the_journey_by_touches_in_large_text_on_a_small_screen(ui: UiKiosk) -> None:
    """1280 x 800, large text, German: the attract screen and the catalogue scroll, and a
    touch on them still does what it did (start; choose the document)."""
    from screens.theme import THEME
    from screens.widgets.layout import Body

    ui.driver.resize(*SIZES["small"])
    ui.app.shell.demo = False  # the production layout: no demo strip
    THEME.large_text = True
    ui.driver.frames(3)
    attract = next(w for w in ui.screen().walk() if isinstance(w, Body))
    assert attract.scrolls
    ui.start("Deutsch")
    ui.insert()
    ui.type_pin("1234")
    ui.ok()
    ui.wait_state("catalogue")
    body = next(w for w in ui.screen().walk() if isinstance(w, Body))
    assert body.scrolls
    tile = next(t for t in ui.tiles() if t.document_id == "residence")
    body.scroll_to(tile, animate=False)  # what a finger would do first
    ui.driver.frames(2)
    ui.driver.touch(tile)
    ui.wait_state("confirm")
