"""The session on screen: the Presenter turns the runtime's steps into screens, routes the
session's announcements (to the shown screen, the speech guide, the idle warning's overlay),
opens the maintenance login, and empties the screens at every wipe. It is the ShellPort every
screen talks through, and the ScreenReset the runtime's wipe calls.

The kiosk app (kiosk/app.py) makes it with the Shell before the first frame and attaches the
runtime once that has started: until then the attract screen shows and a few touches are kept
for the runtime. It reaches the runtime through `RunningSession`, which kiosk.runtime.Runtime
satisfies: screens never import the kiosk.
"""

from __future__ import annotations

import io
import logging
from collections.abc import Callable
from typing import TYPE_CHECKING, Protocol

from kivy.clock import Clock
from kivy.core.image import Image as CoreImage

from i18n import announcement, current_language, set_language
from screens.base import KioskScreen, local_description
from screens.maintenance_lock import MaintenanceLock
from screens.registry import MAINTENANCE_GESTURE_STATES, SCREEN_FOR_STATE
from screens.shell import Shell
from screens.speech_guide import Speaker, SpeechGuide
from screens.translate import tr
from screens.widgets import buttons
from screens.widgets.icon import DRAWINGS
from session.context import SessionContext
from session.states import CHOOSING, State

# The session's events and effects are imported where they are used, not here: the attract
# screen is drawn before they are loaded, and the start thread loads them with the runtime
# right after the first frame (cold start, bench/bench_ui.py).
if TYPE_CHECKING:
    from kivy.graphics.texture import Texture

    from session import events as ev
    from session.effects import Announce
    from session.machine import SessionMachine, Step

log = logging.getLogger(__name__)

IDLE_FPS, ACTIVE_FPS = 12, 60  # 12 fps: a touch on the attract screen still shows within 100 ms
# Screens that belong to no citizen: the maintenance code's lock-out (wrong tries) must
# outlive sessions; the attract and out-of-service screens show nobody's data.
KEPT_ACROSS_SESSIONS = frozenset({"attract", "out_of_service", "maintenance_login", "maintenance"})
EARLY_EVENTS_MAX = 4  # touches kept while the runtime starts (a start, perhaps a language)


class OfferWords(Protocol):
    """A document's words from the city, in one language (kiosk.runtime.OfferText is one)."""

    @property
    def name(self) -> str: ...

    @property
    def icon(self) -> str: ...


class DemoHand(Protocol):
    """The demo's simulated card and printed receipt (`kiosk demo` only)."""

    def insert_card(self) -> None: ...

    def remove_card(self) -> None: ...

    def receipt_png(self) -> bytes | None: ...


class RunningSession(Protocol):
    """What the presenter needs of the kiosk's runtime (kiosk.runtime.Runtime is one; its
    docstrings say more). Called on the Kivy thread only."""

    @property
    def machine(self) -> SessionMachine: ...

    @property
    def demo(self) -> DemoHand | None: ...

    def dispatch(self, event: ev.Event) -> Step: ...

    def submit_pin(self, pin: bytearray) -> None: ...

    def describe_offer(self, document_id: str, language: str) -> OfferWords | None: ...

    def document_specimen(self, document_id: str, language: str) -> bytes | None: ...

    def citizen_display_name(self) -> str | None: ...

    def verification_code(self) -> str | None: ...


def _heading(screen: KioskScreen) -> tuple[str, str]:
    """What speech says of a screen: its title, then its details and summary."""
    summary = " ".join(part for part in (screen.spoken_details, screen.summary) if part)
    return screen.title, summary


