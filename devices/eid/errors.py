"""The few things that can go wrong with a card, as the rest of the kiosk needs to tell them apart.

Messages are technical and never hold card data; the session turns each kind into a
plain sentence in the citizen's language.
"""

from __future__ import annotations


class EidError(Exception):
    """Base of every eID failure."""


class NoReader(EidError):
    """No PC/SC reader (or not the configured one), or pcscd is not running."""


class ServiceLost(NoReader):
    """The PC/SC service (pcscd) stopped or restarted: the context made with it is dead, and
    every call through it fails until a new one is made."""


class NoCard(EidError):
    """The reader is there but holds no card."""


class CardCommunicationError(EidError):
    """The card stopped answering properly: removed, reset, mute, or the reader went away."""


class CardRemoved(CardCommunicationError):
    """The card was pulled out (or lost power) during the exchange."""


class CardWasReset(CardCommunicationError):
    """The card was reset under us and reconnected: select the applet again, then retry."""


class ReaderGone(CardCommunicationError):
    """The reader was unplugged, or pcscd stopped, during the exchange."""


class ReaderBusy(EidError):
    """Another program holds the card exclusively (sharing violation)."""


class NotBelgianEid(EidError):
    """The card does not answer as a Belgian eID (BELPIC applet)."""


class CardNotAuthentic(EidError):
    """The card's data failed an integrity check: nothing from it may be used."""


class CardExpired(EidError):
    """The card's validity (tag 04 of the signed identity file) has ended: refused before the
    PIN is asked."""


class PinError(EidError):
    """Base of PIN failures."""


class WrongPin(PinError):
    def __init__(self, tries_left: int) -> None:
        super().__init__(f"wrong PIN, {tries_left} tries left")
        self.tries_left = tries_left


class PinBlocked(PinError):
    def __init__(self) -> None:
        super().__init__("PIN blocked")


class InvalidPinFormat(PinError):
    """The PIN typed is not 4 to 12 digits (nothing was sent to the card)."""


class CardStatusError(EidError):
    """The card answered a command with an unexpected status word."""

    def __init__(self, command: str, sw: int) -> None:
        super().__init__(f"{command} failed with status {sw:04X}")
        self.sw = sw
