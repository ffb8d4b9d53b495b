"""Where a session's files live: one directory with a recognisable name under the tmpfs dir.

Names only (no I/O here): creating and deleting the directory is session.wipe's job. The name is
recognisable so that start-up recovery finds a directory left by a crashed process.
"""

from __future__ import annotations

import re
import secrets
from pathlib import Path

SESSION_DIR_PREFIX = "kiosk-session-"
_SESSION_ID = re.compile(r"[0-9a-f]{16}")


def new_session_id() -> str:
    """Random, so the directory name says nothing about who used the kiosk or when."""
    return secrets.token_hex(8)


def new_request_key() -> str:
    """An Idempotency-Key for one confirmed choice: random, so it names nobody."""
    return secrets.token_hex(16)


def session_dir(tmpfs_dir: Path, session_id: str) -> Path:
    if not _SESSION_ID.fullmatch(session_id):
        raise ValueError("a session id is 16 lowercase hex digits")
    return tmpfs_dir / f"{SESSION_DIR_PREFIX}{session_id}"


def is_session_dir_name(name: str) -> bool:
    return name.startswith(SESSION_DIR_PREFIX) and bool(
        _SESSION_ID.fullmatch(name.removeprefix(SESSION_DIR_PREFIX))
    )
