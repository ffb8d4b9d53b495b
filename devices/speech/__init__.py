"""Speech output: a `Speaker` interface, the real espeak-ng backend and a recording twin.

Never imports Kivy. The text spoken is never logged (it may hold the citizen's name).
"""

from devices.speech.base import (
    DEFAULT_RATE,
    DEFAULT_VOLUME,
    Speaker,
    SpeechUnavailable,
    clamp_rate,
    clamp_volume,
)
from devices.speech.espeak import DEBIAN_PACKAGE, VOICES, EspeakSpeaker, voice_for
from devices.speech.recording import TONE, RecordingSpeaker, Utterance

__all__ = [
    "DEBIAN_PACKAGE",
    "DEFAULT_RATE",
    "DEFAULT_VOLUME",
    "TONE",
    "VOICES",
    "EspeakSpeaker",
    "RecordingSpeaker",
    "Speaker",
    "SpeechUnavailable",
    "Utterance",
    "clamp_rate",
    "clamp_volume",
    "voice_for",
]
