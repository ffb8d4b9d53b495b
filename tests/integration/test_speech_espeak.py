"""The real espeak-ng speaks each of the kiosk's languages in the voice i18n.languages gives it
(written to WAV files here, as the test machine has no sound card). Without espeak-ng the test
fails and names the package."""

from __future__ import annotations

import shutil
import wave
from pathlib import Path

import pytest

from devices.speech import DEBIAN_PACKAGE, EspeakSpeaker
from i18n import CODES, announcement, voices

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def espeak() -> EspeakSpeaker:
    if shutil.which("espeak-ng") is None:
        pytest.fail(f"espeak-ng is not installed: apt-get install {DEBIAN_PACKAGE}")
    return EspeakSpeaker(voices(), player=None)


@pytest.mark.parametrize("lang", CODES)
def test_espeak_ng_writes_speech_for_each_language(
    espeak: EspeakSpeaker, tmp_path: Path, lang: str
) -> None:
    text = announcement("pin.wrong", {"tries_left": 2}, lang)
    wav_path = espeak.render(text, lang, tmp_path / f"{lang}.wav")
    with wave.open(str(wav_path)) as wav:
        seconds = wav.getnframes() / wav.getframerate()
        frames = wav.readframes(wav.getnframes())
    assert 1.0 < seconds < 20, f"{lang}: {seconds:.1f} s of speech for {len(text)} characters"
    assert any(frames), "not silence"


def test_louder_speech_has_larger_samples(espeak: EspeakSpeaker, tmp_path: Path) -> None:
    def peak(volume: float) -> int:
        espeak.set_volume(volume)
        path = espeak.render("Bonjour", "fr", tmp_path / f"v{volume}.wav")
        with wave.open(str(path)) as wav:
            data = wav.readframes(wav.getnframes())
        return max(
            abs(int.from_bytes(data[i : i + 2], "little", signed=True))
            for i in range(0, len(data), 2)
        )

    assert peak(1.0) > peak(0.2) * 2
