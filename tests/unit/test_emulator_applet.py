"""APDU-level tests of the BELPIC emulator, plus the card files and test PKI it serves."""

from __future__ import annotations

import datetime
import hashlib
import io

import pytest
from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from cryptography.hazmat.primitives.asymmetric.utils import Prehashed, encode_dss_signature
from hypothesis import given, settings
from hypothesis import strategies as st
from PIL import Image

from devices.eid.emulator import (
    BELPIC_AID,
    BelpicApplet,
    CardMuteError,
    CardRemovedError,
    EmulatedCardContent,
    SimReader,
    TestPki,
    build_card,
    canary_profile,
    demo_profile,
    pin_block,
    shared_test_pki,
    with_altered_address,
    with_altered_identity,
    with_swapped_photo,
)
from devices.eid.emulator.cardfiles import (
    ADDRESS_FILE,
    BASIC_KEY_FILE,
    ID_FILE,
    PHOTO_FILE,
    _tlv_span,
)
from devices.eid.tlv import encode_tlv

SELECT_BELPIC = bytes.fromhex("00A4040C0F") + BELPIC_AID
DF01 = bytes.fromhex("DF01")


@pytest.fixture(scope="module")
def pki() -> TestPki:
    return shared_test_pki()


@pytest.fixture(scope="module")
def card17(pki: TestPki) -> EmulatedCardContent:
    return build_card(demo_profile(), pki, "1.7")


@pytest.fixture(scope="module")
def card18(pki: TestPki) -> EmulatedCardContent:
    return build_card(demo_profile(), pki, "1.8")


@pytest.fixture(params=["1.7", "1.8"])
def card(
    request: pytest.FixtureRequest, card17: EmulatedCardContent, card18: EmulatedCardContent
) -> EmulatedCardContent:
    return card17 if request.param == "1.7" else card18


def sw(response: bytes) -> int:
    return int.from_bytes(response[-2:], "big")


def select_path(applet: BelpicApplet, *fids: int) -> int:
    data = b"".join(f.to_bytes(2, "big") for f in fids)
    return sw(applet.process(bytes([0x00, 0xA4, 0x08, 0x0C, len(data)]) + data))


def read_file(applet: BelpicApplet, chunk: int = 252) -> bytes:
    """Read the current EF the way the official middleware does (6Cxx, short chunk, 6B00)."""
    out = b""
    while True:
        offset = len(out)
        le = chunk
        response = applet.process(bytes([0x00, 0xB0, offset >> 8, offset & 0xFF, le & 0xFF]))
        if response[-2] == 0x6C:
            le = response[-1] or 256
            response = applet.process(bytes([0x00, 0xB0, offset >> 8, offset & 0xFF, le & 0xFF]))
        if sw(response) == 0x6B00 and offset > 0:
            return out
        assert sw(response) == 0x9000, response.hex()
        out += response[:-2]
        if len(response) - 2 < le:
            return out


def verify_pin(applet: BelpicApplet, pin: str = "1234") -> int:
    return sw(applet.process(bytes.fromhex("0020000108") + pin_block(pin)))


def fetch(applet: BelpicApplet, response: bytes) -> bytes:
    """Follow 61xx with GET RESPONSE."""
    assert response[-2] == 0x61, response.hex()
    answer = applet.process(bytes([0x00, 0xC0, 0x00, 0x00, response[-1]]))
    assert sw(answer) == 0x9000
    return answer[:-2]


# -- ATR, SELECT ------------------------------------------------------------------------------


def test_atr_per_applet(card17: EmulatedCardContent, card18: EmulatedCardContent) -> None:
    assert BelpicApplet(card17).atr().hex().upper() == "3B9813400AA503010101AD1311"
    assert BelpicApplet(card18).atr().hex().upper() == "3B7F96000080318065B085040120120FFF829000"


