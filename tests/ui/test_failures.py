"""The main failure paths, by touches: wrong PIN, blocked card, card pulled out, printer
unavailable, city API down; and the idle warning with "More time"."""

from __future__ import annotations

import json
import logging
import re
import urllib.request

import pytest

from tests.ui.conftest import LOCATION, UiKiosk

pytestmark = pytest.mark.ui


def test_a_wrong_pin_says_how_many_tries_are_left(ui: UiKiosk) -> None:
    ui.start("English")
    ui.insert()
    ui.type_pin("9999")
    ui.ok()
    ui.wait_state("pin")
    ui.driver.frames(3)
    texts = " ".join(ui.driver.texts())
    assert "2 tries left" in texts
    assert "This PIN code is not correct." in texts
    assert ui.screen().ids.pad.count == 0  # the pad starts empty again
    ui.shot("failure-wrong-pin")
    ui.type_pin("1234")
    ui.ok()
    ui.wait_state("catalogue")


def test_a_blocked_card_is_explained_and_given_back(ui: UiKiosk) -> None:
    from devices.eid.emulator import BelpicApplet
    from kiosk.wiring.devices import DEMO_PIN

    ui.start("English")
    ui.insert(BelpicApplet(ui.demo.card, DEMO_PIN, pin_tries_left=1))
    ui.type_pin("9999")
    ui.ok()
    ui.wait_state("card_error")
    texts = " ".join(ui.driver.texts())
    assert "The PIN code of this card is blocked." in texts
    assert "There is a problem with the card" in texts
    ui.shot("failure-blocked-card")
    ui.touch("Give my card back")
    ui.wait_state("take_card")
    ui.demo.remove_card()
    ui.wait_state("attract")


def test_pulling_the_card_out_ends_the_session_at_once(ui: UiKiosk) -> None:
    ui.start("English")
    ui.insert()
    ui.type_pin("12")
    ui.demo.remove_card()
    ui.wait_state("attract")
    assert ui.runtime.machine.citizen.is_empty()
    assert ui.app.shell.screen("pin").ids.pad.count == 0
    ui.shot("failure-card-pulled")


CARD_CAME_OUT = {
    "Français": ("La carte est sortie du lecteur avant la fin.", "Terminer"),
    "Nederlands": ("De kaart kwam uit de lezer voordat alles klaar was.", "Afsluiten"),
    "English": ("The card came out of the reader before the end.", "Finish"),
    "Deutsch": ("Die Karte ist vor dem Ende aus dem Lesegerät gekommen.", "Fertig"),
}


@pytest.mark.parametrize("language", list(CARD_CAME_OUT))
def test_a_card_pulled_during_reading_says_so_in_the_citizens_language(
    ui: UiKiosk, language: str
) -> None:
    sentence, finish = CARD_CAME_OUT[language]
    reader = ui.demo.reader
    reader.apdu_delay_s = 0.05  # a slow card: the citizen pulls it while it is being read
    try:
        ui.start(language)
        ui.demo.insert_card()
        ui.wait_state("reading")
        ui.demo.remove_card()
        ui.wait_state("thank_you")
    finally:
        reader.apdu_delay_s = 0.0
    assert ui.runtime.machine.citizen.is_empty()  # wiped before the message shows
    ui.driver.frames(3)
    texts = " ".join(ui.driver.texts())
    assert sentence in texts
    assert ui.tr("Please put it back in the reader to start again.") in texts
    if language == "Français":
        ui.shot("failure-card-pulled-while-reading")
    ui.touch(finish)
    ui.wait_state("attract")


def test_printer_unavailable_says_where_to_go_instead(ui: UiKiosk) -> None:
    from devices.printing import Readiness
    from devices.printing.readiness import Level

    ui.to_catalogue()
    ui.choose()
    try:
        ui.demo.set_printer(Readiness(Level.UNAVAILABLE, "offline"))
        ui.driver.advance(0.1)
        ui.touch("Print")
        ui.wait_state("service_error")
        texts = " ".join(ui.driver.texts())
        assert "The printer is not available" in texts
        assert "Please ask for your document at the counter." in texts
        assert LOCATION in texts  # where the counter is
        ui.shot("failure-printer-unavailable")
        ui.touch("Give my card back")
        ui.wait_state("take_card")
    finally:
        ui.demo.set_printer(Readiness(Level.READY, "ready"))
        ui.driver.advance(0.1)


