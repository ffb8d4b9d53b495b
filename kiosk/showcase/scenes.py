"""What `kiosk demo --headless` plays besides the journey, in each language: the screens a
citizen sees when something goes wrong, the idle warning and the maintenance login; and the
journey's screens again in high contrast and in large text.

Every trouble is brought about as it would happen at a kiosk: a wrong PIN typed on the pad,
a card of another kind, a card that does not answer, a card pulled out, a printer that goes
offline, a city service that cannot be reached (the demo's device controls), never by showing
a screen directly. Only time is hurried: the session's clock skips ahead to the idle warning.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from devices.eid.emulator import BelpicApplet

MODES = ("high_contrast", "large_text")  # the accessibility bar's two display modes
WRONG_PIN = "0000"


@dataclass(frozen=True)
class Picture:
    file: str  # its name in the output folder
    language: str
    situation: str  # a screen of the journey ("pin") or a trouble ("card_blocked")
    mode: str = "normal"  # or one of MODES


class SkippingClock:
    """The session's clock in the headless demo: monotonic time plus the time skipped, so
    that the idle warning comes without half a minute of waiting."""

    def __init__(self) -> None:
        self.skipped = 0.0

    def __call__(self) -> float:
        return time.monotonic() + self.skipped

    def skip(self, seconds: float) -> None:
        self.skipped += seconds


class OtherKindOfCard(BelpicApplet):
    """A chip card that is not a Belgian eID (a bank card, another country's card): it has
    no BELPIC applet to select."""

    def process(self, apdu: bytes | bytearray) -> bytes:
        if bytes(apdu[:3]) == bytes.fromhex("00A404"):  # SELECT by name
            return bytes.fromhex("6A82")  # not found
        return super().process(apdu)


def themed(driver: Any, shot: Path, lang: str, situation: str) -> list[Picture]:
    """The screen of `shot` again in each display mode, set as the accessibility bar's
    buttons set it (on the theme: a touch would also count as the citizen's, and end the
    thank-you screen); none once the screen has changed meanwhile."""
    from screens.theme import THEME

    screen, found = driver.app.presenter.shown, []
    for mode in MODES:
        # One mode at a time, switched in one step: every label of every built screen follows
        # the theme, so each switch costs them all a new texture.
        for each in MODES:
            setattr(THEME, each, each == mode)
        # The screenshot draws two frames first: the layout settles in the first.
        path = driver.screenshot(shot.with_name(f"{shot.stem}-{mode}.png"))
        if driver.app.presenter.shown != screen:
            path.unlink()
            break
        found.append(Picture(path.name, lang, situation, mode))
    THEME.high_contrast = THEME.large_text = False
    driver.frames(1)
    return found


class Troubles:
    """The trouble scenes in one language, by touches and the demo's device controls."""

    def __init__(
        self,
        driver: Any,
        runtime: Any,
        clock: SkippingClock,
        lang: str,
        language_button: str,
        out: Path,
        maintenance_code: str | None,
    ) -> None:
        self.driver = driver
        self.runtime = runtime
        self.machine = runtime.machine
        self.demo = runtime.demo
        self.clock = clock
        self.lang = lang
        self.language_button = language_button
        self.out = out
        self.maintenance_code = maintenance_code
        self.pictures: list[Picture] = []
        self.seconds: dict[str, float] = {}  # each scene's, for summary.json

    def play(self) -> list[Picture]:
        for scene in (
            self.wrong_pin_three_times,
            self.card_of_another_kind,
            self.card_that_does_not_answer,
            self.card_pulled_out,
            self.city_api_then_printer_then_maintenance,
        ):
            started = time.monotonic()
            scene()
            self.seconds[scene.__name__] = round(time.monotonic() - started, 2)
        return self.pictures

    # -- the scenes ----------------------------------------------------------------------------

    def wrong_pin_three_times(self) -> None:
        """Two tries left, the last try, then the card is blocked and given back."""
        self.begin()
        self.type_pin(WRONG_PIN)
        self.wait("pin")
        self.picture("wrong_pin")
        self.type_pin(WRONG_PIN)
        self.wait("pin")
        self.picture("last_try")
        self.type_pin(WRONG_PIN)
        self.wait("card_error")
        self.picture("card_blocked")
        self.give_card_back(self.tr("Give my card back"))

    def card_of_another_kind(self) -> None:
        self.begin(OtherKindOfCard(self.demo.card))
        self.wait("card_error")
        self.picture("foreign_card")
        self.give_card_back(self.tr("Give my card back"))

    def card_that_does_not_answer(self) -> None:
        mute = BelpicApplet(self.demo.card)
        mute.set_mute(True)
        self.begin(mute)
        self.wait("card_error")
        self.picture("unreadable_card")
        self.give_card_back(self.tr("Stop"))

    def card_pulled_out(self) -> None:
        """Out in the middle of the PIN: the session ends at once, and says so while it
        deletes everything (a moment, usually well under a second)."""
        self.begin()
        for digit in "12":
            self.driver.touch(digit)
        self.demo.remove_card()
        self.wait_quickly("wiping")
        self.picture("card_pulled_out", quick=True)
        self.wait("attract")

    def city_api_then_printer_then_maintenance(self) -> None:
        """The city's service cannot be reached, then can again; the idle warning on the
        catalogue; the printer goes offline before printing; once the card is back out the
        kiosk is out of service, and city IT come with the maintenance code."""
        from devices.printing import Readiness
        from devices.printing.readiness import Level

        self.begin()
        self.demo.cut_city_api()
        try:
            self.type_pin("1234")
            self.wait("service_error")
            self.picture("city_api_unreachable")
        finally:
            self.demo.restore_city_api()
        self.driver.touch(self.tr("Try again"))
        self.wait("catalogue")
        self.idle_warning()
        tile = next(
            w for w in self.driver.buttons() if getattr(w, "document_id", "") == "residence"
        )
        self.driver.touch(tile)
        self.wait("confirm")
        try:
            self.demo.set_printer(Readiness(Level.UNAVAILABLE, "offline"))
            self.driver.advance(0.1)
            self.driver.touch(self.tr("Print"))
            self.wait("service_error")
            self.picture("printer_unavailable")
            self.driver.touch(self.tr("Give my card back"))
            self.wait("take_card")
            self.demo.remove_card()
            self.wait("out_of_service")
            self.picture("out_of_service")
            self.maintenance()
        finally:
            self.demo.set_printer(Readiness(Level.READY, "ready"))
        self.driver.advance(0.1)
        if self.machine.state.value == "maintenance":
            self.driver.touch(self.tr("End maintenance"))
        self.wait("attract")

    def idle_warning(self) -> None:
        policy = self.machine.policy
        self.clock.skip(policy.idle_timeout - policy.warning_before + 1)
        shell = self.driver.app.shell
        self.driver.wait_for(lambda: shell.overlay_shown, 5, f"the idle warning ({self.lang})")
        self.picture("idle_warning")
        self.driver.touch(self.tr("More time"))

    def maintenance(self) -> None:
        """The hidden gesture (a 3-second press in the top-left corner), then the code."""
        root = self.driver.root
        self.driver.touch_at(8, root.height - 8, hold=3.2)
        self.driver.wait_for(
            lambda: self.driver.app.presenter.shown == "maintenance_login",
            5,
            "the maintenance login",
        )
        self.picture("maintenance_login", screen="maintenance_login")
        if self.maintenance_code is None:  # a configured code the demo does not know
            self.driver.touch(self.tr("Back"))
            return
        self.type_pin(self.maintenance_code)
        self.wait("maintenance")
        self.picture("maintenance")

    # -- steps ---------------------------------------------------------------------------------

    def begin(self, card: BelpicApplet | None = None) -> None:
        """A citizen puts a card in at the attract screen and chooses the language."""
        self.wait("attract")
        self.demo.insert_card(card)
        self.wait("language")
        self.driver.touch(self.language_button)
        self.wait("pin", "card_error")

    def type_pin(self, digits: str) -> None:
        for digit in digits:
            self.driver.touch(digit)
        self.driver.touch(self.tr("OK"))

    def give_card_back(self, button: str) -> None:
        self.driver.touch(button)
        self.wait("take_card")
        self.demo.remove_card()
        self.wait("attract")

    def wait(self, *states: str, timeout: float = 30.0) -> None:
        self.driver.wait_for(
            lambda: self.machine.state.value in states, timeout, f"{states} ({self.lang})"
        )

    def wait_quickly(self, state: str, timeout: float = 10.0) -> None:
        """Until the session is in `state`, drawing no frame more than it takes."""
        from kivy.base import EventLoop

        deadline = time.monotonic() + timeout
        while self.machine.state.value != state:
            if time.monotonic() > deadline:
                raise AssertionError(f"timed out waiting for {state} ({self.lang})")
            EventLoop.idle()
            time.sleep(0.002)

    def picture(self, situation: str, *, screen: str | None = None, quick: bool = False) -> None:
        """A picture of the screen on show, named after `situation`; none when the screen
        changed before it was drawn. `quick`: as drawn now, with no frame more (a screen
        that shows for a moment)."""
        app = self.driver.app
        shown = screen or app.presenter.shown
        path = self.out / f"{self.lang}-{situation}.png"
        if quick:
            grab(path)
        else:
            self.driver.screenshot(path)
        if app.presenter.shown != shown:
            path.unlink()
            return
        self.pictures.append(Picture(path.name, self.lang, situation))

    def tr(self, text: str) -> str:
        from screens.translate import tr

        return str(tr._(text))


def grab(path: Path) -> Path:
    """The window as last drawn, into `path` (the driver's screenshot draws two frames first)."""
    from kivy.core.window import Window

    Path(Window.screenshot(name=str(path.resolve()))).replace(path)
    return path
