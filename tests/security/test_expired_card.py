"""Finding 1 (part): a card past its end of validity is refused at the kiosk before the PIN.

Tried as a citizen with an old card would: put it in and wait. Before, the kiosk asked for the
PIN, had the card sign, and only then heard from the city that the card had expired. Now the
session goes from reading straight to the card problem "card_expired", with its own plain
sentence in every language, the PIN pad never shows, and the card's data is forgotten.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterator
from pathlib import Path

import pytest

from devices.eid.card_session import CardSession
from devices.eid.emulator import BelpicApplet, SimReader, build_card, shared_test_pki
from devices.eid.errors import CardExpired
from devices.eid.simulated import SimulatedReader
from i18n import announcement
from kiosk.wiring import build_demo_runtime
from session import events as ev
from session.effects import Announce, VerifyPin
from session.problems import CardProblem
from session.states import State
from session.timers import ManualClock
from tests.harness.eid import profile_with, roots
from tests.integration.test_runtime_demo import Driver, assert_nothing_left, demo_settings

pytestmark = pytest.mark.integration

LAST_DAY = datetime.date(2024, 3, 14)


def card_valid_until(last_day: datetime.date) -> BelpicApplet:
    profile = profile_with(
        # Issued within the test PKI's validity (from 2020), so only its end date is wrong.
        validity_begin=f"{last_day.replace(year=last_day.year - 4):%d.%m.%Y}",
        validity_end=f"{last_day:%d.%m.%Y}",
    )
    return BelpicApplet(build_card(profile, shared_test_pki(), "1.8"))


@pytest.fixture
def kiosk(tmp_path: Path) -> Iterator[Driver]:
    runtime = build_demo_runtime(
        demo_settings(tmp_path),
        tmp_path / "work",
        clock=ManualClock(),
        tick_s=None,
        printer_poll_s=None,
    )
    driver = Driver(runtime).start()
    yield driver
    runtime.stop()


def test_an_expired_card_is_refused_before_the_pin_is_asked(kiosk: Driver) -> None:
    kiosk.runtime.dispatch(ev.Touch())
    kiosk.runtime.dispatch(ev.ChooseLanguage("nl"))
    kiosk.demo.insert_card(card_valid_until(LAST_DAY))
    assert kiosk.until_state(State.CARD_ERROR, State.PIN) is State.CARD_ERROR
    assert kiosk.runtime.machine.context.problem is CardProblem.EXPIRED
    assert State.PIN not in kiosk.visited()
    effects = [effect for step in kiosk.steps for effect in step.effects]
    assert not any(isinstance(effect, VerifyPin) for effect in effects)
    assert Announce("error.card_expired", (), True) in effects
    assert kiosk.runtime.machine.citizen.is_empty()
    kiosk.runtime.dispatch(ev.Back())  # "give my card back": an expired card is not retried
    assert kiosk.state is State.TAKE_CARD
    kiosk.demo.remove_card()
    assert kiosk.until_state(State.ATTRACT) is State.ATTRACT
    assert_nothing_left(kiosk.runtime)


def test_the_card_is_valid_through_its_last_day() -> None:
    def session(today: datetime.date) -> CardSession:
        reader = SimulatedReader(SimReader(card_valid_until(LAST_DAY)))
        return CardSession(reader, roots("1.8"), today=lambda: today)

    read, _ca = session(LAST_DAY).read()
    read.files.zero()
    with pytest.raises(CardExpired) as expired:
        session(LAST_DAY + datetime.timedelta(days=1)).read()
    assert CardProblem.from_exception(expired.value) is CardProblem.EXPIRED
    assert not CardProblem.EXPIRED.retryable


@pytest.mark.parametrize("language", ["fr", "nl", "de", "en"])
def test_the_citizen_is_told_in_their_language_what_to_do(language: str) -> None:
    said = announcement("error.card_expired", {}, language)
    english = announcement("error.card_expired", {}, "en")
    assert said and (language == "en" or said != english)
    assert "not_authentic" not in said and "card_expired" not in said
