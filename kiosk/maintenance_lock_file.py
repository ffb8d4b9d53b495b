"""The maintenance lock-out kept in the state directory (`ui.maintenance_lock_file`), so that
restarting the kiosk does not give an attacker five new tries at the maintenance code.

One small JSON file, `{"wrong": n, "locked_until": epoch seconds}`, mode 0600, replaced in one
rename. A file that cannot be read or makes no sense counts as a lock-out starting now (the
safe side); one that cannot be written leaves the count in memory and logs a warning.
"""

from __future__ import annotations

import json
import logging
import math
import os
import time
from pathlib import Path

from kiosk.config import UiSettings
from screens.maintenance_lock import MaintenanceLock, MemoryStore

log = logging.getLogger(__name__)


class LockFile:
    def __init__(self, path: Path, lockout: float) -> None:
        self.path = path
        self.lockout = lockout

    def load(self) -> tuple[int, float]:
        try:
            data = json.loads(self.path.read_bytes())
            wrong, until = data["wrong"], data["locked_until"]
            if not (isinstance(wrong, int) and isinstance(until, int | float)):
                raise ValueError
            if wrong < 0 or not math.isfinite(until):
                raise ValueError
            return wrong, float(until)
        except FileNotFoundError:
            return 0, 0.0
        except (OSError, ValueError, KeyError, TypeError):
            log.warning(
                "maintenance lock file %s unreadable: the maintenance code is refused for %d s",
                self.path,
                self.lockout,
            )
            return 0, time.time() + self.lockout

    def save(self, wrong: int, locked_until: float) -> None:
        import tempfile  # not at the top: kiosk.app imports this module before the first frame

        text = json.dumps({"wrong": wrong, "locked_until": locked_until})
        try:
            self.path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
            fd, temporary = tempfile.mkstemp(prefix=".maintenance-lock.", dir=self.path.parent)
            try:
                with os.fdopen(fd, "w") as out:  # mkstemp: mode 0600
                    out.write(text)
                    out.flush()
                    os.fsync(out.fileno())
                os.replace(temporary, self.path)
            except OSError:
                Path(temporary).unlink(missing_ok=True)
                raise
        except OSError as exc:
            log.warning(
                "cannot keep the maintenance lock in %s (%s): a restart resets it",
                self.path,
                exc.strerror,
            )


def maintenance_lock(ui: UiSettings) -> MaintenanceLock:
    """The kiosk's one maintenance lock, from the configuration."""
    path = ui.maintenance_lock_file
    store = LockFile(path, ui.maintenance_lockout) if path is not None else MemoryStore()
    return MaintenanceLock(ui.maintenance_lockout, store)
