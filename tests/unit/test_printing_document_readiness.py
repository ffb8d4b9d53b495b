"""printer-state-reasons and queue attributes mapped to ready / degraded / unavailable."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from devices.printing.document.cups_readiness import (
    Severity,
    cups_readiness,
    parse_state_reason,
    reason_level,
)
from devices.printing.readiness import Level

keywords = st.from_regex(r"[a-z][a-z0-9]{0,8}(-[a-z0-9]{1,8}){0,3}", fullmatch=True).filter(
    lambda k: not k.endswith(("-report", "-warning", "-error"))
)


@given(keywords, st.sampled_from(["-report", "-warning", "-error", ""]))
def test_keyword_and_suffix_split_back_apart(keyword: str, suffix: str) -> None:
    reason = parse_state_reason(keyword + suffix)
    assert reason.keyword == keyword
    expected = {"-report": Severity.REPORT, "-warning": Severity.WARNING}.get(
        suffix, Severity.ERROR
    )
    assert reason.severity is expected, "no suffix means error"


@given(st.text(max_size=40))
def test_any_text_parses_to_a_level(raw: str) -> None:
    assert reason_level(parse_state_reason(raw)) in Level


def attributes(reasons: list[str] | str, state: int = 3, accepting: bool = True) -> dict:
    return {
        "printer-state": state,
        "printer-state-reasons": reasons,
        "printer-is-accepting-jobs": accepting,
        "printer-state-message": "",
    }


@pytest.mark.parametrize(
    ("reasons", "level", "words"),
    [
        (["none"], Level.READY, "ready"),
        ("none", Level.READY, "ready"),
        (["media-empty-error"], Level.UNAVAILABLE, "out of paper"),
        (["media-empty"], Level.UNAVAILABLE, "out of paper (media-empty)"),
        (["media-empty-warning"], Level.DEGRADED, "out of paper"),
        (["media-empty-report"], Level.READY, "ready"),
        (["media-low-report"], Level.DEGRADED, "paper low"),
        (["media-low-warning"], Level.DEGRADED, "paper low"),
        (["media-jam-error"], Level.UNAVAILABLE, "paper jam"),
        (["toner-low-report"], Level.DEGRADED, "toner low"),
        (["marker-supply-low-warning"], Level.DEGRADED, "ink or toner low"),
        (["cover-open-error"], Level.UNAVAILABLE, "cover open"),
        (["offline-report"], Level.UNAVAILABLE, "offline"),
        (["paused"], Level.UNAVAILABLE, "paused"),
        (["cups-waiting-for-job-completed"], Level.READY, "ready"),
        (["some-vendor-thing-report"], Level.READY, "ready"),
        (["some-vendor-thing"], Level.UNAVAILABLE, "some vendor thing"),
        (["toner-low-report", "media-jam-error"], Level.UNAVAILABLE, "paper jam (media-jam-error)"),
    ],
)
def test_reasons_map_to_levels(reasons: list[str] | str, level: Level, words: str) -> None:
    readiness = cups_readiness(attributes(reasons))
    assert readiness.level is level
    assert words in readiness.reason
    assert readiness.offered is (level is not Level.UNAVAILABLE)


def test_the_worst_finding_wins_and_only_it_is_named() -> None:
    readiness = cups_readiness(attributes(["toner-low-report", "media-jam-error"]))
    assert "toner" not in readiness.reason
    assert readiness.details == ("toner-low-report", "media-jam-error")


def test_a_stopped_or_rejecting_queue_is_unavailable() -> None:
    stopped = cups_readiness({**attributes(["paused"], state=5), "printer-state-message": "Paused"})
    assert (stopped.level, stopped.reason) == (Level.UNAVAILABLE, "queue stopped: Paused")
    rejecting = cups_readiness(attributes(["none"], accepting=False))
    assert rejecting.level is Level.UNAVAILABLE
    assert rejecting.reason == "queue is rejecting new jobs"
    assert rejecting.as_dict() == {
        "level": "unavailable",
        "reason": "queue is rejecting new jobs",
        "details": [],
    }
