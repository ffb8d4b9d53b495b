"""docs/session-states.md is generated from the machine's table and must not drift."""

from __future__ import annotations

from pathlib import Path

from session.doc import render
from session.machine import RULES
from session.states import DESCRIPTIONS, State

DOC = Path(__file__).resolve().parents[2] / "docs" / "session-states.md"


def test_committed_state_table_matches_the_code() -> None:
    assert DOC.read_text(encoding="utf-8") == render(), (
        "docs/session-states.md is stale: run `python -m session.doc > docs/session-states.md`"
    )


def test_every_state_is_described_and_reachable_in_the_table() -> None:
    assert set(DESCRIPTIONS) == set(State)
    targets = {t for rule in RULES for t in rule.targets} | {State.ATTRACT}
    assert targets == set(State)
    sources = {s for rule in RULES for s in rule.sources}
    assert sources == set(State), "every state has a way out"