def test_city_api_down_offers_to_try_again(ui: UiKiosk) -> None:
    url = ui.demo.server.url + "/_faults"
    _faults(url, "PUT", [{"kind": "error", "path_prefix": "/v1/", "status": 503}])
    try:
        ui.start("English")
        ui.insert()
        ui.type_pin("1234")
        ui.ok()
        ui.wait_state("service_error", timeout=30)
        texts = " ".join(ui.driver.texts())
        assert "The service is not available" in texts
        ui.shot("failure-city-api-down")
    finally:
        _faults(url, "DELETE")
    ui.touch("Try again")
    ui.wait_state("catalogue", timeout=30)


def test_idle_warning_shows_a_countdown_and_more_time(ui: UiKiosk) -> None:
    ui.start("English")
    policy = ui.runtime.machine.policy
    ui.tick(policy.idle_timeout - policy.warning_before + 1)
    assert ui.app.shell.overlay_shown
    assert ui.speaker.tones >= 1  # a tone as well as words: two senses
    texts = " ".join(ui.driver.texts())
    assert "Do you need more time?" in texts and "seconds left" in texts
    ui.shot("idle-warning")
    ui.touch("More time")
    assert not ui.app.shell.overlay_shown
    assert ui.runtime.machine.context.extensions_used == 1
    ui.tick(policy.idle_timeout - 5)  # the extension gave a whole idle timeout again
    assert ui.state == "insert_card"


def _warning_numbers(ui: UiKiosk) -> tuple[int, int]:
    """The number of the warning's countdown line and the one in its sentence, as drawn."""
    overlay = ui.app.shell.overlay
    (countdown,) = re.findall(r"\d+", overlay.ids.countdown.text)
    (sentence,) = re.findall(r"\d+", overlay.message)
    shown = " ".join(ui.driver.texts())
    assert overlay.ids.countdown.text in shown and overlay.message in shown
    return int(countdown), int(sentence)


def test_the_idle_warning_says_one_number_and_counts_it_down(ui: UiKiosk) -> None:
    ui.start("Français")
    policy = ui.runtime.machine.policy
    ui.tick(policy.idle_timeout - policy.warning_before)
    assert ui.app.shell.overlay_shown
    first = _warning_numbers(ui)
    assert first == (30, 30)
    assert "30 secondes" in ui.app.shell.overlay.message  # in the citizen's language
    ui.tick(1)
    ui.tick(1)
    ui.driver.advance(1.5)  # Kivy's own clock moving changes nothing: the session's does
    assert _warning_numbers(ui) == (28, 28)
    ui.tick(17)
    assert _warning_numbers(ui) == (11, 11)
    ui.shot("idle-warning-fr-11")


def test_a_touch_anywhere_during_the_warning_gives_more_time(ui: UiKiosk) -> None:
    ui.start("English")
    policy = ui.runtime.machine.policy
    ui.tick(policy.idle_timeout - policy.warning_before)
    assert ui.app.shell.overlay_shown
    ui.driver.touch_at(ui.driver.root.width / 2, 5)  # the veil, far from the panel
    assert not ui.app.shell.overlay_shown
    assert ui.runtime.machine.context.extensions_used == 1
    assert ui.state == "insert_card"


