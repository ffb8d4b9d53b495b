"""The whole e-guichet journey by touches on the real app, with the real demo runtime."""

from __future__ import annotations

import gc
import weakref

import pytest

from tests.ui.conftest import UiKiosk, markup_card

pytestmark = pytest.mark.ui


def test_the_whole_journey_by_touches(ui: UiKiosk) -> None:
    ui.shot("journey-01-attract")
    ui.start("English")
    ui.shot("journey-02-insert-card")
    ui.insert()
    assert ui.state == "pin"
    ui.type_pin("1234")
    pad = ui.screen().ids.pad
    assert pad.count == 4
    ui.shot("journey-03-pin")
    ui.ok()
    ui.wait_state("catalogue")
    ui.shot("journey-04-catalogue")
    assert len(ui.tiles()) <= 6
    ui.choose("residence")
    ui.shot("journey-05-confirm")
    assert ui.screen().citizen  # the card holder's name, and only that
    ui.touch("Print")
    ui.wait_state("take_card", timeout=30)
    ui.driver.advance(0.5)  # the receipt picture comes from the simulated receipt printer
    ui.shot("journey-06-take-card")
    assert ui.demo.printed_pdfs(), "the certificate was printed"
    assert ui.demo.receipt_png(), "the receipt was printed"
    ui.demo.remove_card()
    ui.wait_state("thank_you")
    ui.shot("journey-07-thank-you")
    ui.touch("Finish")
    ui.wait_state("attract")
    # Nothing of the citizen is left on any screen.
    confirm = ui.app.shell.screen("confirm")
    assert confirm.citizen == "" and confirm.document == ""
    assert ui.runtime.machine.citizen.is_empty()


def _one_citizen(ui: UiKiosk) -> None:
    ui.to_catalogue()
    ui.choose("residence")
    ui.touch("Print")
    ui.wait_state("take_card", timeout=30)
    ui.demo.remove_card()
    ui.wait_state("thank_you")
    ui.touch("Finish")
    ui.wait_state("attract")


def test_no_screen_of_a_session_outlives_it(ui: UiKiosk) -> None:
    """The screens that served a citizen are destroyed after the wipe and built again, empty:
    nothing of them stays alive (a binding from a global object, such as the theme, would keep
    a whole screen per citizen; a kiosk serves thousands in a row)."""
    from screens.registry import SCREENS

    shell = ui.app.shell
    _one_citizen(ui)  # every screen of the journey built and shown once
    served = {
        name: weakref.ref(shell.screen(name))
        for name in ("language", "insert_card", "pin", "catalogue", "confirm", "take_card")
    }
    _one_citizen(ui)
    ui.driver.wait_for(
        lambda: all(shell.manager.has_screen(name) for name in SCREENS), 10, "all screens again"
    )
    ui.driver.advance(1.0)  # Kivy's own short timers (a scroll view's touch timeout) run out
    gc.collect()
    assert [name for name, ref in served.items() if ref() is not None] == []
    assert all(shell.screen(name) is not None for name in served)  # fresh ones, ready


def _listeners_of_the_theme_and_words() -> int:
    from screens.theme import THEME
    from screens.translate import tr

    theme = sum(len(THEME.get_property_observers(name)) for name in THEME.properties())
    return theme + tr.observer_count


def test_a_dropped_screen_stops_listening_to_the_theme_before_it_is_collected(
    ui: UiKiosk,
) -> None:
    """The collector frees dropped screens on whichever thread it runs, and Kivy unbinds their
    rules only afterwards, from weak-reference callbacks that thread runs one by one: a contrast
    touch in between reached a rule of a dead widget (ReferenceError, the kiosk stops). So a
    dropped widget's rules let go at once: while nothing dropped is freed, a citizen leaves the
    theme and the translator exactly as many listeners as before."""
    from screens.registry import SCREENS

    shell = ui.app.shell

    def all_built() -> bool:
        return all(shell.manager.has_screen(name) for name in SCREENS)

    _one_citizen(ui)
    ui.driver.wait_for(all_built, 10, "all screens")
    before = _listeners_of_the_theme_and_words()
    # Nothing the citizen drops is freed meanwhile: the test holds the screens it had (the
    # memory release's own collection runs even with the collector off), and the collector
    # does not run by itself.
    held = list(shell.manager.screens)
    gc.collect()
    gc.disable()
    try:
        _one_citizen(ui)
        ui.driver.wait_for(all_built, 10, "all screens again")
        after = _listeners_of_the_theme_and_words()
    finally:
        gc.enable()
    assert len([screen for screen in held if screen.manager is None]) >= 6  # dropped, held
    assert after == before


