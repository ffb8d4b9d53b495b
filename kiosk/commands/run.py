"""`kiosk run`: run the kiosk with the real devices from the configuration."""

from __future__ import annotations

from typing import Any

from kiosk.commands._pending import register_pending


def register(sub: Any) -> None:
    register_pending(sub, "run", "run the kiosk with the real devices from the configuration")
