"""The ESC/POS receipt printer: ask it how it is (DLE EOT), print a receipt, confirm it arrived.

Each call opens the link, does its work and closes it, so a printer that was switched
off and on, or a cable pulled and put back, needs no special handling.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from devices.printing.errors import ReceiptPrinterNotReady, ReceiptPrinterUnreachable
from devices.printing.readiness import Level, Readiness
from devices.printing.receipt.layout import ReceiptContent, build_receipt
from devices.printing.receipt.links import ReceiptLink, open_link
from devices.printing.receipt.printer import ReceiptOutcome
from devices.printing.receipt.status import (
    OFFLINE_CAUSE,
    PAPER_SENSOR,
    PRINTER_STATUS,
    ReceiptState,
    ReceiptStatus,
    status_from_replies,
)
from devices.printing.receipt.uri import ReceiptAddress, parse_receipt_uri

log = logging.getLogger(__name__)

LinkOpener = Callable[[ReceiptAddress, str, float], ReceiptLink]


def query_status(link: ReceiptLink, timeout: float) -> ReceiptStatus:
    """Printer status first; without an answer to it, the other two are not asked."""
    printer = link.query(PRINTER_STATUS, timeout)
    if printer is None:
        return ReceiptStatus(ReceiptState.NO_ANSWER, f"no reply within {timeout:g} s")
    cause = link.query(OFFLINE_CAUSE, timeout)
    paper = link.query(PAPER_SENSOR, timeout)
    return status_from_replies(printer, cause, paper)


class EscposReceiptPrinter:
    def __init__(
        self,
        address: ReceiptAddress | str,
        *,
        profile: str = "TM-T88V",
        timeout: float = 5.0,
        status_timeout: float = 1.0,
        opener: LinkOpener = open_link,
    ) -> None:
        self.address = parse_receipt_uri(address) if isinstance(address, str) else address
        self.profile = profile
        self.timeout = timeout
        self.status_timeout = min(status_timeout, timeout)
        self._open = opener

    def status(self) -> ReceiptStatus:
        try:
            link = self._open(self.address, self.profile, self.timeout)
        except ReceiptPrinterUnreachable as exc:
            return ReceiptStatus(ReceiptState.UNREACHABLE, str(exc))
        try:
            return query_status(link, self.status_timeout)
        except ReceiptPrinterUnreachable as exc:
            return ReceiptStatus(ReceiptState.UNREACHABLE, str(exc))
        except Exception as exc:  # the link broke while asking: as good as unreachable
            return ReceiptStatus(ReceiptState.UNREACHABLE, str(exc))
        finally:
            link.close()

    def readiness(self) -> Readiness:
        return self.status().readiness()

    def print_receipt(self, content: ReceiptContent) -> ReceiptOutcome:
        return self.print_bytes(build_receipt(content, self.profile))

    def print_bytes(self, data: bytes) -> ReceiptOutcome:
        """Check, send, confirm. Raises ReceiptPrinterUnreachable, ReceiptPrinterNotReady
        (nothing sent) or ReceiptConnectionLost (the receipt may be cut short)."""
        link = self._open(self.address, self.profile, self.timeout)
        try:
            before = query_status(link, self.status_timeout)
            if before.level is Level.UNAVAILABLE:
                raise ReceiptPrinterNotReady(before.readiness().reason)
            link.write(data)
            after = query_status(link, self.timeout)
        finally:
            link.close()
        if after.level is Level.UNAVAILABLE:
            log.warning("receipt printer after printing: %s", after.readiness().reason)
        return ReceiptOutcome(len(data), before, after)
