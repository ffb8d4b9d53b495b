"""Measurable checks on every rendered screen: an announced title, touch targets of 48 dp or
more that do not overlap, text that fits (no clipping or overflow) in every language, size
and text scale, and text/background contrast computed from the rendered pixels.

A page whose body scrolls (large text on a small screen) is checked as a finger sees it: what
lies outside the body's window is not on show (it may not overlap anything) but must lie in
the scrolled column, where scrolling brings it.

Screens are shown through the app's own `show(state, context)` (the path every session step
takes) with contexts covering each screen's variants, so all of them are reachable quickly.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from PIL import Image

from i18n.languages import CODES
from tests.ui.conftest import SIZES, UiKiosk

pytestmark = pytest.mark.ui

LANGUAGES = CODES  # every language of the list
DOCUMENTS = {
    "residence": 0,
    "household": 0,
    "nationality": 0,
    "life": 0,
    "population_extract": 350,
    "residence_history": 500,
    "legal_cohabitation": 350,
    "good_conduct": 0,
}


def gallery(lang: str) -> Iterator[tuple[str, Any, Any]]:
    """(name, state, context) for each screen and its main variants."""
    from session.context import SessionContext
    from session.events import DocumentOffer
    from session.problems import ApiProblem, CardProblem, PrinterStatus, PrintProblem
    from session.states import State as S

    offers = tuple(DocumentOffer(d, f"doc.{d}", p) for d, p in DOCUMENTS.items())
    base = SessionContext(language=lang, card_present=True, offers=offers)
    yield "attract", S.ATTRACT, base
    yield "language", S.LANGUAGE, base
    yield "insert_card", S.INSERT_CARD, base
    yield "reading", S.READING, base
    yield "pin", S.PIN, base
    yield "pin-tries", S.PIN, replace(base, pin_tries_left=2)
    yield "pin-last-try", S.PIN, replace(base, pin_tries_left=1)
    yield "checking_pin", S.CHECKING_PIN, base
    yield "authenticating", S.AUTHENTICATING, base
    yield "catalogue", S.CATALOGUE, base
    yield "confirm", S.CONFIRM, replace(base, document_id="population_extract")
    yield "fetching", S.FETCHING, replace(base, document_id="residence")
    yield "printing", S.PRINTING, replace(base, document_id="residence")
    yield "printing-receipt", S.PRINTING, replace(base, document_id="residence", completed=True)
    yield "take_card", S.TAKE_CARD, base
    yield "take_card-done", S.TAKE_CARD, replace(base, completed=True, receipt_printed=True)
    yield "take_card-no-receipt", S.TAKE_CARD, replace(base, completed=True, receipt_printed=False)
    yield "thank_you", S.THANK_YOU, base
    yield "card_pulled", S.THANK_YOU, replace(base, problem=CardProblem.CARD_REMOVED)
    yield "wiping", S.WIPING, base
    yield "card_error", S.CARD_ERROR, replace(base, problem=CardProblem.COMMUNICATION)
    yield "card_blocked", S.CARD_ERROR, replace(base, problem=CardProblem.PIN_BLOCKED)
    yield "foreign_card", S.CARD_ERROR, replace(base, problem=CardProblem.NOT_BELGIAN)
    yield "expired_card", S.CARD_ERROR, replace(base, problem=CardProblem.EXPIRED)
    yield "service_error", S.SERVICE_ERROR, replace(base, problem=ApiProblem.OFFLINE)
    yield "not_in_register", S.SERVICE_ERROR, replace(base, problem=ApiProblem.NOT_IN_REGISTER)
    yield "printer_unavailable", S.SERVICE_ERROR, replace(base, problem=PrintProblem.UNAVAILABLE)
    yield "print_error", S.PRINT_ERROR, replace(base, problem=PrintProblem.JAM)
    yield "out_of_service", S.OUT_OF_SERVICE, replace(base, printer=PrinterStatus.UNAVAILABLE)
    yield "maintenance", S.MAINTENANCE, base


def show(ui: UiKiosk, name: str, state: Any, context: Any) -> None:
    from session.effects import Announce

    presenter = ui.presenter
    presenter._local = "maintenance_login" if name == "maintenance_login" else None
    presenter.show(state, context)
    if name == "printing":
        presenter.announce(Announce("print.progress", (("done", 1), ("total", 2))))
    if context.pin_tries_left is not None:  # what the session says with a wrong PIN
        presenter.announce(Announce("pin.wrong", (("tries_left", context.pin_tries_left),), True))
    ui.driver.frames(2)


def show_overlay(ui: UiKiosk) -> None:
    from session.effects import Announce

    params = (("extensions_left", 9), ("seconds_left", 30))
    ui.presenter.announce(Announce("idle.warning", params, sound=True))
    ui.driver.frames(3)


def screens_of(ui: UiKiosk, lang: str) -> Iterator[str]:
    """Show each screen of the gallery (plus the maintenance PIN and the idle overlay)."""
    from session.states import State

    items = list(gallery(lang))
    for name, state, context in items:
        show(ui, name, state, context)
        yield name
    attract = items[0][2]
    show(ui, "maintenance_login", State.ATTRACT, attract)
    yield "maintenance_login"
    show(ui, "insert_card", State.INSERT_CARD, attract)
    show_overlay(ui)
    yield "idle_overlay"
    ui.app.shell.hide_overlay()
    ui.presenter._local = None


# -- geometry -------------------------------------------------------------------------------


def window_rect(widget: Any) -> tuple[float, float, float, float]:
    x, y = widget.to_window(widget.x, widget.y)
    return x, y, x + widget.width, y + widget.height


def text_rect(label: Any) -> tuple[float, float, float, float]:
    """Where the label's texture is drawn, in window coordinates (Kivy centres it)."""
    cx, cy = label.to_window(*label.center)
    tw, th = label.texture_size
    return cx - tw / 2, cy - th / 2, cx + tw / 2, cy + th / 2