def test_select_aid(card: EmulatedCardContent) -> None:
    applet = BelpicApplet(card)
    assert sw(applet.process(SELECT_BELPIC)) == 0x9000
    assert sw(applet.process(bytes.fromhex("00A4040C05A000000099"))) == 0x6A82
    pkcs15 = bytes.fromhex("00A4040C0CA000000177504B43532D3135")
    assert sw(applet.process(pkcs15)) == 0x9000
    assert sw(applet.process(bytes.fromhex("00A4020C02503C"))) == 0x9000
    assert read_file(applet) == card.file(0x503C)


def test_select_by_fid_walk_and_read_identity(card: EmulatedCardContent) -> None:
    applet = BelpicApplet(card)
    for fid in ("3F00", "DF01", "4031"):
        assert sw(applet.process(bytes.fromhex("00A4020C02" + fid))) == 0x9000
    assert read_file(applet) == card.files[ID_FILE]
    # A sibling EF of the current one is selectable directly, as MW's first try does.
    assert sw(applet.process(bytes.fromhex("00A4020C024033"))) == 0x9000
    assert read_file(applet) == card.files[ADDRESS_FILE]
    # A file of another DF is not in scope: MW then walks from 3F00.
    assert sw(applet.process(bytes.fromhex("00A4020C02503C"))) == 0x6A82
    assert sw(applet.process(bytes.fromhex("00A4020C02DF00"))) == 0x9000  # sibling DF
    assert sw(applet.process(bytes.fromhex("00A4020C02503C"))) == 0x9000


def test_select_by_path(card: EmulatedCardContent) -> None:
    applet = BelpicApplet(card)
    assert select_path(applet, 0xDF01, 0x4035) == 0x9000
    assert read_file(applet) == card.profile.photo
    assert select_path(applet, 0x3F00, 0xDF00, 0x5038) == 0x9000  # minidriver style
    assert select_path(applet, 0xDF01, 0x4999) == 0x6A82
    strict = BelpicApplet(card, accept_mf_in_path=False)
    assert select_path(strict, 0x3F00, 0xDF00, 0x5038) == 0x6A82


@pytest.mark.parametrize(
    ("apdu", "expected"),
    [
        ("00A4020002DF01", 0x6A86),  # FCI requested: BELPIC only knows P2=0C
        ("00A4010C02DF01", 0x6A86),
        ("00A4020C03DF0140", 0x6A87),
        ("00A4080C03DF0140", 0x6A87),
        ("00A4020C05DF01", 0x6A87),  # Lc says 5, two bytes follow
        ("00A4040C03A00000", 0x6A87),
        ("00A4020C02ABCD", 0x6A82),
        ("10A4020C02DF01", 0x6E00),
        ("00B00000", 0x6700),
        ("00FF0000", 0x6D00),
        ("00A4", 0x6700),
    ],
)
def test_select_and_generic_errors(card17: EmulatedCardContent, apdu: str, expected: int) -> None:
    assert sw(BelpicApplet(card17).process(bytes.fromhex(apdu))) == expected


def test_empty_aid_selects_card_manager(card17: EmulatedCardContent) -> None:
    applet = BelpicApplet(card17)
    assert sw(applet.process(bytes.fromhex("00A4040C00"))) == 0x9000
    assert sw(applet.process(bytes.fromhex("80E400001C"))) == 0x6D00
    assert sw(applet.process(SELECT_BELPIC)) == 0x9000
    assert sw(applet.process(bytes.fromhex("80E400001C"))) == 0x9000


# -- READ BINARY ------------------------------------------------------------------------------


def test_read_binary_without_current_ef(card17: EmulatedCardContent) -> None:
    applet = BelpicApplet(card17)
    assert sw(applet.process(bytes.fromhex("00B00000FC"))) == 0x6986
    select_path(applet, 0xDF01)
    assert sw(applet.process(bytes.fromhex("00B00000FC"))) == 0x6986