def test_a_touch_on_try_again_under_the_warning_is_not_lost(ui: UiKiosk) -> None:
    from screens.theme import THEME

    url = ui.demo.server.url + "/_faults"
    _faults(url, "PUT", [{"kind": "error", "path_prefix": "/v1/", "status": 503}])
    try:
        ui.start("Français")
        ui.insert()
        ui.type_pin("1234")
        ui.ok()
        ui.wait_state("service_error", timeout=30)
    finally:
        _faults(url, "DELETE")
    retry = ui.driver.find(ui.tr("Try again"), root=ui.screen())
    assert retry.text == "Réessayer"
    policy = ui.runtime.machine.policy
    ui.tick(policy.idle_timeout - policy.warning_before)
    assert ui.app.shell.overlay_shown
    ui.shot("idle-warning-service-error-fr")
    THEME.large_text = THEME.high_contrast = True  # the tallest panel: it still leaves the button
    ui.driver.frames(3)
    ui.shot("idle-warning-service-error-fr-large-contrast")
    x, y = retry.to_window(*retry.center)
    panel = ui.app.shell.overlay.ids.panel
    assert not panel.collide_point(x, y), "the warning's panel hides Réessayer"
    ui.driver.touch_at(x, y)
    assert ui.runtime.machine.context.extensions_used == 1  # more time...
    ui.wait_state("authenticating", "catalogue", timeout=30)  # ...and the retry
    ui.wait_state("catalogue", timeout=30)


def test_a_receipt_printer_that_does_not_answer_is_not_promised(
    ui: UiKiosk, caplog: pytest.LogCaptureFixture
) -> None:
    from devices.printing.receipt.status import ReceiptState
    from screens.theme import THEME

    caplog.set_level(logging.DEBUG)
    receipts = ui.demo.receipt_printer
    receipts.state = ReceiptState.NO_ANSWER  # mute: takes the bytes, never confirms
    try:
        ui.to_catalogue("Français")
        ui.choose("residence")
        ui.presenter.toggle_speech()  # on: a blind citizen must hear the code too
        ui.touch(ui.tr("Print"))
        ui.wait_state("take_card", timeout=30)
    finally:
        receipts.state = ReceiptState.READY
    code = ui.runtime.verification_code()
    assert code and len(code) >= 8, "the city gave the document a verification code"
    ui.driver.advance(0.5)  # a receipt picture (demo) would have come by now
    texts = " ".join(ui.driver.texts())
    assert "Votre reçu n'a pas pu être imprimé." in texts
    assert f"son code de vérification est {code}." in texts
    assert "Reprenez votre carte et votre document" in texts
    assert "reçu" not in ui.screen().title
    assert ui.screen().receipt is None
    said = " ".join(text for text, _ in ui.speaker.phrases)
    assert "Votre reçu n'a pas pu être imprimé." in said and code in said
    ui.shot("receipt-not-printed-fr")
    THEME.large_text = THEME.high_contrast = True
    ui.driver.frames(3)
    ui.shot("receipt-not-printed-fr-large-contrast")
    assert code in " ".join(ui.driver.texts())
    ui.demo.remove_card()
    ui.wait_state("thank_you")
    assert ui.app.shell.screen("take_card").code == "", "the code goes with the session"
    assert ui.runtime.verification_code() is None
    assert "receipt sent but the printer did not confirm it" in caplog.text  # IT is told...
    assert code not in caplog.text  # ...never the code
    ui.touch(ui.tr("Finish"))
    ui.wait_state("attract")


def test_a_confirmed_receipt_is_announced_as_before(ui: UiKiosk) -> None:
    ui.to_catalogue("Français")
    ui.choose("residence")
    ui.touch(ui.tr("Print"))
    ui.wait_state("take_card", timeout=30)
    assert ui.runtime.machine.context.receipt_printed is True
    assert "Reprenez votre carte, votre document et votre reçu" in ui.driver.texts()
    assert ui.runtime.verification_code() not in " ".join(ui.driver.texts())
    ui.demo.remove_card()
    ui.wait_state("thank_you")
    ui.touch(ui.tr("Finish"))
    ui.wait_state("attract")


def _faults(url: str, method: str, rules: list[dict[str, object]] | None = None) -> None:
    body = json.dumps(rules).encode() if rules is not None else None
    request = urllib.request.Request(  # noqa: S310 (the embedded server, on loopback)
        url, data=body, method=method, headers={"content-type": "application/json"}
    )
    with urllib.request.urlopen(request, timeout=5) as answer:  # noqa: S310 (loopback)
        answer.read()
