"""Answers kept in memory with their ETag, to revalidate with If-None-Match (a 304 costs no
body). Bounded in count, least recently used out first; thread-safe, since the client is
called from several workers. Only for answers that hold no citizen data (specimens)."""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Hashable


class EtagCache:
    def __init__(self, max_entries: int) -> None:
        self.max_entries = max_entries
        self._entries: OrderedDict[Hashable, tuple[str, bytes]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: Hashable) -> tuple[str, bytes] | None:
        with self._lock:
            found = self._entries.get(key)
            if found is not None:
                self._entries.move_to_end(key)
            return found

    def put(self, key: Hashable, etag: str, body: bytes) -> None:
        with self._lock:
            self._entries[key] = (etag, body)
            self._entries.move_to_end(key)
            while len(self._entries) > self.max_entries:
                self._entries.popitem(last=False)

    def __len__(self) -> int:
        with self._lock:
            return len(self._entries)
