"""The speech output interface (EN 301 549 §5.1.3: a closed kiosk speaks for itself).

ADA §707.5 asks that speech be repeatable, interruptible and volume-controlled: `say` interrupts
by default, `stop` silences at once, volume and rate are settable. Nothing here keeps or logs
what was said: text may hold the citizen's name on the confirmation screen.
"""

from __future__ import annotations

from abc import ABC, abstractmethod

DEFAULT_VOLUME = 0.6
DEFAULT_RATE = 150  # words per minute: a little slower than espeak-ng's 175, for every listener
MIN_RATE, MAX_RATE = 80, 300


def clamp_volume(volume: float) -> float:
    return min(1.0, max(0.0, volume))


def clamp_rate(words_per_minute: int) -> int:
    return min(MAX_RATE, max(MIN_RATE, int(words_per_minute)))


class SpeechUnavailable(RuntimeError):
    """The speech engine is not installed."""


class Speaker(ABC):
    """Speaks short texts in one of the kiosk's languages, without blocking the caller."""

    volume: float = DEFAULT_VOLUME
    rate: int = DEFAULT_RATE

    @abstractmethod
    def say(self, text: str, lang: str, interrupt: bool = True) -> None:
        """Speak `text` in `lang` (a language code the backend has a voice for). With
        `interrupt`, whatever is being said or waiting is dropped first; otherwise the text
        waits its turn."""

    @abstractmethod
    def tone(self, interrupt: bool = True) -> bool:
        """Play the short attention tone; False when this backend cannot play one."""

    @abstractmethod
    def stop(self) -> None:
        """Silence at once and forget anything waiting."""

    @abstractmethod
    def is_speaking(self) -> bool:
        """Something is being said or waits to be said."""

    def set_volume(self, volume: float) -> None:
        """0.0 (silent) to 1.0 (loudest); takes effect from the next utterance."""
        self.volume = clamp_volume(volume)

    def set_rate(self, words_per_minute: int) -> None:
        """Speaking rate, 80 to 300 words per minute; takes effect from the next utterance."""
        self.rate = clamp_rate(words_per_minute)

    def close(self) -> None:
        """Stop and release any worker."""
        self.stop()
