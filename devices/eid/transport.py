"""Sending APDUs to a card: the shape every backend shares (PC/SC in `devices.eid.pcsc`,
the simulated twin in `devices.eid.simulated`).

Both T=0 procedure bytes that pcscd leaves to the application are handled here, once:
61xx (more data waiting: GET RESPONSE) and 6Cxx (wrong Le: re-issue with Le=xx). The
BELPIC applet speaks T=0 only; a reader that negotiates T=1 is accepted too.
"""

from __future__ import annotations

from typing import Protocol

from devices.eid.errors import CardCommunicationError

SW_OK = 0x9000
GET_RESPONSE = bytes.fromhex("00C00000")
# A chain of 61xx answers longer than this is a misbehaving card, not data.
MAX_RESPONSE_CHAIN = 64


class Transport(Protocol):
    """What the card layer needs from a reader: an ATR and an APDU exchange."""

    @property
    def atr(self) -> bytes: ...

    def transmit(self, apdu: bytes | bytearray) -> tuple[bytes, int]:
        """Send one command; return the response data and the status word (61xx/6Cxx handled)."""
        ...

    def close(self) -> None: ...


class RawExchange(Protocol):
    def __call__(self, apdu: bytes | bytearray) -> bytes: ...


def exchange_t0(raw: RawExchange, apdu: bytes | bytearray) -> tuple[bytes, int]:
    """One command through `raw`, following 6Cxx and 61xx as ISO 7816-3 T=0 asks."""
    response = raw(apdu)
    if len(response) < 2:
        raise CardCommunicationError("card answered with fewer than two bytes")
    sw1 = response[-2]
    if sw1 == 0x6C and len(apdu) >= 5:
        # Le was wrong; the card says how much it has. Same command, that Le.
        response = raw(apdu[:-1] + response[-1:])
        if len(response) < 2:
            raise CardCommunicationError("card answered with fewer than two bytes")
    data = bytearray(response[:-2])
    sw = (response[-2] << 8) | response[-1]
    for _ in range(MAX_RESPONSE_CHAIN):
        if sw >> 8 != 0x61:
            return bytes(data), sw
        response = raw(GET_RESPONSE + bytes([sw & 0xFF]))
        if len(response) < 2:
            raise CardCommunicationError("card answered with fewer than two bytes")
        data += response[:-2]
        sw = (response[-2] << 8) | response[-1]
    raise CardCommunicationError("card kept answering 61xx")
