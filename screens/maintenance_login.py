"""The maintenance PIN, behind the hidden gesture (a long press in the top-left corner of the
attract or out-of-service screen). The app checks it against `ui.maintenance_pin_hash`
(argon2id) on a worker thread; the hash never reaches the screen. After 5 wrong tries the
screen refuses every PIN for `ui.maintenance_lockout` seconds, across restarts
(screens.maintenance_lock, kept by the kiosk in its state directory). Not a session state:
the session only hears `MaintenanceRequested` once IT is in."""

from __future__ import annotations

import threading

from kivy.clock import Clock
from kivy.properties import BooleanProperty, StringProperty

import screens.widgets.pinpad  # noqa: F401  (the PIN pad its rules use)
from screens.base import KioskScreen
from screens.maintenance_lock import MAX_TRIES, MaintenanceLock
from screens.rules import load_rules
from screens.translate import tr
from session.context import SessionContext
from session.events import MaintenanceRequested
from session.states import State

load_rules(__file__)


class MaintenanceLoginScreen(KioskScreen):
    holds_citizen_data = True  # not citizen data, but a secret typed on the pad
    checking = BooleanProperty(False)
    status = StringProperty("")

    def __init__(self, **kwargs: object) -> None:
        super().__init__(**kwargs)
        self.code_set = False  # whether this kiosk has a maintenance code at all
        self.lock = MaintenanceLock(300.0)

    def on_kv_post(self, _base: object) -> None:
        self.ids.pad.bind(on_done=self._done)

    def configure(self, code_set: bool, lock: MaintenanceLock) -> None:
        self.code_set = code_set
        self.lock = lock

    def update(self, state: State, context: SessionContext) -> None:
        self.title = tr._("Maintenance code")
        self.summary = tr._("For city staff only.")
        self._show_lock()

    def on_enter(self, *_args: object) -> None:
        super().on_enter()
        self.status = ""
        self._show_lock()

    def on_leave(self, *_args: object) -> None:
        super().on_leave()
        self.ids.pad.clear()

    def reset(self) -> None:
        super().reset()
        self.ids.pad.clear()

    def back(self) -> None:
        if self.port is not None:
            self.port.close_maintenance()

    def _show_lock(self) -> bool:
        locked = self.lock.seconds_locked()
        if locked > 0:
            minutes = max(1, round(locked / 60))
            self.status = tr.n_(
                "Locked after too many wrong codes. Try again in {count} minute.",
                "Locked after too many wrong codes. Try again in {count} minutes.",
                minutes,
            ).format(count=minutes)
            return True
        return False

    def _done(self, _pad: object, pin: bytearray) -> None:
        if self.checking or self._show_lock() or not self.code_set or self.port is None:
            pin[:] = bytes(len(pin))
            if not self.code_set:
                self.status = tr._("No maintenance code is set on this kiosk.")
            return
        self.checking = True
        self.status = tr._("Checking...")
        port = self.port

        def check() -> None:
            # argon2id takes a good part of a second: off the Kivy thread. The port zeroes `pin`.
            ok = port.check_maintenance_code(pin)
            Clock.schedule_once(lambda _dt: self._checked(ok), 0)

        threading.Thread(target=check, name="maintenance-pin", daemon=True).start()

    def _checked(self, ok: bool) -> None:
        self.checking = False
        if ok:
            self.lock.succeeded()
            self.status = ""
            self.send(MaintenanceRequested())
            return
        self.lock.failed()
        if not self._show_lock():
            left = MAX_TRIES - self.lock.wrong
            self.status = tr.n_(
                "Wrong code. {count} try left.", "Wrong code. {count} tries left.", left
            ).format(count=left)
