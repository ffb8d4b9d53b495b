"""The window's root: the screens, the accessibility bar under them, the idle overlay above
them, the demo controls (demo only) and the hidden maintenance corner.

Escape-proof by construction: no widget here closes anything; the app refuses close requests
and swallows Escape and Alt+F4.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from kivy.clock import Clock
from kivy.metrics import dp
from kivy.properties import BooleanProperty, ObjectProperty
from kivy.uix.boxlayout import BoxLayout
from kivy.uix.floatlayout import FloatLayout
from kivy.uix.screenmanager import NoTransition, ScreenManager

from screens.base import KioskScreen
from screens.discard import unbind_rules
from screens.registry import SCREENS, screen_class
from screens.rules import load_rules
from screens.widgets.accessbar import AccessBar

if TYPE_CHECKING:
    from screens.widgets.overlay import IdleOverlay

load_rules(__file__)

CORNER_DP = 96
LONG_PRESS_S = 3.0


class InstantTransition(NoTransition):
    """Kivy's NoTransition still ends on the next clock tick, so the frame drawn in between
    shows the old screen under the new one; screens have no background of their own, so
    both screens' words flash over each other at every change. This one ends at once."""

    def start(self, manager: ScreenManager) -> None:
        super().start(manager)
        self._anim.cancel(self)  # cancelling does not end it: end it here, as Kivy would
        self._on_complete()


class DemoPanel(BoxLayout):
    """The demo's card buttons, above the screens (`kiosk demo` only)."""

    __events__ = ("on_insert", "on_remove")

    def on_insert(self) -> None:
        pass

    def on_remove(self) -> None:
        pass


class Shell(FloatLayout):
    demo = BooleanProperty(False)
    gesture_enabled = BooleanProperty(True)
    port = ObjectProperty(None, allownone=True)  # the ShellPort given to every screen
    _demo_panel: DemoPanel | None = None

    __events__ = (
        "on_secret_gesture",
        "on_touch_seen",
        "on_demo_insert",
        "on_demo_remove",
        "on_more_time",
    )

    def __init__(self, **kwargs: object) -> None:
        super().__init__(**kwargs)
        self._overlay: IdleOverlay | None = None  # built in the calm after the first frame
        self._place_demo_panel()

    def on_demo(self, *_args: object) -> None:
        self._place_demo_panel()

    def _place_demo_panel(self) -> None:
        # Built only while in demo: a hidden panel would still cost in every frame.
        column = self.ids.get("column")
        if column is None:
            return  # the rules are not applied yet; __init__ places it
        if self.demo and self._demo_panel is None:
            panel = DemoPanel()
            panel.bind(
                on_insert=lambda *_: self.dispatch("on_demo_insert"),
                on_remove=lambda *_: self.dispatch("on_demo_remove"),
            )
            column.add_widget(panel, index=len(column.children))  # on top
            self._demo_panel = panel
        elif not self.demo and self._demo_panel is not None:
            column.remove_widget(self._demo_panel)
            unbind_rules(self._demo_panel)
            self._demo_panel = None

    @property
    def manager(self) -> ScreenManager:
        return self.ids.manager

    @property
    def bar(self) -> AccessBar:
        return self.ids.bar

    def add_screens(self) -> None:
        """The first screen now; the others one per frame after the first frame is drawn."""
        self.manager.transition = InstantTransition()
        self.screen("attract")

    def warm_up(self) -> None:
        missing = [name for name in SCREENS if not self.manager.has_screen(name)]
        if missing:
            self.screen(missing[0])
            Clock.schedule_once(lambda _dt: self.warm_up(), 0)
        else:
            _ = self.overlay

    def drop_screen(self, name: str) -> None:
        """Destroy a hidden screen; `screen(name)` or `warm_up()` builds a fresh one."""
        assert self.manager.current != name, "only a hidden screen is dropped"
        screen = self.manager.get_screen(name)
        self.manager.remove_widget(screen)
        screen.discard()

    def screen(self, name: str) -> KioskScreen:
        """The screen called `name`, built on first use."""
        if not self.manager.has_screen(name):
            screen = screen_class(name)(name=name)
            screen.port = self.port
            self.manager.add_widget(screen)
        return self.manager.get_screen(name)

    # -- the idle overlay

    @property
    def overlay(self) -> IdleOverlay:
        """The idle warning ("More time"), built on first use if warm_up has not yet."""
        if self._overlay is None:
            from screens.widgets.overlay import IdleOverlay

            self._overlay = IdleOverlay()
            self._overlay.bind(on_more_time=lambda *_: self.dispatch("on_more_time"))
        return self._overlay

    def show_overlay(self) -> None:
        if self.overlay.parent is None:
            self.add_widget(self.overlay)

    def hide_overlay(self) -> None:
        if self._overlay is None:
            return
        if self.overlay.parent is not None:
            self.remove_widget(self.overlay)

    @property
    def overlay_shown(self) -> bool:
        return self._overlay is not None and self._overlay.parent is not None

    @property
    def modal(self) -> IdleOverlay | None:
        """The panel on top of the screen, if any (the idle warning)."""
        return self.overlay if self.overlay_shown else None

    # -- touches: the hidden corner, and "someone is there" for the idle timer

    def on_touch_down(self, touch: Any) -> bool:
        # A touch on the idle warning's panel is for the warning alone, even when the Touch
        # (which counts as "More time") has just closed it: what lay under the panel was
        # hidden, so the citizen did not aim at it. Elsewhere the touch reaches the screen.
        on_warning = self.overlay_shown and self.overlay.on_panel(touch)
        self.dispatch("on_touch_seen")
        if on_warning:
            if self.overlay_shown:
                self.overlay.on_touch_down(touch)
            return True
        x, y = touch.pos
        corner = x <= dp(CORNER_DP) and y >= self.top - dp(CORNER_DP)
        if corner and self.gesture_enabled and not self.overlay_shown:
            event = Clock.schedule_once(lambda _dt: self._long_press(touch), LONG_PRESS_S)
            touch.ud["maintenance_press"] = event
        return bool(super().on_touch_down(touch))

    def on_touch_up(self, touch: Any) -> bool:
        event = touch.ud.pop("maintenance_press", None)
        if event is not None:
            event.cancel()
        return bool(super().on_touch_up(touch))

    def _long_press(self, touch: Any) -> None:
        touch.ud.pop("maintenance_press", None)
        self.dispatch("on_secret_gesture")

    def on_secret_gesture(self) -> None:
        pass

    def on_touch_seen(self) -> None:
        pass

    def on_demo_insert(self) -> None:
        pass

    def on_demo_remove(self) -> None:
        pass

    def on_more_time(self) -> None:
        pass
