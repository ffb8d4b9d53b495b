"""Maintenance: city IT at the terminal (after the maintenance PIN). Shows what the session
knows of the devices; "Done" wipes and returns to the attract screen."""

from __future__ import annotations

from kivy.properties import StringProperty

from screens.base import KioskScreen
from screens.rules import load_rules
from screens.translate import tr
from session.context import SessionContext
from session.events import MaintenanceDone
from session.problems import PrinterStatus
from session.states import State

load_rules(__file__)


class MaintenanceScreen(KioskScreen):
    reader = StringProperty("")
    printer = StringProperty("")
    wipe = StringProperty("")

    def update(self, state: State, context: SessionContext) -> None:
        self.title = tr._("Maintenance")
        self.summary = tr._("This kiosk is being serviced. Please come back in a few minutes.")
        ok, missing = tr._("working"), tr._("not found")
        self.reader = tr._("Card reader: {status}").format(
            status=ok if context.reader_present else missing
        )
        printer = {
            PrinterStatus.READY: ok,
            PrinterStatus.DEGRADED: tr._("working, needs a look"),
            PrinterStatus.UNAVAILABLE: missing,
        }[context.printer]
        self.printer = tr._("Printer: {status}").format(status=printer)
        self.wipe = (
            tr._("Last clean-up: failed, check the logs")
            if context.wipe_failed
            else tr._("Last clean-up: verified")
        )

    def done(self) -> None:
        self.send(MaintenanceDone())
