"""Uncaught exceptions go to the log, by type and place only, never by message.

Python prints an uncaught exception (main thread, other threads, `__del__` and other
"unraisable" ones) straight to stderr with its message, and under systemd stderr is the
journal: a national number or a name in a message would land there unmasked. The three hooks
send them through logging instead (so the record redaction applies) and leave the messages
out altogether: a message may hold any citizen data, and the type plus the stack's files,
lines and functions are enough to find the bug.

Warnings are routed through logging too (`logging.captureWarnings`), for the same reason.
"""

from __future__ import annotations

import logging
import sys
import threading
import traceback
from types import TracebackType

log = logging.getLogger("kiosk.uncaught")


def describe(exc: BaseException) -> str:
    """The exception's traceback (chained ones included) with type names instead of messages."""
    parts: list[str] = []
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        frames = "".join(traceback.format_list(traceback.extract_tb(current.__traceback__)))
        kind = type(current)
        name = kind.__qualname__ if kind.__module__ == "builtins" else _qualified(kind)
        parts.append(f"Traceback (most recent call last):\n{frames}{name} (message not logged)")
        if current.__cause__ is not None:
            parts.append("The above exception was the direct cause of:")
            current = current.__cause__
        elif current.__context__ is not None and not current.__suppress_context__:
            parts.append("During the handling of the above, another exception occurred:")
            current = current.__context__
        else:
            current = None
    # Chained exceptions are walked from the last to the first: print them oldest first.
    return "\n".join(reversed(parts))


def _qualified(kind: type) -> str:
    return f"{kind.__module__}.{kind.__qualname__}"


def _excepthook(kind: type[BaseException], exc: BaseException, tb: TracebackType | None) -> None:
    if issubclass(kind, KeyboardInterrupt):
        sys.__excepthook__(kind, exc, tb)  # no message to hide; the usual "KeyboardInterrupt"
        return
    exc = exc if exc.__traceback__ is not None else exc.with_traceback(tb)
    log.critical("uncaught exception %s\n%s", kind.__name__, describe(exc))


def _thread_excepthook(args: threading.ExceptHookArgs) -> None:
    if args.exc_type is SystemExit:
        return  # as threading's own hook: a thread that exits is no error
    name = args.thread.name if args.thread is not None else "(unknown thread)"
    if args.exc_value is None:
        log.error("uncaught exception %s in thread %s", args.exc_type.__name__, name)
        return
    log.error(
        "uncaught exception %s in thread %s\n%s",
        args.exc_type.__name__,
        name,
        describe(args.exc_value),
    )


def _unraisablehook(unraisable: sys.UnraisableHookArgs) -> None:
    # The object's repr and the hook's message may hold data too: their types only.
    where = type(unraisable.object).__name__ if unraisable.object is not None else "(none)"
    value = unraisable.exc_value
    text = describe(value) if value is not None else unraisable.exc_type.__name__
    log.error("exception ignored in a %s: %s\n%s", where, unraisable.exc_type.__name__, text)


def install_exception_hooks() -> None:
    """Route every uncaught exception and warning through logging; idempotent."""
    sys.excepthook = _excepthook
    threading.excepthook = _thread_excepthook
    sys.unraisablehook = _unraisablehook
    logging.captureWarnings(True)
