"""An in-process card reader for the demo: the BelpicApplet without pcscd in between.

Same shape as the real pyscard transport: `present`, `atr()`, `transmit(apdu) -> bytes`.
Absent or mute cards raise CardRemovedError / CardMuteError (both EmulatedCardError).
Whoever watches the slot (`watch`) hears of every insertion and removal as it happens.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

from devices.eid.emulator.applet import BelpicApplet, CardRemovedError


class SimReader:
    """One slot; holds at most one emulated card."""

    name = "Kiosk simulated reader"

    def __init__(self, applet: BelpicApplet | None = None, *, apdu_delay_s: float = 0.0) -> None:
        self.apdu_delay_s = apdu_delay_s  # lets the demo show realistic reading times
        self._applet: BelpicApplet | None = None
        self._lock = threading.Lock()
        self._watchers: list[Callable[[bytes | None], None]] = []
        if applet is not None:
            self.insert(applet)

    @property
    def present(self) -> bool:
        applet = self._applet
        return applet is not None and applet.present

    def insert(self, applet: BelpicApplet) -> None:
        with self._lock:
            if not applet.present:
                applet.reinsert()
            applet.power_on()
            self._applet = applet
            self._changed(applet.atr())

    def remove(self) -> None:
        with self._lock:
            if self._applet is not None:
                self._applet.power_off()
            self._applet = None
            self._changed(None)

    def watch(self, changed: Callable[[bytes | None], None]) -> Callable[[], None]:
        """Call `changed` with what the slot holds now (the card's ATR, or None), then after
        every insertion and removal, in order, under the slot's lock: it must only take
        note. Returns the call that stops it."""
        with self._lock:
            applet = self._applet
            changed(applet.atr() if applet is not None and applet.present else None)
            self._watchers.append(changed)

        def unwatch() -> None:
            with self._lock:
                if changed in self._watchers:
                    self._watchers.remove(changed)

        return unwatch

    def _changed(self, atr: bytes | None) -> None:
        for changed in self._watchers:
            changed(atr)

    def atr(self) -> bytes:
        return self._card().atr()

    def transmit(self, apdu: bytes | bytearray) -> bytes:
        """Send one C-APDU, return the R-APDU (data || SW1 SW2)."""
        applet = self._card()
        if self.apdu_delay_s:
            time.sleep(self.apdu_delay_s)
        return applet.process(apdu)

    def _card(self) -> BelpicApplet:
        applet = self._applet
        if applet is None or not applet.present:
            raise CardRemovedError("no card in the reader")
        return applet
