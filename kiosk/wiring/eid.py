"""The eID reader's side of the runtime: one card connection, owned by one worker thread.

Reading, the PIN and the challenge signature all go through `CardSession` on the eID worker:
a BELPIC card is not thread-safe, and the PIN's verified state lives in the card connection,
so the connection opened by the read is the one the PIN and the signature use.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence

from cryptography import x509

from devices.eid.card import CERT_DF, BelpicCard
from devices.eid.emulator import SimReader
from devices.eid.errors import NoReader
from devices.eid.pcsc import PcscContext
from devices.eid.reader import EidRead, read_eid
from devices.eid.simulated import SimulatedTransport
from devices.eid.transport import Transport

log = logging.getLogger(__name__)

# 503A: the citizen CA that issued the authentication certificate. The city API needs it to
# chain that certificate; it is the same for every card of a batch (no citizen data).
CITIZEN_CA_CERTIFICATE = (CERT_DF, 0x503A)

Connector = Callable[[], Transport]


class CardSession:
    """The card currently in the reader. Every method runs on the eID worker only."""

    def __init__(self, connect: Connector, roots: Sequence[x509.Certificate]) -> None:
        self._connect = connect
        self._roots = list(roots)
        self._card: BelpicCard | None = None

    def read(self) -> tuple[EidRead, bytes | None]:
        """A fresh connection, a verified read, and the citizen CA certificate if present."""
        self.forget()
        card = BelpicCard(self._connect())
        self._card = card
        read = read_eid(card, self._roots)
        try:
            citizen_ca = card.read_file(CITIZEN_CA_CERTIFICATE, der=True)
        except Exception:
            read.files.zero()
            raise
        return read, bytes(citizen_ca) if citizen_ca is not None and any(citizen_ca) else None

    def verify_pin(self, pin: bytearray) -> None:
        """Raises WrongPin / PinBlocked / a card error. The caller zeroes `pin`."""
        self._current().verify_pin(pin)

    def sign(self, challenge: bytes) -> tuple[bytes, bytearray]:
        return self._current().sign_challenge(challenge)

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


def simulated_connector(reader: SimReader) -> Connector:
    return lambda: SimulatedTransport(reader)


class PcscConnector:
    """Opens the configured reader through pcscd; the PC/SC context is made on first use,
    on the calling (eID worker) thread, and made again after a failure (pcscd restarted)."""

    def __init__(self, wanted: str) -> None:
        self.wanted = wanted
        self._context: PcscContext | None = None

    def __call__(self) -> Transport:
        context = self._context or PcscContext()
        self._context = context
        try:
            return context.connect(context.pick_reader(self.wanted))
        except Exception:
            self.close()
            raise

    def reader_present(self) -> bool:
        try:
            context = self._context or PcscContext()
            self._context = context
            context.pick_reader(self.wanted)
            return True
        except Exception:
            self.close()
            return False

    def close(self) -> None:
        context, self._context = self._context, None
        if context is not None:
            try:
                context.close()
            except Exception as exc:
                log.debug("closing the PC/SC context: %s", type(exc).__name__)