def test_pages_of_the_catalogue_hold_at_most_six_tiles(ui: UiKiosk) -> None:
    ui.to_catalogue()
    first = {t.document_id for t in ui.tiles()}
    assert 0 < len(first) <= 6
    assert ui.screen().pages == 2  # the reference catalogue: the last page is the second
    buttons = {str(getattr(b, "text", "")) for b in ui.driver.buttons()}
    assert "Next page" in buttons and "Previous page" not in buttons  # no wrapping round
    ui.touch("Next page")
    second = {t.document_id for t in ui.tiles()}
    assert second and not (first & second)
    buttons = {str(getattr(b, "text", "")) for b in ui.driver.buttons()}
    assert "Previous page" in buttons and "Next page" not in buttons
    ui.shot("catalogue-page-2")
    ui.touch("Previous page")
    assert {t.document_id for t in ui.tiles()} == first


def test_a_name_written_like_markup_is_shown_literally(ui: UiKiosk) -> None:
    ui.start("English")
    ui.insert(markup_card(ui.demo))
    ui.type_pin("1234")
    ui.ok()
    ui.wait_state("catalogue")
    ui.choose()
    label = next(
        w for w in ui.driver.labels() if "[b]x[/b]" in w.text
    )  # the very text, brackets and all
    assert label.text == "[i]Eve[/i] [b]x[/b]"
    assert label.markup is False
    assert not label.refs and not label.anchors
    ui.shot("confirm-markup-name")
    # At the wipe the name leaves the screen with the card.
    ui.demo.remove_card()
    ui.wait_state("attract")
    assert not any("[b]x[/b]" in w.text for w in _all_labels(ui))


def _all_labels(ui: UiKiosk) -> list:
    from kivy.uix.label import Label

    found = []
    for screen in ui.app.shell.manager.screens:
        found += [w for w in screen.walk() if isinstance(w, Label)]
    return found


def test_speech_says_each_title_and_never_the_pin(ui: UiKiosk) -> None:
    ui.touch("Écouter")  # the audio guidance button, in the default language (French)
    assert ui.presenter.guide.enabled
    ui.start("English")
    said = " ".join(u.text for u in ui.speaker.utterances)
    assert "Put your identity card in the reader" in said
    ui.insert()
    ui.type_pin("1234")
    ui.ok()
    ui.wait_state("catalogue")
    said = " ".join(u.text for u in ui.speaker.utterances)
    assert "Type your PIN code" in said
    assert "Choose a document" in said
    assert "Digit 4 of 12 entered" in said
    assert "1234" not in said and "1 2 3 4" not in said
    for digit in "1234":
        assert not any(u.text.strip(" .") == digit for u in ui.speaker.utterances)


def test_repeat_after_the_wipe_never_says_the_last_citizens_name(ui: UiKiosk) -> None:
    ui.touch("Écouter")
    ui.start("English")
    ui.insert()
    ui.type_pin("1234")
    ui.ok()
    ui.wait_state("catalogue")
    ui.choose("residence")
    name = ui.screen().citizen
    ui.speaker.clear()
    ui.touch("Repeat")  # the last sentence now names the citizen
    assert any(name in u.text for u in ui.speaker.utterances)
    ui.demo.remove_card()  # pulled out here: the session is wiped at once
    ui.wait_state("attract")
    assert not ui.presenter.guide.enabled, "the next person starts with the configured default"
    ui.touch("Écouter")  # the next person turns speech on and asks for a repeat
    ui.speaker.clear()
    ui.touch("Répéter")
    assert ui.speaker.utterances, "Repeat said something"
    assert all(name not in u.text for u in ui.speaker.utterances)


def test_no_frame_shows_two_screens_at_once(ui: UiKiosk) -> None:
    """Screens have no background of their own: a frame drawn with the old screen still under
    the new one would flash both screens' words over each other at every change."""
    from kivy.core.window import Window

    manager = ui.app.shell.manager
    drawn: list[list[str]] = []

    def flipped(*_args: object) -> None:
        drawn.append([screen.name for screen in manager.children])

    Window.bind(on_flip=flipped)
    try:
        _one_citizen(ui)
    finally:
        Window.unbind(on_flip=flipped)
    shown = [names[0] for names in drawn if len(names) == 1]
    assert [names for names in drawn if len(names) != 1] == []
    assert set(shown) >= {"language", "insert_card", "pin", "catalogue", "confirm", "take_card"}
    assert shown[-1] == "attract" and "thank_you" in shown