def test_read_binary_6c_in_strict_t0_and_short_chunk_when_lenient(
    card17: EmulatedCardContent,
) -> None:
    address = card17.files[ADDRESS_FILE]
    assert len(address) == 117
    strict = BelpicApplet(card17)
    select_path(strict, 0xDF01, 0x4033)
    assert strict.process(bytes.fromhex("00B00000FC")) == bytes.fromhex("6C75")
    assert strict.process(bytes.fromhex("00B0000075")) == address + b"\x90\x00"
    assert strict.process(bytes.fromhex("00B0007000")) == bytes.fromhex("6C05")
    lenient = BelpicApplet(card17, strict_t0=False)
    select_path(lenient, 0xDF01, 0x4033)
    assert lenient.process(bytes.fromhex("00B00000FC")) == address + b"\x90\x00"


@pytest.mark.parametrize("size", [256, 504, 512, 768])
def test_read_binary_6b00_at_exact_end(card17: EmulatedCardContent, size: int) -> None:
    photo = bytes(i % 251 for i in range(size))
    applet = BelpicApplet(with_swapped_photo(card17, photo))
    select_path(applet, 0xDF01, 0x4035)
    chunk = 256 if size % 256 == 0 else 252
    for offset in range(0, size, chunk):
        response = applet.process(bytes([0, 0xB0, offset >> 8, offset & 0xFF, chunk & 0xFF]))
        assert response == photo[offset : offset + chunk] + b"\x90\x00"
    end = size.to_bytes(2, "big")
    assert applet.process(b"\x00\xb0" + end + b"\x00") == bytes.fromhex("6B00")
    assert applet.process(b"\x00\xb0" + end + b"\xfc") == bytes.fromhex("6B00")
    assert applet.process(bytes.fromhex("00B0FFFF01")) == bytes.fromhex("6B00")
    assert read_file(applet, chunk) == photo


