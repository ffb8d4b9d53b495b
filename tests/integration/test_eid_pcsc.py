"""The eID stack against real pcscd + vpcd + our BELPIC emulator: read, verify, PIN, sign, CLI."""

from __future__ import annotations

import hashlib
import json
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from devices.eid.card import BelpicCard
from devices.eid.challenge import signed_message
from devices.eid.emulator import (
    BelpicApplet,
    portrait_jpeg,
    shared_test_pki,
    with_altered_address,
    with_altered_identity,
    with_swapped_photo,
)
from devices.eid.emulator.cardfiles import build_card
from devices.eid.emulator.testpki import Applet
from devices.eid.errors import (
    CardCommunicationError,
    CardStatusError,
    NoReader,
    PinBlocked,
    WrongPin,
)
from devices.eid.integrity import verify_challenge_signature
from devices.eid.monitor import ReaderEvent, ReaderMonitor
from devices.eid.pcsc import CONTEXT_RETRY_PAUSES, PcscContext, PcscReader, PcscReaderStates
from devices.eid.reader import read_eid
from tests.conftest import InsertCard
from tests.harness.common import wait_until
from tests.harness.eid import (
    APPLETS,
    RecordingCard,
    alice_card,
    alice_root_pem,
    card,
    kiosk_eid,
    profile_with,
    root_pem_file,
    roots,
)
from tests.harness.pcscd import VPCD_READERS, Pcscd, card_present

pytestmark = pytest.mark.integration

READER, OTHER_READER = VPCD_READERS


_OPEN: list[PcscContext] = []


def open_card(reader: str = READER, card_class: type[BelpicCard] = BelpicCard) -> BelpicCard:
    """A connection held until the end of the test: the kiosk connects exclusively, so a
    connection left open would lock the next test (or the CLI it runs) out of the card."""
    context = PcscContext()
    _OPEN.append(context)
    return card_class(context.connect(reader))


@pytest.fixture(autouse=True)
def _close_cards() -> Iterator[None]:
    yield
    while _OPEN:
        _OPEN.pop().close()  # releasing the context disconnects its cards


# -- reading through the CLI ----------------------------------------------------------------


def test_readers_are_listed_one_per_line(pcscd: Pcscd) -> None:
    result = kiosk_eid("readers")
    assert result.returncode == 0
    assert set(VPCD_READERS) <= set(result.stdout.splitlines())


@pytest.mark.parametrize("applet", APPLETS)
def test_read_json_is_exactly_the_card(
    insert_card: InsertCard, tmp_path: Path, applet: Applet
) -> None:
    content = card(applet)
    profile = content.profile
    insert_card(BelpicApplet(content))
    photo_out = tmp_path / "photo.jpg"
    result = kiosk_eid(
        "read",
        "--json",
        "--reader",
        READER,
        "--trust-root",
        str(root_pem_file(tmp_path, applet)),
        "--photo",
        str(photo_out),
    )
    assert result.returncode == 0, result.stderr
    document = json.loads(result.stdout)
    assert set(document) == {"card", "citizen", "address", "photo", "integrity"}
    assert document["card"] == {
        "applet_version": applet,
        "card_number": profile.card_number,
        "chip_number": profile.chip_number.hex(),
        "validity_begin": "-".join(reversed(profile.validity_begin.split("."))),
        "validity_end": "-".join(reversed(profile.validity_end.split("."))),
        "delivery_municipality": profile.delivery_municipality,
        "document_type": 1,
    }
    assert document["citizen"] == {
        "national_number": profile.national_number,
        "surname": profile.surname,
        "first_names": profile.first_names,
        "third_initial": profile.third_initial,
        "nationality": profile.nationality,
        "birth_place": profile.birth_place,
        "birth_date": "1987-02-14",
        "sex": "F",
        "noble_condition": "",
        "special_status": 0,
    }
    assert document["address"] == {
        "street_and_number": profile.street_and_number,
        "zip": profile.zip_code,
        "municipality": profile.municipality,
    }
    assert document["photo"] == {
        "sha256": hashlib.sha256(profile.photo).hexdigest(),
        "bytes": len(profile.photo),
    }
    assert photo_out.read_bytes() == profile.photo
    assert document["integrity"] == dict.fromkeys(
        ["identity_signature", "address_signature", "photo_hash", "rrn_chain"], True
    )


