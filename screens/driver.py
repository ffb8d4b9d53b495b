"""Driving the real Kivy app without a person: stepping frames, touching widgets through the
Window (the same path a finger takes: MotionEvents posted to the event loop), finding widgets,
photographing the window. Used by the UI tests, `kiosk demo --headless` and the benchmark.

The app is built once per process and never `run()`: the driver steps Kivy's event loop
itself, so each test decides exactly how many frames and how much time pass.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, Protocol

from kivy.base import EventLoop
from kivy.core.window import Window
from kivy.uix.behaviors import ButtonBehavior
from kivy.uix.label import Label
from kivy.uix.widget import Widget

from screens.shell import Shell
from screens.synthetic_touch import SyntheticTouch


class DriverError(AssertionError):
    pass


class DrivenApp(Protocol):
    """The app the driver steps (kiosk.app.KioskApp): a Kivy App whose root is the Shell, that
    starts its runtime on a thread of its own after the first frame."""

    root: Shell
    start_error: BaseException | None  # why the runtime could not start

    @property
    def ready(self) -> bool:
        """The runtime has started: the session runs."""

    def _run_prepare(self) -> None:
        """Kivy's App.run() up to its event loop: build() and the window."""


class Driver:
    def __init__(self, app: DrivenApp) -> None:
        self.app = app

    def start(self) -> None:
        EventLoop.ensure_window()
        if EventLoop.status != "started":
            EventLoop.status = "started"  # what runTouchApp does, minus the input providers
        self.app._run_prepare()
        self.frames(3)
        # The kiosk draws its first screen, then starts its runtime on a thread of its own.
        app = self.app
        self.wait_for(lambda: app.ready or app.start_error is not None, 30, "the kiosk to start")
        if app.start_error is not None:
            raise app.start_error

    # -- time -------------------------------------------------------------------------------

    def frames(self, count: int = 1) -> None:
        for _ in range(count):
            EventLoop.idle()

    def advance(self, seconds: float) -> None:
        """Let `seconds` of wall time pass, stepping frames (workers post their results)."""
        deadline = time.monotonic() + seconds
        while True:
            EventLoop.idle()
            if time.monotonic() >= deadline:
                break
            time.sleep(0.005)

    def wait_for(self, condition: Callable[[], bool], timeout: float, what: str) -> None:
        deadline = time.monotonic() + timeout
        while not condition():
            if time.monotonic() > deadline:
                raise DriverError(f"timed out after {timeout:.0f} s waiting for {what}")
            EventLoop.idle()
            time.sleep(0.005)
        self.frames(2)  # let the new state draw

    # -- finding ----------------------------------------------------------------------------

    @property
    def root(self) -> Shell:
        return self.app.root

    def walk(self, root: Widget | None = None) -> Iterator[Widget]:
        """Every widget a finger can reach: visible (opacity > 0, not disabled, with a size),
        and only inside the panel on top (the idle warning) while one shows: pass `root` (a
        screen) to reach what is under it."""
        modal = self.app.root.modal
        stack = [root or modal or Window]
        while stack:
            widget = stack.pop()
            if widget is not Window and not visible(widget):
                continue
            yield widget
            stack.extend(widget.children)

    def buttons(self) -> list[Widget]:
        return [w for w in self.walk() if isinstance(w, ButtonBehavior)]

    def find(self, text: str, root: Widget | None = None) -> Widget:
        """The visible touchable widget whose words are `text` (its own or its label's)."""
        found = [
            w
            for w in self.walk(root)
            if isinstance(w, ButtonBehavior) and text in (getattr(w, "text", None),)
        ]
        if not found:
            shown = sorted(
                {str(getattr(w, "text", "")) for w in self.walk(root) if isinstance(w, Label)}
            )
            raise DriverError(f"no button {text!r} on screen; texts: {shown}")
        return found[0]

    def labels(self, root: Widget | None = None) -> list[Label]:
        return [w for w in self.walk(root) if isinstance(w, Label) and w.text]

    def texts(self) -> list[str]:
        return [str(w.text) for w in self.labels()]

    # -- touching ---------------------------------------------------------------------------

    def touch(self, target: Widget | str, *, hold: float = 0.0, frames: int = 2) -> None:
        """Press and release at the centre of `target` (a widget or a button's words)."""
        widget = self.find(target) if isinstance(target, str) else target
        x, y = widget.to_window(*widget.center)
        self.touch_at(x, y, hold=hold, frames=frames)

    def touch_at(self, x: float, y: float, *, hold: float = 0.0, frames: int = 2) -> None:
        touch = SyntheticTouch(x, y)
        touch.touch_down()
        self.frames(1)
        if hold:
            self.advance(hold)
        touch.touch_up()
        self.frames(frames)

    # -- pictures ---------------------------------------------------------------------------

    def screenshot(self, path: Path) -> Path:
        self.frames(2)
        path.parent.mkdir(parents=True, exist_ok=True)
        written = Path(Window.screenshot(name=str(path.resolve())))
        written.replace(path)
        return path

    def resize(self, width: int, height: int) -> None:
        Window.size = (width, height)
        self.frames(4)


def visible(widget: Any) -> bool:
    if widget.opacity <= 0 or widget.disabled:
        return False
    return widget.width > 0 and widget.height > 0
