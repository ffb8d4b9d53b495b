"""The UI harness: one real KioskApp per test session, on the real demo runtime (simulated
reader and printers, the reference city API over loopback HTTP), in a private Xvfb.

Kivy is configured before anything creates its window, the app is built without `run()`, and
tests drive it with `screens.driver.Driver`: frames stepped by hand, touches posted to the
Window as MotionEvents, screenshots from the GL framebuffer. Time is a ManualClock: the tests
move it and send the Tick the runtime would send once a second.
"""

from __future__ import annotations

import contextlib
import dataclasses
import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from kiosk.kivy_setup import kivy_environment

kivy_environment()  # before any test module imports Kivy (the i18n tests do)

REPO = Path(__file__).resolve().parents[2]
SHOTS = Path(os.environ.get("KIOSK_UI_SHOTS", REPO / "out" / "ui"))
LOCATION = "Centre administratif, boulevard Anspach 6, rez-de-chaussée"
SIZES = {"landscape": (1920, 1080), "small": (1280, 800), "portrait": (1080, 1920)}


@dataclass
class UiKiosk:
    """The running app and what tests need around it."""

    app: Any  # kiosk.app.KioskApp
    driver: Any  # screens.driver.Driver
    runtime: Any  # kiosk.wiring.KioskRuntime
    speaker: Any  # devices.speech.RecordingSpeaker
    clock: Any  # session.timers.ManualClock
    shots: Path
    drawing: bool = field(default=True)  # False within `undrawn()`

    @property
    def state(self) -> str:
        return str(self.runtime.machine.state.value)

    @property
    def demo(self) -> Any:
        return self.runtime.demo

    @property
    def presenter(self) -> Any:  # screens.presenter.Presenter
        return self.app.presenter

    def wait_state(self, *states: str, timeout: float = 20.0) -> None:
        self.driver.wait_for(lambda: self.state in states, timeout, f"state {states}")

    def tick(self, seconds: float) -> None:
        """Move the session's clock, then tick as the runtime would."""
        from session.events import Tick

        self.clock.advance(seconds)
        self.runtime.dispatch(Tick())
        self.driver.frames(2)

    def shot(self, name: str) -> Path:
        if self.drawing:
            return self.driver.screenshot(self.shots / f"{name}.png")
        from kivy.core.window import Window

        path = self.shots / f"{name}.png"
        self._draw_two_frames()
        written = Path(Window.screenshot(name=str(path.resolve())))
        written.replace(path)
        return path

    def pixels(self) -> Any:
        """The window as drawn (two frames first), as a PIL image: no file written, for checks
        on many screens (save the image where one finds a problem)."""
        from kivy.core.window import Window
        from kivy.graphics.opengl import GL_RGB, GL_UNSIGNED_BYTE, glReadPixels
        from PIL import Image

        self._draw_two_frames()
        width, height = Window.size
        data = glReadPixels(0, 0, width, height, GL_RGB, GL_UNSIGNED_BYTE)
        image = Image.frombytes("RGB", (width, height), data)
        return image.transpose(Image.Transpose.FLIP_TOP_BOTTOM)

    def _draw_two_frames(self) -> None:
        """Two frames before a picture; within `undrawn()` the first only lays out (what the
        second draws is the same: a frame draws the state its clock tick left)."""
        if self.drawing:
            self.driver.frames(2)
            return
        self.driver.frames(1)
        with self.drawn():
            self.driver.frames(1)

    @contextlib.contextmanager
    def undrawn(self) -> Iterator[None]:
        """Frames that lay the app out without drawing it, for checks of places, sizes, words
        and speech only: Kivy lays out and renders each text's texture on its clock, not when
        it draws, while drawing a frame in Xvfb's software GL costs about 0.1 s (two thirds of
        such a check's time). `shot()` and `pixels()` still draw what they take. Resize before,
        not within: the first frame drawn after a resize is garbage."""
        before, self.drawing = self.drawing, False
        try:
            yield
        finally:
            self.drawing = before

    @contextlib.contextmanager
    def drawn(self) -> Iterator[None]:
        before, self.drawing = self.drawing, True
        try:
            yield
        finally:
            self.drawing = before

    def _skip_drawing(self, *_args: Any) -> bool:
        return not self.drawing  # True stops the Window's own on_draw / on_flip

    def touch(self, text: str) -> None:
        self.driver.touch(text)

    def screen(self) -> Any:
        return self.app.shell.screen(self.presenter.shown)

    # -- journey steps, by touches ------------------------------------------------------------

    def home(self) -> None:
        """Back to a calm attract screen with the card out and normal settings."""
        from screens.theme import THEME

        THEME.high_contrast = THEME.large_text = False
        self.app.shell.demo = True
        if self.presenter.guide.enabled:
            self.presenter.toggle_speech()
        if self.runtime.machine.context.card_present:
            self.demo.remove_card()
        self.driver.advance(0.05)
        if self.state == "thank_you":
            self.touch(self.tr("Finish")) if self.presenter.shown == "thank_you" else None
        if self.state not in ("attract", "out_of_service"):
            from session.events import Cancel, MaintenanceDone

            done = self.state == "maintenance"
            self.runtime.dispatch(MaintenanceDone() if done else Cancel())
        self.wait_state("attract", "out_of_service", timeout=10)
        self.presenter._local = None
        self.app.shell.hide_overlay()
        self.presenter.render()  # previews (test_checks) may have shown another screen
        self.driver.resize(*SIZES["landscape"])
        self.driver.frames(2)

    def start(self, language: str = "English") -> None:
        self.driver.touch_at(self.driver.root.width / 2, self.driver.root.height / 2)
        self.wait_state("language")
        self.touch(language)
        self.wait_state("insert_card")

    def insert(self, applet: Any = None) -> None:
        self.demo.insert_card(applet)
        self.wait_state("pin", "card_error")

    def type_pin(self, digits: str) -> None:
        for digit in digits:
            self.driver.touch(digit)

    def ok(self) -> None:
        self.touch(self.tr("OK"))

    def to_catalogue(self, language: str = "English") -> None:
        self.start(language)
        self.insert()
        self.type_pin("1234")
        self.ok()
        self.wait_state("catalogue")

    def tiles(self) -> list[Any]:
        return [w for w in self.driver.buttons() if getattr(w, "document_id", "")]

    def choose(self, document_id: str = "residence") -> None:
        tile = next(t for t in self.tiles() if t.document_id == document_id)
        self.driver.touch(tile)
        self.wait_state("confirm")

    def tr(self, text: str) -> str:
        from screens.translate import tr

        return str(tr._(text))


