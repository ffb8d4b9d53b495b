"""BELPIC (Belgian eID) card emulator and test PKI, for tests and the demo mode.

- testpki: `TestPki` (test roots, RRN signer, citizen CA, per-card keys).
- cardfiles: `CitizenProfile`, `build_card()` -> `EmulatedCardContent`, demo/canary citizens.
- applet: `BelpicApplet`, pure APDU processing (the signature convention is in its docstring).
- vpcd: `VirtualCard`, serves an applet to a real pcscd through vsmartcard's vpcd driver.
- simreader: `SimReader`, the same applet in-process, without pcscd.
"""

from devices.eid.emulator.applet import (
    BELPIC_AID,
    BelpicApplet,
    CardMuteError,
    CardRemovedError,
    EmulatedCardError,
    pin_block,
)
from devices.eid.emulator.cardfiles import (
    CitizenProfile,
    EmulatedCardContent,
    build_card,
    canary_profile,
    demo_profile,
    national_number,
    portrait_jpeg,
    with_altered_address,
    with_altered_identity,
    with_rrn_signer,
    with_swapped_photo,
)
from devices.eid.emulator.simreader import SimReader
from devices.eid.emulator.testpki import TestPki, shared_test_pki

__all__ = [
    "BELPIC_AID",
    "BelpicApplet",
    "CardMuteError",
    "CardRemovedError",
    "CitizenProfile",
    "EmulatedCardContent",
    "EmulatedCardError",
    "SimReader",
    "TestPki",
    "build_card",
    "canary_profile",
    "demo_profile",
    "national_number",
    "pin_block",
    "portrait_jpeg",
    "shared_test_pki",
    "with_altered_address",
    "with_altered_identity",
    "with_rrn_signer",
    "with_swapped_photo",
]
