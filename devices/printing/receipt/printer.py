"""What the session needs from the receipt printer: the interface of the ESC/POS backend,
its simulated twin and the stand-in for no printer."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol

from devices.printing.readiness import Readiness
from devices.printing.receipt.layout import ReceiptContent
from devices.printing.receipt.status import ReceiptState, ReceiptStatus


@dataclass(frozen=True)
class ReceiptOutcome:
    bytes_sent: int
    before: ReceiptStatus
    after: ReceiptStatus
    """Asked once the bytes are out: a reply proves the printer is still there."""

    @property
    def confirmed(self) -> bool:
        return self.after.state not in (ReceiptState.NO_ANSWER, ReceiptState.INVALID_ANSWER)

    def as_dict(self) -> dict[str, Any]:
        return {
            "bytes_sent": self.bytes_sent,
            "confirmed": self.confirmed,
            "before": self.before.as_dict(),
            "after": self.after.as_dict(),
        }


class ReceiptPrinter(Protocol):
    """What the session needs from the receipt printer (ESC/POS or the simulated twin)."""

    profile: str

    def status(self) -> ReceiptStatus: ...

    def readiness(self) -> Readiness: ...

    def print_receipt(self, content: ReceiptContent) -> ReceiptOutcome: ...

    def print_bytes(self, data: bytes) -> ReceiptOutcome: ...
