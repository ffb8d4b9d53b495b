"""`kiosk doctor`: diagnose this terminal's reader, printers, network and configuration."""

from __future__ import annotations

from typing import Any

from kiosk.commands._pending import register_pending


def register(sub: Any) -> None:
    register_pending(sub, "doctor", "diagnose the reader, printers, city API and configuration")