def test_read_without_json_is_a_readable_summary(insert_card: InsertCard, tmp_path: Path) -> None:
    insert_card(BelpicApplet(card("1.8")))
    result = kiosk_eid(
        "read", "--reader", READER, "--trust-root", str(root_pem_file(tmp_path, "1.8"))
    )
    assert result.returncode == 0, result.stderr
    assert "surname: Van den Broeck-Dupré" in result.stdout
    assert "rrn chain: True" in result.stdout


FORGERIES = {
    "altered identity": (with_altered_identity, "identity_signature"),
    "altered address": (with_altered_address, "address_signature"),
    "swapped photo": (lambda c: with_swapped_photo(c, portrait_jpeg(seed=99)), "photo_hash"),
    "untrusted RRN root": (None, "rrn_chain"),
}


@pytest.mark.parametrize("applet", APPLETS)
@pytest.mark.parametrize("forgery", list(FORGERIES))
def test_a_forged_card_exits_5_and_shows_nothing_of_the_citizen(
    insert_card: InsertCard, tmp_path: Path, applet: Applet, forgery: str
) -> None:
    forge, failing_check = FORGERIES[forgery]
    if forge is None:
        content = build_card(profile_with(), shared_test_pki().forged(), applet)
    else:
        content = forge(card(applet))
    insert_card(BelpicApplet(content))
    result = kiosk_eid(
        "read", "--json", "--reader", READER, "--trust-root", str(root_pem_file(tmp_path, applet))
    )
    assert result.returncode == 5, result.stderr
    document = json.loads(result.stdout)
    assert set(document) == {"integrity"}
    assert document["integrity"][failing_check] is False
    everything = result.stdout + result.stderr
    for secret in (content.profile.surname, content.profile.national_number, "Montagne"):
        assert secret not in everything


def test_the_public_alice_test_card_reads_as_documented(
    insert_card: InsertCard, tmp_path: Path
) -> None:
    """A real card's files (2009 test card, RSA-1024, SHA-1), not ones our test PKI made."""
    insert_card(BelpicApplet(alice_card()))
    root = alice_root_pem(tmp_path)
    result = kiosk_eid("read", "--json", "--reader", READER, "--trust-root", str(root))
    assert result.returncode == 0, result.stderr
    document = json.loads(result.stdout)
    assert document["citizen"] == {
        "national_number": "71715100070",
        "surname": "SPECIMEN",
        "first_names": "Alice Geldigekaart",
        "third_initial": "A",
        "nationality": "BELG",
        "birth_place": "Hamont-Achel",
        "birth_date": "1971-01-01",
        "sex": "F",
        "noble_condition": "",
        "special_status": 0,
    }
    assert document["address"] == {
        "street_and_number": "Meirplaats 1 bus 1",
        "zip": "2000",
        "municipality": "Antwerpen",
    }
    assert document["card"]["card_number"] == "000000122157"
    assert document["card"]["validity_end"] == "2014-07-23"
    assert document["photo"]["sha256"] == (
        "964333219e4773585be07a143312056e64241266dbfeb786b10163f53dd990c7"
    )
    # Without its test root the same card is not authentic: it is not under a Belgium root.
    untrusted = kiosk_eid("read", "--json", "--reader", READER)
    assert untrusted.returncode == 5
    assert json.loads(untrusted.stdout)["integrity"]["rrn_chain"] is False


def test_a_card_under_no_trusted_root_exits_5(insert_card: InsertCard) -> None:
    insert_card(BelpicApplet(card("1.7")))
    result = kiosk_eid("read", "--json", "--reader", READER)
    assert result.returncode == 5
    assert json.loads(result.stdout)["integrity"]["rrn_chain"] is False


def test_odd_names_and_exact_multiples_of_256_come_back_verbatim(
    insert_card: InsertCard, tmp_path: Path
) -> None:
    long_first_names = "Marie-Thérèse Ģirts Zoë " * 14  # over 255 bytes, with diacritics
    odd = profile_with(
        surname="[b]x[/b] D'Hondt-Ñúñez [color=ff0000]",
        first_names=long_first_names,
        photo=portrait_jpeg(seed=7, size=3072),  # 12 chunks of 256 exactly
    )
    content = build_card(odd, shared_test_pki(), "1.7")
    assert len(long_first_names.encode()) > 255
    assert len(content.file(0x4035)) % 256 == 0
    assert len(content.file(0x4032)) == 256  # the RSA-2048 signature file too
    insert_card(BelpicApplet(content))
    result = kiosk_eid(
        "read", "--json", "--reader", READER, "--trust-root", str(root_pem_file(tmp_path, "1.7"))
    )
    assert result.returncode == 0, result.stderr
    citizen = json.loads(result.stdout)["citizen"]
    assert citizen["surname"] == odd.surname
    assert citizen["first_names"] == long_first_names


