"""The states of an e-guichet session, and the few facts about each that other modules need.

A state says which screen is showing and what the kiosk is waiting for. Facts that vary within a
state (language, chosen document, error kind...) live in `SessionContext`, never in the enum.
"""

from __future__ import annotations

from enum import StrEnum


class State(StrEnum):
    ATTRACT = "attract"  # calm loop, no session
    LANGUAGE = "language"  # choose FR / NL / EN / DE
    INSERT_CARD = "insert_card"  # please insert your eID
    READING = "reading"  # reading and checking the card
    PIN = "pin"  # type your PIN
    CHECKING_PIN = "checking_pin"  # the card is checking the PIN
    AUTHENTICATING = "authenticating"  # card signs the city's challenge; catalogue loads
    CATALOGUE = "catalogue"  # choose a document
    CONFIRM = "confirm"  # confirm the chosen document
    FETCHING = "fetching"  # the city API prepares the document
    PRINTING = "printing"  # the printer is printing it
    TAKE_CARD = "take_card"  # take your card (and receipt)
    THANK_YOU = "thank_you"  # goodbye (nothing of the citizen is left by now)
    WIPING = "wiping"  # destroying everything of the session
    CARD_ERROR = "card_error"  # the card cannot be used (unreadable, blocked, not authentic)
    SERVICE_ERROR = "service_error"  # the city's service or the printer cannot serve now
    PRINT_ERROR = "print_error"  # printing failed half-way
    OUT_OF_SERVICE = "out_of_service"  # reader or printer missing, or a wipe failed
    MAINTENANCE = "maintenance"  # city IT at the terminal


DESCRIPTIONS: dict[State, str] = {
    State.ATTRACT: "Attract loop; no session and no citizen data.",
    State.LANGUAGE: "The citizen chooses a language.",
    State.INSERT_CARD: "Asks for the eID card.",
    State.READING: "The card is read and its integrity checked.",
    State.PIN: "The citizen types the PIN on the PIN pad.",
    State.CHECKING_PIN: "The card checks the PIN.",
    State.AUTHENTICATING: "The card signs the city's challenge; then the catalogue loads.",
    State.CATALOGUE: "The citizen chooses a document.",
    State.CONFIRM: "The citizen confirms the document.",
    State.FETCHING: "The city API prepares the document.",
    State.PRINTING: "The document is printing, then the receipt (a short, bounded wait).",
    State.TAKE_CARD: "Take your card (and the receipt); removing it ends the session.",
    State.THANK_YOU: "Goodbye screen, shown after the wipe.",
    State.WIPING: "Everything of the session is destroyed and checked.",
    State.CARD_ERROR: "The card cannot be used; try again or take it back.",
    State.SERVICE_ERROR: "The city's service or the printer is unavailable; back or stop.",
    State.PRINT_ERROR: "Printing failed; the citizen is sent to the counter.",
    State.OUT_OF_SERVICE: "A device is missing or a wipe failed; no session can start.",
    State.MAINTENANCE: "City IT is at the terminal.",
}

# States in which the kiosk waits for the citizen: an idle timeout with a "more time" warning.
CHOOSING: frozenset[State] = frozenset(
    {
        State.LANGUAGE,
        State.INSERT_CARD,
        State.PIN,
        State.CATALOGUE,
        State.CONFIRM,
        State.TAKE_CARD,
        State.CARD_ERROR,
        State.SERVICE_ERROR,
        State.PRINT_ERROR,
        State.MAINTENANCE,
    }
)

# States waiting for a device or the city API: no idle timeout, a bounded operation timeout.
WORKING: frozenset[State] = frozenset(
    {
        State.READING,
        State.CHECKING_PIN,
        State.AUTHENTICATING,
        State.FETCHING,
        State.PRINTING,
        State.WIPING,
    }
)

# States belonging to a citizen's session: removing the card here ends it at once.
IN_SESSION: frozenset[State] = frozenset(
    {
        State.LANGUAGE,
        State.INSERT_CARD,
        State.READING,
        State.PIN,
        State.CHECKING_PIN,
        State.AUTHENTICATING,
        State.CATALOGUE,
        State.CONFIRM,
        State.FETCHING,
        State.PRINTING,
        State.TAKE_CARD,
        State.CARD_ERROR,
        State.SERVICE_ERROR,
        State.PRINT_ERROR,
    }
)