def overlap(a: tuple[float, ...], b: tuple[float, ...], slack: float = 1.0) -> bool:
    return (
        a[0] < b[2] - slack and b[0] < a[2] - slack and a[1] < b[3] - slack and b[1] < a[3] - slack
    )


def inside(inner: tuple[float, ...], outer: tuple[float, ...], slack: float = 1.0) -> bool:
    return (
        inner[0] >= outer[0] - slack
        and inner[1] >= outer[1] - slack
        and inner[2] <= outer[2] + slack
        and inner[3] <= outer[3] + slack
    )


def clip(rect: tuple[float, ...], to: tuple[float, ...] | None) -> tuple[float, ...] | None:
    """The part of `rect` inside `to` (None: nothing of it), or `rect` when `to` is None."""
    if to is None:
        return rect
    x0, y0 = max(rect[0], to[0]), max(rect[1], to[1])
    x1, y1 = min(rect[2], to[2]), min(rect[3], to[3])
    return (x0, y0, x1, y1) if x0 < x1 and y0 < y1 else None


def scroller(widget: Any) -> Any:
    """The scrolling body (a Kivy ScrollView) that holds `widget`, if any."""
    from kivy.uix.scrollview import ScrollView

    parent = widget.parent
    while parent is not None and parent is not parent.parent:
        if isinstance(parent, ScrollView):
            return parent
        parent = parent.parent
    return None


def on_show(widget: Any, rect: tuple[float, ...]) -> tuple[float, ...] | None:
    """The part of a widget's `rect` (window coordinates) that its scrolling body shows."""
    body = scroller(widget)
    return clip(rect, window_rect(body) if body is not None else None)


def broken_word(label: Any) -> str | None:
    """A word wider than the label's wrapping width (Kivy would cut it in the middle)."""
    from kivy.core.text import Label as CoreLabel

    width = label.text_size[0]
    if not width:
        return None
    for word in set(str(label.text).split()):
        core = CoreLabel(font_name=label.font_name, font_size=label.font_size, bold=label.bold)
        if core.get_extents(word)[0] > width + 1:
            return word
    return None


def squeezed_bodies(ui: UiKiosk) -> list[str]:
    """Scrolling bodies with words in them but too little room to read them (a finger cannot
    scroll what it cannot see; the driver does not even walk into a body of no height)."""
    from kivy.metrics import dp
    from kivy.uix.label import Label
    from kivy.uix.scrollview import ScrollView

    problems = []
    for body in ui.screen().walk(restrict=True):
        if not isinstance(body, ScrollView) or body.opacity <= 0:
            continue
        content = body.children[0]
        words = [w.text for w in content.walk(restrict=True) if isinstance(w, Label) and w.text]
        if words and body.height < min(content.minimum_height, dp(96)) - 1:
            problems.append(f"body too low to read: {words[0]!r} in {body.height:.0f} px")
    return problems


