"""Wrong maintenance codes and the lock-out that follows them (no Kivy: tested on its own).

After MAX_TRIES wrong codes in a row every code is refused for `lockout` seconds. The count
and the end of the lock are kept by a `LockStore` (the kiosk gives one that writes them to
its state directory), so restarting the kiosk, or making it crash, does not reset them; the
deadline is on the wall clock for that reason, and never more than `lockout` away (a clock
set back does not lock IT out for ever).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Protocol

MAX_TRIES = 5


class LockStore(Protocol):
    def load(self) -> tuple[int, float]:
        """(wrong codes in a row, locked until: a time.time() value, 0 when not locked)."""

    def save(self, wrong: int, locked_until: float) -> None:
        """Keep them; never raises (a store that cannot write keeps them in memory)."""


class MemoryStore:
    """The count in memory only: for a kiosk with no state directory."""

    def __init__(self) -> None:
        self.kept = (0, 0.0)

    def load(self) -> tuple[int, float]:
        return self.kept

    def save(self, wrong: int, locked_until: float) -> None:
        self.kept = (wrong, locked_until)


class MaintenanceLock:
    """Wrong tries and the lock-out that follows them."""

    def __init__(
        self,
        lockout: float,
        store: LockStore | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.lockout = lockout
        self.clock = clock
        self.store: LockStore = store if store is not None else MemoryStore()
        self.wrong, self.locked_until = self.store.load()

    def seconds_locked(self) -> float:
        return min(self.lockout, max(0.0, self.locked_until - self.clock()))

    def failed(self) -> None:
        self.wrong += 1
        if self.wrong >= MAX_TRIES:
            self.wrong = 0
            self.locked_until = self.clock() + self.lockout
        self.store.save(self.wrong, self.locked_until)

    def succeeded(self) -> None:
        self.wrong = 0
        self.store.save(self.wrong, self.locked_until)
