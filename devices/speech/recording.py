"""The simulated twin: records what would have been said, for tests and headless demos."""

from __future__ import annotations

from dataclasses import dataclass

from devices.speech.base import Speaker


@dataclass(frozen=True)
class Utterance:
    text: str
    lang: str
    interrupt: bool
    volume: float
    rate: int


TONE = "<tone>"  # how a tone appears in `events`


class RecordingSpeaker(Speaker):
    """Same interface as EspeakSpeaker; `utterances` keeps every say(), `events` keeps says,
    tones and stops in order (tests only: a real kiosk never keeps what was said)."""

    def __init__(self, can_play_tones: bool = True) -> None:
        self.can_play_tones = can_play_tones
        self.utterances: list[Utterance] = []
        self.events: list[str] = []
        self.tones = 0
        self.stops = 0
        self._speaking = False

    def say(self, text: str, lang: str, interrupt: bool = True) -> None:
        if interrupt:
            self.stop()
        self.utterances.append(Utterance(text, lang, interrupt, self.volume, self.rate))
        self.events.append(text)
        self._speaking = True

    def tone(self, interrupt: bool = True) -> bool:
        if not self.can_play_tones:
            return False
        if interrupt:
            self.stop()
        self.tones += 1
        self.events.append(TONE)
        return True

    def stop(self) -> None:
        self.stops += 1
        self._speaking = False

    def is_speaking(self) -> bool:
        return self._speaking

    def finish(self) -> None:
        """Pretend the current utterance ended (the real one ends by itself)."""
        self._speaking = False

    @property
    def phrases(self) -> list[tuple[str, str]]:
        return [(u.text, u.lang) for u in self.utterances]

    def clear(self) -> None:
        self.utterances.clear()
        self.events.clear()
