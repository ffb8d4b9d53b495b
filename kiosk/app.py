"""The Kivy application: shows the session's state, sends the citizen's intents, speaks.

`KioskApp(settings, runtime)` is the whole shell: `kiosk run` gives it the production runtime,
`kiosk demo` and the UI tests the demo one (kiosk.wiring.build_demo_runtime); or, for the
fastest start, `KioskApp(settings, factory=...)` builds the runtime itself. It:
- draws the attract screen first, then builds (when given a factory) and starts the runtime
  on a thread of its own: device libraries, the city API client and the recovery of a
  crashed session's leftovers never hold up the first frame or the Kivy thread. A touch in
  that short while is kept and handed over once the runtime is ready;
- gives the runtime a `post` that runs callbacks on the Kivy thread (Clock);
- on every step, shows the state's screen, renders it, and hands Announce effects to the
  screen and the speech guide (the idle warning becomes the "More time" overlay);
- at every wipe empties and rebuilds the screens that showed citizen data (ScreenReset);
- cannot be left: Esc, Alt+F4 and close requests are swallowed; no cursor in full screen.

Imported only after `kiosk.kivy_setup.prepare_kivy()`.
"""

from __future__ import annotations

import io
import logging
import threading
from collections.abc import Callable
from functools import partial
from typing import TYPE_CHECKING, Any

from kivy.app import App
from kivy.clock import Clock
from kivy.core.image import Image as CoreImage
from kivy.core.window import Window

from devices.speech import Speaker
from devices.speech.espeak import EspeakSpeaker
from kiosk import i18n, startup_gc
from kiosk.config import Settings
from kiosk.i18n.kivy_tr import tr
from screens.base import KioskScreen, local_description
from screens.registry import MAINTENANCE_GESTURE_STATES, SCREEN_FOR_STATE
from screens.shell import Shell
from screens.speech_guide import SpeechGuide
from screens.theme import THEME, register_fonts
from screens.widgets import buttons
from screens.widgets.icon import DRAWINGS
from session.context import SessionContext
from session.states import CHOOSING, State

# The session's events and effects (and the runtime behind them) are imported where they are
# used, not here: the attract screen is drawn before they are loaded, and the start thread
# loads them with the runtime right after the first frame (cold start, bench/bench_ui.py).
if TYPE_CHECKING:
    from kiosk.runtime import Runtime
    from session import events as ev
    from session.effects import Announce

log = logging.getLogger(__name__)

ESCAPE, F4, F5, F6 = 27, 285, 286, 287
IDLE_FPS, ACTIVE_FPS = 12, 60  # 12 fps: a touch on the attract screen still shows within 100 ms
STARTER_JOIN_S = 15.0  # the demo's embedded city API takes up to 10 s to come up
# Screens that belong to no citizen: the maintenance code's lock-out (wrong tries) must
# outlive sessions; the attract and out-of-service screens show nobody's data.
KEPT_ACROSS_SESSIONS = frozenset({"attract", "out_of_service", "maintenance_login", "maintenance"})
EARLY_EVENTS_MAX = 4  # touches kept while the runtime starts (a start, perhaps a language)

RuntimeFactory = Callable[[], "Runtime"]


def _heading(screen: KioskScreen) -> tuple[str, str]:
    """What speech says of a screen: its title, then its details and summary."""
    summary = " ".join(part for part in (screen.spoken_details, screen.summary) if part)
    return screen.title, summary