# -- exit codes for what is not a readable eID -------------------------------------------------


def test_an_empty_reader_exits_4_after_waiting(pcscd: Pcscd) -> None:
    started = time.monotonic()
    result = kiosk_eid("read", "--reader", OTHER_READER, "--wait", "0.5")
    assert result.returncode == 4
    assert time.monotonic() - started < 30
    assert result.stderr.strip().startswith("kiosk eid: no card")


def test_an_unknown_reader_exits_3(pcscd: Pcscd) -> None:
    result = kiosk_eid("read", "--reader", "Nonexistent Reader 99")
    assert result.returncode == 3
    assert len(result.stderr.strip().splitlines()) == 1


class _NotAnEid:
    """A card that is not a BELPIC: another ATR, and every command refused."""

    present = True

    def atr(self) -> bytes:
        return bytes.fromhex("3B 8F 80 01 80 4F 0C A0 00 00 03 06 03 00 01 00 00 00 00 6A")

    def power_on(self) -> None: ...
    def power_off(self) -> None: ...
    def reset(self) -> None: ...
    def reinsert(self) -> None: ...

    def process(self, apdu: bytes) -> bytes:
        return bytes.fromhex("6A82") if apdu[1] == 0xA4 else bytes.fromhex("6D00")


def test_another_kind_of_card_exits_7(insert_card: InsertCard) -> None:
    insert_card(_NotAnEid())  # type: ignore[arg-type]
    result = kiosk_eid("read", "--json", "--reader", READER)
    assert result.returncode == 7
    assert json.loads(result.stdout) == {"error": "NotBelgianEid", "exit_code": 7}


def test_a_bad_trust_root_file_is_a_usage_error(pcscd: Pcscd, tmp_path: Path) -> None:
    bogus = tmp_path / "bogus.pem"
    bogus.write_text("not a certificate")
    result = kiosk_eid("read", "--trust-root", str(bogus))
    assert result.returncode == 2
    assert "bogus.pem" in result.stderr and "Traceback" not in result.stderr


# -- pulled out, restarted, unplugged ----------------------------------------------------------


def _full_read_apdus(applet: Applet, insert_card: InsertCard) -> int:
    """How many APDUs a full read takes; the card is taken out again afterwards."""
    emulated = BelpicApplet(card(applet))
    virtual = insert_card(emulated, reader=READER)
    with PcscContext() as context:
        before = emulated.apdu_count
        read_eid(BelpicCard(context.connect(READER)), roots(applet)).files.zero()
    virtual.remove()
    wait_until(lambda: not card_present(READER), 10, "the counting card to be out")
    return emulated.apdu_count - before


@pytest.mark.parametrize("applet", APPLETS)
def test_pulling_the_card_at_every_apdu_fails_cleanly_and_keeps_nothing(
    insert_card: InsertCard, applet: Applet
) -> None:
    total = _full_read_apdus(applet, insert_card)
    assert total > 30
    # Alternate between the two readers: one settles (pcscd must notice the card gone before
    # it comes back, see VirtualCard.min_absence_s) while the other is being read.
    slots = {
        reader: (emulated, insert_card(emulated, reader=reader, min_absence_s=0.5))
        for reader in VPCD_READERS
        for emulated in [BelpicApplet(card(applet))]
    }
    trusted = roots(applet)
    for index in range(1, total + 1):
        reader = VPCD_READERS[index % 2]
        emulated, virtual = slots[reader]
        if not emulated.present:
            wait_until(lambda r=reader: not card_present(r), 10, "pcscd to notice the removal")  # type: ignore[misc]
            virtual.insert()
        wait_until(lambda r=reader: card_present(r), 10, "pcscd to see the card")  # type: ignore[misc]
        with PcscContext() as context:
            eid = RecordingCard(context.connect(reader))
            emulated.pull_out_after(index - 1)  # the index-th APDU never gets an answer
            started = time.monotonic()
            with pytest.raises(CardCommunicationError):
                read_eid(eid, trusted)
            assert time.monotonic() - started < 5, f"APDU {index}: took too long to fail"
            assert all(not any(buffer) for buffer in eid.buffers), f"APDU {index}: data kept"


