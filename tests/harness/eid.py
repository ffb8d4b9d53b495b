"""Helpers for eID tests: test cards from the test PKI, their trust roots, the `kiosk eid` CLI."""

from __future__ import annotations

import dataclasses
import subprocess
import sys
from pathlib import Path
from typing import Any

from cryptography import x509

from devices.eid.card import BelpicCard
from devices.eid.emulator import (
    CitizenProfile,
    EmulatedCardContent,
    build_card,
    demo_profile,
    shared_test_pki,
)
from devices.eid.emulator.testpki import Applet
from devices.eid.trust import default_roots

APPLETS: tuple[Applet, ...] = ("1.7", "1.8")


def card(applet: Applet, profile: CitizenProfile | None = None) -> EmulatedCardContent:
    return build_card(profile or demo_profile(), shared_test_pki(), applet)


def roots(applet: Applet) -> list[x509.Certificate]:
    """The Belgium roots plus the test PKI's root for `applet`."""
    return [*default_roots(), x509.load_pem_x509_certificate(shared_test_pki().root_pem(applet))]


def root_pem_file(folder: Path, applet: Applet) -> Path:
    path = folder / f"test-root-{applet}.pem"
    path.write_bytes(shared_test_pki().root_pem(applet))
    return path


def profile_with(**changes: object) -> CitizenProfile:
    return dataclasses.replace(demo_profile(), **changes)  # type: ignore[arg-type]


def kiosk_eid(
    *args: str, stdin: str | None = None, timeout: float = 60
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "kiosk.cli", "eid", *args],
        input=stdin,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


class RecordingCard(BelpicCard):
    """A BelpicCard that remembers every file buffer it handed out, to check they get zeroed."""

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.buffers: list[bytearray] = []

    def read_file(self, path: tuple[int, ...], **hints: Any) -> bytearray | None:
        content = super().read_file(path, **hints)
        if content is not None:
            self.buffers.append(content)
        return content
