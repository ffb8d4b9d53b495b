"""Audio guidance: the phrases handed to the speech backend for scripted sequences, in each
language. The PIN is never spoken: only counts of digits."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest

import i18n
from devices.speech import TONE, RecordingSpeaker
from i18n import CODES, announcement, gettext_for
from screens.speech_guide import SpeechGuide
from tests.unit.test_i18n_announcements import KEYS

HOW_TO_START = {
    "fr": "La voix est activée.",
    "nl": "De spraak staat aan.",
    "en": "Speech is on.",
    "de": "Die Sprachausgabe ist eingeschaltet.",
}


@pytest.fixture(autouse=True)
def back_to_french() -> Iterator[None]:
    yield
    i18n.set_language(i18n.DEFAULT_LANGUAGE)


def guide_in(lang: str, can_play_tones: bool = True) -> tuple[SpeechGuide, RecordingSpeaker]:
    speaker = RecordingSpeaker(can_play_tones)
    return SpeechGuide(speaker, language=lambda: lang), speaker


@pytest.mark.parametrize(("lang", "said"), sorted(HOW_TO_START.items()))
def test_speech_says_it_is_on_in_the_citizens_words(lang: str, said: str) -> None:
    guide, speaker = guide_in(lang)
    guide.toggle()
    assert speaker.phrases[-1][0].startswith(said)


def test_off_by_default_and_silent_while_off() -> None:
    guide, speaker = guide_in("fr")
    assert not guide.enabled
    guide.screen_shown("Titre", "Résumé")
    guide.focused("Bouton")
    guide.announce("Quelque chose a changé.")
    guide.pin_digit_entered(1, 4)
    guide.repeat()
    guide.volume_up()
    assert speaker.phrases == []


@pytest.mark.parametrize("lang", CODES)
def test_a_scripted_journey_in_each_language(lang: str) -> None:
    _ = gettext_for(lang)
    guide, speaker = guide_in(lang)
    assert guide.toggle() is True
    intro = speaker.phrases[-1]
    assert intro[1] == lang and intro[0].startswith(_("Speech is on."))
    assert _("Louder") in intro[0] and _("Repeat") in intro[0] and _("Listen") in intro[0]

    guide.screen_shown(_("Welcome"), _("Touch the screen to start"))
    guide.focused(_("More time"))
    guide.announce(announcement("print.progress", {"done": 1, "total": 2}, lang))
    assert speaker.phrases[1:] == [
        (f"{_('Welcome')}. {_('Touch the screen to start')}.", lang),
        (f"{_('More time')}.", lang),
        (announcement("print.progress", {"done": 1, "total": 2}, lang), lang),
    ]
    # The screen and the focus interrupt what was said before; a plain announcement waits.
    assert [u.interrupt for u in speaker.utterances[1:]] == [True, True, False]

    guide.repeat()
    assert speaker.phrases[-1] == speaker.phrases[-2]

    assert guide.toggle() is False
    assert speaker.phrases[-1] == (_("Speech is off."), lang)
    guide.screen_shown("ignored")
    assert speaker.phrases[-1] == (_("Speech is off."), lang)


@pytest.mark.parametrize("lang", CODES)
def test_every_announcement_key_is_spoken_in_every_language(lang: str) -> None:
    guide, speaker = guide_in(lang)
    guide.set_enabled(True)
    speaker.clear()
    for key, names in sorted(KEYS.items()):
        params: dict[str, str | int] = {name: 3 for name in names}
        if "languages" in params:
            params["languages"] = " ".join(CODES)  # codes, said as the languages' names
        guide.announce_key(key, params, sound=key.startswith("error."))
        assert speaker.phrases[-1] == (announcement(key, params, lang), lang)
    errors = [k for k in KEYS if k.startswith("error.")]
    assert speaker.tones == len(errors)  # urgent ones come with the tone first
    assert speaker.events.count(TONE) == len(errors)
    assert len(speaker.phrases) == len(KEYS)


def test_an_urgent_announcement_sounds_the_tone_first_even_with_speech_off() -> None:
    guide, speaker = guide_in("nl")
    warning = announcement("idle.warning", {"seconds_left": 30, "extensions_left": 5}, "nl")
    guide.announce(warning, sound=True)
    assert speaker.events == [TONE]  # two senses: the overlay shows it, the tone sounds it
    guide.set_enabled(True)
    speaker.clear()
    guide.announce(warning, sound=True)
    assert speaker.events == [TONE, warning]
    assert speaker.utterances[-1].interrupt is False  # waits for the tone, does not cut it


def test_without_a_tone_player_the_tone_is_a_spoken_word() -> None:
    guide, speaker = guide_in("de", can_play_tones=False)
    guide.tone()
    assert speaker.phrases == [("Achtung!", "de")]


@pytest.mark.parametrize("lang", CODES)
def test_pin_digits_are_counted_never_spoken(lang: str) -> None:
    guide, speaker = guide_in(lang)
    guide.set_enabled(True)
    speaker.clear()
    for count in range(1, 5):
        guide.pin_digit_entered(count, 4)
    guide.pin_digit_erased(3)
    said = [text for text, _lang in speaker.phrases]
    expected = gettext_for(lang)("Digit {count} of {length_max} entered.")
    assert said[:4] == [expected.format(count=n, length_max=4) for n in range(1, 5)]
    for text in said:
        assert set(re.findall(r"\d", text)) <= {"1", "2", "3", "4"}  # counts only
    # The guide has no way to receive the PIN: no method takes the digits themselves.
    assert not [
        name
        for name in vars(SpeechGuide)
        if "digit" in name
        and "count" not in name
        and name not in ("pin_digit_entered", "pin_digit_erased")
    ]


def test_volume_steps_are_bounded_and_announced() -> None:
    guide, speaker = guide_in("en")
    guide.set_enabled(True)
    start = speaker.volume
    guide.volume_up()
    assert speaker.volume == pytest.approx(start + 0.1)
    assert speaker.phrases[-1] == (f"Volume {round(speaker.volume * 100)} percent.", "en")
    assert speaker.utterances[-1].volume == speaker.volume
    for _ in range(20):
        guide.volume_up()
    assert speaker.volume == 1.0
    for _ in range(20):
        guide.volume_down()
    assert speaker.volume == pytest.approx(0.1)  # never silent from the volume buttons
    assert speaker.phrases[-1] == ("Volume 10 percent.", "en")


def test_repeat_says_the_last_content_not_the_volume_feedback() -> None:
    guide, speaker = guide_in("fr")
    guide.set_enabled(True)
    guide.screen_shown("Votre code PIN", "Tapez votre code.")
    guide.volume_down()
    guide.repeat()
    assert speaker.phrases[-1] == ("Votre code PIN. Tapez votre code.", "fr")


def test_a_late_change_is_said_after_the_screen_and_repeat_gives_the_whole_screen() -> None:
    guide, speaker = guide_in("en")
    guide.set_enabled(True)
    guide.screen_shown("Check before printing", "Touch Print to print it.")
    guide.screen_changed(
        "A picture is shown", "Check before printing", "A picture is shown. Touch Print."
    )
    late = speaker.utterances[-1]
    assert (late.text, late.interrupt) == ("A picture is shown.", False)  # queued, not cut
    guide.repeat()
    assert speaker.phrases[-1] == (
        "Check before printing. A picture is shown. Touch Print.",
        "en",
    )


def test_a_change_while_speech_is_off_is_silent() -> None:
    guide, speaker = guide_in("en")
    guide.screen_changed("A picture is shown", "Title")
    assert speaker.utterances == []
    guide.set_enabled(True)
    guide.repeat()  # what was said on turning speech on, nothing kept from while it was off
    assert speaker.phrases[-1] == (guide.how_to(), "en")


def test_stop_interrupts_and_reset_silences_for_the_next_person() -> None:
    guide, speaker = guide_in("en")
    guide.set_enabled(True)
    guide.screen_shown("Title")
    stops = speaker.stops
    guide.stop()
    assert speaker.stops == stops + 1 and not speaker.is_speaking()
    guide.reset()
    assert not guide.enabled
    guide.repeat()
    assert speaker.phrases[-1] == ("Title.", "en")  # nothing new said after the reset


def test_the_guide_follows_the_current_language_by_default() -> None:
    speaker = RecordingSpeaker()
    guide = SpeechGuide(speaker)
    i18n.set_language("de")
    guide.set_enabled(True)
    assert speaker.phrases[-1][1] == "de"
    i18n.set_language("nl")
    guide.focused("Terug")
    assert speaker.phrases[-1] == ("Terug.", "nl")
