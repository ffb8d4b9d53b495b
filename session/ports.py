"""What the wipe needs from the rest of the kiosk, as small protocols the app implements.

session/ never imports the printing devices, the city API client or Kivy; kiosk/ wires concrete
adapters to these ports.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol


class PrintSpool(Protocol):
    """The document printer's spool (CUPS). Called from a short-lived helper thread each time
    (pycups connections are per thread), within a time budget."""

    def purge(self, job_ids: Sequence[int]) -> None:
        """Cancel the jobs and delete their files and history from the spool."""

    def remaining(self, job_ids: Sequence[int]) -> list[int]:
        """Those of `job_ids` still known to the spool (not purged)."""

    def active_jobs(self) -> list[int]:
        """Every job of this kiosk not yet finished (crash recovery: ids were lost)."""


class ScreenReset(Protocol):
    """The app's side: forget everything shown or typed during the session.

    Called on the thread running the wipe: a Kivy adapter schedules onto the UI thread."""

    def clear_clipboard(self) -> None: ...

    def clear_selection(self) -> None: ...

    def reset_screens(self) -> None:
        """Destroy widgets that showed citizen data, back to a fresh attract screen."""


class PendingCalls(Protocol):
    """The city API client's in-flight requests."""

    def cancel_all(self) -> None: ...


class HealthReport(Protocol):
    """Fleet health: a failed wipe verification is an incident IT must see."""

    def wipe_failed(self, reason: str, problems: Sequence[str]) -> None: ...
