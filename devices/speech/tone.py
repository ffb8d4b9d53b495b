"""The attention tone: two short sine beeps written as a WAV file with the standard library."""

from __future__ import annotations

import io
import math
import struct
import wave

SAMPLE_RATE = 22050


def tone_wav(
    volume: float, frequency: float = 880.0, beep_s: float = 0.12, gap_s: float = 0.08
) -> bytes:
    """16-bit mono WAV bytes: beep, gap, beep, with 10 ms fades so it does not click."""
    peak = int(32767 * 0.8 * min(1.0, max(0.0, volume)))
    beep_n, gap_n, fade_n = int(SAMPLE_RATE * beep_s), int(SAMPLE_RATE * gap_s), SAMPLE_RATE // 100
    samples: list[int] = []
    for beep in range(2):
        for i in range(beep_n):
            envelope = min(1.0, i / fade_n, (beep_n - i) / fade_n)
            angle = 2 * math.pi * frequency * i / SAMPLE_RATE
            samples.append(int(peak * envelope * math.sin(angle)))
        if beep == 0:
            samples.extend([0] * gap_n)
    out = io.BytesIO()
    with wave.open(out, "wb") as wav:
        wav.setnchannels(1)
        wav.setsampwidth(2)
        wav.setframerate(SAMPLE_RATE)
        wav.writeframes(struct.pack(f"<{len(samples)}h", *samples))
    return out.getvalue()
