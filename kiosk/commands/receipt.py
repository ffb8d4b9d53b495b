"""`kiosk receipt`: print a test receipt and check the receipt printer."""

from __future__ import annotations

from typing import Any

from kiosk.commands._pending import register_pending


def register(sub: Any) -> None:
    register_pending(sub, "receipt", "print a test receipt and check the receipt printer")
