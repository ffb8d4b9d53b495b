"""Errors that reach the command line as one plain line and a documented exit code."""

from __future__ import annotations


class KioskError(Exception):
    """An expected failure: its message is shown as is; `exit_code` is returned."""

    exit_code = 1

    def __init__(self, message: str, exit_code: int | None = None) -> None:
        super().__init__(message)
        if exit_code is not None:
            self.exit_code = exit_code


class UsageError(KioskError):
    exit_code = 2


class NotAvailableYet(KioskError):
    exit_code = 2