@settings(max_examples=60, deadline=None)
@given(
    size=st.integers(min_value=1, max_value=1400),
    chunk=st.integers(min_value=1, max_value=256),
    strict=st.booleans(),
)
def test_read_binary_any_size_any_chunk(size: int, chunk: int, strict: bool) -> None:
    content = build_card(demo_profile(), shared_test_pki(), "1.8")
    photo = hashlib.sha256(str(size).encode()).digest() * (size // 32 + 1)
    applet = BelpicApplet(with_swapped_photo(content, photo[:size]), strict_t0=strict)
    select_path(applet, 0xDF01, 0x4035)
    assert read_file(applet, chunk) == photo[:size]


def test_read_binary_rejects_short_ef_identifier(card17: EmulatedCardContent) -> None:
    applet = BelpicApplet(card17)
    select_path(applet, 0xDF01, 0x4031)
    assert sw(applet.process(bytes.fromhex("00B0810010"))) == 0x6B00


# -- GET CARD DATA, GET RESPONSE ------------------------------------------------------------


def test_get_card_data_17(card17: EmulatedCardContent) -> None:
    applet = BelpicApplet(card17)
    response = applet.process(bytes.fromhex("80E400001C"))
    data = response[:-2]
    assert sw(response) == 0x9000 and len(data) == 28
    assert data[:16] == card17.profile.chip_number
    assert data[21] == 0x17 and data[22:24] == b"\x00\x03" and data[27] == 0x0F
    assert applet.process(bytes.fromhex("80E4000000")) == bytes.fromhex("6C1C")
    assert sw(applet.process(bytes.fromhex("80E400011F"))) == 0x6B00
    assert sw(applet.process(bytes.fromhex("00E400001C"))) == 0x6E00
    lenient = BelpicApplet(card17, strict_t0=False)
    assert lenient.process(bytes.fromhex("80E4000000")) == data + b"\x90\x00"


def test_get_card_data_18_with_pin_tries(card18: EmulatedCardContent) -> None:
    applet = BelpicApplet(card18)
    data = applet.process(bytes.fromhex("80E400001C"))[:-2]
    assert len(data) == 28 and data[21] == 0x18 and data[22:24] == b"\x00\x01"
    assert data[27] == 0x0F
    extended = applet.process(bytes.fromhex("80E400011F"))
    assert sw(extended) == 0x9000 and extended[:28] == data
    assert extended[28:31] == bytes([3, 0xFF, 0xFF])
    verify_pin(applet, "9999")
    assert applet.process(bytes.fromhex("80E400011F"))[28] == 2
    assert applet.process(bytes.fromhex("80E400001F")) == bytes.fromhex("6C1C")


def test_get_response_chaining(card18: EmulatedCardContent) -> None:
    applet = BelpicApplet(card18)
    assert applet.process(bytes.fromhex("00C0000010")) == bytes.fromhex("6985")
    first = applet.process(bytes.fromhex("0088028132 9430".replace(" ", "")) + bytes(48))
    assert first == bytes.fromhex("6160")
    assert applet.process(bytes.fromhex("00C0000070")) == bytes.fromhex("6C60")
    part = applet.process(bytes.fromhex("00C0000020"))
    assert len(part) == 0x22 and part[-2:] == bytes.fromhex("6140")
    rest = applet.process(bytes.fromhex("00C0000040"))
    assert len(rest) == 0x42 and sw(rest) == 0x9000
    assert applet.process(bytes.fromhex("00C0000010")) == bytes.fromhex("6985")
    # Any other command in between drops the pending answer.
    applet.process(bytes.fromhex("0088028132 9430".replace(" ", "")) + bytes(48))
    applet.process(bytes.fromhex("80E400001C"))
    assert applet.process(bytes.fromhex("00C0000060")) == bytes.fromhex("6985")


# -- PIN --------------------------------------------------------------------------------------


def test_pin_block_format() -> None:
    assert pin_block("1234") == bytes.fromhex("241234FFFFFFFFFF")
    assert pin_block("123456789012") == bytes.fromhex("2C123456789012FF")
    with pytest.raises(ValueError):
        pin_block("12a4")


def test_verify_counts_down_and_blocks(card: EmulatedCardContent) -> None:
    applet = BelpicApplet(card)
    status = bytes.fromhex("00200001")
    assert applet.process(status) == bytes.fromhex("63C3")
    assert applet.process(status + b"\x00") == bytes.fromhex("63C3")  # Lc=0 spends no try
    assert applet.process(bytes.fromhex("0020000108") + pin_block("0000")) == bytes.fromhex("63C2")
    assert applet.process(status) == bytes.fromhex("63C2")
    assert verify_pin(applet, "1111") == 0x63C1
    assert verify_pin(applet, "1234") == 0x9000  # success resets the counter
    assert applet.process(status) == bytes.fromhex("9000")
    assert applet.pin_tries_left == 3
    for expected in (0x63C2, 0x63C1, 0x63C0):
        assert verify_pin(applet, "4321") == expected
    assert verify_pin(applet, "1234") == 0x6983
    assert applet.process(status) == bytes.fromhex("6983")
    applet.reset()
    assert verify_pin(applet, "1234") == 0x6983  # the counter survives resets


def test_verify_errors(card17: EmulatedCardContent) -> None:
    applet = BelpicApplet(card17)
    assert sw(applet.process(bytes.fromhex("0020000108") + bytes(8))) == 0x6A80
    assert sw(applet.process(bytes.fromhex("0020000208") + pin_block("1234"))) == 0x6A88
    assert sw(applet.process(bytes.fromhex("0020010108") + pin_block("1234"))) == 0x6A86
    assert sw(applet.process(bytes.fromhex("002000010412341234"))) == 0x6700
    assert applet.pin_tries_left == 3


def test_reset_and_log_off_drop_verification(card17: EmulatedCardContent) -> None:
    applet = BelpicApplet(card17)
    status = bytes.fromhex("00200001")
    verify_pin(applet)
    applet.reset()
    assert applet.process(status) == bytes.fromhex("63C3")
    verify_pin(applet)
    assert applet.process(bytes.fromhex("80E60000")) == bytes.fromhex("9000")
    assert applet.process(status) == bytes.fromhex("63C3")


def test_change_pin(card17: EmulatedCardContent) -> None:
    applet = BelpicApplet(card17)
    change = bytes.fromhex("0024000110")
    assert sw(applet.process(change + pin_block("0000") + pin_block("5678"))) == 0x63C2
    assert sw(applet.process(change + pin_block("1234") + pin_block("5678"))) == 0x9000
    assert verify_pin(applet, "1234") == 0x63C2
    assert verify_pin(applet, "5678") == 0x9000


# -- signatures -------------------------------------------------------------------------------


def mse(alg: int, key: int = 0x82) -> bytes:
    return bytes([0x00, 0x22, 0x41, 0xB6, 0x05, 0x04, 0x80, alg, 0x84, key])


def pso(dtbs: bytes) -> bytes:
    return bytes([0x00, 0x2A, 0x9E, 0x9A, len(dtbs)]) + dtbs


def test_signature_requires_mse_then_pin(card: EmulatedCardContent) -> None:
    applet = BelpicApplet(card)
    digest = hashlib.sha256(b"challenge").digest()
    alg = 0x08 if card.applet == "1.7" else 0x01
    assert sw(applet.process(pso(digest))) == 0x6985
    assert sw(applet.process(mse(alg))) == 0x9000
    assert sw(applet.process(pso(digest))) == 0x6982
    verify_pin(applet, "0000")
    assert sw(applet.process(pso(digest))) == 0x6982
    verify_pin(applet)
    assert applet.process(pso(digest))[0] == 0x61
    verify_pin(applet, "0000")  # a wrong PIN withdraws the right again
    assert sw(applet.process(pso(digest))) == 0x6982


def test_mse_errors(card: EmulatedCardContent) -> None:
    applet = BelpicApplet(card)
    assert sw(applet.process(mse(0x02, key=0x83))) == 0x6A88
    assert sw(applet.process(mse(0x80))) == 0x6A80
    assert sw(applet.process(bytes.fromhex("002241B6058002820482"))) == 0x6A80
    assert sw(applet.process(bytes.fromhex("002241A405048002 8482".replace(" ", "")))) == 0x6B00
    assert sw(applet.process(bytes.fromhex("002241B60404800284"))) == 0x6700


def rsa_public(card: EmulatedCardContent) -> rsa.RSAPublicKey:
    key = card.auth_cert.public_key()
    assert isinstance(key, rsa.RSAPublicKey)
    return key


def test_rsa_signature_sha256_17(card17: EmulatedCardContent) -> None:
    applet = BelpicApplet(card17)
    message = b"kiosk login challenge"
    digest = hashlib.sha256(message).digest()
    applet.process(mse(0x08))
    verify_pin(applet)
    first = applet.process(pso(digest))
    assert first == bytes.fromhex("6100")  # 256 bytes announced
    signature = fetch(applet, first)
    assert len(signature) == 256
    rsa_public(card17).verify(signature, message, padding.PKCS1v15(), hashes.SHA256())
    # The host may also send the case-4 APDU with a trailing Le.
    assert applet.process(pso(digest) + b"\x00") == bytes.fromhex("6100")
    assert sw(applet.process(pso(digest[:31]))) == 0x6700


def test_rsa_signature_other_algorithms_17(card17: EmulatedCardContent) -> None:
    applet = BelpicApplet(card17, strict_t0=False)
    verify_pin(applet)
    key = rsa_public(card17)
    message = b"another challenge"
    sha1 = hashlib.sha1(message).digest()  # noqa: S324 - the 1.7 applet's own algorithm
    sha256 = hashlib.sha256(message).digest()

    applet.process(mse(0x02))
    response = applet.process(pso(sha1))
    assert sw(response) == 0x9000  # lenient mode answers directly
    key.verify(response[:-2], message, padding.PKCS1v15(), hashes.SHA1())  # noqa: S303

    applet.process(mse(0x01))  # the host sends the DigestInfo itself
    digest_info = bytes.fromhex("3031300d060960864801650304020105000420") + sha256
    key.verify(applet.process(pso(digest_info))[:-2], message, padding.PKCS1v15(), hashes.SHA256())

    applet.process(mse(0x20))
    pss = padding.PSS(mgf=padding.MGF1(hashes.SHA256()), salt_length=32)
    key.verify(applet.process(pso(sha256))[:-2], sha256, pss, Prehashed(hashes.SHA256()))


def test_ec_signature_18(card18: EmulatedCardContent) -> None:
    applet = BelpicApplet(card18)
    key = card18.auth_cert.public_key()
    assert isinstance(key, ec.EllipticCurvePublicKey)
    digest = hashlib.sha384(b"kiosk login challenge").digest()
    applet.process(mse(0x02))
    verify_pin(applet)
    first = applet.process(pso(digest))
    assert first == bytes.fromhex("6160")
    raw = fetch(applet, first)
    assert len(raw) == 96
    der = encode_dss_signature(int.from_bytes(raw[:48], "big"), int.from_bytes(raw[48:], "big"))
    key.verify(der, digest, ec.ECDSA(Prehashed(hashes.SHA384())))
    with pytest.raises(InvalidSignature):
        key.verify(der, bytes(48), ec.ECDSA(Prehashed(hashes.SHA384())))
    assert sw(applet.process(pso(digest[:32]))) == 0x6700

    applet.process(mse(0x40))  # hash not specified: any supported length
    sha256 = hashlib.sha256(b"x").digest()
    raw = fetch(applet, applet.process(pso(sha256)))
    der = encode_dss_signature(int.from_bytes(raw[:48], "big"), int.from_bytes(raw[48:], "big"))
    key.verify(der, sha256, ec.ECDSA(Prehashed(hashes.SHA256())))
    assert sw(applet.process(pso(bytes(40)))) == 0x6700


def test_internal_authenticate_18(card18: EmulatedCardContent, card17: EmulatedCardContent) -> None:
    spki = card18.files[BASIC_KEY_FILE]
    assert spki[:2] == b"\x30\x76"
    identity = card18.files[ID_FILE]
    start, end = _tlv_span(identity, 0x1A)
    assert identity[start:end] == hashlib.sha384(spki).digest()
    public = serialization.load_der_public_key(spki)
    assert isinstance(public, ec.EllipticCurvePublicKey)

    applet = BelpicApplet(card18)
    challenge = hashlib.sha384(b"nonce").digest()
    raw = fetch(applet, applet.process(bytes.fromhex("00880281329430") + challenge))
    der = encode_dss_signature(int.from_bytes(raw[:48], "big"), int.from_bytes(raw[48:], "big"))
    public.verify(der, challenge, ec.ECDSA(Prehashed(hashes.SHA384())))
    assert sw(applet.process(bytes.fromhex("00880281329530") + challenge)) == 0x6A80
    assert sw(applet.process(bytes.fromhex("00880282329430") + challenge)) == 0x6A88
    assert sw(BelpicApplet(card17).process(bytes.fromhex("00880281329430") + challenge)) == 0x6A88


# -- fault injection --------------------------------------------------------------------------


def test_pull_out_after_n_apdus(card17: EmulatedCardContent) -> None:
    applet = BelpicApplet(card17)
    applet.process(SELECT_BELPIC)
    assert applet.apdu_count == 1
    applet.pull_out_after(2)
    assert sw(applet.process(bytes.fromhex("00A4080C04DF014035"))) == 0x9000
    assert applet.present
    assert sw(applet.process(bytes.fromhex("00B00000FC"))) == 0x9000  # the 2nd is answered
    assert not applet.present
    with pytest.raises(CardRemovedError):
        applet.process(bytes.fromhex("00B000FCFC"))
    assert applet.apdu_count == 3
    applet.reinsert()
    assert applet.present
    assert sw(applet.process(bytes.fromhex("00B00000FC"))) == 0x6986  # fresh session


def test_mute_and_power(card17: EmulatedCardContent) -> None:
    applet = BelpicApplet(card17)
    applet.set_mute()
    with pytest.raises(CardMuteError):
        applet.process(SELECT_BELPIC)
    applet.set_mute(False)
    assert sw(applet.process(SELECT_BELPIC)) == 0x9000
    applet.power_off()
    with pytest.raises(CardMuteError):
        applet.process(SELECT_BELPIC)
    applet.power_on()
    assert sw(applet.process(SELECT_BELPIC)) == 0x9000


def test_simreader(card18: EmulatedCardContent) -> None:
    reader = SimReader()
    assert not reader.present
    with pytest.raises(CardRemovedError):
        reader.transmit(SELECT_BELPIC)
    applet = BelpicApplet(card18)
    reader.insert(applet)
    assert reader.present and reader.atr() == card18.atr
    assert sw(reader.transmit(SELECT_BELPIC)) == 0x9000
    applet.pull_out_after(1)
    reader.transmit(SELECT_BELPIC)
    assert not reader.present
    with pytest.raises(CardRemovedError):
        reader.atr()
    reader.insert(applet)
    assert reader.present
    reader.remove()
    assert not reader.present


# -- card files and test PKI ------------------------------------------------------------------


def ec_file_signature(stored: bytes) -> bytes:
    """EC signatures are DER zero-padded to a fixed size; the true length is byte 1 + 2."""
    return stored[: stored[1] + 2]


def check_rrn_signature(card: EmulatedCardContent, signature: bytes, data: bytes) -> None:
    key = card.rrn_cert.public_key()
    if isinstance(key, rsa.RSAPublicKey):
        key.verify(signature, data, padding.PKCS1v15(), hashes.SHA1())  # noqa: S303
    else:
        assert isinstance(key, ec.EllipticCurvePublicKey)
        key.verify(ec_file_signature(signature), data, ec.ECDSA(hashes.SHA384()))


def test_card_files_are_signed_like_a_real_card(card: EmulatedCardContent, pki: TestPki) -> None:
    identity, address = card.file(0x4031), card.file(0x4033)
    id_sig, addr_sig = card.file(0x4032), card.file(0x4034)
    check_rrn_signature(card, id_sig, identity)
    check_rrn_signature(card, addr_sig, address.rstrip(b"\x00") + id_sig)
    start, end = _tlv_span(identity, 0x11)
    photo_hash = identity[start:end]
    if card.applet == "1.7":
        assert identity[0] == 0x01 and len(id_sig) == 256
        assert photo_hash == hashlib.sha1(card.profile.photo).digest()  # noqa: S324
        assert len(address) == 117
    else:
        assert identity[:4] == b"\x00\x02\x00\x02" and len(id_sig) == 0x68
        assert photo_hash == hashlib.sha384(card.profile.photo).digest()
        assert address[:4] == b"\x00\x02\x00\x02" and len(address) == 121
    start, end = _tlv_span(identity, 0x07)
    assert identity[start:end].decode() == "Van den Broeck-Dupré"
    start, end = _tlv_span(address, 0x03)
    assert address[start:end] == b"Bruxelles"
    root = pki.root(card.applet).cert
    card.rrn_cert.verify_directly_issued_by(root)
    stored = card.file(0x503C)
    der = card.rrn_cert.public_bytes(serialization.Encoding.DER)
    assert stored.startswith(der) and len(stored) > len(der) and not stored[len(der) :].strip(b"\0")
    loaded = x509.load_pem_x509_certificates(pki.root_pem())
    assert root in loaded and len(loaded) == 2


def test_certificate_validity(card18: EmulatedCardContent) -> None:
    # Valid since before the emulated cards were issued (the RRN chain is checked at a card's
    # issue date), and for ten more years.
    now = datetime.datetime.now(datetime.UTC)
    issued = datetime.datetime(2024, 1, 1, tzinfo=datetime.UTC)
    for cert in (card18.rrn_cert, card18.auth_cert):
        assert cert.not_valid_before_utc < issued
        end = cert.not_valid_after_utc
        assert end.year - now.year == 10 and end.month == now.month


def test_resigned_card_uses_sha256(pki: TestPki) -> None:
    card = build_card(demo_profile(), pki, "1.7", rrn_hash="sha256", fresh_key=False)
    key = card.rrn_cert.public_key()
    assert isinstance(key, rsa.RSAPublicKey)
    key.verify(card.file(0x4032), card.file(0x4031), padding.PKCS1v15(), hashes.SHA256())
    with pytest.raises(InvalidSignature):
        check_rrn_signature(card, card.file(0x4032), card.file(0x4031))


def test_forged_pki_does_not_chain_to_the_trusted_root(pki: TestPki) -> None:
    forged = build_card(demo_profile(), pki.forged(), "1.8")
    check_rrn_signature(forged, forged.file(0x4032), forged.file(0x4031))  # self-consistent
    trusted_root = pki.root("1.8").cert
    assert forged.rrn_cert.issuer == trusted_root.subject  # same names...
    with pytest.raises((InvalidSignature, ValueError)):
        forged.rrn_cert.verify_directly_issued_by(trusted_root)  # ...other keys


def test_forging_helpers_break_integrity(card: EmulatedCardContent) -> None:
    altered = with_altered_identity(card)
    assert altered.file(0x4031) != card.file(0x4031)
    assert len(altered.file(0x4031)) == len(card.file(0x4031))
    with pytest.raises(InvalidSignature):
        check_rrn_signature(altered, altered.file(0x4032), altered.file(0x4031))

    moved = with_altered_address(card)
    assert b"Grand-Place 1" in moved.file(0x4033)
    with pytest.raises(InvalidSignature):
        check_rrn_signature(
            moved, moved.file(0x4034), moved.file(0x4033).rstrip(b"\0") + moved.file(0x4032)
        )

    swapped = with_swapped_photo(card)
    identity = swapped.file(0x4031)
    start, end = _tlv_span(identity, 0x11)
    assert hashlib.sha384(swapped.files[PHOTO_FILE]).digest()[: end - start] != identity[start:end]
    assert hashlib.sha1(swapped.files[PHOTO_FILE]).digest() != identity[start:end]  # noqa: S324
    assert card.file(0x4031) == identity  # the original content is untouched


def test_photo_is_a_decodable_jpeg(card17: EmulatedCardContent) -> None:
    with Image.open(io.BytesIO(card17.profile.photo)) as image:
        image.load()
        assert image.size == (140, 200) and image.format == "JPEG"
    assert canary_profile(1).photo != canary_profile(2).photo


def independent_check(nn: str) -> bool:
    first9, check = int(nn[:9]), int(nn[9:])
    return check in (97 - first9 % 97, 97 - (2_000_000_000 + first9) % 97)


def test_canary_profiles_are_distinct_with_valid_national_numbers() -> None:
    profiles = [canary_profile(n) for n in range(300)]
    numbers = [p.national_number for p in profiles]
    assert len(set(numbers)) == len(numbers)
    assert len({p.surname for p in profiles}) == len(profiles)
    for profile in profiles:
        nn = profile.national_number
        assert len(nn) == 11 and nn.isdigit() and independent_check(nn)
        year = int(profile.birth_date[-4:])
        base = int(nn[:9]) + (2_000_000_000 if year >= 2000 else 0)
        assert int(nn[9:]) == 97 - base % 97  # the right rule for the right century
        assert nn[:2] == f"{year % 100:02d}"
        assert (profile.sex == "M") == (int(nn[6:9]) % 2 == 1)
        assert int(profile.card_number[:10]) % 97 == int(profile.card_number[10:]) % 97
    years = {int(p.birth_date[-4:]) for p in profiles}
    assert min(years) < 2000 <= max(years)
    assert independent_check(demo_profile().national_number)


def test_tlv_long_lengths() -> None:
    assert encode_tlv([(1, b"a" * 254)])[:2] == b"\x01\xfe"
    assert encode_tlv([(1, b"a" * 255)])[:3] == b"\x01\xff\x00"
    assert encode_tlv([(1, b"a" * 300)])[:3] == b"\x01\xff\x2d"
    assert encode_tlv([(1, b"a" * 510)])[:4] == b"\x01\xff\xff\x00"
    encoded = encode_tlv([(0x07, b"x" * 600), (0x08, b"y")])
    start, end = _tlv_span(encoded, 0x08)
    assert encoded[start:end] == b"y"
