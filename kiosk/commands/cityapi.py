"""`kiosk cityapi`: serve the reference city API, or talk to one."""

from __future__ import annotations

from typing import Any

from kiosk.commands._pending import register_pending


def register(sub: Any) -> None:
    register_pending(sub, "cityapi", "serve the reference city API, or talk to one")
