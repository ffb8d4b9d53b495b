"""A moment while everything of the session is deleted (usually well under a second)."""

from __future__ import annotations

import screens.widgets.progress  # noqa: F401  (the progress rows its rules use)
from screens.base import KioskScreen
from screens.rules import load_rules
from screens.translate import tr
from session.context import SessionContext
from session.states import State

load_rules(__file__)


class WipingScreen(KioskScreen):
    def update(self, state: State, context: SessionContext) -> None:
        self.title = tr._("One moment, please")
        self.summary = tr._("Your data is being deleted from this kiosk.")
