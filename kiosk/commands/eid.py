"""`kiosk eid`: read and check a Belgian eID, list readers, test a PIN."""

from __future__ import annotations

from typing import Any

from kiosk.commands._pending import register_pending


def register(sub: Any) -> None:
    register_pending(sub, "eid", "read and check a Belgian eID, list readers, test a PIN")
