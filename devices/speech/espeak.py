"""The real speech backend: espeak-ng, one short-lived process per utterance.

`say` only queues; one worker thread runs the processes in turn, so the Kivy thread never waits.
Interrupting kills the running process and empties the queue. The queue is bounded (the oldest
waiting text is dropped) and each process has a time limit, so nothing piles up or hangs.

The attention tone is a generated WAV played with `aplay` (Debian alsa-utils) when present;
without a player `tone()` returns False and the caller falls back to a spoken word.
The text goes to espeak-ng on stdin, never on the command line, and is never logged.
Which voice speaks each language is the wiring's to say (`voices`): devices hold no languages.
"""

from __future__ import annotations

import logging
import shutil
import subprocess
import tempfile
import threading
from collections import deque
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from devices.speech.base import DEFAULT_RATE, DEFAULT_VOLUME, Speaker, SpeechUnavailable

log = logging.getLogger(__name__)

DEBIAN_PACKAGE = "espeak-ng"
MAX_CHARS = 1500  # longer texts are cut: a screen's title and summary fit many times over
MAX_WAITING = 8
UTTERANCE_TIMEOUT_S = 60.0


@dataclass(frozen=True)
class _Job:
    argv: list[str]
    stdin: bytes


class EspeakSpeaker(Speaker):
    def __init__(
        self,
        voices: Mapping[str, str],
        binary: str = "espeak-ng",
        player: str | None = "aplay",
        volume: float = DEFAULT_VOLUME,
        rate: int = DEFAULT_RATE,
    ) -> None:
        """`voices`: the espeak-ng voice (`espeak-ng --voices`) of each language code."""
        self.voices = dict(voices)
        self.binary = binary
        self.player = shutil.which(player) if player else None
        self.set_volume(volume)
        self.set_rate(rate)
        self._lock = threading.Condition()
        self._waiting: deque[_Job] = deque(maxlen=MAX_WAITING)
        self._running: subprocess.Popen[bytes] | None = None
        self._worker: threading.Thread | None = None
        self._closed = False
        self._warned_missing = False
        self._tone_dir: tempfile.TemporaryDirectory[str] | None = None

    # -- commands

    def voice_for(self, lang: str) -> str:
        try:
            return self.voices[lang]
        except KeyError:
            raise ValueError(f"no espeak-ng voice for language {lang!r}") from None

    def speech_argv(self, lang: str, wav: Path | None = None) -> list[str]:
        """espeak-ng's command line; `-a` amplitude 0..200 (100 is espeak-ng's default)."""
        argv = [self.binary, "-v", self.voice_for(lang), "-a", str(round(self.volume * 200))]
        argv += ["-s", str(self.rate)]
        if wav is not None:
            argv += ["-w", str(wav)]
        return [*argv, "--stdin"]

    def render(self, text: str, lang: str, wav: Path) -> Path:
        """Synthesize into a WAV file and wait (doctor checks and tests; not the kiosk's path)."""
        if shutil.which(self.binary) is None:
            raise SpeechUnavailable(
                f"{self.binary} not found: install the Debian package '{DEBIAN_PACKAGE}'"
            )
        subprocess.run(
            self.speech_argv(lang, wav),
            input=text[:MAX_CHARS].encode(),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            timeout=UTTERANCE_TIMEOUT_S,
            check=True,
        )
        return wav

    # -- Speaker

    def say(self, text: str, lang: str, interrupt: bool = True) -> None:
        text = " ".join(text.split())[:MAX_CHARS]
        if not text:
            return
        self._submit(_Job(self.speech_argv(lang), text.encode()), interrupt)

    def tone(self, interrupt: bool = True) -> bool:
        if self.player is None:
            return False
        self._submit(_Job([self.player, "-q", str(self._tone_file())], b""), interrupt)
        return True

    def stop(self) -> None:
        with self._lock:
            self._waiting.clear()
            self._kill_running()

    def is_speaking(self) -> bool:
        with self._lock:
            return self._running is not None or bool(self._waiting)

    def close(self) -> None:
        with self._lock:
            self._closed = True
            self._waiting.clear()
            self._kill_running()
            self._lock.notify_all()
        if self._worker is not None:
            self._worker.join(timeout=2)
        if self._tone_dir is not None:
            self._tone_dir.cleanup()

    # -- the worker

    def _submit(self, job: _Job, interrupt: bool) -> None:
        with self._lock:
            if self._closed:
                return
            if interrupt:
                self._waiting.clear()
                self._kill_running()
            self._waiting.append(job)
            if self._worker is None:
                self._worker = threading.Thread(target=self._work, name="speech", daemon=True)
                self._worker.start()
            self._lock.notify()

    def _kill_running(self) -> None:
        if self._running is not None and self._running.poll() is None:
            self._running.kill()

    def _work(self) -> None:
        while True:
            with self._lock:
                while not self._waiting and not self._closed:
                    self._lock.wait()
                if self._closed:
                    return
                job = self._waiting.popleft()
                process = self._start(job)
                self._running = process
            if process is not None:
                self._finish(process, job)
            with self._lock:
                self._running = None

    def _start(self, job: _Job) -> subprocess.Popen[bytes] | None:
        try:
            return subprocess.Popen(
                job.argv,
                stdin=subprocess.PIPE,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
        except OSError as exc:
            if not self._warned_missing:
                self._warned_missing = True
                log.warning(
                    "speech unavailable (%s): install the Debian package '%s'",
                    exc.strerror,
                    DEBIAN_PACKAGE if job.argv[0] == self.binary else "alsa-utils",
                )
            return None

    def _finish(self, process: subprocess.Popen[bytes], job: _Job) -> None:
        try:
            process.communicate(job.stdin, timeout=UTTERANCE_TIMEOUT_S)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
            log.warning("speech process took over %.0f s; killed", UTTERANCE_TIMEOUT_S)
        except (BrokenPipeError, ValueError, OSError):
            process.wait()  # killed by an interrupt while we were writing

    def _tone_file(self) -> Path:
        if self._tone_dir is None:
            self._tone_dir = tempfile.TemporaryDirectory(prefix="kiosk-tone-")
        path = Path(self._tone_dir.name) / f"tone-{round(self.volume * 100)}.wav"
        if not path.exists():
            from devices.speech.tone import tone_wav  # wave: only once a tone is played

            path.write_bytes(tone_wav(self.volume))
        return path
