"""The wipe's ports that are neither printer nor card: the screens (the app hooks in), the
city API calls (cancelled), the process's freed memory, and health (a failed wipe verification
is logged for IT)."""

from __future__ import annotations

import ctypes
import gc
import logging
import sys
from collections.abc import Callable, Sequence

from session.ports import ScreenReset

log = logging.getLogger(__name__)


class ScreenHook:
    """Forwards to the app's `ScreenReset` once it has given one (before that, nothing shows
    citizen data, so there is nothing to reset)."""

    def __init__(self) -> None:
        self.target: ScreenReset | None = None

    def clear_clipboard(self) -> None:
        if self.target is not None:
            self.target.clear_clipboard()

    def clear_selection(self) -> None:
        if self.target is not None:
            self.target.clear_selection()

    def reset_screens(self) -> None:
        if self.target is not None:
            self.target.reset_screens()


class ApiCalls:
    def __init__(self, cancel: Callable[[], None]) -> None:
        self._cancel = cancel

    def cancel_all(self) -> None:
        self._cancel()


class LogHealth:
    def wipe_failed(self, reason: str, problems: Sequence[str]) -> None:
        log.error("wipe after %s NOT verified: %s", reason, "; ".join(problems))


def _drop_locale_data() -> None:
    """Babel keeps each locale's whole CLDR data once used (about 2 MB of objects per
    language). A session formats in one language, so the next one reloads only its own (about
    5 ms) instead of the kiosk keeping all four for ever."""
    localedata = sys.modules.get("babel.localedata")
    if localedata is not None:
        localedata.clear_caches()


class ProcessMemory:
    """After each wipe: collect the garbage, then glibc's malloc_trim(0) hands every free heap
    page back to the kernel, which zeroes pages before it reuses them. Python never gives its
    freed memory back otherwise: a kiosk that served a thousand citizens would keep the
    high-water mark of all of them (tens of MB under software OpenGL), and whatever their
    freed buffers held. No library wraps malloc_trim."""

    def __init__(self) -> None:
        self._trim: Callable[[int], int] | None
        try:
            self._trim = ctypes.CDLL("libc.so.6").malloc_trim
        except (OSError, AttributeError):  # not glibc: collecting is all there is
            self._trim = None

    def release(self) -> None:
        _drop_locale_data()
        gc.collect()
        if self._trim is not None:
            self._trim(0)
