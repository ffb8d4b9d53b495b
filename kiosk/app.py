"""The Kivy application: start, stop, and a window that cannot be left.

`KioskApp(settings, runtime, speaker=...)`: `kiosk run` gives it the production runtime,
`kiosk demo` and the UI tests the demo one (kiosk.wiring.build_demo_runtime); or, for the
fastest start, `KioskApp(settings, factory=..., speaker=...)` builds the runtime itself. The
command chooses the speaker with the other devices. The app:
- draws the attract screen first, then builds (when given a factory) and starts the runtime
  on a thread of its own: device libraries, the city API client and the recovery of a
  crashed session's leftovers never hold up the first frame or the Kivy thread;
- gives the runtime a `post` that runs callbacks on the Kivy thread (Clock);
- hands the session to the screens' presenter (screens.presenter): its steps, the wipe's
  screen reset, and the touches kept while the runtime started;
- cannot be left: Esc, Alt+F4 and close requests are swallowed; no cursor in full screen.
  Only the process manager stops it, with a signal (kiosk.stop_signals).

Imported only after `kiosk.kivy_setup.prepare_kivy()`.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from functools import partial
from typing import TYPE_CHECKING, Any

from kivy.app import App
from kivy.clock import Clock
from kivy.core.window import Window

from kiosk import startup_gc
from kiosk.config import Settings
from kiosk.maintenance_lock_file import maintenance_lock
from screens.presenter import Presenter
from screens.shell import Shell
from screens.theme import THEME, register_fonts

# The runtime (and the session's events and effects behind it) is imported by the start
# thread right after the first frame, not here (cold start, bench/bench_ui.py).
if TYPE_CHECKING:
    from devices.speech import Speaker
    from kiosk.runtime import Runtime

log = logging.getLogger(__name__)

ESCAPE, F4, F5, F6 = 27, 285, 286, 287
STARTER_JOIN_S = 15.0  # the demo's city server (a child process) has 10 s to come up

RuntimeFactory = Callable[[], "Runtime"]


def _maintenance_code_matches(stored: str, code: bytearray) -> bool:
    # Imported when a code is checked: OpenSSL's hashing is not needed before the first frame.
    from kiosk.maintenance_pin import check_maintenance_pin

    return check_maintenance_pin(code, stored)


class KioskApp(App):
    title = "Brussels kiosk"

    def __init__(
        self,
        settings: Settings,
        runtime: Runtime | None = None,
        *,
        factory: RuntimeFactory | None = None,
        demo: bool = False,
        speaker: Speaker,
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
        self._speaker = speaker
        self.runtime: Runtime | None = None  # set on the Kivy thread once started
        self.start_error: BaseException | None = None  # why the runtime could not start
        self._starter: threading.Thread | None = None
        self._built: Runtime | None = None  # built and being started, or started
        self._stopping = False
        self.stopped_cleanly: bool | None = None  # the runtime's stop, once it has stopped
        self._start_lock = threading.Lock()
        self.shell: Shell | None = None  # the window's root, made by build()
        self.presenter: Presenter | None = None  # the session on screen, made by build()

    @property
    def ready(self) -> bool:
        """The runtime is started and attached: the session runs."""
        return self.runtime is not None

    # -- building ------------------------------------------------------------------------------

    def build(self) -> Shell:
        register_fonts()
        settings = self.settings
        THEME.high_contrast, THEME.large_text = settings.ui.high_contrast, settings.ui.large_text
        self._escape_proof()
        shell = Shell(demo=self._demo)
        self.shell = shell
        self.presenter = Presenter(
            shell,
            self._speaker,
            languages=settings.terminal.languages,
            default_language=settings.terminal.start_language,
            location=settings.terminal.location,
            speech=settings.ui.speech,
            maintenance_code_set=bool(settings.ui.maintenance_pin_hash),
            maintenance_lock=maintenance_lock(settings.ui),
            check_maintenance_code=partial(
                _maintenance_code_matches, settings.ui.maintenance_pin_hash
            ),
        )
        shell.add_screens()
        self.presenter.render()
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
            presenter = self.presenter
            assert presenter is not None  # built before the runtime starts
            runtime.set_screen_reset(presenter)
            runtime.add_listener(presenter.on_step)
            runtime.start(self.post)
        except BaseException as exc:  # reported by whoever runs the app (kiosk run: one line)
            self.post(partial(self._start_failed, exc))  # `exc` is unbound after the block
            return
        self.post(partial(self._attach, runtime))

    def _attach(self, runtime: Runtime) -> None:
        if self._stopping:
            return
        self.runtime = runtime
        if self.presenter is not None:
            self.presenter.attach(runtime)

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
        self.stop_runtime()
        if self.presenter is not None:
            self.presenter.close()

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
        if self.presenter is not None:
            self.presenter.detach()
        if runtime is not None:
            self.stopped_cleanly = runtime.stop()

    # -- escape-proofing -----------------------------------------------------------------------

    def _escape_proof(self) -> None:
        Window.bind(on_request_close=self._refuse_close, on_keyboard=self._on_key)
        if self.settings.ui.fullscreen:
            Window.show_cursor = False

    def _refuse_close(self, *_args: object, **_kwargs: object) -> bool:
        # A citizen must never close the kiosk; only the process manager stops it (a signal).
        log.info("a request to close the window was refused (a signal stops the kiosk)")
        return True

    def _on_key(self, _window: object, key: int, _scancode: int, _text: Any, mods: Any) -> bool:
        if key == ESCAPE or (key == F4 and "alt" in (mods or ())):
            return True  # swallowed
        if self._demo and key in (F5, F6) and self.presenter is not None:
            self.presenter.demo_card(insert=key == F5)  # the demo's keys: F5 card in, F6 card out
        return True  # no shortcut of any kind does anything else

    # -- start-up ------------------------------------------------------------------------------

    def _after_first_frame(self, action: Callable[[], None]) -> None:
        def on_flip(*_args: object) -> None:
            Window.unbind(on_flip=on_flip)
            # The flip that just happened is the first frame; act on the next tick.
            Clock.schedule_once(lambda _dt: action(), 0)

        Window.bind(on_flip=on_flip)