def test_a_pcscd_restart_between_two_reads(insert_card: InsertCard, pcscd: Pcscd) -> None:
    insert_card(BelpicApplet(card("1.8")))
    with PcscContext() as context:
        assert read_eid(BelpicCard(context.connect(READER)), roots("1.8")).integrity.authentic
    pcscd.restart()  # the emulator reconnects into the new pcscd's namespace by itself
    wait_until(lambda: card_present(READER), 15, "the card to come back after the restart")
    with PcscContext() as context:
        assert read_eid(BelpicCard(context.connect(READER)), roots("1.8")).integrity.authentic


def test_the_pcsc_unit_reads_the_first_card_after_a_pcscd_restart(
    insert_card: InsertCard, pcscd: Pcscd
) -> None:
    """Its PC/SC context, made before the restart, died with the old pcscd: the unit makes a
    new one by itself, and while pcscd is away it says so within its bounded retries."""
    reader = PcscReader(READER)
    try:
        assert reader.reader_present()  # the context is made here
        pcscd.restart()
        insert_card(BelpicApplet(card("1.8")))
        transport = reader.connect()
        try:
            assert read_eid(BelpicCard(transport), roots("1.8")).integrity.authentic
        finally:
            transport.close()
        pcscd.stop()
        asked = time.monotonic()
        assert not reader.reader_present()
        with pytest.raises(NoReader):
            reader.connect()
        assert time.monotonic() - asked < 2 * (sum(CONTEXT_RETRY_PAUSES) + 0.5)
    finally:
        if pcscd.process is None:
            pcscd.launch()
        reader.close()


def test_pcscd_dying_mid_read_is_a_clear_error_and_the_next_read_works(
    insert_card: InsertCard, pcscd: Pcscd
) -> None:
    # A slow card (20 ms per APDU) so that pcscd can be stopped while the read is going on.
    insert_card(BelpicApplet(card("1.7")), apdu_delay_s=0.02)
    outcome: list[BaseException | str] = []

    def read() -> None:
        try:
            with PcscContext() as context:
                read_eid(BelpicCard(context.connect(READER)), roots("1.7"))
            outcome.append("read completed")
        except BaseException as exc:
            outcome.append(exc)

    worker = threading.Thread(target=read)
    worker.start()
    time.sleep(0.3)
    pcscd.restart()
    worker.join(30)
    assert not worker.is_alive(), "the read hung after pcscd went away"
    assert len(outcome) == 1 and isinstance(outcome[0], CardCommunicationError), outcome
    wait_until(lambda: card_present(READER), 15, "the card to come back after the restart")
    with PcscContext() as context:
        assert read_eid(BelpicCard(context.connect(READER)), roots("1.7")).integrity.authentic


# -- PIN and the challenge signature -----------------------------------------------------------


@pytest.mark.parametrize("applet", APPLETS)
def test_pin_tries_are_counted_and_asking_does_not_spend_one(
    insert_card: InsertCard, applet: Applet
) -> None:
    emulated = BelpicApplet(card(applet))
    insert_card(emulated)
    eid = open_card()
    eid.recognise()
    assert eid.pin_tries_left() == 3
    with pytest.raises(WrongPin) as wrong:
        eid.verify_pin(bytearray(b"9999"))
    assert wrong.value.tries_left == 2
    eid.transport.close()  # held exclusively: let go before connecting again
    fresh = open_card()  # GET CARD DATA is cached per connection; ask the card again
    fresh.recognise()
    assert fresh.pin_tries_left() == 2
    assert fresh.pin_tries_left() == 2
    pin = bytearray(b"1234")
    fresh.verify_pin(pin)
    assert emulated.pin_tries_left == 3


def test_three_wrong_pins_block_the_card(insert_card: InsertCard) -> None:
    insert_card(BelpicApplet(card("1.8")))
    eid = open_card()
    eid.recognise()
    for expected in (2, 1):
        with pytest.raises(WrongPin) as wrong:
            eid.verify_pin(bytearray(b"0000"))
        assert wrong.value.tries_left == expected
    with pytest.raises(PinBlocked):
        eid.verify_pin(bytearray(b"0000"))
    with pytest.raises(PinBlocked):
        eid.verify_pin(bytearray(b"1234"))  # even the right PIN, now


