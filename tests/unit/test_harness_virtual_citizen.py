"""Whole journeys and failure paths, driven by the scripted virtual citizen."""

from __future__ import annotations

from pathlib import Path

import pytest

from devices.eid.emulator.cardfiles import canary_profile
from i18n.languages import CODES
from session import effects as fx
from session.effects import WipeReason
from session.machine import SessionMachine
from session.states import State
from session.timers import ManualClock, TimerPolicy
from session.wipe import Wiper
from tests.harness.virtual_citizen import (
    SCENARIOS,
    SimulatedPrinter,
    SimulatedSpool,
    VirtualCitizen,
    VirtualKiosk,
)

J = State  # shorter expected paths
EXPECTED: dict[str, tuple[State, ...]] = {
    "happy": (J.READING, J.PIN, J.PRINTING, J.TAKE_CARD, J.WIPING, J.THANK_YOU),
    "wrong_pin_then_right": (J.PIN, J.CHECKING_PIN, J.PIN, J.CHECKING_PIN, J.PIN, J.THANK_YOU),
    "pin_blocked_by_mistakes": (J.CHECKING_PIN, J.CARD_ERROR, J.TAKE_CARD, J.WIPING),
    "pin_already_blocked": (J.CHECKING_PIN, J.CARD_ERROR, J.TAKE_CARD),
    "card_pulled_in_reading": (J.READING, J.WIPING, J.ATTRACT),
    "card_pulled_in_printing": (J.PRINTING, J.WIPING, J.ATTRACT),
    "printer_lost_while_printing": (J.PRINTING, J.PRINT_ERROR, J.TAKE_CARD, J.OUT_OF_SERVICE),
    "printer_lost_before_confirm": (J.CONFIRM, J.SERVICE_ERROR, J.TAKE_CARD),
    "city_api_down": (J.AUTHENTICATING, J.SERVICE_ERROR, J.TAKE_CARD, J.WIPING),
    "idle_timeout_in_catalogue": (J.CATALOGUE, J.WIPING, J.ATTRACT),
}
WIPE_REASON = {
    "happy": WipeReason.COMPLETED,
    "card_pulled_in_pin": WipeReason.CARD_REMOVED,
    "cancel_in_catalogue": WipeReason.CANCELLED,
    "idle_timeout_in_language": WipeReason.TIMEOUT,
    "idle_timeout_in_pin_after_more_time": WipeReason.TIMEOUT,
}


@pytest.fixture
def kiosk(tmp_path: Path) -> VirtualKiosk:
    clock = ManualClock()
    machine = SessionMachine(TimerPolicy(), clock, tmp_path / "tmpfs", languages=CODES)
    spool = SimulatedSpool()
    return VirtualKiosk(machine, clock, Wiper(spool=spool), SimulatedPrinter(spool))


def is_subsequence(wanted: tuple[State, ...], seen: list[State]) -> bool:
    it = iter(seen)
    return all(any(s is w for s in it) for w in wanted)


@pytest.mark.parametrize("name", sorted(SCENARIOS))
def test_every_scenario_ends_wiped_and_back_at_attract(kiosk: VirtualKiosk, name: str) -> None:
    result = VirtualCitizen(canary_profile(3), SCENARIOS[name]).visit(kiosk)
    assert kiosk.machine.state is State.ATTRACT
    assert result.ignored == 0, "the script only does what the screens offer"
    assert result.wipes and all(w.verified for w in result.wipes)
    assert is_subsequence(EXPECTED.get(name, (State.WIPING, State.ATTRACT)), result.states), (
        result.states
    )
    if name in WIPE_REASON:
        assert result.wipes[0].reason is WIPE_REASON[name]
    assert kiosk.machine.citizen.is_empty()
    assert not list(kiosk.machine.tmpfs_dir.glob("*")), "no session directory left"
    assert isinstance(kiosk.wiper.spool, SimulatedSpool) and not kiosk.wiper.spool.jobs


def test_more_time_is_announced_with_sound_and_counted(kiosk: VirtualKiosk) -> None:
    result = VirtualCitizen(
        canary_profile(4), SCENARIOS["idle_timeout_in_pin_after_more_time"]
    ).visit(kiosk)
    announced = [e for e in result.effects if isinstance(e, fx.Announce)]
    assert [a.message_key for a in announced].count("idle.extended") == 3
    assert [a.message_key for a in announced].count("idle.warning") == 4
    assert all(a.sound for a in announced if a.message_key == "idle.warning")


def test_successive_citizens_each_get_a_fresh_session(kiosk: VirtualKiosk) -> None:
    dirs = []
    for n in range(5):
        result = VirtualCitizen(canary_profile(n), SCENARIOS["happy"]).visit(kiosk)
        (wipe,) = [e for e in result.effects if isinstance(e, fx.Wipe)]
        dirs.append(wipe.session_dir)
        assert wipe.job_ids == (n + 1,)
    assert len(set(dirs)) == 5
