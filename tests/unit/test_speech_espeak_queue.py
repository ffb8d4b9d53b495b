"""The espeak-ng backend's plumbing, run against a stand-in `espeak-ng` script: never blocks the
caller, interrupts by killing, keeps its queue bounded, and fails softly without the binary.
(The real espeak-ng is exercised in tests/integration/test_speech_espeak.py.)"""

from __future__ import annotations

import array
import io
import time
import wave
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from devices.speech import EspeakSpeaker, SpeechUnavailable
from devices.speech.espeak import MAX_WAITING
from devices.speech.tone import tone_wav

VOICES = {"fr": "fr-be", "nl": "nl", "en": "en-gb", "de": "de"}  # as the wiring gives them
STAND_IN = """#!/bin/sh
text=$(cat)
echo "start $* | $text" >> {log}
case "$text" in *slow*) sleep 20;; esac
echo "end $text" >> {log}
"""


def wait_for(check: Callable[[], bool], seconds: float = 5.0) -> None:
    deadline = time.monotonic() + seconds
    while not check():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.01)


@pytest.fixture
def log(tmp_path: Path) -> Path:
    return tmp_path / "said.log"


@pytest.fixture
def speaker(tmp_path: Path, log: Path) -> Iterator[EspeakSpeaker]:
    binary = tmp_path / "espeak-ng"
    binary.write_text(STAND_IN.format(log=log))
    binary.chmod(0o755)
    speaker = EspeakSpeaker(VOICES, binary=str(binary), player=None, volume=0.6, rate=150)
    yield speaker
    speaker.close()


def lines(log: Path) -> list[str]:
    return log.read_text().splitlines() if log.exists() else []


def test_say_returns_at_once_and_passes_voice_volume_rate_and_text(
    speaker: EspeakSpeaker, log: Path
) -> None:
    began = time.monotonic()
    speaker.say("Bonjour", "fr")
    assert time.monotonic() - began < 0.1
    wait_for(lambda: "end Bonjour" in lines(log))
    assert lines(log)[0].endswith("-v fr-be -a 120 -s 150 --stdin | Bonjour")
    wait_for(lambda: not speaker.is_speaking())


@pytest.mark.parametrize(("lang", "voice"), [("nl", "nl"), ("en", "en-gb"), ("de", "de")])
def test_each_language_has_its_voice(
    speaker: EspeakSpeaker, log: Path, lang: str, voice: str
) -> None:
    speaker.say("x", lang)
    wait_for(lambda: "end x" in lines(log))
    assert f"-v {voice} " in lines(log)[0]


def test_the_voices_are_the_ones_it_is_given(tmp_path: Path) -> None:
    speaker = EspeakSpeaker({"eo": "eo"}, binary=str(tmp_path / "espeak-ng"), player=None)
    assert speaker.speech_argv("eo")[1:3] == ["-v", "eo"]
    with pytest.raises(ValueError, match="no espeak-ng voice for language 'fr'"):
        speaker.say("Bonjour", "fr")


def test_an_interrupting_say_kills_the_running_utterance(speaker: EspeakSpeaker, log: Path) -> None:
    speaker.say("slow one", "en")
    wait_for(lambda: any("slow one" in line for line in lines(log)))
    began = time.monotonic()
    speaker.say("next", "en")
    wait_for(lambda: "end next" in lines(log))
    assert time.monotonic() - began < 2
    assert "end slow one" not in lines(log)


def test_stop_silences_and_forgets_the_queue(speaker: EspeakSpeaker, log: Path) -> None:
    speaker.say("slow first", "en")
    speaker.say("queued", "en", interrupt=False)
    wait_for(lambda: any("slow first" in line for line in lines(log)))
    assert speaker.is_speaking()
    speaker.stop()
    wait_for(lambda: not speaker.is_speaking())
    time.sleep(0.1)
    assert not any("queued" in line for line in lines(log))


def test_the_queue_is_bounded(speaker: EspeakSpeaker, log: Path) -> None:
    speaker.say("slow first", "en")
    wait_for(lambda: any("slow first" in line for line in lines(log)))
    for n in range(MAX_WAITING + 5):
        speaker.say(f"later {n}", "en", interrupt=False)
    speaker.say("nothing", "en", interrupt=False)
    # Only the newest MAX_WAITING texts wait; interrupting the slow one lets them through.
    with speaker._lock:
        assert len(speaker._waiting) == MAX_WAITING
        speaker._kill_running()
    wait_for(lambda: "end nothing" in lines(log))
    said = [line for line in lines(log) if line.startswith("end later")]
    assert len(said) == MAX_WAITING - 1


def test_volume_and_rate_are_clamped_and_used(speaker: EspeakSpeaker) -> None:
    speaker.set_volume(3)
    speaker.set_rate(1000)
    assert speaker.speech_argv("de")[3:7] == ["-a", "200", "-s", "300"]
    speaker.set_volume(-1)
    speaker.set_rate(1)
    assert speaker.speech_argv("de")[3:7] == ["-a", "0", "-s", "80"]
    with pytest.raises(ValueError):
        speaker.speech_argv("es")


def test_without_the_binary_say_is_quiet_and_render_names_the_package(tmp_path: Path) -> None:
    speaker = EspeakSpeaker(VOICES, binary=str(tmp_path / "no-such-espeak"), player=None)
    speaker.say("hello", "en")  # no exception: the kiosk keeps working without speech
    wait_for(lambda: not speaker.is_speaking())
    with pytest.raises(SpeechUnavailable, match="'espeak-ng'"):
        speaker.render("hello", "en", tmp_path / "out.wav")
    speaker.close()


def test_tone_needs_a_player_and_plays_a_wav(tmp_path: Path) -> None:
    assert EspeakSpeaker(VOICES, player=None).tone() is False
    played = tmp_path / "played"
    player = tmp_path / "aplay"
    player.write_text(f'#!/bin/sh\ncp "$2" {played}\n')
    player.chmod(0o755)
    speaker = EspeakSpeaker(VOICES, player=str(player))
    assert speaker.tone() is True
    wait_for(played.exists)
    wait_for(lambda: not speaker.is_speaking())
    speaker.close()
    with wave.open(str(played)) as wav:
        assert wav.getnframes() > 0


def test_the_tone_is_two_beeps_scaled_by_volume() -> None:
    def peak(volume: float) -> int:
        with wave.open(io.BytesIO(tone_wav(volume))) as wav:
            assert (wav.getnchannels(), wav.getsampwidth()) == (1, 2)
            assert 0.25 < wav.getnframes() / wav.getframerate() < 0.5
            samples = array.array("h", wav.readframes(wav.getnframes()))
        return max(abs(s) for s in samples)

    assert peak(1.0) > 4 * peak(0.2) > 0
    assert peak(0.0) == 0
