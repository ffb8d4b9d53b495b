"""What can go wrong with printing, as the session and the CLI need to tell it apart.

Messages are technical, for IT and logs; they never hold document contents or names.
"""

from __future__ import annotations


class PrintingError(Exception):
    """Base of every printing failure."""


class CupsUnreachable(PrintingError):
    """cupsd does not answer (not running, wrong server, socket gone)."""


class QueueNotFound(PrintingError):
    """The configured queue does not exist on this CUPS server."""


class JobRefused(PrintingError):
    """CUPS refused the job (queue rejecting jobs, unsupported file...)."""


class NotAPdf(PrintingError):
    """The document to print is missing or is not a PDF."""


class ReceiptUriError(PrintingError, ValueError):
    """A receipt printer address that cannot be understood."""


class ReceiptPrinterUnreachable(PrintingError):
    """The receipt printer cannot be opened (connection refused, no such USB or serial device)."""


class ReceiptConnectionLost(PrintingError):
    """The connection to the receipt printer broke while a receipt was being sent."""


class ReceiptPrinterNotReady(PrintingError):
    """The receipt printer said it cannot print now (paper out, cover open, offline)."""
