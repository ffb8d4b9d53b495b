"""The BELPIC emulator behind a real pcscd (vsmartcard vpcd driver), seen through pyscard."""

from __future__ import annotations

import contextlib
import hashlib
import time
from typing import Any

import pytest
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import Prehashed, encode_dss_signature
from smartcard.CardConnection import CardConnection
from smartcard.Exceptions import CardConnectionException, NoCardException
from smartcard.System import readers

from devices.eid.emulator import (
    BELPIC_AID,
    BelpicApplet,
    EmulatedCardContent,
    build_card,
    demo_profile,
    pin_block,
    shared_test_pki,
)
from devices.eid.emulator.testpki import Applet
from devices.eid.emulator.vpcd import VirtualCard
from tests.conftest import InsertCard
from tests.harness.pcscd import VPCD_READERS, card_present

pytestmark = pytest.mark.integration

READER = VPCD_READERS[0]


@pytest.fixture(scope="module")
def card18() -> EmulatedCardContent:
    return build_card(demo_profile(), shared_test_pki(), "1.8")


def the_reader() -> Any:
    return next(r for r in readers() if str(r) == READER)


def connect(timeout: float = 10.0) -> CardConnection:
    """Connect in T=0 like the official middleware, waiting for pcscd to notice the card."""
    deadline = time.monotonic() + timeout
    while True:
        connection = the_reader().createConnection()
        try:
            connection.connect(CardConnection.T0_protocol)
            return connection
        except (NoCardException, CardConnectionException):
            if time.monotonic() > deadline:
                raise
            time.sleep(0.05)


def wait_until_absent(timeout: float = 10.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not card_present(READER):
            return True
        time.sleep(0.05)
    return False


def transmit(connection: CardConnection, apdu: bytes) -> tuple[bytes, int]:
    data, sw1, sw2 = connection.transmit(list(apdu))
    return bytes(data), (sw1 << 8) | sw2


def read_current_file(connection: CardConnection, chunk: int = 252) -> bytes:
    out = b""
    while True:
        offset, le = len(out), chunk
        header = bytes([0x00, 0xB0, offset >> 8, offset & 0xFF])
        data, sw = transmit(connection, header + bytes([le & 0xFF]))
        if sw >> 8 == 0x6C:
            le = (sw & 0xFF) or 256
            data, sw = transmit(connection, header + bytes([le & 0xFF]))
        if sw == 0x6B00 and offset:
            return out
        assert sw == 0x9000, hex(sw)
        out += data
        if len(data) < le:
            return out


@pytest.mark.parametrize("applet_version", ["1.7", "1.8"])
def test_card_appears_and_reads_identity(insert_card: InsertCard, applet_version: Applet) -> None:
    content = build_card(demo_profile(), shared_test_pki(), applet_version)
    insert_card(BelpicApplet(content))
    connection = connect()
    try:
        assert bytes(connection.getATR()) == content.atr
        assert transmit(connection, bytes.fromhex("00A4040C0F") + BELPIC_AID) == (b"", 0x9000)
        assert transmit(connection, bytes.fromhex("00A4080C04DF014031")) == (b"", 0x9000)
        assert read_current_file(connection) == content.file(0x4031)
        card_data, sw = transmit(connection, bytes.fromhex("80E400001C"))
        assert sw == 0x9000 and card_data[21] == int(applet_version.replace(".", ""), 16)
    finally:
        connection.disconnect()


def test_remove_makes_the_card_absent_and_insert_brings_it_back(
    insert_card: InsertCard, card18: EmulatedCardContent
) -> None:
    card = insert_card(BelpicApplet(card18), mute_hold_s=0.5)
    connect().disconnect()
    card.remove()
    assert wait_until_absent()
    with pytest.raises(NoCardException):
        the_reader().createConnection().connect()
    card.insert()
    connection = connect()
    assert transmit(connection, bytes.fromhex("00A4040C0F") + BELPIC_AID)[1] == 0x9000
    connection.disconnect()


def test_pull_out_during_photo_read(insert_card: InsertCard, card18: EmulatedCardContent) -> None:
    applet = BelpicApplet(card18)
    insert_card(applet)
    connection = connect()
    transmit(connection, bytes.fromhex("00A4080C04DF014035"))
    applet.pull_out_after(3)
    try:
        with pytest.raises(CardConnectionException):
            read_current_file(connection)
        assert not applet.present
        assert wait_until_absent()
    finally:
        with contextlib.suppress(CardConnectionException):
            connection.disconnect()


def test_mute_card_errors_instead_of_hanging(
    insert_card: InsertCard, card18: EmulatedCardContent
) -> None:
    applet = BelpicApplet(card18)
    insert_card(applet, mute_hold_s=0.5)
    connection = connect()
    applet.set_mute()
    started = time.monotonic()
    try:
        with pytest.raises(CardConnectionException):
            transmit(connection, bytes.fromhex("80E400001C"))
        assert time.monotonic() - started < 5
        assert wait_until_absent()
    finally:
        with contextlib.suppress(CardConnectionException):
            connection.disconnect()


def test_signature_with_get_response_through_pcscd(
    insert_card: InsertCard, card18: EmulatedCardContent
) -> None:
    insert_card(BelpicApplet(card18))
    connection = connect()
    digest = hashlib.sha384(b"kiosk session challenge").digest()
    assert transmit(connection, bytes.fromhex("0020000108") + pin_block("1234"))[1] == 0x9000
    assert (
        transmit(connection, bytes.fromhex("002241B60504800284 82".replace(" ", "")))[1] == 0x9000
    )
    _, sw = transmit(connection, bytes.fromhex("002A9E9A30") + digest)
    assert sw == 0x6160
    raw, sw = transmit(connection, bytes.fromhex("00C0000060"))
    assert sw == 0x9000 and len(raw) == 96
    key = card18.auth_cert.public_key()
    assert isinstance(key, ec.EllipticCurvePublicKey)
    der = encode_dss_signature(int.from_bytes(raw[:48], "big"), int.from_bytes(raw[48:], "big"))
    key.verify(der, digest, ec.ECDSA(Prehashed(hashes.SHA384())))
    connection.disconnect()


def test_only_loopback_hosts(card18: EmulatedCardContent) -> None:
    with pytest.raises(ValueError):
        VirtualCard(BelpicApplet(card18), host="192.0.2.1")
