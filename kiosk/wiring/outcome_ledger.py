"""The small file of documents awaiting an outcome report to the city, so that a report is
not lost when the city API is down or the process dies.

One JSON object in `session.tmpfs_dir` (beside the session directories, never inside one: a
wipe must not take it), mode 0600: document id -> outcome, `null` while the document is
issued and its fate open. Only document ids (the city's random references) and outcomes: no
citizen data. At the next start an open entry becomes `unknown` (the process died with it).
Written whole to a temporary file then renamed: a crash leaves the old or the new, never half.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import re
import threading
from pathlib import Path
from typing import get_args

from cityapi.models import DocumentOutcomeValue

log = logging.getLogger(__name__)

LEDGER_NAME = "kiosk-document-outcomes.json"
MAX_ENTRIES = 256  # a few documents a day wait at most; a runaway file is cut, oldest first
OUTCOMES: frozenset[str] = frozenset(get_args(DocumentOutcomeValue))
_DOCUMENT_ID = re.compile(r"[A-Za-z0-9_-]{1,64}")


class OutcomeLedger:
    """Thread-safe; every change is on disk before the call returns."""

    def __init__(self, tmpfs_dir: Path) -> None:
        self.path = tmpfs_dir / LEDGER_NAME
        self._lock = threading.Lock()

    def __repr__(self) -> str:
        return f"OutcomeLedger({self.path})"

    def issued(self, document_id: str) -> None:
        """The city made the document for the citizen here: its outcome is now owed."""
        with self._lock:
            entries = self._load()
            entries.setdefault(document_id, None)
            self._save(entries)

    def settle(self, document_id: str, outcome: DocumentOutcomeValue) -> bool:
        """Record the outcome unless one is recorded already (the first one is what
        happened); True when this call recorded it."""
        with self._lock:
            entries = self._load()
            if entries.get(document_id) is not None:
                return False
            entries[document_id] = outcome
            self._save(entries)
            return True

    def settle_open(self, outcome: DocumentOutcomeValue) -> list[str]:
        """Give every open entry `outcome` (a session's end; a start after a crash)."""
        with self._lock:
            entries = self._load()
            opened = [doc for doc, value in entries.items() if value is None]
            for doc in opened:
                entries[doc] = outcome
            if opened:
                self._save(entries)
            return opened

    def to_report(self) -> dict[str, DocumentOutcomeValue]:
        with self._lock:
            return {doc: value for doc, value in self._load().items() if value is not None}

    def open_entries(self) -> list[str]:
        with self._lock:
            return [doc for doc, value in self._load().items() if value is None]

    def reported(self, document_id: str, outcome: DocumentOutcomeValue) -> None:
        """The city has it (or will never take it): forget the entry, if still that one."""
        with self._lock:
            entries = self._load()
            if entries.get(document_id) == outcome:
                del entries[document_id]
                self._save(entries)

    # -- the file --------------------------------------------------------------------------

    def _load(self) -> dict[str, DocumentOutcomeValue | None]:
        try:
            raw = json.loads(self.path.read_text(encoding="ascii"))
        except FileNotFoundError:
            return {}
        except (OSError, ValueError) as exc:
            log.error("outcome ledger unreadable, started afresh (%s)", type(exc).__name__)
            return {}
        if not isinstance(raw, dict):
            return {}
        entries: dict[str, DocumentOutcomeValue | None] = {}
        for doc, value in raw.items():
            if _DOCUMENT_ID.fullmatch(str(doc)) and (value is None or value in OUTCOMES):
                entries[str(doc)] = value
        return entries

    def _save(self, entries: dict[str, DocumentOutcomeValue | None]) -> None:
        if len(entries) > MAX_ENTRIES:
            entries = dict(list(entries.items())[-MAX_ENTRIES:])
        if not entries:
            self.path.unlink(missing_ok=True)
            return
        self.path.parent.mkdir(parents=True, exist_ok=True)
        temporary = self.path.with_name(self.path.name + ".new")
        temporary.unlink(missing_ok=True)
        fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        try:
            with os.fdopen(fd, "w", encoding="ascii") as handle:
                json.dump(entries, handle)
                handle.flush()
                os.fsync(handle.fileno())
            os.replace(temporary, self.path)
        except BaseException:
            with contextlib.suppress(OSError):
                temporary.unlink()
            raise
