"""The language screen's buttons are the languages offered: as many as the list, in its order,
each language named in itself, and touching one chooses it. A language beyond the shipped four
needs only its entry and its catalogue (here Esperanto, with a tiny catalogue in tmp_path)."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from tests.harness.languages import esperanto
from tests.ui.conftest import UiKiosk

pytestmark = pytest.mark.ui


class OfferingPort:
    """What a language screen needs of the app (the ShellPort's `languages` and `send`), in
    front of a real session machine that offers `codes`."""

    def __init__(self, codes: Sequence[str], tmpfs: Path) -> None:
        from session import events as ev
        from session.machine import SessionMachine
        from session.timers import ManualClock, TimerPolicy

        self.codes = list(codes)
        self.machine = SessionMachine(TimerPolicy(), ManualClock(), tmpfs, languages=codes)
        self.machine.handle(ev.Touch())  # a passer-by starts: the language screen

    def languages(self) -> list[str]:
        return self.codes

    def send(self, event: Any) -> None:
        self.machine.handle(event)


@contextmanager
def language_screen(ui: UiKiosk, port: OfferingPort) -> Iterator[Any]:
    """A language screen of its own, shown in the app's window for the block."""
    from screens.language import LanguageScreen

    manager = ui.app.shell.manager
    screen = LanguageScreen(name="language-under-test")
    screen.port = port
    manager.add_widget(screen)
    manager.current = screen.name
    try:
        screen.update(port.machine.state, port.machine.context)
        ui.driver.frames(3)
        yield screen
    finally:
        manager.current = ui.presenter.shown
        manager.remove_widget(screen)
        screen.discard()
        ui.driver.frames(2)


def shown_buttons(ui: UiKiosk) -> list[str]:
    """The language buttons a finger can reach, in reading order (rows top down, then left to
    right)."""
    from screens.language import LanguageButton

    buttons = [w for w in ui.driver.buttons() if isinstance(w, LanguageButton)]
    placed = sorted(buttons, key=lambda w: (-round(w.to_window(*w.pos)[1] + w.height), w.x))
    return [str(w.text) for w in placed]


@pytest.mark.parametrize(
    ("codes", "names"),
    [
        (["nl", "fr"], ["Nederlands", "Français"]),
        (["de", "en", "fr"], ["Deutsch", "English", "Français"]),
    ],
)
def test_a_button_for_each_language_offered_in_its_order(
    ui: UiKiosk, tmp_path: Path, codes: list[str], names: list[str]
) -> None:
    port = OfferingPort(codes, tmp_path)
    with language_screen(ui, port) as screen:
        assert [b.text for b in screen.buttons()] == names
        assert shown_buttons(ui) == names
        ui.driver.touch(names[-1])
        assert port.machine.state.value == "insert_card"
        assert port.machine.context.language == codes[-1]


def test_a_fifth_language_needs_only_its_entry_and_its_catalogue(
    ui: UiKiosk, tmp_path: Path
) -> None:
    with esperanto(tmp_path / "catalogues"):
        port = OfferingPort(["fr", "nl", "en", "de", "eo"], tmp_path)
        with language_screen(ui, port) as screen:
            names = ["Français", "Nederlands", "English", "Deutsch", "Esperanto"]
            assert [b.text for b in screen.buttons()] == names
            assert shown_buttons(ui) == names
            assert "Elektu vian lingvon" in screen.other_titles  # its title, from its catalogue
            ui.shot("language-five")
            ui.driver.touch("Esperanto")
            assert port.machine.state.value == "insert_card"
            assert port.machine.context.language == "eo"


def test_terminal_languages_nl_fr_shows_two_buttons_dutch_first(
    ui: UiKiosk, monkeypatch: pytest.MonkeyPatch
) -> None:
    from kiosk.config import parse_settings

    configured = parse_settings(b'[terminal]\nlanguages = ["nl", "fr"]\n', Path("kiosk.toml"))
    # What KioskApp.build hands the presenter from a configuration saying so.
    monkeypatch.setattr(ui.presenter, "_languages", configured.terminal.languages)
    monkeypatch.setattr(ui.presenter, "_default_language", configured.terminal.start_language)
    ui.presenter.render()
    ui.driver.frames(2)
    attract = ui.app.shell.screen("attract")
    assert [line.text for line in attract.invitation_lines()] == [
        "Raak het scherm aan om te beginnen",
        "Touchez l'écran pour commencer",
    ]
    ui.driver.touch_at(ui.driver.root.width / 2, ui.driver.root.height / 2)
    ui.wait_state("language")
    assert shown_buttons(ui) == ["Nederlands", "Français"]
    ui.shot("language-nl-fr")
    ui.touch("Nederlands")
    ui.wait_state("insert_card")
    assert ui.runtime.machine.context.language == "nl"
