"""The card emulator as a process of its own (`python -m devices.eid.emulator`), in a vpcd
reader of the harness's pcscd: what a terminal without a card runs. It joins pcscd's private
network namespace with nsenter (the namespace outlives a pcscd restart, so the card comes
back by itself). The test pulls the card out and puts it back by lines on its stdin, and
follows what the card saw (inserted, removed, log off, PIN checks) on its stdout."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from pathlib import Path

from tests.harness.common import require_binary, stop_process, wait_until
from tests.harness.pcscd import VPCD_READERS, Pcscd, card_present

REPO = Path(__file__).resolve().parents[2]


class CardProcess:
    def __init__(
        self,
        pcscd: Pcscd,
        pki_dir: Path,
        *,
        applet: str = "1.8",
        profile: str = "demo",
        pin: str = "1234",
        reader: str = VPCD_READERS[0],
    ) -> None:
        self.pcscd, self.reader = pcscd, reader
        command = [
            sys.executable,
            "-m",
            "devices.eid.emulator",
            "--applet",
            applet,
            "--reader",
            reader,
            "--profile",
            profile,
            "--pki",
            str(pki_dir),
            "--removed",
            "--until-stdin-closes",
        ]
        if pcscd.netns_pid is not None:
            nsenter = require_binary("nsenter", "util-linux")
            command = [nsenter, f"--net=/proc/{pcscd.netns_pid}/ns/net", *command]
        self.lines: list[str] = []
        self._lock = threading.Lock()
        self.process = subprocess.Popen(
            command,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            cwd=REPO,
            env={**os.environ, "PYTHONUNBUFFERED": "1"},
        )
        threading.Thread(target=self._follow, daemon=True, name="card-out").start()
        self._send(pin)
        self.wait_line("emulator: ready", 30)

    def _follow(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            with self._lock:
                self.lines.append(line.strip())

    def _send(self, line: str) -> None:
        assert self.process.stdin is not None
        self.process.stdin.write(line + "\n")
        self.process.stdin.flush()

    def count(self, line: str) -> int:
        with self._lock:
            return sum(1 for seen in self.lines if seen.startswith(line))

    def wait_line(self, line: str, timeout: float, at_least: int = 1) -> None:
        def seen() -> bool:
            if self.process.poll() is not None:
                stderr = self.process.stderr.read() if self.process.stderr else ""
                raise AssertionError(f"the card emulator ended: {stderr.strip()}")
            return self.count(line) >= at_least

        wait_until(seen, timeout, f"the card emulator to say {line!r}")

    def insert(self) -> None:
        """Put the card in and wait until pcscd sees it."""
        before = self.count("card: inserted")
        self._send("insert")
        self.wait_line("card: inserted", 15, before + 1)
        wait_until(lambda: card_present(self.reader), 10, "pcscd to see the card")

    def insert_only(self) -> None:
        """Put the card in without waiting for pcscd (a card set to pull itself out)."""
        before = self.count("card: inserted")
        self._send("insert")
        self.wait_line("card: inserted", 15, before + 1)

    def remove(self) -> None:
        """Pull the card out and wait until pcscd sees the reader empty."""
        before = self.count("card: removed")
        self._send("remove")
        self.wait_line("card: removed", 10, before + 1)
        wait_until(lambda: not card_present(self.reader), 10, "pcscd to see the reader empty")

    def pull_out_after(self, commands: int) -> None:
        """The card leaves the reader by itself after `commands` more APDUs."""
        self._send(f"remove-after {commands}")

    def log_offs(self) -> int:
        return self.count("card: log off")

    def stop(self) -> None:
        if self.process.poll() is None:
            try:
                self._send("quit")
                self.process.wait(5)
            except (OSError, subprocess.TimeoutExpired):
                stop_process(self.process)  # type: ignore[arg-type]
        deadline = time.monotonic() + 5
        while self.process.poll() is None and time.monotonic() < deadline:
            time.sleep(0.05)
