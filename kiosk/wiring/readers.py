"""The eID reader unit's events, turned into session events: once, for every backend.

The unit's monitor (`devices.eid.monitor`) calls back on its own thread with the followed
reader's events; the runtime sends what `session_event` makes of them to the UI thread.
"""

from __future__ import annotations

import logging

from devices.eid.monitor import ReaderEvent
from session import events as ev

log = logging.getLogger(__name__)


def session_event(event: ReaderEvent) -> ev.Event:
    if event.kind == "reader_added":
        log.info("card reader available: %s", event.reader)
        return ev.ReaderAvailable()
    if event.kind == "reader_removed":
        log.warning("card reader gone: %s", event.reader)
        return ev.ReaderGone()
    if event.kind == "card_inserted":
        return ev.CardInserted()
    return ev.CardRemoved()
