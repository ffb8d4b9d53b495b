"""Audio guidance (EN 301 549 §5.1.3, closed functionality): the kiosk reads itself aloud.

Off by default; the persistent on-screen audio button (or a physical key) toggles it, and when
turned on it explains itself. While on, it speaks each screen's title and summary, the focused
element and every announcement, in the citizen's language, interrupting what came before.
`repeat` says the last thing again, `stop` silences, the volume steps up and down (ADA §707.5).

Urgent announcements are preceded by a tone, even with speech off: a timed warning must reach
more than one sense (EAA). When the backend cannot play a tone it speaks a short attention word.

Privacy: the guide never receives the PIN; `pin_digit_entered` gets only counts. Callers pass
already translated text; the guide logs none of it (the confirmation screen speaks the name).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Protocol

from i18n import announcement, current_language, gettext_for

VOLUME_STEP = 0.1
MIN_AUDIBLE_VOLUME = 0.1  # the volume buttons never make the guide silent


class Speaker(Protocol):
    """What the guide needs of a speech backend: devices.speech's speakers are ones (the guide
    is told which; screens do not import devices)."""

    volume: float

    def say(self, text: str, lang: str, interrupt: bool = True) -> None: ...

    def tone(self) -> bool: ...

    def stop(self) -> None: ...

    def set_volume(self, volume: float) -> None: ...


def _sentence(*parts: str) -> str:
    """Join parts into one text, ending each with a full stop unless it has punctuation."""
    said = []
    for part in (p.strip() for p in parts):
        if part:
            said.append(part if part[-1] in ".!?:…" else f"{part}.")
    return " ".join(said)


class SpeechGuide:
    def __init__(self, speaker: Speaker, language: Callable[[], str] = current_language) -> None:
        self.speaker = speaker
        self._language = language
        self._enabled = False
        self._last = ""

    def _(self, msgid: str) -> str:
        return gettext_for(self._language())(msgid)

    # -- on and off

    @property
    def enabled(self) -> bool:
        return self._enabled

    def toggle(self) -> bool:
        """The audio button or key: turn speech on (with how-to) or off. Returns the new state."""
        self.set_enabled(not self._enabled)
        return self._enabled

    def set_enabled(self, on: bool) -> None:
        if on == self._enabled:
            return
        if on:
            self._enabled = True
            self._say(self.how_to())
        else:
            self.speaker.say(self._("Speech is off."), self._language())
            self._enabled = False
            self._last = ""

    def how_to(self) -> str:
        return _sentence(
            self._("Speech is on."),
            self._("The kiosk reads each screen aloud, and the button you touch."),
            self._("Touch “Repeat” to hear the last sentence again."),
            self._("Touch “Louder” or “Quieter” to change the volume."),
            self._("Touch “Listen” again to turn speech off."),
        )

    def forget(self) -> None:
        """The session's data is being wiped: nothing said about it may be repeated later.

        Speech stays on (the citizen may still be there, hearing "thank you"); only the
        sentence kept for "Repeat", which may hold their name, is dropped.
        """
        self.speaker.stop()
        self._last = ""

    def reset(self) -> None:
        """A session ended: back to silent, as the next person expects."""
        self.speaker.stop()
        self._enabled = False
        self._last = ""

    # -- what the screens report

    def screen_shown(self, title: str, summary: str = "") -> None:
        self._say(_sentence(title, summary))

    def screen_changed(self, change: str, title: str, summary: str = "") -> None:
        """The shown screen gained something after it was announced: `change` is said after
        what is being said, and "Repeat" now gives back the whole screen, change included."""
        self._say(_sentence(change), interrupt=False, remember=False)
        if self._enabled:
            self._last = _sentence(title, summary)

    def focused(self, label: str) -> None:
        # A button's name is not what "Repeat" should give back: that is the screen or the
        # last announcement, so the label is said without being remembered.
        self._say(_sentence(label), remember=False)

    def announce(self, text: str, sound: bool = False) -> None:
        """A change on screen, said after what is being said (an urgent one, marked by `sound`,
        cuts that short with the tone, which sounds even with speech off)."""
        if sound:
            self.tone()
        if self._enabled:
            self._say(_sentence(text), interrupt=False)

    def announce_key(
        self, message_key: str, params: Mapping[str, str | int], sound: bool = False
    ) -> None:
        """An `Announce` effect of the session machine, in the current language."""
        self.announce(announcement(message_key, params, self._language()), sound)

    def pin_digit_entered(self, count: int, length_max: int) -> None:
        """Only how many digits are typed, never which: "Digit 3 of 4 entered"."""
        text = self._("Digit {count} of {length_max} entered.")
        self._say(text.format(count=count, length_max=length_max))

    def pin_digit_erased(self, count: int) -> None:
        """After a correction: how many digits are left, never which."""
        self._say(self._("Digit erased. Digits entered: {count}.").format(count=count))

    # -- the citizen's controls

    def repeat(self) -> None:
        if self._enabled and self._last:
            self.speaker.say(self._last, self._language())

    def stop(self) -> None:
        self.speaker.stop()

    def volume_up(self) -> None:
        self._set_volume(self.speaker.volume + VOLUME_STEP)

    def volume_down(self) -> None:
        self._set_volume(self.speaker.volume - VOLUME_STEP)

    def tone(self) -> None:
        """The attention tone (the idle warning's second sense); a spoken word if no player."""
        if not self.speaker.tone():
            self.speaker.say(self._("Attention!"), self._language())

    # -- inside

    def _set_volume(self, volume: float) -> None:
        self.speaker.set_volume(max(MIN_AUDIBLE_VOLUME, min(1.0, round(volume, 2))))
        if self._enabled:
            percent = round(self.speaker.volume * 100)
            self.speaker.say(
                self._("Volume {percent} percent.").format(percent=percent), self._language()
            )

    def _say(self, text: str, interrupt: bool = True, remember: bool = True) -> None:
        if self._enabled and text:
            if remember:
                self._last = text
            self.speaker.say(text, self._language(), interrupt=interrupt)
