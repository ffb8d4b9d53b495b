"""Specimen pages for the confirm screen: fetched when the catalogue arrives, kept in memory.

A specimen is the first page of a document type's certificate with placeholder data (see
cityserver.specimen): no citizen data, so it may outlive sessions and is not wiped.
Fetching runs on a worker of its own, so a slow or failing city API delays only the
picture, never a citizen's own calls; the confirm screen shows its drawing meanwhile.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterable
from typing import Protocol

from cityapi.models import LANGUAGES, Language
from kiosk.cityclient import CityApiError
from kiosk.cityclient.bounded_cache import BoundedCache
from session.timers import Clock

log = logging.getLogger(__name__)

MAX_ENTRIES = 24  # 8 documents in 3 languages; a page is about 50 kB
MAX_AGE_S = 3600.0  # then asked again (a 304 when unchanged): a new template shows within an hour
BATCH_BUDGET_S = 30.0  # one catalogue's specimens; what is left is fetched at the next session


class SpecimenSource(Protocol):
    def document_specimen(self, document_id: str, language: Language) -> bytes: ...


class SpecimenCache:
    """PNG bytes per (document id, language) with the time they were fetched; least recently
    used out first; thread-safe (filled on the specimen worker, read on the UI thread)."""

    def __init__(
        self,
        max_entries: int = MAX_ENTRIES,
        max_age_s: float = MAX_AGE_S,
        clock: Clock = time.monotonic,
    ) -> None:
        self.max_age_s = max_age_s
        self._clock = clock
        self._entries: BoundedCache[tuple[float, bytes]] = BoundedCache(max_entries)

    def get(self, document_id: str, language: str) -> bytes | None:
        found = self._entries.get((document_id, language))
        return None if found is None else found[1]

    def fresh(self, document_id: str, language: str) -> bool:
        found = self._entries.get((document_id, language))
        return found is not None and self._clock() - found[0] < self.max_age_s

    def put(self, document_id: str, language: str, png: bytes) -> None:
        self._entries.put((document_id, language), (self._clock(), png))

    def clear(self) -> None:
        self._entries.clear()

    def __len__(self) -> int:
        return len(self._entries)


def fetch_specimens(
    source: SpecimenSource,
    document_ids: Iterable[str],
    language: str,
    cache: SpecimenCache,
    *,
    budget_s: float = BATCH_BUDGET_S,
) -> int:
    """Fetch the specimens not fresh in `cache`; returns how many were fetched. Gives up at
    the first sign that the service is unavailable (the next ones would wait as long)."""
    if language not in LANGUAGES:
        return 0
    lang: Language = language
    deadline = time.monotonic() + budget_s
    fetched = 0
    for document_id in document_ids:
        if cache.fresh(document_id, lang):
            continue
        if time.monotonic() > deadline:
            log.info("specimens: out of time; the others are fetched later")
            break
        try:
            png = source.document_specimen(document_id, lang)
        except CityApiError as exc:
            if exc.unavailable:
                log.warning("specimens: the city API is unavailable (%s)", exc.kind.value)
                break
            log.info("specimens: none for %s (%s)", document_id, exc.kind.value)
            continue
        except Exception as exc:
            log.warning("specimens: fetching failed (%s)", type(exc).__name__)
            break
        cache.put(document_id, lang, png)
        fetched += 1
    return fetched
