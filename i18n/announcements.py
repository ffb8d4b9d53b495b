"""The sentence for each `Announce(message_key, params)` effect of the session machine.

Each key maps to one or more parts, English msgids with `{param}` placeholders; a `Plural` part
picks its form by one parameter. A few keys have a `.last` variant for the moment a count runs
out (the last PIN try, the last extension), because that sentence must say something else.
A `languages` parameter holds language codes (space-separated) and is said as their names,
"Français, Nederlands or English": help names the languages the terminal offers.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from i18n.catalogs import translations
from i18n.languages import language


@dataclass(frozen=True)
class Plural:
    singular: str
    plural: str
    count: str  # the parameter that chooses the form


Part = str | Plural

# key -> (parameter, value): at that value the "<key>.last" sentence is said instead.
LAST_VARIANTS: dict[str, tuple[str, int]] = {
    "idle.warning": ("extensions_left", 0),
    "idle.extended": ("extensions_left", 0),
    "pin.wrong": ("tries_left", 1),
}

_ENDS_IN = Plural(
    "Are you still there? This session ends in {seconds_left} second.",
    "Are you still there? This session ends in {seconds_left} seconds.",
    "seconds_left",
)
# The parameter that holds language codes, and how their names end a list ("A, B or C").
LANGUAGE_LIST = "languages"
OR_LIST = "{others} or {last}"
_NOT_RIGHT = "This PIN code is not correct."
_COUNTER = "Please ask for help at the counter."

ANNOUNCEMENTS: dict[str, tuple[Part, ...]] = {
    # -- timers
    "idle.warning": (_ENDS_IN, "Touch “More time” to continue."),
    "idle.warning.last": (_ENDS_IN, "You cannot get more time. Please finish now."),
    "idle.extended": (
        "You have more time now.",
        Plural(
            "You can ask {extensions_left} more time.",
            "You can ask {extensions_left} more times.",
            "extensions_left",
        ),
    ),
    "idle.extended.last": ("You have more time now. This was the last time you can ask for it.",),
    "session.timed_out": (
        "The session has ended because nothing happened for a while.",
        "You can start again whenever you like.",
    ),
    # -- journey
    "pin.wrong": (
        _NOT_RIGHT,
        Plural(
            "You can try {tries_left} more time.",
            "You can try {tries_left} more times.",
            "tries_left",
        ),
    ),
    "pin.wrong.last": (
        _NOT_RIGHT,
        "Careful: you have one last try. If the code is not correct again, the card will be "
        "blocked.",
        "If you are not sure of your code, take your card and ask at the counter.",
    ),
    "print.progress": ("Printing page {done} of {total}.",),
    "take_card": ("Please take your card.",),
    "take_card_and_receipt": (
        "Your document is ready. Please take your card, your document and your receipt.",
    ),
    # The code itself is on the screen (and said with it), never in an announcement's params.
    "receipt.not_printed": (
        "Your receipt could not be printed. Your document is printed and valid: its "
        "verification code is on the screen.",
        "Please take your card and your document.",
    ),
    # -- card problems
    "error.no_reader": ("Sorry, the card reader is not working right now.", _COUNTER),
    "error.no_card": ("No card was found.", "Please put your eID card in the reader, chip first."),
    "error.card_removed": (
        "The card came out of the reader before the end.",
        "Please put it back in the reader to start again.",
    ),
    "error.communication": (
        "The card could not be read.",
        "Please take it out, check that the chip is clean, and put it in again.",
    ),
    "error.not_belgian": (
        "This card cannot be used here. This kiosk only reads Belgian identity cards (eID).",
        "Please take your card and ask at the counter.",
    ),
    "error.not_authentic": (
        "This card could not be checked, so it cannot be used here.",
        "Please take your card and ask at the counter.",
    ),
    "error.card_expired": (
        "Your identity card has expired, so it cannot be used here.",
        "Please take your card. The population service of your municipality can give you a "
        "new one.",
    ),
    "error.pin_blocked": (
        "The PIN code of this card is blocked.",
        "Please take your card. The population service of your municipality can unblock it.",
    ),
    "error.timeout": (
        "This is taking too long.",
        "Please try again. If it happens again, please ask at the counter.",
    ),
    # -- city service problems
    "error.offline": (
        "The city's service cannot be reached right now.",
        "Please try again in a few minutes, or ask at the counter.",
    ),
    "error.refused": (
        "This document cannot be printed here for you.",
        "Please ask at the counter: the staff will help you.",
    ),
    "error.not_in_register": (
        "You are not in the population register of the City of Brussels, so this kiosk cannot "
        "make your documents.",
        "Please take your card and go to the counter: the staff will help you.",
    ),
    "error.not_found": (
        "This document could not be found.",
        "Please choose another document, or ask at the counter.",
    ),
    "error.server_error": (
        "The city's service has a problem right now.",
        "Please try again later, or ask at the counter.",
    ),
    # -- printer problems
    "error.unavailable": (
        "The printer is not available right now.",
        "Please ask for your document at the counter.",
    ),
    "error.paper_out": ("The printer has run out of paper.", _COUNTER),
    "error.jam": ("The paper is stuck in the printer.", _COUNTER),
    "error.failed": ("Printing did not work.", "Please ask for your document at the counter."),
    # A print that took too long: unlike the card's or the city's, trying again cannot help.
    "error.print_timeout": (
        "Printing took too long, so it was stopped.",
        "Please ask for your document at the counter.",
    ),
    # -- help, one per state: what this screen is and what to do
    "help.attract": (
        "This kiosk prints documents from the City of Brussels.",
        "Touch the screen to start.",
    ),
    "help.language": ("Choose your language: {languages}.",),
    "help.insert_card": ("Put your Belgian identity card in the card reader, chip first.",),
    "help.reading": ("Your card is being read. Please wait and leave it in the reader.",),
    "help.pin": (
        "Type the PIN code of your card on the keypad on the screen, then touch “OK”.",
        "It is the secret code you received with your card.",
    ),
    "help.checking_pin": ("Your PIN code is being checked. Please wait.",),
    "help.authenticating": ("Your card is confirming who you are. Please wait.",),
    "help.catalogue": ("Choose the document you need by touching it. Each one shows its price.",),
    "help.confirm": (
        "Check the document and its price.",
        "Touch “Print” to print it, or “Back” to choose another one.",
    ),
    "help.fetching": ("Your document is being prepared. Please wait.",),
    "help.printing": ("Your document is being printed. Please wait.",),
    "help.take_card": ("Please take your card out of the reader.",),
    "help.thank_you": ("Thank you. Nothing of your data stays on this kiosk. Goodbye.",),
    "help.wiping": ("The kiosk is deleting the data of your session. Please wait a moment.",),
    "help.card_error": (
        "There is a problem with the card.",
        "You can try again, or take your card back.",
    ),
    "help.service_error": (
        "The service is not available right now.",
        "You can go back, or stop and take your card.",
    ),
    "help.print_error": (
        "Printing did not work.",
        "Please take your card and ask for your document at the counter.",
    ),
    "help.out_of_service": (
        "This kiosk is out of service.",
        "Please use another kiosk or ask at the counter.",
    ),
    "help.maintenance": ("This kiosk is being serviced. Please come back in a few minutes.",),
}


def resolve_key(message_key: str, params: Mapping[str, str | int]) -> str:
    """The table key to say: the `.last` variant when its count has run out."""
    variant = LAST_VARIANTS.get(message_key)
    if variant is not None:
        name, value = variant
        if params.get(name) == value:
            return f"{message_key}.last"
    return message_key


def announcement(message_key: str, params: Mapping[str, str | int], lang: str) -> str:
    """The sentence for an Announce effect, in `lang`. Unknown keys raise KeyError: every key
    the machine emits has a sentence (a test checks)."""
    parts = ANNOUNCEMENTS[resolve_key(message_key, params)]
    catalogue = translations(lang)
    if LANGUAGE_LIST in params:
        names = [language(code).endonym for code in str(params[LANGUAGE_LIST]).split()]
        said_list = names[-1]
        if len(names) > 1:
            said_list = catalogue.gettext(OR_LIST).format(
                others=", ".join(names[:-1]), last=said_list
            )
        params = {**params, LANGUAGE_LIST: said_list}
    said: list[str] = []
    for part in parts:
        if isinstance(part, Plural):
            count = int(params[part.count])
            text = catalogue.ngettext(part.singular, part.plural, count)
        else:
            text = catalogue.gettext(part)
        said.append(text.format(**params))
    return " ".join(said)


def msgids() -> list[str | tuple[str, str]]:
    """Every msgid of the table, in order, plurals as (singular, plural) pairs."""
    found: dict[str | tuple[str, str], None] = {OR_LIST: None}
    for parts in ANNOUNCEMENTS.values():
        for part in parts:
            found[(part.singular, part.plural) if isinstance(part, Plural) else part] = None
    return list(found)