@pytest.fixture(scope="session")
def kiosk_display() -> Iterator[Any]:
    """A private Xvfb tall and wide enough for the portrait layout (1080 x 1920)."""
    from kiosk.display import start_xvfb
    from tests.harness.common import require_binary

    require_binary("Xvfb", "xvfb")
    display = start_xvfb(2000, 2000)
    previous = os.environ.get("DISPLAY")
    os.environ["DISPLAY"] = display.display
    yield display
    if previous is None:
        os.environ.pop("DISPLAY", None)
    else:
        os.environ["DISPLAY"] = previous
    display.stop()


@pytest.fixture(scope="session")
def kiosk(kiosk_display: Any, tmp_path_factory: pytest.TempPathFactory) -> Iterator[UiKiosk]:
    from kiosk.kivy_setup import prepare_kivy

    prepare_kivy(fullscreen=False, size=SIZES["landscape"])
    from devices.speech import RecordingSpeaker
    from kiosk.app import KioskApp
    from kiosk.config import CityApiSettings, Settings, TerminalSettings, UiSettings
    from kiosk.maintenance_pin import hash_maintenance_pin
    from kiosk.wiring import build_demo_runtime
    from screens.driver import Driver
    from session.timers import ManualClock

    settings = Settings(
        terminal=TerminalSettings(location=LOCATION, default_language="fr"),
        cityapi=CityApiSettings(retries=0),
        ui=UiSettings(
            fullscreen=False,
            maintenance_pin_hash=hash_maintenance_pin("2468"),
            maintenance_lockout=300,
            maintenance_lock_file=None,  # in memory: nothing written to /var/lib/kiosk
        ),
    )
    clock = ManualClock()
    workdir = tmp_path_factory.mktemp("kiosk-ui")
    runtime = build_demo_runtime(
        settings, workdir, clock=clock, tick_s=None, printer_poll_s=None, fault_injection=True
    )
    speaker = RecordingSpeaker()
    app = KioskApp(settings, runtime, speaker=speaker)
    driver = Driver(app)
    driver.start()
    SHOTS.mkdir(parents=True, exist_ok=True)
    ui = UiKiosk(app, driver, runtime, speaker, clock, SHOTS)
    from kivy.core.window import Window

    Window.fbind("on_draw", ui._skip_drawing)
    Window.fbind("on_flip", ui._skip_drawing)
    ui.wait_state("attract", timeout=10)
    yield ui
    runtime.stop()


@pytest.fixture
def ui(kiosk: UiKiosk) -> Iterator[UiKiosk]:
    """The app on its attract screen, in landscape, normal theme; put back after the test."""
    kiosk.home()
    kiosk.speaker.clear()
    yield kiosk
    kiosk.drawing = True
    kiosk.home()


def markup_card(demo: Any) -> Any:
    """An applet for a card whose name is written like Kivy markup."""
    from devices.eid.emulator import BelpicApplet, build_card, demo_profile, shared_test_pki
    from kiosk.wiring.devices import DEMO_PIN

    profile = dataclasses.replace(demo_profile(), first_names="[i]Eve[/i]", surname="[b]x[/b]")
    return BelpicApplet(build_card(profile, shared_test_pki(), "1.8"), DEMO_PIN)


Check = Callable[[UiKiosk], None]
