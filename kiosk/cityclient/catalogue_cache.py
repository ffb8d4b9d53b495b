"""The last catalogue received, with its ETag, on disk: the kiosk shows its offer offline.

It holds no citizen data. A missing, unreadable or corrupt cache is simply no cache.
"""

from __future__ import annotations

import datetime
import json
import logging
import os
from dataclasses import dataclass
from pathlib import Path

from pydantic import ValidationError

from cityapi.models import Catalogue

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class CachedCatalogue:
    catalogue: Catalogue
    etag: str
    fetched_at: datetime.datetime


class CatalogueCache:
    def __init__(self, path: Path) -> None:
        self.path = path

    def load(self) -> CachedCatalogue | None:
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
            return CachedCatalogue(
                catalogue=Catalogue.model_validate(data["catalogue"]),
                etag=str(data["etag"]),
                fetched_at=datetime.datetime.fromisoformat(data["fetched_at"]),
            )
        except FileNotFoundError:
            return None
        except (OSError, ValueError, KeyError, TypeError, ValidationError) as exc:
            log.warning("ignoring the catalogue cache %s (%s)", self.path, type(exc).__name__)
            return None

    def save(self, catalogue: Catalogue, etag: str, fetched_at: datetime.datetime) -> None:
        payload = {
            "etag": etag,
            "fetched_at": fetched_at.isoformat(),
            "catalogue": catalogue.model_dump(mode="json"),
        }
        self.path.parent.mkdir(parents=True, exist_ok=True)
        temporary = self.path.with_name(f".{self.path.name}.{os.getpid()}.tmp")
        try:
            temporary.write_text(json.dumps(payload, ensure_ascii=False), encoding="utf-8")
            os.replace(temporary, self.path)
        except OSError as exc:  # a full or read-only disk must not break the kiosk
            temporary.unlink(missing_ok=True)
            log.warning("could not cache the catalogue in %s (%s)", self.path, exc.strerror)
