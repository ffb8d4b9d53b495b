"""Finding 1/7 (chip authentication): a clone holding a victim's genuine files is refused.

Tried as an attacker would: copy every file of a victim's applet 1.8 card (all of them are
readable without the PIN, and all the Register's signatures verify) onto another chip. That
chip cannot hold the victim's basic private key, which never leaves the card. So the clone
either keeps the victim's basic key file 4040 and signs with a key of its own, or puts its own
key in 4040 (which the signed identity file's tag 1A then contradicts), or cannot answer
INTERNAL AUTHENTICATE at all, or claims to be an older applet to skip the question. Each is
refused as "not authentic" before the name is shown: `read_eid` raises CardNotAuthentic
(the kiosk's "card not authentic" sentence), `kiosk eid read --json` exits 5.

Applet 1.7 cards have no basic key: a clone of one is not detectable from the chip; there the
server's check of the authentication signature (after the PIN) is what stands.
"""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

from devices.eid.card_session import CardSession
from devices.eid.emulator import BelpicApplet, EmulatedCardContent, SimReader, build_card
from devices.eid.emulator import cardfiles as cf
from devices.eid.emulator.testpki import shared_test_pki
from devices.eid.errors import CardNotAuthentic
from devices.eid.reader import read_eid
from devices.eid.simulated import SimulatedReader, SimulatedTransport
from session.problems import CardProblem
from tests.conftest import InsertCard
from tests.harness.eid import RecordingCard, kiosk_eid, profile_with, root_pem_file, roots
from tests.harness.pcscd import VPCD_READERS

VICTIM = profile_with(surname="Victime-Clonee", chip_number=b"KIOSKVIC" + bytes(8))


def victim() -> EmulatedCardContent:
    return build_card(VICTIM, shared_test_pki(), "1.8")


def spki(key: ec.EllipticCurvePrivateKey) -> bytes:
    return key.public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )


def clone_signing_with_its_own_key() -> EmulatedCardContent:
    return dataclasses.replace(victim(), basic_key=ec.generate_private_key(ec.SECP384R1()))


def clone_with_its_own_key_file() -> EmulatedCardContent:
    own = ec.generate_private_key(ec.SECP384R1())
    return dataclasses.replace(victim(), basic_key=own).with_file(cf.BASIC_KEY_FILE, spki(own))


def clone_without_a_basic_key() -> EmulatedCardContent:
    return dataclasses.replace(victim(), basic_key=None)


def clone_claiming_applet_17() -> EmulatedCardContent:
    genuine = victim()
    data = genuine.card_data[:21] + b"\x17" + genuine.card_data[22:]
    return dataclasses.replace(genuine, basic_key=None, card_data=data)


CLONES = {
    "own-private-key": clone_signing_with_its_own_key,
    "own-key-file": clone_with_its_own_key_file,
    "no-basic-key": clone_without_a_basic_key,
    "claims-applet-1.7": clone_claiming_applet_17,
}


def inserted(content: EmulatedCardContent) -> RecordingCard:
    return RecordingCard(SimulatedTransport(SimReader(BelpicApplet(content))))


@pytest.mark.parametrize("shape", CLONES)
def test_a_clone_of_a_genuine_card_is_not_authentic_and_keeps_nothing(shape: str) -> None:
    eid = inserted(CLONES[shape]())
    with pytest.raises(CardNotAuthentic) as refused:
        read_eid(eid, roots("1.8"))
    assert "Victime" not in str(refused.value)
    assert all(not any(buffer) for buffer in eid.buffers), "the clone's files were kept"


def test_the_kiosk_calls_a_clone_not_authentic_before_the_name_is_shown() -> None:
    session = CardSession(
        SimulatedReader(SimReader(BelpicApplet(clone_signing_with_its_own_key()))), roots("1.8")
    )
    with pytest.raises(CardNotAuthentic) as refused:
        session.read()
    assert CardProblem.from_exception(refused.value) is CardProblem.NOT_AUTHENTIC


def test_the_genuine_card_still_reads() -> None:
    read, _ca = CardSession(SimulatedReader(SimReader(BelpicApplet(victim()))), roots("1.8")).read()
    assert read.identity.surname == "Victime-Clonee"
    read.files.zero()


def genuine_with_basic_key(key: ec.EllipticCurvePrivateKey) -> EmulatedCardContent:
    """A genuine card personalised with a basic key on another curve (the Register signs 1A)."""
    content = victim()
    rrn = shared_test_pki().rrn("1.8").key
    identity = cf.identity_file(content.profile, "1.8", spki(key))
    identity_signature = cf.rrn_sign(rrn, identity)
    address = content.files[cf.ADDRESS_FILE]
    address_signature = cf.rrn_sign(rrn, address.rstrip(b"\x00") + identity_signature)
    files = {
        cf.ID_FILE: identity,
        cf.ID_SIGNATURE: identity_signature,
        cf.ADDRESS_SIGNATURE: address_signature,
        cf.BASIC_KEY_FILE: spki(key),
    }
    for path, data in files.items():
        content = content.with_file(path, data)
    return dataclasses.replace(content, basic_key=key)


@pytest.mark.parametrize("curve", [ec.SECP256R1(), ec.SECP384R1(), ec.SECP521R1()])
def test_genuine_chips_prove_their_basic_key_on_each_curve_the_applet_allows(
    curve: ec.EllipticCurve,
) -> None:
    genuine = genuine_with_basic_key(ec.generate_private_key(curve))
    read = read_eid(inserted(genuine), roots("1.8"))
    assert read.identity.surname == "Victime-Clonee"
    read.files.zero()
    # The same files on a chip with another key of that curve: refused.
    clone = dataclasses.replace(genuine, basic_key=ec.generate_private_key(curve))
    with pytest.raises(CardNotAuthentic):
        read_eid(inserted(clone), roots("1.8"))


def test_kiosk_eid_read_exits_5_for_a_clone(insert_card: InsertCard, tmp_path: Path) -> None:
    insert_card(BelpicApplet(clone_signing_with_its_own_key()))
    root = root_pem_file(tmp_path, "1.8")
    result = kiosk_eid("read", "--json", "--reader", VPCD_READERS[0], "--trust-root", str(root))
    assert result.returncode == 5, result.stderr
    assert json.loads(result.stdout) == {"error": "ChipNotAuthentic", "exit_code": 5}
    assert "Victime" not in result.stdout + result.stderr
