"""The card connection's lifetime: opened by the read, used by the PIN and the signature,
ended by LOG OFF. One worker thread owns it.

Reading, the PIN and the challenge signature all go through `CardSession` on the eID worker:
a BELPIC card is not thread-safe, and the PIN's verified state lives in the card connection,
so the connection opened by the read is the one the PIN and the signature use.
"""

from __future__ import annotations

import datetime
import logging
from collections.abc import Callable, Sequence

from cryptography import x509

from devices.eid.card import CERT_DF, BelpicCard
from devices.eid.errors import CardExpired, NoReader
from devices.eid.reader import EidRead, read_eid
from devices.eid.unit import EidReader

log = logging.getLogger(__name__)

# 503A: the citizen CA that issued the authentication certificate. The city API needs it to
# chain that certificate; it is the same for every card of a batch (no citizen data).
CITIZEN_CA_CERTIFICATE = (CERT_DF, 0x503A)


class CardSession:
    """The card currently in the reader. Every method runs on the eID worker only."""

    def __init__(
        self,
        reader: EidReader,
        roots: Sequence[x509.Certificate],
        *,
        today: Callable[[], datetime.date] = datetime.date.today,
    ) -> None:
        self._reader = reader
        self._roots = list(roots)
        self._today = today  # the local date: a card is valid through its last day
        self._card: BelpicCard | None = None

    def read(self) -> tuple[EidRead, bytes | None]:
        """A fresh connection, a verified read, and the citizen CA certificate if present.

        A card past its end of validity raises CardExpired (its files zeroed) before anything
        else happens: the citizen is told so instead of typing a PIN the city would refuse.
        """
        self.forget()
        card = BelpicCard(self._reader.connect())
        self._card = card
        read = read_eid(card, self._roots)
        try:
            if read.identity.validity_end < self._today():
                raise CardExpired("the card's validity has ended")
            citizen_ca = card.read_file(CITIZEN_CA_CERTIFICATE, der=True)
        except Exception:
            read.files.zero()
            raise
        return read, bytes(citizen_ca) if citizen_ca is not None and any(citizen_ca) else None

    def verify_pin(self, pin: bytearray) -> None:
        """Raises WrongPin / PinBlocked / a card error. The caller zeroes `pin`."""
        self._current().verify_pin(pin)

    def sign(self, message: bytes) -> tuple[bytes, bytearray]:
        """Sign a `devices.eid.challenge.signed_message` (anything else: NotAChallenge)."""
        return self._current().sign_challenge(message)

    def forget(self) -> None:
        """End the session on the card: LOG OFF (the verified PIN lives on the card, not in
        our connection, so a card left in the reader would otherwise still sign), then close."""
        card, self._card = self._card, None
        if card is None:
            return
        try:
            card.log_off()
        except Exception as exc:  # card already out: nothing left to log off
            log.debug("logging the card off: %s", type(exc).__name__)
        try:
            card.transport.close()
        except Exception as exc:  # already gone with the card
            log.debug("closing the card connection: %s", type(exc).__name__)

    def _current(self) -> BelpicCard:
        if self._card is None:
            raise NoReader("no card connection: the card was not read in this session")
        return self._card
