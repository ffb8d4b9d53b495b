"""`kiosk provision`: enrol this terminal and write its configuration and systemd unit."""

from __future__ import annotations

from typing import Any

from kiosk.commands._pending import register_pending


def register(sub: Any) -> None:
    register_pending(
        sub, "provision", "enrol this terminal and write its configuration and systemd unit"
    )