def layout_problems(ui: UiKiosk) -> list[str]:
    from kivy.core.window import Window
    from kivy.metrics import dp
    from kivy.uix.behaviors import ButtonBehavior

    problems: list[str] = []
    labels = ui.driver.labels()
    screen_rect = (0.0, 0.0, float(Window.width), float(Window.height))
    for label in labels:
        tw, th = label.texture_size
        if tw > label.width + 1 or th > label.height + 1:
            problems.append(f"clipped: {label.text!r} needs {tw:.0f}x{th:.0f}, has {label.size}")
        rect = text_rect(label)
        body = scroller(label)
        if body is None and not inside(rect, screen_rect):
            problems.append(f"off screen: {label.text!r} at {rect}")
        if body is not None and not inside(rect, window_rect(body.children[0])):
            problems.append(f"out of reach of scrolling: {label.text!r} at {rect}")
        if body is not None and not inside(window_rect(body), screen_rect):
            problems.append(f"scrolling body off screen: {window_rect(body)}")
        holder = label.parent
        while holder is not None and not isinstance(holder, ButtonBehavior):
            holder = holder.parent if holder.parent is not holder else None
        in_button = isinstance(holder, ButtonBehavior) and hasattr(holder, "to_window")
        if in_button and not inside(rect, window_rect(holder), slack=2):
            problems.append(f"overflows its button: {label.text!r}")
        broken = broken_word(label)
        if broken:
            problems.append(f"word cut in two: {broken!r} in {label.text!r}")
    shown = [(label.text, on_show(label, text_rect(label))) for label in labels]
    rects = [(text, rect) for text, rect in shown if rect is not None]
    for i, (text_a, a) in enumerate(rects):
        for text_b, b in rects[i + 1 :]:
            if overlap(a, b):
                problems.append(f"texts overlap: {text_a!r} / {text_b!r}")
    targets = [w for w in ui.driver.buttons() if w.width < Window.width * 0.95]
    for widget in targets:
        if widget.width < dp(48) or widget.height < dp(48):
            words = getattr(widget, "text", "")
            problems.append(f"target under 48 dp: {words!r} {widget.size}")
    boxes = [(w, on_show(w, window_rect(w))) for w in targets]
    touchable = [(w, rect) for w, rect in boxes if rect is not None]
    for i, (a, rect_a) in enumerate(touchable):
        for b, rect_b in touchable[i + 1 :]:
            if overlap(rect_a, rect_b, slack=0):
                problems.append(f"targets overlap: {getattr(a, 'text', a)!r} / {b!r}")
    return problems + squeezed_bodies(ui)


def misdrawn_dots(ui: UiKiosk, shot: Image.Image | Path) -> list[str]:
    """PIN dots drawn anywhere but centred in their own place, read from the pixels of their
    row, from the window's left edge to their right end (the PIN pad may stand beyond)."""
    from PIL import ImageChops

    from screens.widgets.pinpad import PinDots

    image = picture(shot)
    problems = []
    for dots in ui.screen().walk(restrict=True):
        if not isinstance(dots, PinDots) or dots.opacity <= 0:
            continue
        x0, y0, x1, y1 = window_rect(dots)
        row = image.crop((0, int(image.height - y1), int(x1), int(image.height - y0)))
        counts = row.getcolors(row.width * row.height) or []
        background = Image.new("RGB", row.size, max(counts)[1])
        ink = ImageChops.difference(row, background).convert("L").point(lambda v: 255 * (v > 64))
        box = ink.getbbox()
        if box is None:
            problems.append(f"no dots drawn in {dots.size} at {dots.pos}")
            continue
        left, right = box[0], box[2]
        if left < x0 - 1 or abs((left + right) / 2 - (x0 + x1) / 2) > 3:
            problems.append(f"dots drawn from x={left} to {right}, their place {x0:.0f}-{x1:.0f}")
    return problems


def picture(shot: Image.Image | Path) -> Image.Image:
    return shot.convert("RGB") if isinstance(shot, Image.Image) else Image.open(shot).convert("RGB")


# -- contrast from pixels -------------------------------------------------------------------


