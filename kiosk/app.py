"""The Kivy application: shows the session's state, sends the citizen's intents, speaks.

`KioskApp(settings, runtime)` is the whole shell: `kiosk run` gives it the production runtime,
`kiosk demo` and the UI tests the demo one (kiosk.wiring.build_demo_runtime). It:
- starts the runtime with a `post` that runs callbacks on the Kivy thread (Clock);
- on every step, shows the state's screen, renders it, and hands Announce effects to the
  screen and the speech guide (the idle warning becomes the "More time" overlay);
- at every wipe empties and rebuilds the screens that showed citizen data (ScreenReset);
- cannot be left: Esc, Alt+F4 and close requests are swallowed; no cursor in full screen.

Imported only after `kiosk.kivy_setup.prepare_kivy()`.
"""

from __future__ import annotations

import io
import logging
from collections.abc import Callable
from pathlib import Path
from typing import Any

from kivy.app import App
from kivy.clock import Clock
from kivy.core.image import Image as CoreImage
from kivy.core.window import Window
from kivy.metrics import dp

from devices.speech import EspeakSpeaker, Speaker
from kiosk import i18n
from kiosk.config import Settings
from kiosk.i18n.kivy_tr import tr
from kiosk.runtime import Runtime
from kiosk.speech_guide import SpeechGuide
from screens.base import KioskScreen, local_description
from screens.registry import MAINTENANCE_GESTURE_STATES, SCREEN_FOR_STATE
from screens.shell import Shell
from screens.theme import THEME, register_fonts
from screens.widgets import buttons
from screens.widgets.icon import DRAWINGS
from session import events as ev
from session.effects import Announce, Wipe
from session.machine import SessionContext
from session.states import CHOOSING, State
from session.timers import MIN_EXTENSIONS

log = logging.getLogger(__name__)

ESCAPE, F4, F5, F6 = 27, 285, 286, 287
IDLE_FPS, ACTIVE_FPS = 12, 60  # 12 fps: a touch on the attract screen still shows within 100 ms
SHORT_SCREEN_DP = 1000  # below this height, large text takes the room of secondary lines


