"""Speech output: a `Speaker` interface, the real espeak-ng backend and a recording twin.

Never imports Kivy. The text spoken is never logged (it may hold the citizen's name).
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from devices.speech.base import (
    DEFAULT_RATE,
    DEFAULT_VOLUME,
    Speaker,
    SpeechUnavailable,
    clamp_rate,
    clamp_volume,
)

if TYPE_CHECKING:
    from devices.speech.espeak import DEBIAN_PACKAGE, EspeakSpeaker
    from devices.speech.recording import TONE, RecordingSpeaker, Utterance

# Loaded on first use: the kiosk needs only the espeak backend, and only once it is built (the
# recording twin is for tests and the demo).
_WHERE = {
    "DEBIAN_PACKAGE": "devices.speech.espeak",
    "EspeakSpeaker": "devices.speech.espeak",
    "TONE": "devices.speech.recording",
    "RecordingSpeaker": "devices.speech.recording",
    "Utterance": "devices.speech.recording",
}

__all__ = [
    "DEBIAN_PACKAGE",
    "DEFAULT_RATE",
    "DEFAULT_VOLUME",
    "TONE",
    "EspeakSpeaker",
    "RecordingSpeaker",
    "Speaker",
    "SpeechUnavailable",
    "Utterance",
    "clamp_rate",
    "clamp_volume",
]


def __getattr__(name: str) -> Any:
    module = _WHERE.get(name)
    if module is None:
        raise AttributeError(f"module 'devices.speech' has no attribute {name!r}")
    return getattr(importlib.import_module(module), name)
