"""Shared helpers: finding binaries, bounded waiting, stopping a process we started."""

from __future__ import annotations

import shutil
import subprocess
import time
from collections.abc import Callable

import pytest


def require_binary(name: str, package: str) -> str:
    """The binary's path, or a test failure naming the Debian package that provides it."""
    path = shutil.which(name) or shutil.which(name, path="/usr/sbin:/sbin:/usr/bin:/bin")
    if path is None:
        pytest.fail(
            f"'{name}' is missing: install the Debian package '{package}' (make test does this)",
            pytrace=False,
        )
    return path


def wait_until(
    predicate: Callable[[], bool], timeout: float, what: str, interval: float = 0.05
) -> None:
    """Poll `predicate` until true; fail the test with `what` after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(interval)
    pytest.fail(f"timed out after {timeout:.0f} s waiting for {what}", pytrace=False)


def stop_process(process: subprocess.Popen[bytes], timeout: float = 5.0) -> None:
    """Terminate a process we started (by its own pid), killing it if it does not listen."""
    if process.poll() is not None:
        return
    process.terminate()
    try:
        process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=timeout)