class KioskApp(App):
    title = "Brussels kiosk"

    def __init__(
        self,
        settings: Settings,
        runtime: Runtime | None = None,
        *,
        factory: RuntimeFactory | None = None,
        demo: bool = False,
        speaker: Speaker | None = None,
    ) -> None:
        """Either a built `runtime`, or a `factory` that builds one (then `demo` says whether
        it will have demo controls, for the buttons drawn before it exists)."""
        super().__init__()
        if (runtime is None) == (factory is None):
            raise TypeError("KioskApp takes either a runtime or a factory")
        if runtime is not None:
            given = runtime
            factory, demo = (lambda: given), runtime.demo is not None
        assert factory is not None
        self.settings = settings
        self._factory = factory
        self._demo = demo
        self.runtime: Runtime | None = None  # set on the Kivy thread once started
        self.start_error: BaseException | None = None  # why the runtime could not start
        self._early: list[ev.Event] = []  # touches before the runtime is ready
        self._starter: threading.Thread | None = None
        self._built: Runtime | None = None  # built and being started, or started
        self._stopping = False
        self._start_lock = threading.Lock()
        self.speaker = speaker
        self.guide: SpeechGuide | None = None
        self.shell: Shell | None = None
        self.shown: str = ""  # name of the screen on show
        self._local: str | None = None  # a screen that is not a session state (maintenance PIN)
        self._announced: tuple[str, str] = ("", "")
        self._rendered: State | None = None  # the session state last rendered

    @property
    def ready(self) -> bool:
        """The runtime is started and attached: the session runs."""
        return self.runtime is not None

    # -- building ------------------------------------------------------------------------------

    def build(self) -> Shell:
        register_fonts()
        ui = self.settings.ui
        THEME.high_contrast, THEME.large_text = ui.high_contrast, ui.large_text
        self._escape_proof()
        self.guide = SpeechGuide(self.speaker or EspeakSpeaker())
        if ui.speech:
            self.guide.set_enabled(True)
        shell = Shell(demo=self._demo, port=self)
        self.shell = shell
        shell.add_screens()
        shell.bar.bind(
            on_speech=lambda *_: self.toggle_speech(),
            on_repeat=lambda *_: self._guide("repeat"),
            on_quieter=lambda *_: self._guide("volume_down"),
            on_louder=lambda *_: self._guide("volume_up"),
            on_help=lambda *_: self._help(),
        )
        shell.bind(
            on_secret_gesture=lambda *_: self.open_maintenance(),
            on_touch_seen=lambda *_: self._touch_seen(),
            on_demo_insert=lambda *_: self.demo_card(insert=True),
            on_demo_remove=lambda *_: self.demo_card(insert=False),
            on_more_time=lambda *_: self._more_time(),
        )
        buttons.press_listeners.append(self._pressed)
        self._render()
        self._after_first_frame(startup_gc.resume)  # paused by kiosk_app / demo_app
        self._after_first_frame(self._start_runtime)
        self._after_first_frame(shell.warm_up)
        return shell

    def _start_runtime(self) -> None:
        self._starter = threading.Thread(target=self._build_and_start, name="kiosk-start")
        self._starter.start()

    def _build_and_start(self) -> None:
        """On the start thread: build the runtime, recover leftovers, start its workers."""
        try:
            runtime = self._factory()
            with self._start_lock:
                stop_now = self._stopping  # the app stopped while the runtime was being built
                if not stop_now:
                    self._built = runtime
            if stop_now:
                runtime.stop()
                return
            runtime.set_screen_reset(self)
            runtime.add_listener(self._on_step)
            runtime.start(self.post)
        except BaseException as exc:  # reported by whoever runs the app (kiosk run: one line)
            self.post(partial(self._start_failed, exc))  # `exc` is unbound after the block
            return
        self.post(partial(self._attach, runtime))

    def _attach(self, runtime: Runtime) -> None:
        if self._stopping:
            return
        self.runtime = runtime
        early, self._early = self._early, []
        self._render()
        for event in early:
            self.send(event)

    def _start_failed(self, exc: BaseException) -> None:
        # Whoever runs the app reports it (kiosk run: one line and its exit code); -v adds this.
        log.debug("the runtime could not start", exc_info=exc)
        self.start_error = exc
        self.stop()

    def post(self, fn: Callable[[], None]) -> None:
        """The runtime's way onto the Kivy thread (Clock scheduling is thread-safe)."""
        Clock.schedule_once(lambda _dt: fn(), 0)

    def on_stop(self) -> None:
        startup_gc.resume()  # stopped before its first frame
        if self._pressed in buttons.press_listeners:
            buttons.press_listeners.remove(self._pressed)
        self.stop_runtime()
        if self.guide is not None:
            self.guide.reset()

    def stop_runtime(self) -> None:
        """Stop the runtime (its last wipe included), or make sure it stops as soon as it is
        built. Idempotent; bounded by the runtime's own stop budget."""
        with self._start_lock:
            self._stopping = True
        starter = self._starter
        if starter is not None and starter is not threading.current_thread():
            starter.join(STARTER_JOIN_S)
        with self._start_lock:
            runtime, self._built = self._built, None
        self.runtime = None
        if runtime is not None:
            runtime.stop()

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
        if self._demo and key in (F5, F6):
            self.demo_card(insert=key == F5)  # the demo's keys: F5 card in, F6 card out
        return True  # no shortcut of any kind does anything else

    # -- the ShellPort the screens use ---------------------------------------------------------

    def send(self, event: ev.Event) -> None:
        if self.runtime is not None:
            self.runtime.dispatch(event)
        elif len(self._early) < EARLY_EVENTS_MAX:
            self._early.append(event)  # handed over the moment the runtime is ready

    def submit_pin(self, pin: bytearray) -> None:
        if self.runtime is not None:
            self.runtime.submit_pin(pin)
        else:  # cannot happen (no PIN pad before the session runs); never keep a PIN
            pin[:] = bytes(len(pin))

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

    def document_specimen(self, document_id: str) -> Any:
        png = None if self.runtime is None else self.runtime.document_specimen(document_id, tr.lang)
        if not png:
            return None
        try:
            return CoreImage(io.BytesIO(png), ext="png").texture
        except Exception as exc:  # a picture the city sent that Kivy cannot read: the drawing
            log.warning("specimen picture unreadable (%s)", type(exc).__name__)
            return None

    def location(self) -> str:
        return self.settings.terminal.location

    def open_maintenance(self) -> None:
        if self.state in MAINTENANCE_GESTURE_STATES and self.shell is not None:
            ui = self.settings.ui
            login = self.shell.screen("maintenance_login")
            login.configure(bool(ui.maintenance_pin_hash), ui.maintenance_lockout)
            self._local = "maintenance_login"
            self._render()

    def close_maintenance(self) -> None:
        self._local = None
        self._render()

    def check_maintenance_code(self, code: bytearray) -> bool:
        from kiosk.maintenance_pin import check_maintenance_pin

        try:
            return check_maintenance_pin(code, self.settings.ui.maintenance_pin_hash)
        finally:
            code[:] = bytes(len(code))

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
        # Nothing of a session's screens survives it: the hidden ones go (their widgets and
        # the textures of what they showed, which the memory release then hands back) and
        # are built again, small and empty, one per frame in the calm that follows.
        for screen in list(self.shell.manager.screens):
            if screen.name != self.shown and screen.name not in KEPT_ACROSS_SESSIONS:
                self.shell.drop_screen(screen.name)
        Clock.schedule_once(lambda _dt: self._warm_up(), 0)

    def _warm_up(self) -> None:
        if self.shell is not None:
            self.shell.warm_up()

    # -- session steps -------------------------------------------------------------------------

    def _on_step(self, step: Any) -> None:
        from session.effects import Announce, Wipe

        if not step.effects and step.rule is None and self._rendered is step.state:
            return  # a tick with nothing due: nothing to draw (idle CPU)
        if any(isinstance(e, Wipe) for e in step.effects):
            self.forget_citizen()
        state = self.state
        if state is State.ATTRACT and self._rendered is not State.ATTRACT:
            self._next_passer_by()
        if self._local is not None and state not in MAINTENANCE_GESTURE_STATES:
            self._local = None
        self._render()
        for effect in step.effects:
            if isinstance(effect, Announce):
                self.announce(effect)
        if state in (State.TAKE_CARD, State.THANK_YOU) and self._demo:
            Clock.schedule_once(lambda _dt: self._show_receipt(), 0.3)

    @property
    def state(self) -> State:
        """The session's state; attract while the runtime starts."""
        return State.ATTRACT if self.runtime is None else self.runtime.machine.state

    def _render(self) -> None:
        if self.runtime is None:
            context = SessionContext(language=self.settings.terminal.default_language)
        else:
            context = self.runtime.machine.context
        self._rendered = self.state
        self.show(self._rendered, context)

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
        heading = _heading(screen)
        if heading != self._announced and self.guide is not None:
            self._announced = heading
            self.guide.screen_shown(*heading)

    def screen_changed(self, screen: KioskScreen, change: str) -> None:
        if screen.name != self.shown or self.guide is None:
            return  # not shown yet: show() will announce it as it is
        self._announced = _heading(screen)
        self.guide.screen_changed(change, *self._announced)

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
            from session.timers import MIN_EXTENSIONS

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
            from session.events import MoreTime

            self.send(MoreTime())
        shell.hide_overlay()

    def _touch_seen(self) -> None:
        # Any touch on a choosing screen shows the citizen is there (the idle timer restarts);
        # while the warning shows, only "More time" counts (the machine ignores the Touch).
        if self.state in CHOOSING and self._local is None:
            from session.events import Touch

            self.send(Touch())

    def _help(self) -> None:
        from session.events import Help

        self.send(Help())

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
        demo = None if self.runtime is None else self.runtime.demo
        if demo is None:
            return
        if insert:
            demo.insert_card()
        else:
            demo.remove_card()

    def _show_receipt(self) -> None:
        demo = None if self.runtime is None else self.runtime.demo
        if demo is None or self.shell is None:
            return
        png = demo.receipt_png()
        if png and self.state is State.TAKE_CARD:
            image = CoreImage(io.BytesIO(png), ext="png")
            self.shell.screen("take_card").show_receipt(image.texture)

    # -- start-up ------------------------------------------------------------------------------

    def _after_first_frame(self, action: Callable[[], None]) -> None:
        def on_flip(*_args: object) -> None:
            Window.unbind(on_flip=on_flip)
            # The flip that just happened is the first frame; act on the next tick.
            Clock.schedule_once(lambda _dt: action(), 0)

        Window.bind(on_flip=on_flip)