@pytest.mark.parametrize("applet", APPLETS)
def test_the_card_signs_a_challenge_after_the_pin(insert_card: InsertCard, applet: Applet) -> None:
    content = card(applet)
    insert_card(BelpicApplet(content))
    eid = open_card()
    eid.recognise()
    challenge = signed_message("kiosk-pcsc", hashlib.sha256(applet.encode()).digest())
    with pytest.raises(CardStatusError) as refused:
        eid.sign_challenge(challenge)
    assert refused.value.sw == 0x6982  # security status not satisfied: no PIN yet
    eid.verify_pin(bytearray(b"1234"))
    signature, certificate = eid.sign_challenge(challenge)
    assert verify_challenge_signature(certificate, challenge, signature)
    assert not verify_challenge_signature(certificate, challenge + b"x", signature)


def test_kiosk_eid_pin_reports_a_wrong_pin(insert_card: InsertCard) -> None:
    insert_card(BelpicApplet(card("1.8")))
    result = kiosk_eid("pin", "--reader", READER, stdin="4321\n")
    assert result.returncode == 6
    assert "wrong PIN; 2 tries left" in result.stderr
    assert "4321" not in result.stdout + result.stderr
    result = kiosk_eid("pin", "--reader", READER, stdin="1234\n")
    assert result.returncode == 0, result.stderr
    assert "PIN correct" in result.stdout


# -- insert and remove events ------------------------------------------------------------------


def test_the_monitor_reports_readers_insertions_and_removals(insert_card: InsertCard) -> None:
    events: list[ReaderEvent] = []
    monitor = ReaderMonitor(PcscReaderStates(), events.append, poll=0.2).start()
    try:
        wait_until(
            lambda: {e.reader for e in events if e.kind == "reader_added"} >= set(VPCD_READERS),
            10,
            "readers",
        )
        virtual = insert_card(BelpicApplet(card("1.8")))
        wait_until(
            lambda: any(e.kind == "card_inserted" and e.reader == READER for e in events),
            10,
            "insertion",
        )
        inserted = next(e for e in events if e.kind == "card_inserted")
        assert inserted.atr == card("1.8").atr
        virtual.remove()
        wait_until(
            lambda: any(e.kind == "card_removed" and e.reader == READER for e in events),
            10,
            "removal",
        )
    finally:
        monitor.stop()
    kinds = [e.kind for e in events if e.reader == READER]
    assert kinds.index("card_inserted") < kinds.index("card_removed")


def test_the_monitor_reports_readers_going_and_coming_back(pcscd: Pcscd) -> None:
    """vpcd readers cannot be unplugged, but a pcscd restart takes them all away and back."""
    events: list[ReaderEvent] = []
    monitor = ReaderMonitor(PcscReaderStates(), events.append, poll=0.2).start()
    try:
        wait_until(lambda: sum(e.kind == "reader_added" for e in events) >= 2, 10, "readers")
        pcscd.restart()
        wait_until(
            lambda: {e.reader for e in events if e.kind == "reader_removed"} >= set(VPCD_READERS),
            15,
            "the readers to be reported gone",
        )
        wait_until(lambda: sum(e.kind == "reader_added" for e in events) >= 4, 15, "them back")
    finally:
        monitor.stop()


def test_the_pcsc_unit_reports_the_configured_reader_only(insert_card: InsertCard) -> None:
    events: list[ReaderEvent] = []
    monitor = PcscReader(OTHER_READER).monitor(events.append, poll=0.2).start()
    try:
        wait_until(lambda: any(e.kind == "reader_added" for e in events), 10, "the reader")
        insert_card(BelpicApplet(card("1.8")))  # in the reader the kiosk does not follow
        followed = insert_card(BelpicApplet(card("1.8")), reader=OTHER_READER)
        wait_until(lambda: any(e.kind == "card_inserted" for e in events), 10, "insertion")
        followed.remove()
        wait_until(lambda: any(e.kind == "card_removed" for e in events), 10, "removal")
    finally:
        monitor.stop()
    assert [e.kind for e in events] == ["reader_added", "card_inserted", "card_removed"]
    assert {e.reader for e in events} == {OTHER_READER}


def test_kiosk_eid_read_exits_6_when_the_card_is_pulled_out(
    insert_card: InsertCard, tmp_path: Path
) -> None:
    emulated = BelpicApplet(card("1.8"))
    insert_card(emulated)
    emulated.pull_out_after(12)  # in the middle of the photo
    result = kiosk_eid(
        "read", "--json", "--reader", READER, "--trust-root", str(root_pem_file(tmp_path, "1.8"))
    )
    assert result.returncode == 6
    assert json.loads(result.stdout) == {"error": "CardRemoved", "exit_code": 6}
    assert len(result.stderr.strip().splitlines()) == 1 and "Traceback" not in result.stderr