class Presenter:
    def __init__(
        self,
        shell: Shell,
        speaker: Speaker,
        *,
        languages: list[str],
        default_language: str,
        location: str,
        speech: bool,
        maintenance_code_set: bool,
        maintenance_lock: MaintenanceLock,
        check_maintenance_code: Callable[[bytearray], bool],
    ) -> None:
        """`speech`: audio guidance starts on for everyone; `check_maintenance_code(code)`:
        whether `code` is this kiosk's maintenance code (slow, on a worker thread);
        `maintenance_lock`: the wrong codes so far, kept across restarts by the kiosk."""
        self.shell = shell
        self.guide = SpeechGuide(speaker)
        self.runtime: RunningSession | None = None  # attached once started
        self._languages = languages
        self._default_language = default_language
        self._location = location
        self._speech = speech
        self._maintenance_code_set = maintenance_code_set
        self._maintenance_lock = maintenance_lock
        self._check_maintenance_code = check_maintenance_code
        self._early: list[ev.Event] = []  # touches before the runtime is ready
        self.shown: str = ""  # name of the screen on show
        self._local: str | None = None  # a screen that is not a session state (maintenance PIN)
        self._announced: tuple[str, str] = ("", "")
        self._rendered: State | None = None  # the session state last rendered
        if speech:
            self.guide.set_enabled(True)
        shell.port = self
        shell.bar.bind(
            on_speech=lambda *_: self.toggle_speech(),
            on_repeat=lambda *_: self.guide.repeat(),
            on_quieter=lambda *_: self.guide.volume_down(),
            on_louder=lambda *_: self.guide.volume_up(),
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

    def attach(self, runtime: RunningSession) -> None:
        """The runtime has started: show its session and hand it the touches kept meanwhile."""
        self.runtime = runtime
        early, self._early = self._early, []
        self.render()
        for event in early:
            self.send(event)

    def detach(self) -> None:
        """The runtime has stopped: nothing more goes to it."""
        self.runtime = None

    def close(self) -> None:
        """The app stops: no more button presses to say, and the guide falls silent."""
        if self._pressed in buttons.press_listeners:
            buttons.press_listeners.remove(self._pressed)
        self.guide.reset()

    # -- the ShellPort the screens use -----------------------------------------------------

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
        self.guide.pin_digit_entered(count, capacity)

    def citizen_name(self) -> str:
        name = None if self.runtime is None else self.runtime.citizen_display_name()
        return name or ""

    def verification_code(self) -> str:
        code = None if self.runtime is None else self.runtime.verification_code()
        return code or ""

    def describe_offer(self, document_id: str) -> tuple[str, str]:
        text = None if self.runtime is None else self.runtime.describe_offer(document_id, tr.lang)
        if text is None:
            return local_description(document_id)
        _, icon = local_description(document_id)
        return text.name, text.icon if text.icon in DRAWINGS else icon

    def document_specimen(self, document_id: str) -> Texture | None:
        png = None if self.runtime is None else self.runtime.document_specimen(document_id, tr.lang)
        if not png:
            return None
        try:
            texture: Texture = CoreImage(io.BytesIO(png), ext="png").texture
        except Exception as exc:  # a picture the city sent that Kivy cannot read: the drawing
            log.warning("specimen picture unreadable (%s)", type(exc).__name__)
            return None
        return texture

    def location(self) -> str:
        return self._location

    def languages(self) -> list[str]:
        return self._languages

    def open_maintenance(self) -> None:
        if self.state in MAINTENANCE_GESTURE_STATES:
            login = self.shell.screen("maintenance_login")
            login.configure(self._maintenance_code_set, self._maintenance_lock)
            self._local = "maintenance_login"
            self.render()

    def close_maintenance(self) -> None:
        self._local = None
        self.render()

    def check_maintenance_code(self, code: bytearray) -> bool:
        try:
            return self._check_maintenance_code(code)
        finally:
            code[:] = bytes(len(code))

    def screen_changed(self, screen: KioskScreen, change: str) -> None:
        if screen.name != self.shown:
            return  # not shown yet: show() will announce it as it is
        self._announced = _heading(screen)
        self.guide.screen_changed(change, *self._announced)

    # -- ScreenReset (the wipe's UI part; called on the wiping thread) ----------------------

    def clear_clipboard(self) -> None:
        pass  # nothing can reach it: no text inputs, no copy anywhere in the shell

    def clear_selection(self) -> None:
        pass  # no selectable text anywhere: labels only, no text inputs

    def reset_screens(self) -> None:
        Clock.schedule_once(lambda _dt: self.forget_citizen(), 0)  # onto the Kivy thread

    def forget_citizen(self) -> None:
        """Empty every screen that held citizen data, and rebuild those that showed it."""
        self.guide.forget()  # "Repeat" must not say the last citizen's name to the next
        for screen in list(self.shell.manager.screens):
            if screen.holds_citizen_data:
                screen.reset()
        # Nothing of a session's screens survives it: the hidden ones go (their widgets and
        # the textures of what they showed, which the memory release then hands back) and
        # are built again, small and empty, one per frame in the calm that follows.
        for screen in list(self.shell.manager.screens):
            if screen.name != self.shown and screen.name not in KEPT_ACROSS_SESSIONS:
                self.shell.drop_screen(screen.name)
        Clock.schedule_once(lambda _dt: self.shell.warm_up(), 0)

    def _next_passer_by(self) -> None:
        """Back to attract: speech returns to the configured default for whoever comes next."""
        self.guide.reset()
        if self._speech:
            self.guide.set_enabled(True)
        self.shell.bar.speech_on = self.guide.enabled

    # -- session steps ---------------------------------------------------------------------

    def on_step(self, step: Step) -> None:
        """The runtime's listener: called on the Kivy thread after every step."""
        from session.effects import Announce, Wipe

        deadline = None if self.runtime is None else self.runtime.machine.deadline
        if self.shell.overlay_shown and deadline is not None and deadline.warned:
            self._show_warning_time()  # its countdown follows the session's deadline, each tick
        if not step.effects and step.rule is None and self._rendered is step.state:
            return  # a tick with nothing due: nothing to draw (idle CPU)
        if any(isinstance(e, Wipe) for e in step.effects):
            self.forget_citizen()
        state = self.state
        if state is State.ATTRACT and self._rendered is not State.ATTRACT:
            self._next_passer_by()
        if self._local is not None and state not in MAINTENANCE_GESTURE_STATES:
            self._local = None
        self.render()
        for effect in step.effects:
            if isinstance(effect, Announce):
                self.announce(effect)
        if state in (State.TAKE_CARD, State.THANK_YOU) and self._demo is not None:
            Clock.schedule_once(lambda _dt: self._show_receipt(), 0.3)

    @property
    def state(self) -> State:
        """The session's state; attract while the runtime starts."""
        return State.ATTRACT if self.runtime is None else self.runtime.machine.state

    def render(self) -> None:
        """Show the session as it is now."""
        if self.runtime is None:
            context = SessionContext(language=self._default_language)
        else:
            context = self.runtime.machine.context
        self._rendered = self.state
        self.show(self._rendered, context)

    def show(self, state: State, context: SessionContext) -> None:
        """Show and render the screen of `state` (the session's, or a preview's in tests)."""
        shell = self.shell
        if context.language != current_language():
            set_language(context.language)
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
        if heading != self._announced:
            self._announced = heading
            self.guide.screen_shown(*heading)

    def announce(self, effect: Announce) -> None:
        """A session message: said by the guide, and shown by the screen or the overlay."""
        params = dict(effect.params)
        try:
            text = announcement(effect.message_key, params, current_language())
        except KeyError:
            log.warning("no words for announcement %s", effect.message_key)
            return
        self.guide.announce(text, effect.sound)
        shell = self.shell
        if effect.message_key == "idle.warning":
            self._show_warning_time(params)
            shell.show_overlay()
            return
        if effect.message_key.startswith("idle."):
            shell.hide_overlay()
            return
        shell.screen(self.shown).announce(effect.message_key, params, text)

    def _show_warning_time(self, said: dict[str, str | int] | None = None) -> None:
        """The idle warning's countdown and sentence, both from one value: the seconds left
        before the session's deadline (`said`, the announcement's own, only when no deadline
        is running: a preview of the warning)."""
        from session.timers import MIN_EXTENSIONS

        params = dict(said or {})
        machine = None if self.runtime is None else self.runtime.machine
        deadline = None if machine is None else machine.deadline
        if machine is not None and deadline is not None and deadline.warned:
            params["seconds_left"] = deadline.seconds_left(machine.clock())
            used = machine.context.extensions_used
            params["extensions_left"] = max(0, machine.policy.max_extensions - used)
        seconds = int(params.get("seconds_left", 0))
        left = int(params.get("extensions_left", MIN_EXTENSIONS))
        text = announcement("idle.warning", params, current_language())
        self.shell.overlay.show_time(seconds, left > 0, text)

    # -- the citizen's touches beyond the screens ------------------------------------------

    def _more_time(self) -> None:
        if self.shell.overlay.can_extend:
            from session.events import MoreTime

            self.send(MoreTime())
        self.shell.hide_overlay()

    def _touch_seen(self) -> None:
        # Any touch on a choosing screen shows the citizen is there (the idle timer restarts);
        # while the warning shows, it is "More time" (the machine counts it as one).
        if self.state in CHOOSING and self._local is None:
            from session.events import Touch

            self.send(Touch())

    def _help(self) -> None:
        from session.events import Help

        self.send(Help())

    def _pressed(self, label: str) -> None:
        if label:
            self.guide.focused(label)

    def toggle_speech(self) -> None:
        self.shell.bar.speech_on = self.guide.toggle()
        if self.guide.enabled:
            self._announced = ("", "")

    # -- demo ------------------------------------------------------------------------------

    @property
    def _demo(self) -> DemoHand | None:
        return None if self.runtime is None else self.runtime.demo

    def demo_card(self, *, insert: bool) -> None:
        """The demo's card buttons and keys: put the simulated card in, or take it out."""
        demo = self._demo
        if demo is None:
            return
        if insert:
            demo.insert_card()
        else:
            demo.remove_card()

    def _show_receipt(self) -> None:
        demo = self._demo
        if demo is None:
            return
        png = demo.receipt_png()
        if png and self.state is State.TAKE_CARD:
            image = CoreImage(io.BytesIO(png), ext="png")
            self.shell.screen("take_card").show_receipt(image.texture)
