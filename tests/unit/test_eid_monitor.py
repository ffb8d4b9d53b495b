"""The reader monitor with the simulated backend, and the choice of the reader to follow.

The PC/SC backend goes through the same monitor in tests/integration/test_eid_pcsc.py."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest

from devices.eid.emulator import BelpicApplet, SimReader
from devices.eid.monitor import FollowReader, ReaderEvent, ReaderMonitor
from devices.eid.simulated import SimulatedReader, SimulatedReaderStates
from tests.harness.common import wait_until
from tests.harness.eid import card

# Far longer than any test waits: an event that arrives comes from the insertion, not a poll.
SLOW_POLL = 60.0
NAME = SimReader.name


def kinds(events: list[ReaderEvent]) -> list[str]:
    return [e.kind for e in events]


@pytest.fixture
def slot() -> SimReader:
    return SimReader()


@pytest.fixture
def events(slot: SimReader) -> Iterator[list[ReaderEvent]]:
    seen: list[ReaderEvent] = []
    monitor = SimulatedReader(slot).monitor(seen.append, poll=SLOW_POLL).start()
    wait_until(lambda: bool(seen), 5, "the reader")
    yield seen
    monitor.stop()


def test_the_simulated_reader_is_reported_and_a_card_at_once(
    slot: SimReader, events: list[ReaderEvent]
) -> None:
    assert events == [ReaderEvent("reader_added", NAME)]
    content = card("1.8")
    slot.insert(BelpicApplet(content))
    wait_until(lambda: len(events) == 2, 5, "the insertion")
    assert events[1] == ReaderEvent("card_inserted", NAME, content.atr)
    slot.remove()
    wait_until(lambda: len(events) == 3, 5, "the removal")
    assert events[2] == ReaderEvent("card_removed", NAME)


def test_a_card_taken_out_and_put_back_at_once_is_two_events(
    slot: SimReader, events: list[ReaderEvent]
) -> None:
    applet = BelpicApplet(card("1.8"))
    slot.insert(applet)
    slot.remove()
    slot.insert(applet)
    wait_until(lambda: len(events) == 4, 5, "the three changes")
    assert kinds(events) == ["reader_added", "card_inserted", "card_removed", "card_inserted"]


def test_a_card_already_in_is_reported_when_the_monitor_starts() -> None:
    slot = SimReader(BelpicApplet(card("1.7")))
    events: list[ReaderEvent] = []
    monitor = SimulatedReader(slot).monitor(events.append, poll=SLOW_POLL).start()
    try:
        wait_until(lambda: len(events) == 2, 5, "the reader and its card")
    finally:
        monitor.stop()
    assert kinds(events) == ["reader_added", "card_inserted"]


def test_a_stopped_monitor_stops_at_once_and_reports_nothing_more(slot: SimReader) -> None:
    events: list[ReaderEvent] = []
    monitor = SimulatedReader(slot).monitor(events.append, poll=SLOW_POLL).start()
    wait_until(lambda: bool(events), 5, "the reader")
    started = time.monotonic()
    monitor.stop()
    assert time.monotonic() - started < 2  # woken, not left to its poll
    slot.insert(BelpicApplet(card("1.8")))
    time.sleep(0.1)
    assert kinds(events) == ["reader_added"]


def test_a_failing_listener_does_not_stop_the_monitor(slot: SimReader) -> None:
    events: list[ReaderEvent] = []

    def listener(event: ReaderEvent) -> None:
        events.append(event)
        if event.kind == "card_inserted":
            raise RuntimeError("a listener that fails")

    monitor = ReaderMonitor(SimulatedReaderStates(slot), listener, poll=SLOW_POLL).start()
    try:
        slot.insert(BelpicApplet(card("1.8")))
        slot.remove()
        wait_until(lambda: len(events) == 3, 5, "the removal after the failure")
    finally:
        monitor.stop()
    assert kinds(events) == ["reader_added", "card_inserted", "card_removed"]


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
