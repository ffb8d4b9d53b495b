"""One logging set-up for every entry point.

On a terminal: time, level, logger and message. Under systemd (JOURNAL_STREAM is set) the
message carries an `<N>` syslog priority prefix that journald reads as the level, and no
timestamp (journald adds its own).

National numbers are masked when a record is created (a record factory), not in one
handler's filter: every handler then sees the masked record, including ones we do not own
(Sentry's breadcrumbs, pytest's capture). Our handler keeps the filter as a second guard.
"""

from __future__ import annotations

import logging
import os
import sys
from pathlib import Path
from typing import TextIO

from kiosk.redact import redact_national_numbers
from kiosk.uncaught import install_exception_hooks

_SYSLOG_PRIORITY = {
    logging.CRITICAL: 2,
    logging.ERROR: 3,
    logging.WARNING: 4,
    logging.INFO: 6,
    logging.DEBUG: 7,
}


def redact_record(record: logging.LogRecord) -> None:
    """Rewrite `record` so that its rendered text holds no national number.

    The message is rendered with its arguments first (a number may hide in either), and
    the traceback is rendered here too, since formatters would otherwise render it from
    the live exception after we had looked.
    """
    try:
        message = record.getMessage()
    except Exception:  # a bad format string must not lose the record
        message = f"{record.msg!s} {record.args!r}"
    record.msg = redact_national_numbers(message)
    record.args = None
    if record.exc_info and not record.exc_text:
        record.exc_text = logging.Formatter().formatException(record.exc_info)
    if record.exc_text:
        record.exc_text = redact_national_numbers(record.exc_text)
    if record.stack_info:
        record.stack_info = redact_national_numbers(record.stack_info)


class RedactNationalNumbers(logging.Filter):
    """The same masking as a handler filter, for handlers that see foreign records."""

    def filter(self, record: logging.LogRecord) -> bool:
        redact_record(record)
        return True


def install_record_redaction() -> None:
    """Mask national numbers in every record from now on, whichever handler receives it."""
    factory = logging.getLogRecordFactory()
    if getattr(factory, "redacts_national_numbers", False):
        return

    def redacting_factory(*args: object, **kwargs: object) -> logging.LogRecord:
        record = factory(*args, **kwargs)
        redact_record(record)
        return record

    redacting_factory.redacts_national_numbers = True  # type: ignore[attr-defined]
    logging.setLogRecordFactory(redacting_factory)


class QuietEscposInfo(logging.Filter):
    """python-escpos logs "printer enabled" and the like at INFO on the root logger for every
    connection; on a kiosk that prints all day this drowns the log, so those are dropped."""

    def filter(self, record: logging.LogRecord) -> bool:
        from_escpos = "escpos" in Path(record.pathname).parts
        return not (from_escpos and record.levelno <= logging.INFO)


class JournalFormatter(logging.Formatter):
    """`<priority>logger: message`, which journald turns into a proper level."""

    def format(self, record: logging.LogRecord) -> str:
        priority = _SYSLOG_PRIORITY.get(record.levelno, 6)
        text = super().format(record)
        # journald splits on newlines: prefix every line so tracebacks keep their level.
        return "\n".join(f"<{priority}>{line}" for line in text.splitlines())


def under_journald(stream: TextIO) -> bool:
    """True when `stream` is connected to the journal (systemd sets JOURNAL_STREAM)."""
    journal = os.environ.get("JOURNAL_STREAM", "")
    if not journal or not hasattr(stream, "fileno"):
        return False
    try:
        st = os.fstat(stream.fileno())
    except (OSError, ValueError):
        return False
    return journal == f"{st.st_dev}:{st.st_ino}"


def setup_logging(verbose: bool = False, level: str = "info", stream: TextIO | None = None) -> None:
    """Configure the root logger once; calling again replaces our handler, never duplicates it.
    Uncaught exceptions and warnings are routed here too (kiosk.uncaught)."""
    install_record_redaction()
    install_exception_hooks()
    stream = stream or sys.stderr
    handler = logging.StreamHandler(stream)
    if under_journald(stream):
        handler.setFormatter(JournalFormatter("%(name)s: %(message)s"))
    else:
        handler.setFormatter(
            logging.Formatter("%(asctime)s %(levelname)-7s %(name)s: %(message)s", "%H:%M:%S")
        )
    handler.addFilter(RedactNationalNumbers())
    handler.addFilter(QuietEscposInfo())
    handler.set_name("kiosk")
    root = logging.getLogger()
    for old in [h for h in root.handlers if h.get_name() == "kiosk"]:
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(logging.DEBUG if verbose else getattr(logging, level.upper()))
    # Third-party chatter stays at warning unless we are debugging; urllib3 warns on every
    # retry, which our own one-line errors already cover.
    for noisy, quiet in (
        ("urllib3", logging.ERROR),
        ("fontTools", logging.WARNING),  # fpdf2 subsetting fonts, at INFO, per certificate
        ("kivy", logging.WARNING),
        ("PIL", logging.WARNING),
        ("asyncio", logging.WARNING),
    ):
        logging.getLogger(noisy).setLevel(logging.DEBUG if verbose else quiet)
