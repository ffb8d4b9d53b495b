"""`kiosk health`: show and send this terminal's health."""

from __future__ import annotations

from typing import Any

from kiosk.commands._pending import register_pending


def register(sub: Any) -> None:
    register_pending(sub, "health", "show and send this terminal's health")