class KioskApp(App):
    title = "Brussels kiosk"

    def __init__(
        self,
        settings: Settings,
        runtime: Runtime,
        *,
        screenshot: Path | None = None,
        speaker: Speaker | None = None,
    ) -> None:
        super().__init__()
        self.settings = settings
        self.runtime = runtime
        self.screenshot_path = screenshot
        self.screenshot_taken: Path | None = None
        self.speaker = speaker
        self.guide: SpeechGuide | None = None
        self.shell: Shell | None = None
        self.shown: str = ""  # name of the screen on show
        self._local: str | None = None  # a screen that is not a session state (maintenance PIN)
        self._announced: tuple[str, str] = ("", "")
        self._rendered: State | None = None  # the session state last rendered

    # -- building ------------------------------------------------------------------------------

    def build(self) -> Shell:
        register_fonts()
        ui = self.settings.ui
        THEME.high_contrast, THEME.large_text = ui.high_contrast, ui.large_text
        self._escape_proof()
        Window.bind(size=self._window_resized)
        self._window_resized(Window, Window.size)
        self.guide = SpeechGuide(self.speaker or EspeakSpeaker())
        if ui.speech:
            self.guide.set_enabled(True)
        shell = Shell(demo=self.runtime.demo is not None, port=self)
        self.shell = shell
        shell.add_screens()
        shell.bar.bind(
            on_speech=lambda *_: self.toggle_speech(),
            on_repeat=lambda *_: self._guide("repeat"),
            on_quieter=lambda *_: self._guide("volume_down"),
            on_louder=lambda *_: self._guide("volume_up"),
            on_help=lambda *_: self.send(ev.Help()),
        )
        shell.bind(
            on_secret_gesture=lambda *_: self.open_maintenance(),
            on_touch_seen=lambda *_: self._touch_seen(),
            on_demo_insert=lambda *_: self.demo_card(insert=True),
            on_demo_remove=lambda *_: self.demo_card(insert=False),
        )
        shell.overlay.bind(on_more_time=lambda *_: self._more_time())
        buttons.press_listeners.append(self._pressed)
        set_reset = getattr(self.runtime, "set_screen_reset", None)
        if set_reset is not None:
            set_reset(self)
        self.runtime.add_listener(self._on_step)
        self.runtime.start(self.post)
        self._render()
        self._after_first_frame(shell.warm_up)
        if self.screenshot_path is not None:
            self._after_first_frame(self._photograph_and_stop)
        return shell

    def post(self, fn: Callable[[], None]) -> None:
        """The runtime's way onto the Kivy thread (Clock scheduling is thread-safe)."""
        Clock.schedule_once(lambda _dt: fn(), 0)

    def on_stop(self) -> None:
        if self._pressed in buttons.press_listeners:
            buttons.press_listeners.remove(self._pressed)
        self.runtime.stop()
        if self.guide is not None:
            self.guide.reset()

    def _window_resized(self, _window: object, size: tuple[int, int]) -> None:
        THEME.short_screen = size[1] < dp(SHORT_SCREEN_DP)

    # -- escape-proofing -----------------------------------------------------------------------

    def _escape_proof(self) -> None:
        Window.bind(on_request_close=self._refuse_close, on_keyboard=self._on_key)
        if self.settings.ui.fullscreen:
            Window.show_cursor = False

    def _refuse_close(self, *_args: object, **_kwargs: object) -> bool:
        # A citizen must never close the kiosk; only the process manager stops it.
        return True

    def _on_key(self, _window: object, key: int, _scancode: int, _text: Any, mods: Any) -> bool:
        if key == ESCAPE or (key == F4 and "alt" in (mods or ())):
            return True  # swallowed
        if self.runtime.demo is not None and key in (F5, F6):
            self.demo_card(insert=key == F5)  # the demo's keys: F5 card in, F6 card out
        return True  # no shortcut of any kind does anything else

    # -- the ShellPort the screens use ---------------------------------------------------------

    def send(self, event: ev.Event) -> None:
        self.runtime.dispatch(event)

    def submit_pin(self, pin: bytearray) -> None:
        self.runtime.submit_pin(pin)

    def pin_progress(self, count: int, capacity: int) -> None:
        if self.guide is not None:
            self.guide.pin_digit_entered(count, capacity)

    def citizen_name(self) -> str:
        name = getattr(self.runtime, "citizen_display_name", lambda: None)()
        return name or ""

    def describe_offer(self, document_id: str) -> tuple[str, str]:
        describe = getattr(self.runtime, "describe_offer", None)
        text = describe(document_id, tr.lang) if describe is not None else None
        if text is None:
            return local_description(document_id)
        _, icon = local_description(document_id)
        return text.name, text.icon if text.icon in DRAWINGS else icon

    def location(self) -> str:
        return self.settings.terminal.location

    def open_maintenance(self) -> None:
        if self.runtime.machine.state in MAINTENANCE_GESTURE_STATES and self.shell is not None:
            ui = self.settings.ui
            login = self.shell.screen("maintenance_login")
            login.configure(ui.maintenance_pin_hash, ui.maintenance_lockout)
            self._local = "maintenance_login"
            self._render()

    def close_maintenance(self) -> None:
        self._local = None
        self._render()

    # -- ScreenReset (the wipe's UI part; called on the wiping thread) -------------------------

    def clear_clipboard(self) -> None:
        pass  # nothing can reach it: no text inputs, no copy anywhere in the shell

    def clear_selection(self) -> None:
        pass  # no selectable text anywhere: labels only, no text inputs

    def reset_screens(self) -> None:
        self.post(self.forget_citizen)

    def _next_passer_by(self) -> None:
        """Back to attract: speech returns to the configured default for whoever comes next."""
        if self.guide is not None:
            self.guide.reset()
            if self.settings.ui.speech:
                self.guide.set_enabled(True)
            if self.shell is not None:
                self.shell.bar.speech_on = self.guide.enabled

    def forget_citizen(self) -> None:
        """Empty every screen that held citizen data, and rebuild those that showed it."""
        if self.guide is not None:
            self.guide.forget()  # "Repeat" must not say the last citizen's name to the next
        if self.shell is None:
            return
        for screen in list(self.shell.manager.screens):
            if screen.holds_citizen_data:
                screen.reset()
        for name in ("confirm", "take_card"):
            if self.shown != name and self.shell.manager.has_screen(name):
                fresh = self.shell.replace_screen(name)
                fresh.shell = self

    # -- session steps -------------------------------------------------------------------------

    def _on_step(self, step: Any) -> None:
        if not step.effects and step.rule is None and self._rendered is step.state:
            return  # a tick with nothing due: nothing to draw (idle CPU)
        if any(isinstance(e, Wipe) for e in step.effects):
            self.forget_citizen()
        state = self.runtime.machine.state
        if state is State.ATTRACT and self._rendered is not State.ATTRACT:
            self._next_passer_by()
        if self._local is not None and state not in MAINTENANCE_GESTURE_STATES:
            self._local = None
        self._render()
        for effect in step.effects:
            if isinstance(effect, Announce):
                self.announce(effect)
        if state in (State.TAKE_CARD, State.THANK_YOU) and self.runtime.demo is not None:
            Clock.schedule_once(lambda _dt: self._show_receipt(), 0.3)

    def _render(self) -> None:
        machine = self.runtime.machine
        self._rendered = machine.state
        self.show(machine.state, machine.context)

    def show(self, state: State, context: SessionContext) -> None:
        """Show and render the screen of `state` (the session's, or a preview's in tests)."""
        shell = self.shell
        if shell is None:
            return
        if context.language != i18n.current_language():
            i18n.set_language(context.language)
        name = self._local or SCREEN_FOR_STATE[state]
        screen: KioskScreen = shell.screen(name)
        screen.update(state, context)
        if name != self.shown:
            if self.shown:
                shell.screen(self.shown).notice = ""
            shell.manager.current = name
            self.shown = name
            shell.hide_overlay()
        shell.gesture_enabled = state in MAINTENANCE_GESTURE_STATES and self._local is None
        if state not in CHOOSING:
            shell.hide_overlay()
        # Calm when nobody is there: fewer frames on the attract and out-of-service screens.
        Clock._max_fps = IDLE_FPS if state in MAINTENANCE_GESTURE_STATES else ACTIVE_FPS
        summary = " ".join(part for part in (screen.spoken_details, screen.summary) if part)
        heading = (screen.title, summary)
        if heading != self._announced and self.guide is not None:
            self._announced = heading
            self.guide.screen_shown(*heading)

    def announce(self, effect: Announce) -> None:
        params = dict(effect.params)
        lang = i18n.current_language()
        try:
            text = i18n.announcement(effect.message_key, params, lang)
        except KeyError:
            log.warning("no words for announcement %s", effect.message_key)
            return
        if self.guide is not None:
            self.guide.announce(text, effect.sound)
        shell = self.shell
        if shell is None:
            return
        if effect.message_key == "idle.warning":
            left = int(params.get("extensions_left", MIN_EXTENSIONS))
            shell.overlay.start(int(params.get("seconds_left", 0)), left > 0, text)
            shell.show_overlay()
            return
        if effect.message_key.startswith("idle."):
            shell.hide_overlay()
            return
        shell.screen(self.shown).announce(effect.message_key, params, text)

    def _more_time(self) -> None:
        shell = self.shell
        if shell is None:
            return
        if shell.overlay.can_extend:
            self.send(ev.MoreTime())
        shell.hide_overlay()

    def _touch_seen(self) -> None:
        # Any touch on a choosing screen shows the citizen is there (the idle timer restarts);
        # while the warning shows, only "More time" counts (the machine ignores the Touch).
        if self.runtime.machine.state in CHOOSING and self._local is None:
            self.send(ev.Touch())

    def _pressed(self, label: str) -> None:
        if self.guide is not None and label:
            self.guide.focused(label)

    def _guide(self, action: str) -> None:
        if self.guide is not None:
            getattr(self.guide, action)()

    def toggle_speech(self) -> None:
        if self.guide is None or self.shell is None:
            return
        self.shell.bar.speech_on = self.guide.toggle()
        if self.guide.enabled:
            self._announced = ("", "")

    # -- demo ----------------------------------------------------------------------------------

    def demo_card(self, *, insert: bool) -> None:
        demo = self.runtime.demo
        if demo is None:
            return
        if insert:
            demo.insert_card()
        else:
            demo.remove_card()

    def _show_receipt(self) -> None:
        demo = self.runtime.demo
        if demo is None or self.shell is None:
            return
        png = demo.receipt_png()
        if png and self.runtime.machine.state is State.TAKE_CARD:
            image = CoreImage(io.BytesIO(png), ext="png")
            self.shell.screen("take_card").show_receipt(image.texture)

    # -- screenshots ---------------------------------------------------------------------------

    def _after_first_frame(self, action: Callable[[], None]) -> None:
        def on_flip(*_args: object) -> None:
            Window.unbind(on_flip=on_flip)
            # The flip that just happened is the first frame; photograph the next tick.
            Clock.schedule_once(lambda _dt: action(), 0)

        Window.bind(on_flip=on_flip)

    def _photograph_and_stop(self) -> None:
        assert self.screenshot_path is not None
        self.screenshot_taken = screenshot(self.screenshot_path)
        self.stop()


def screenshot(path: Path) -> Path:
    """Save what the window shows now as `path` (PNG)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    # Kivy inserts a counter before the extension; rename to the name asked for.
    written = Path(Window.screenshot(name=str(path.resolve())))
    written.replace(path)
    return path