def contrast_of(image: Image.Image, rect: tuple[float, ...]) -> float | None:
    """The contrast between a text's background (the commonest colour of its box) and its ink
    (the colour furthest from it that covers a few pixels: anti-aliasing mixes the two)."""
    from screens.theme import contrast_ratio

    height = image.height
    box = (
        max(0, int(rect[0])),
        max(0, int(height - rect[3])),
        min(image.width, int(rect[2])),
        min(height, int(height - rect[1])),
    )
    if box[2] - box[0] < 2 or box[3] - box[1] < 2:
        return None
    crop = image.crop(box)
    counts = Counter({colour: n for n, colour in crop.getcolors(crop.width * crop.height)})
    background, _ = counts.most_common(1)[0]
    enough = max(3, crop.width * crop.height // 400)
    bg = tuple(c / 255 for c in background)
    inks = [
        contrast_ratio(bg, tuple(c / 255 for c in colour))
        for colour, n in counts.items()
        if n >= enough
    ]
    return max(inks, default=None)


def low_contrast(ui: UiKiosk, shot: Image.Image | Path, floor: float) -> list[str]:
    """Texts under `floor`:1, measured where they are on show. A text of which its scrolling
    body shows less than a line is left out: a sliver of it may hold no ink at all."""
    image = picture(shot)
    found = []
    for label in ui.driver.labels():
        rect = on_show(label, text_rect(label))
        if not label.text.strip() or rect is None or rect[3] - rect[1] < label.font_size:
            continue
        ratio = contrast_of(image, rect)
        if ratio is not None and ratio < floor:
            found.append(f"{label.text[:40]!r}: {ratio:.2f}:1")
    return found


# -- the tests ------------------------------------------------------------------------------


def test_every_screen_has_a_title_that_is_announced(ui: UiKiosk) -> None:
    ui.presenter.toggle_speech()
    with ui.undrawn():  # titles and speech: nothing here needs pixels
        for lang in LANGUAGES:
            for name in screens_of(ui, lang):
                if name == "idle_overlay":
                    continue
                screen = ui.screen()
                assert screen.title, f"{name} ({lang}) has no title"
                said = [u.text for u in ui.speaker.utterances[-3:]]
                assert any(screen.title in text for text in said), f"{name} ({lang}): {said}"
                ui.presenter._announced = ("", "")  # the next screen may share a title (previews)


@pytest.mark.parametrize("size", list(SIZES))
def test_text_fits_and_targets_are_large_in_every_language(ui: UiKiosk, size: str) -> None:
    """In normal mode; test_large_text makes the same checks in large-text mode."""
    ui.driver.resize(*SIZES[size])
    ui.app.shell.demo = False  # the production layout: no demo strip
    problems = []
    with ui.undrawn():  # places and sizes; the pictures taken still draw
        for lang in LANGUAGES:
            for name in screens_of(ui, lang):
                found = layout_problems(ui)
                if found:
                    ui.shot(f"layout-problem-{size}-{lang}-{name}")
                problems += [f"{size} {lang} {name}: {p}" for p in found]
                if lang == "de" and size != "small":
                    ui.shot(f"gallery-{size}-de-{name}")
    assert not problems, "\n".join(problems[:40])


@pytest.mark.parametrize("high_contrast", [False, True], ids=["normal", "high-contrast"])
def test_text_contrast_measured_on_the_rendered_pixels(ui: UiKiosk, high_contrast: bool) -> None:
    from screens.theme import THEME

    THEME.high_contrast = high_contrast
    floor = 7.0 if high_contrast else 4.5
    problems = []
    with ui.undrawn():  # each screen is laid out, then drawn once settled for its pixels
        for lang in ("en", "fr"):
            for name in screens_of(ui, lang):
                mode = "hc" if high_contrast else "normal"
                image = ui.pixels()
                found = low_contrast(ui, image, floor)
                if found:
                    image.save(ui.shots / f"contrast-problem-{mode}-{lang}-{name}.png")
                problems += [f"{lang} {name}: {p}" for p in found]
    assert not problems, "\n".join(problems[:40])


@pytest.mark.parametrize("large_text", [False, True], ids=["normal", "large-text"])
def test_pin_dots_are_drawn_in_their_place_when_a_new_screen_first_shows(
    ui: UiKiosk, large_text: bool
) -> None:
    """The PIN screen and the maintenance code's screen, built anew and hidden (as the app
    builds them after start-up and after every session, one a frame), then shown: their dots
    are drawn centred in their own place, as read from the pixels."""
    from screens.theme import THEME
    from session.states import State

    THEME.large_text = large_text
    shell = ui.app.shell
    for name in ("pin", "maintenance_login"):
        shell.drop_screen(name)
    shell.warm_up()
    ui.driver.frames(4)  # one screen a frame
    problems = []
    for name in ("pin", "maintenance_login"):
        if name == "pin":
            show(ui, "pin", State.PIN, next(g for g in gallery("fr") if g[0] == "pin")[2])
        else:
            ui.presenter._local = None
            ui.presenter.render()  # back to the attract screen, where the hidden corner works
            ui.presenter.open_maintenance()
        ui.driver.frames(2)
        assert ui.presenter.shown == name
        shot = ui.shot(f"pin-dots-{name}-{'large' if large_text else 'normal'}")
        problems += [f"{name}: {p}" for p in misdrawn_dots(ui, shot)]
    assert not problems, "\n".join(problems)


def test_high_contrast_and_large_text_are_reachable_from_every_screen(ui: UiKiosk) -> None:
    from screens.theme import THEME

    with ui.undrawn():  # buttons found and touched: nothing here needs pixels
        for index, name in enumerate(screens_of(ui, "en")):
            if name == "idle_overlay":
                continue  # modal: the warning is answered first
            for words in ("Listen", "Contrast", "Big text", "Help"):
                ui.driver.find(words)  # on screen and touchable
            if index % 6:
                continue  # the bar is one widget: touching it on a few screens is enough
            ui.touch("Contrast")
            assert THEME.high_contrast, name
            ui.touch("Big text")
            assert THEME.large_text, name
            ui.touch("Contrast")
            ui.touch("Big text")
            assert not THEME.high_contrast and not THEME.large_text
