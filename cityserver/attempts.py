"""Wrong enrolment codes, counted per client address and in total over a sliding window.

A code is 24 random characters, so guessing is hopeless anyway; the limit keeps a flood of
guesses from costing the server anything and makes it visible. Once an address (or everyone
together) has had its share of wrong codes in the window, every enrolment from it is refused
with 429 and Retry-After, the right code too: a guesser learns nothing while refused.
Memory is bounded: failures are recorded only while under the limits.
"""

from __future__ import annotations

import math
from collections import deque


class FailureLimiter:
    def __init__(self, per_address: int, total: int, window_s: float = 60.0) -> None:
        self.per_address = per_address
        self.total = total
        self.window_s = window_s
        self._all: deque[tuple[float, str]] = deque()
        self._by_address: dict[str, deque[float]] = {}

    def __len__(self) -> int:
        """Failures remembered (those of the last window, at the last look)."""
        return len(self._all)

    def _prune(self, now: float) -> None:
        while self._all and self._all[0][0] <= now - self.window_s:
            _, address = self._all.popleft()
            times = self._by_address[address]
            times.popleft()
            if not times:
                del self._by_address[address]

    def retry_after(self, address: str, now: float) -> int | None:
        """Whole seconds until `address` may try again, or None when it may now."""
        self._prune(now)
        waits = []
        mine = self._by_address.get(address)
        if mine is not None and len(mine) >= self.per_address:
            waits.append(mine[-self.per_address] + self.window_s - now)
        if len(self._all) >= self.total:
            waits.append(self._all[-self.total][0] + self.window_s - now)
        return max(1, math.ceil(max(waits))) if waits else None

    def record(self, address: str, now: float) -> bool:
        """Count a wrong code; True when it is the one that reached a limit."""
        self._prune(now)
        self._all.append((now, address))
        mine = self._by_address.setdefault(address, deque())
        mine.append(now)
        return len(mine) == self.per_address or len(self._all) == self.total
