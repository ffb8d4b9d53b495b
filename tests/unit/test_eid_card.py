"""The card layer over the in-process emulator: T=0 procedure bytes, selects, reads, PIN, resets."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from devices.eid.card import BelpicCard, atr_is_belpic, pin_block
from devices.eid.emulator import BelpicApplet, SimReader
from devices.eid.emulator.testpki import Applet
from devices.eid.errors import (
    CardCommunicationError,
    CardWasReset,
    InvalidPinFormat,
    NotBelgianEid,
)
from devices.eid.reader import read_eid
from devices.eid.simulated import SimulatedTransport
from devices.eid.transport import exchange_t0
from tests.harness.eid import APPLETS, RecordingCard, card, roots


def sim_card(applet: BelpicApplet, card_class: type[BelpicCard] = BelpicCard) -> BelpicCard:
    return card_class(SimulatedTransport(SimReader(applet)))


# -- T=0 procedure bytes -----------------------------------------------------------------------


def test_6cxx_reissues_the_command_with_the_length_the_card_gave() -> None:
    sent: list[bytes] = []

    def raw(apdu: bytes) -> bytes:
        sent.append(apdu)
        return bytes.fromhex("6C10") if apdu[-1] == 0 else b"x" * 16 + bytes.fromhex("9000")

    assert exchange_t0(raw, bytes.fromhex("00B0000000")) == (b"x" * 16, 0x9000)
    assert sent == [bytes.fromhex("00B0000000"), bytes.fromhex("00B0000010")]


def test_61xx_chains_get_response_until_done() -> None:
    answers = iter([bytes.fromhex("6105"), b"abcde" + bytes.fromhex("6103"), b"fgh\x90\x00"])
    sent: list[bytes] = []

    def raw(apdu: bytes) -> bytes:
        sent.append(apdu)
        return next(answers)

    assert exchange_t0(raw, bytes.fromhex("002A9E9A01AA")) == (b"abcdefgh", 0x9000)
    assert sent[1:] == [bytes.fromhex("00C0000005"), bytes.fromhex("00C0000003")]


def test_a_card_that_keeps_answering_61xx_is_cut_off() -> None:
    with pytest.raises(CardCommunicationError):
        exchange_t0(lambda _apdu: bytes.fromhex("6101"), bytes.fromhex("00A4040C00"))


@given(st.binary(max_size=1))
def test_a_reply_shorter_than_a_status_word_is_a_communication_error(reply: bytes) -> None:
    with pytest.raises(CardCommunicationError):
        exchange_t0(lambda _apdu: reply, bytes.fromhex("00B0000000"))


# -- recognition ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "atr",
    [
        "3B 98 94 40 0A A5 03 01 01 01 AD 13 10",  # v01, 2004
        "3B 98 13 40 0A A5 03 01 01 01 AD 13 11",  # v02, 12-2004
        "3B 98 13 40 2A D0 00 48 01 01 AD 13 11",  # seen by FTS
        "3B 98 95 40 FF D0 00 48 01 01 AD 13 21",  # the virtual test card
        "3B 7F 96 00 00 80 31 80 65 B0 85 04 01 20 12 0F FF 82 90 00",  # applet 1.8
    ],
)
def test_known_eid_atrs_are_recognised(atr: str) -> None:
    assert atr_is_belpic(bytes.fromhex(atr))


@pytest.mark.parametrize(
    "atr", ["3B 8F 80 01 80 4F 0C A0 00 00 03 06 03 00 01 00 00 00 00 6A", "3B 98", ""]
)
def test_other_atrs_are_not(atr: str) -> None:
    assert not atr_is_belpic(bytes.fromhex(atr))


class _RefusesTheApplet(BelpicApplet):
    def process(self, apdu: bytes | bytearray) -> bytes:
        if apdu[:3] == bytes.fromhex("00A404"):
            return bytes.fromhex("6A82")
        return super().process(apdu)


def test_a_card_without_the_belpic_applet_is_not_an_eid() -> None:
    with pytest.raises(NotBelgianEid):
        sim_card(_RefusesTheApplet(card("1.8"))).recognise()


# -- reading -------------------------------------------------------------------------------------


class _NoPathSelect(BelpicApplet):
    """Like readers that answer 6A87 to SELECT by path (Alcor, VASCO): only FIDs work."""

    def process(self, apdu: bytes | bytearray) -> bytes:
        if apdu[:3] == bytes.fromhex("00A408"):
            return bytes.fromhex("6A87")
        return super().process(apdu)


@pytest.mark.parametrize("applet", APPLETS)
def test_without_path_select_files_are_found_by_walking_fids(applet: Applet) -> None:
    eid = sim_card(_NoPathSelect(card(applet)))
    result = read_eid(eid, roots(applet))
    assert result.integrity.authentic
    assert bytes(result.files.photo) == card(applet).profile.photo


class _Recording(BelpicApplet):
    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.commands: list[bytes] = []

    def process(self, apdu: bytes | bytearray) -> bytes:
        self.commands.append(apdu[:3])  # CLA INS P1: no data kept
        return super().process(apdu)


def test_an_absent_optional_file_does_not_give_up_path_select() -> None:
    emulated = _Recording(card("1.8"))
    eid = sim_card(emulated)
    eid.select_applet()
    assert eid.read_file((0xDF00, 0x503D)) is None  # no RRN CA on this card
    emulated.commands.clear()
    assert eid.read_file((0xDF01, 0x4031)) is not None
    selects = [c for c in emulated.commands if c[1] == 0xA4]
    assert selects == [bytes.fromhex("00A408")]  # one SELECT by path, no FID walk


@pytest.mark.parametrize("applet", APPLETS)
def test_lenient_and_strict_t0_cards_read_the_same(applet: Applet) -> None:
    content = card(applet)
    strict = read_eid(sim_card(BelpicApplet(content, strict_t0=True)), roots(applet))
    lenient = read_eid(sim_card(BelpicApplet(content, strict_t0=False)), roots(applet))
    assert strict.files.buffers() == lenient.files.buffers()


class _ResetOnce(SimulatedTransport):
    """A transport whose card is reset by 'another program' once, at the n-th APDU."""

    def __init__(self, emulated: BelpicApplet, at: int) -> None:
        super().__init__(SimReader(emulated))
        self.emulated, self.at, self.count = emulated, at, 0

    def transmit(self, apdu: bytes | bytearray) -> tuple[bytes, int]:
        self.count += 1
        if self.count == self.at:
            self.reader.remove()
            self.reader.insert(self.emulated)  # powered up again: nothing selected any more
            raise CardWasReset("reset by another program")
        return super().transmit(apdu)


@pytest.mark.parametrize("at", [5, 12, 20])
def test_a_reset_mid_read_reselects_and_finishes_the_file(at: int) -> None:
    transport = _ResetOnce(BelpicApplet(card("1.7")), at)
    result = read_eid(BelpicCard(transport), roots("1.7"))
    assert result.integrity.authentic
    assert bytes(result.files.photo) == card("1.7").profile.photo


@pytest.mark.parametrize("applet", APPLETS)
def test_pulled_out_at_any_apdu_gives_a_typed_error_and_zeroes_every_buffer(applet: Applet) -> None:
    probe = BelpicApplet(card(applet))
    read_eid(sim_card(probe), roots(applet))
    total = probe.apdu_count
    for index in range(1, total + 1):
        emulated = BelpicApplet(card(applet))
        eid = sim_card(emulated, RecordingCard)
        emulated.pull_out_after(index - 1)
        with pytest.raises(CardCommunicationError):
            read_eid(eid, roots(applet))
        assert isinstance(eid, RecordingCard)
        assert all(not any(buffer) for buffer in eid.buffers), f"APDU {index}: data kept"


# -- PIN -----------------------------------------------------------------------------------------


@settings(max_examples=60, deadline=None)
@given(st.text(alphabet="0123456789", min_size=4, max_size=12))
def test_any_valid_pin_is_accepted_by_a_card_with_that_pin(pin: str) -> None:
    eid = sim_card(BelpicApplet(card("1.8"), pin=pin))
    eid.recognise()
    buffer = bytearray(pin.encode())
    eid.verify_pin(buffer)
    assert buffer == bytearray(pin.encode())  # the caller owns (and zeroes) its own buffer


@given(
    st.one_of(
        st.text(alphabet="0123456789", max_size=3),
        st.text(min_size=13),
        st.text().filter(lambda s: not s.isdigit()),
    )
)
def test_a_malformed_pin_is_refused_before_reaching_the_card(pin: str) -> None:
    with pytest.raises(InvalidPinFormat):
        pin_block(bytearray(pin.encode("utf-8")))


def test_the_pin_block_layout() -> None:
    assert pin_block(bytearray(b"1234")) == bytearray.fromhex("24 12 34 FF FF FF FF FF")
    assert pin_block(bytearray(b"123456789012")) == bytearray.fromhex("2C 12 34 56 78 90 12 FF")
