"""Which reader the kiosk follows among those the monitor reports.

The monitor itself meets pcscd in tests/integration/test_eid_pcsc.py."""

from __future__ import annotations

from devices.eid.monitor import FollowReader, ReaderEvent


def kinds(events: list[ReaderEvent]) -> list[str]:
    return [e.kind for e in events]


# -- which reader to follow --------------------------------------------------------------------


def followed(wanted: str, *events: ReaderEvent) -> list[ReaderEvent]:
    passed: list[ReaderEvent] = []
    follow = FollowReader(wanted, passed.append)
    for event in events:
        follow(event)
    return passed


A, B = "ACS ACR38U 00 00", "Gemalto PC Twin Reader 01 00"


def test_with_no_reader_configured_the_first_one_seen_is_followed() -> None:
    passed = followed(
        "",
        ReaderEvent("reader_added", A),
        ReaderEvent("reader_added", B),
        ReaderEvent("card_inserted", B),
        ReaderEvent("card_inserted", A),
    )
    assert passed == [ReaderEvent("reader_added", A), ReaderEvent("card_inserted", A)]


def test_the_configured_reader_is_followed_by_a_part_of_its_name() -> None:
    passed = followed(
        "gemalto",
        ReaderEvent("reader_added", A),
        ReaderEvent("card_inserted", A),
        ReaderEvent("reader_added", B),
        ReaderEvent("card_inserted", B),
    )
    assert passed == [ReaderEvent("reader_added", B), ReaderEvent("card_inserted", B)]


def test_a_reader_gone_is_no_longer_followed() -> None:
    passed = followed(
        "",
        ReaderEvent("reader_added", A),
        ReaderEvent("reader_removed", A),
        ReaderEvent("reader_added", B),
        ReaderEvent("card_inserted", B),
    )
    assert kinds(passed) == ["reader_added", "reader_removed", "reader_added", "card_inserted"]
    assert [e.reader for e in passed] == [A, A, B, B]
