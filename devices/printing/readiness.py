"""Is a printer fit for a journey? One answer shared by the certificate and receipt printers.

`ready`: print. `degraded`: print, but IT is warned (paper low, toner low...). `unavailable`:
printing is not offered, and the citizen is told before choosing a document. The reason is a
plain technical sentence for IT and logs; the screens pick the citizen's words from the level.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any


class Level(enum.IntEnum):
    """Ordered so that the worst of several findings is `max()`."""

    READY = 0
    DEGRADED = 1
    UNAVAILABLE = 2

    @property
    def label(self) -> str:
        return self.name.lower()


@dataclass(frozen=True)
class Readiness:
    level: Level
    reason: str
    """One plain technical sentence for IT (never citizen data)."""
    details: tuple[str, ...] = field(default=())
    """The raw findings behind it, e.g. the printer-state-reasons keywords."""

    @property
    def offered(self) -> bool:
        """Whether printing may be offered to the citizen at all."""
        return self.level is not Level.UNAVAILABLE

    def as_dict(self) -> dict[str, Any]:
        return {"level": self.level.label, "reason": self.reason, "details": list(self.details)}


READY = Readiness(Level.READY, "ready")


def summarise(findings: Iterable[tuple[Level, str]], details: tuple[str, ...] = ()) -> Readiness:
    """The worst level found, and every finding of that level as the reason."""
    found = list(findings)
    if not found:
        return Readiness(Level.READY, "ready", details)
    worst = max(level for level, _ in found)
    reason = "; ".join(dict.fromkeys(text for level, text in found if level == worst))
    return Readiness(worst, reason, details)
