"""The terminal's bearer token on disk: mode 0600, replaced atomically, never logged."""

from __future__ import annotations

import os
import time
from pathlib import Path


class TokenFile:
    def __init__(self, path: Path) -> None:
        self.path = path

    def __repr__(self) -> str:
        return f"TokenFile({self.path})"

    def read(self) -> str | None:
        """The token, or None when this terminal has not enrolled yet."""
        try:
            token = self.path.read_text(encoding="ascii").strip()
        except (FileNotFoundError, UnicodeDecodeError):
            return None
        return token or None

    def age_s(self) -> float | None:
        """Seconds since the token was written (its file's mtime); None without a token file."""
        try:
            written = self.path.stat().st_mtime
        except FileNotFoundError:
            return None
        return max(0.0, time.time() - written)

    def write(self, token: str) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        temporary = self.path.with_name(f".{self.path.name}.{os.getpid()}.tmp")
        fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_NOFOLLOW, 0o600)
        try:
            with os.fdopen(fd, "w", encoding="ascii") as handle:
                handle.write(token + "\n")
                handle.flush()
                os.fsync(handle.fileno())
            os.replace(temporary, self.path)
        except BaseException:
            temporary.unlink(missing_ok=True)
            raise
