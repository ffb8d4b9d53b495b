"""A CUPS queue's readiness, from printer-state, printer-is-accepting-jobs and
printer-state-reasons.

Each reason is a keyword with an optional severity suffix (-report, -warning, -error);
RFC 8011 says no suffix means error, and an error stops the printer.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from devices.printing.readiness import Level, Readiness, summarise

PRINTER_IDLE = 3
PRINTER_PROCESSING = 4
PRINTER_STOPPED = 5


class Severity(enum.IntEnum):
    REPORT = 0
    WARNING = 1
    ERROR = 2


@dataclass(frozen=True)
class StateReason:
    keyword: str
    severity: Severity
    raw: str


_SUFFIXES = {"-report": Severity.REPORT, "-warning": Severity.WARNING, "-error": Severity.ERROR}


def parse_state_reason(raw: str) -> StateReason:
    """Split `media-empty-warning` into keyword and severity; no suffix means error."""
    text = raw.strip().lower()
    for suffix, severity in _SUFFIXES.items():
        if text.endswith(suffix) and len(text) > len(suffix):
            return StateReason(text[: -len(suffix)], severity, raw)
    return StateReason(text, Severity.ERROR, raw)


# Plain descriptions of the reasons a kiosk meets; others are shown by keyword.
_DESCRIPTIONS = {
    "media-empty": "out of paper",
    "media-needed": "paper needed",
    "media-low": "paper low",
    "media-jam": "paper jam",
    "toner-low": "toner low",
    "toner-empty": "toner empty",
    "marker-supply-low": "ink or toner low",
    "marker-supply-empty": "ink or toner empty",
    "marker-waste-almost-full": "waste toner box almost full",
    "marker-waste-full": "waste toner box full",
    "developer-low": "developer low",
    "cover-open": "cover open",
    "door-open": "door open",
    "interlock-open": "interlock open",
    "input-tray-missing": "paper tray missing",
    "output-tray-missing": "output tray missing",
    "output-area-full": "output tray full",
    "output-area-almost-full": "output tray almost full",
    "offline": "printer offline (not answering)",
    "paused": "queue paused (disabled)",
    "shutdown": "printer shut down",
    "spool-area-full": "spool area full",
    "cups-missing-filter": "a CUPS filter is missing",
    "cups-insecure-filter": "a CUPS filter is insecure",
    "fuser-over-temp": "fuser too hot",
    "fuser-under-temp": "fuser warming up",
}

# Running low is worth a warning to IT whatever the severity the driver chose.
_RUNNING_LOW = {
    "media-low",
    "toner-low",
    "marker-supply-low",
    "marker-waste-almost-full",
    "developer-low",
    "output-area-almost-full",
    "opc-near-eol",
}
# These stop printing whatever the severity: CUPS reports an unreachable device as
# `offline-report`, and a paused queue holds every job.
_ALWAYS_BLOCKING = {"offline", "paused", "shutdown"}
# Keywords that say nothing about the printer's health.
_HARMLESS = {
    "none",
    "connecting-to-device",
    "cups-waiting-for-job-completed",
    "cups-remote-pending",
    "cups-remote-held",
    "processing-to-stop-point",
}


def describe(reason: StateReason) -> str:
    text = _DESCRIPTIONS.get(reason.keyword, reason.keyword.replace("-", " "))
    return f"{text} ({reason.raw})"


def reason_level(reason: StateReason) -> Level:
    """What one printer-state-reason means for a journey."""
    if reason.keyword in _HARMLESS:
        return Level.READY
    if reason.keyword in _ALWAYS_BLOCKING:
        return Level.UNAVAILABLE
    if reason.keyword in _RUNNING_LOW:
        return Level.DEGRADED
    if reason.severity is Severity.ERROR:
        return Level.UNAVAILABLE
    if reason.severity is Severity.WARNING:
        return Level.DEGRADED
    return Level.READY


def _as_list(value: Any) -> list[str]:
    # pycups gives a single-valued attribute as a plain string, a multi-valued one as a list.
    if value is None:
        return []
    if isinstance(value, str):
        return [value]
    return [str(item) for item in value]


def cups_readiness(attributes: Mapping[str, Any]) -> Readiness:
    """Map a CUPS queue's attributes (from getPrinterAttributes) to a readiness."""
    reasons = [parse_state_reason(raw) for raw in _as_list(attributes.get("printer-state-reasons"))]
    findings: list[tuple[Level, str]] = []
    state = attributes.get("printer-state")
    if state == PRINTER_STOPPED:
        message = str(attributes.get("printer-state-message") or "").strip()
        findings.append((Level.UNAVAILABLE, "queue stopped" + (f": {message}" if message else "")))
    if attributes.get("printer-is-accepting-jobs") is False:
        findings.append((Level.UNAVAILABLE, "queue is rejecting new jobs"))
    for reason in reasons:
        if reason.keyword == "paused" and state == PRINTER_STOPPED:
            continue  # already said: a disabled CUPS queue is stopped with reason "paused"
        level = reason_level(reason)
        if level is not Level.READY:
            findings.append((level, describe(reason)))
    return summarise(findings, details=tuple(r.raw for r in reasons if r.keyword != "none"))
