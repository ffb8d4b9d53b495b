"""What a Belgian eID yields: raw files as read, and the parsed, typed view of them.

Raw bytes are kept in bytearrays so the session can zero them at wipe.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from devices.eid.errors import CardCommunicationError
from devices.eid.identity import Address, Identity


@dataclass(repr=False)
class CardFiles:
    """The card's files exactly as read (padding included), before any check."""

    identity: bytearray  # 3F00 DF01 4031
    identity_signature: bytearray  # 4032
    address: bytearray  # 4033
    address_signature: bytearray  # 4034
    photo: bytearray  # 4035 (JPEG)
    rrn_certificate: bytearray  # 3F00 DF00 503C (DER, possibly zero-padded)
    rrn_ca_certificate: bytearray | None = None  # 503D when present and not all zero
    basic_public_key: bytearray | None = None  # 4040, applet 1.8 only
    card_data: bytearray | None = None  # GET CARD DATA response (28 or 31 bytes)

    def buffers(self) -> list[bytearray]:
        """Every buffer holding card bytes, for zeroing at wipe."""
        values = [
            self.identity,
            self.identity_signature,
            self.address,
            self.address_signature,
            self.photo,
            self.rrn_certificate,
            self.rrn_ca_certificate,
            self.basic_public_key,
            self.card_data,
        ]
        return [v for v in values if v is not None]

    def zero(self) -> None:
        for buf in self.buffers():
            buf[:] = bytes(len(buf))

    def __repr__(self) -> str:
        # A stray log or traceback must never print card bytes.
        return f"CardFiles(<{sum(len(b) for b in self.buffers())} bytes redacted>)"


@dataclass(frozen=True)
class IntegrityReport:
    """Each check on its own; the card is authentic only when every one holds."""

    identity_signature: bool
    address_signature: bool
    photo_hash: bool
    rrn_chain: bool
    reasons: tuple[str, ...] = field(default=())  # technical, no citizen data

    @property
    def authentic(self) -> bool:
        return (
            self.identity_signature
            and self.address_signature
            and self.photo_hash
            and self.rrn_chain
        )


@dataclass(frozen=True)
class CardData:
    """GET CARD DATA, the parts the kiosk uses (no citizen data in here)."""

    serial: bytes
    applet_version: int  # 0x11, 0x17 or 0x18
    pin_tries_left: int | None  # only applet 1.8 reports it here

    @property
    def applet_label(self) -> str:
        return f"{self.applet_version >> 4}.{self.applet_version & 0xF}"

    @classmethod
    def parse(cls, raw: bytes) -> CardData:
        if len(raw) < 28:
            raise CardCommunicationError(f"GET CARD DATA returned {len(raw)} bytes, expected 28")
        tries = raw[28] if len(raw) > 28 else None
        return cls(serial=bytes(raw[:16]), applet_version=raw[21], pin_tries_left=tries)


@dataclass(repr=False)
class EidRead:
    """An authentic card's content. Owned by the session, which zeroes `files` at wipe."""

    files: CardFiles
    identity: Identity
    address: Address
    card: CardData
    integrity: IntegrityReport
    apdu_count: int = field(default=0)

    def __repr__(self) -> str:
        return "EidRead(<redacted>)"
