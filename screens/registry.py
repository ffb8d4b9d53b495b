"""Which screen shows each session state, and the screen classes by name."""

from __future__ import annotations

import importlib

from screens.base import KioskScreen
from session.states import State

# Screen classes by name, imported on first use: the attract screen draws before the others
# are even loaded (cold start), and the app builds the rest after its first frame.
SCREENS: dict[str, str] = {
    "attract": "screens.attract:AttractScreen",
    "language": "screens.language:LanguageScreen",
    "insert_card": "screens.insert_card:InsertCardScreen",
    "reading": "screens.reading:ReadingScreen",
    "pin": "screens.pin:PinScreen",
    "catalogue": "screens.catalogue:CatalogueScreen",
    "confirm": "screens.confirm:ConfirmScreen",
    "printing": "screens.printing:PrintingScreen",
    "take_card": "screens.take_card:TakeCardScreen",
    "thank_you": "screens.thank_you:ThankYouScreen",
    "wiping": "screens.wiping:WipingScreen",
    "problem": "screens.problem:ProblemScreen",
    "out_of_service": "screens.out_of_service:OutOfServiceScreen",
    "maintenance": "screens.maintenance:MaintenanceScreen",
    "maintenance_login": "screens.maintenance_login:MaintenanceLoginScreen",
}


def screen_class(name: str) -> type[KioskScreen]:
    module, _, cls = SCREENS[name].partition(":")
    found: type[KioskScreen] = getattr(importlib.import_module(module), cls)
    return found


SCREEN_FOR_STATE: dict[State, str] = {
    State.ATTRACT: "attract",
    State.LANGUAGE: "language",
    State.INSERT_CARD: "insert_card",
    State.READING: "reading",
    State.PIN: "pin",
    State.CHECKING_PIN: "reading",
    State.AUTHENTICATING: "reading",
    State.CATALOGUE: "catalogue",
    State.CONFIRM: "confirm",
    State.FETCHING: "printing",
    State.PRINTING: "printing",
    State.TAKE_CARD: "take_card",
    State.THANK_YOU: "thank_you",
    State.WIPING: "wiping",
    State.CARD_ERROR: "problem",
    State.SERVICE_ERROR: "problem",
    State.PRINT_ERROR: "problem",
    State.OUT_OF_SERVICE: "out_of_service",
    State.MAINTENANCE: "maintenance",
}

# Where the hidden maintenance gesture works: no citizen is being served.
MAINTENANCE_GESTURE_STATES = frozenset({State.ATTRACT, State.OUT_OF_SERVICE})
