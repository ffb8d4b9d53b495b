"""Finding a screen: the real one when there is one, else a private Xvfb.

Used by `kiosk demo` on headless machines and by the UI test harness.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import time
from dataclasses import dataclass

from kiosk.errors import KioskError


class NoDisplay(KioskError):
    exit_code = 2


@dataclass
class VirtualDisplay:
    """An Xvfb server we started, on a display number it chose itself."""

    process: subprocess.Popen[bytes]
    display: str

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=5)


def has_display() -> bool:
    return bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))


def start_xvfb(width: int = 1920, height: int = 1080, timeout: float = 10.0) -> VirtualDisplay:
    """Start Xvfb on a free display; `-displayfd` lets the server pick and tell us the number."""
    binary = shutil.which("Xvfb")
    if binary is None:
        raise NoDisplay(
            "no display and no Xvfb: install the Debian package 'xvfb' or run on a desktop"
        )
    read_fd, write_fd = os.pipe()
    process = subprocess.Popen(
        [
            binary,
            "-displayfd",
            str(write_fd),
            "-screen",
            "0",
            f"{width}x{height}x24",
            "-nolisten",
            "tcp",
            "-noreset",
        ],
        pass_fds=(write_fd,),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    os.close(write_fd)
    deadline = time.monotonic() + timeout
    number = b""
    try:
        os.set_blocking(read_fd, False)
        while not number.endswith(b"\n"):
            if time.monotonic() > deadline or process.poll() is not None:
                process.kill()
                raise NoDisplay("Xvfb did not start; check that the 'xvfb' package works")
            try:
                chunk = os.read(read_fd, 16)
            except BlockingIOError:
                time.sleep(0.02)
                continue
            if not chunk:
                time.sleep(0.02)
            number += chunk
    finally:
        os.close(read_fd)
    return VirtualDisplay(process, f":{int(number)}")
