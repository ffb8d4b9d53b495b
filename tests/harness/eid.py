"""Helpers for eID tests: test cards from the test PKI, their trust roots, the `kiosk eid` CLI."""

from __future__ import annotations

import dataclasses
import subprocess
import sys
from pathlib import Path
from types import MappingProxyType
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from devices.eid.card import BelpicCard
from devices.eid.emulator import (
    CitizenProfile,
    EmulatedCardContent,
    build_card,
    demo_profile,
    shared_test_pki,
)
from devices.eid.emulator import cardfiles as cf
from devices.eid.emulator.testpki import Applet
from devices.eid.integrity import der_length
from devices.eid.tlv import parse_tlv
from devices.eid.trust import default_roots

# The public test card "Alice SPECIMEN": raw card files, source and licence in its README.
ALICE = Path(__file__).resolve().parents[1] / "data" / "beid" / "alice"

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


def alice_card() -> EmulatedCardContent:
    """The public test card "Alice SPECIMEN" (a real card's raw files) served by the emulator.

    Its files are as the card holds them; only the authentication key is a stand-in (the
    real one never left the card), so it serves reading, not signing.
    """

    def raw(name: str) -> bytes:
        return (ALICE / name).read_bytes()

    identity = raw("identity.bin")
    chip = parse_tlv(identity)[0x02]
    card_data = chip[:16] + bytes.fromhex("F3 36 01 25 01 17 00 03 00 21 01 0F")
    files = {
        cf.ID_FILE: identity,
        cf.ID_SIGNATURE: raw("identity-signature.bin"),
        cf.ADDRESS_FILE: raw("address.bin"),
        cf.ADDRESS_SIGNATURE: raw("address-signature.bin"),
        cf.PHOTO_FILE: raw("photo.jpg"),
        cf.AUTH_CERT: raw("auth-cert.der"),
        cf.NONREP_CERT: raw("sign-cert.der"),
        cf.CA_CERT: raw("ca-cert.der"),
        cf.ROOT_CERT: raw("root-cert.der"),
        cf.RRN_CERT: raw("rrn-cert.der"),
    }
    auth_cert = x509.load_der_x509_certificate(
        raw("auth-cert.der")[: der_length(raw("auth-cert.der"))]
    )
    return EmulatedCardContent(
        applet="1.7",
        atr=raw("atr.bin"),
        files=MappingProxyType(files),
        card_data=card_data,
        auth_key=rsa.generate_private_key(public_exponent=65537, key_size=2048),
        basic_key=None,
        auth_cert=auth_cert,
        rrn_cert=x509.load_der_x509_certificate(raw("rrn-cert.der")),
        profile=demo_profile(),  # unused by the applet; Alice's own data is in the files
    )


def alice_root_pem(folder: Path) -> Path:
    der = (ALICE / "root-cert.der").read_bytes()
    path = folder / "alice-root.pem"
    path.write_bytes(x509.load_der_x509_certificate(der).public_bytes(serialization.Encoding.PEM))
    return path


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
