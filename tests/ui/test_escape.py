"""Nobody leaves the kiosk by a key or a close request; IT gets in by a hidden gesture and a
maintenance code, locked for a while after five wrong codes."""

from __future__ import annotations

import pytest

from tests.ui.conftest import UiKiosk

pytestmark = pytest.mark.ui


def test_escape_alt_f4_and_close_requests_are_swallowed(ui: UiKiosk) -> None:
    from kivy.config import Config
    from kivy.core.window import Window

    assert Config.get("kivy", "exit_on_escape") == "0"
    assert "disable_multitouch" in Config.get("input", "mouse")
    assert Window.dispatch("on_keyboard", 27, 9, None, []) is True  # Esc
    assert Window.dispatch("on_keyboard", 285, 70, None, ["alt"]) is True  # Alt+F4
    assert Window.dispatch("on_keyboard", 9, 23, None, ["alt"]) is True  # Alt+Tab, any key
    assert Window.dispatch("on_request_close") is True  # the window manager's close
    ui.driver.frames(2)
    assert ui.app.root.get_root_window() is Window
    assert ui.state == "attract"


def test_demo_keys_put_the_card_in_and_take_it_out(ui: UiKiosk) -> None:
    from kivy.core.window import Window

    Window.dispatch("on_keyboard", 286, 0, None, [])  # F5
    ui.wait_state("language")
    Window.dispatch("on_keyboard", 287, 0, None, [])  # F6
    ui.wait_state("attract")


def open_maintenance(ui: UiKiosk) -> None:
    ui.app.shell.demo = False  # the production screen: the corner is the attract screen's
    ui.driver.frames(2)
    top = ui.driver.root.height
    ui.driver.touch_at(20, top - 20, hold=3.2)
    assert ui.presenter.shown == "maintenance_login"


def type_code(ui: UiKiosk, code: str) -> None:
    ui.type_pin(code)
    ui.ok()
    ui.driver.wait_for(
        lambda: not getattr(ui.screen(), "checking", False), 10, "the code to be checked"
    )


def test_a_short_touch_in_the_corner_starts_a_session_like_anywhere(ui: UiKiosk) -> None:
    ui.app.shell.demo = False
    ui.driver.frames(2)
    top = ui.driver.root.height
    ui.driver.touch_at(20, top - 20)
    ui.wait_state("language")


def test_maintenance_behind_a_long_press_and_a_code(ui: UiKiosk) -> None:
    open_maintenance(ui)
    ui.shot("maintenance-code")
    type_code(ui, "1111")
    assert ui.state == "attract" and ui.presenter.shown == "maintenance_login"
    assert "4" in ui.screen().status  # tries left, in words
    type_code(ui, "2468")
    ui.wait_state("maintenance")
    ui.shot("maintenance")
    ui.touch(ui.tr("End maintenance"))
    ui.wait_state("attract")


def test_maintenance_code_locks_after_five_wrong_codes(ui: UiKiosk) -> None:
    open_maintenance(ui)
    lock = ui.screen().lock
    try:
        lock.wrong = 4  # four wrong codes already (each argon2id check takes a while)
        type_code(ui, "0000")
        assert lock.seconds_locked() > 0 and ui.screen().status
        type_code(ui, "2468")  # even the right code is refused while locked
        assert ui.state == "attract"
        ui.shot("maintenance-locked")
    finally:
        lock.locked_until = 0.0
    ui.touch(ui.tr("Back"))
    assert ui.presenter.shown == "attract"
