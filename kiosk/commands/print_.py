"""`kiosk print`: print certificates through CUPS and check the document printer."""

from __future__ import annotations

from typing import Any

from kiosk.commands._pending import register_pending


def register(sub: Any) -> None:
    register_pending(sub, "print", "print certificates through CUPS and check the document printer")
