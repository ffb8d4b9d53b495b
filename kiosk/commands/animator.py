"""`kiosk animator`: EPN animator console: sessions, quotas, guest tickets."""

from __future__ import annotations

from typing import Any

from kiosk.commands._pending import register_pending


def register(sub: Any) -> None:
    register_pending(sub, "animator", "EPN animator console: sessions, quotas, guest tickets")
