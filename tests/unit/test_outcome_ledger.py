"""The outcome ledger: the small file that keeps owed outcome reports across a dead process."""

from __future__ import annotations

import json
import stat
from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st

from kiosk.wiring.outcome_ledger import LEDGER_NAME, MAX_ENTRIES, OutcomeLedger


def test_an_issued_document_is_owed_then_settled_once_then_forgotten(tmp_path: Path) -> None:
    ledger = OutcomeLedger(tmp_path)
    ledger.issued("doc-1")
    assert ledger.open_entries() == ["doc-1"] and ledger.to_report() == {}
    mode = stat.S_IMODE((tmp_path / LEDGER_NAME).stat().st_mode)
    assert mode == 0o600
    assert ledger.settle("doc-1", "printed")
    assert not ledger.settle("doc-1", "abandoned"), "the first outcome is what happened"
    ledger.issued("doc-1")  # a repeat's answer changes nothing
    assert ledger.to_report() == {"doc-1": "printed"}
    ledger.reported("doc-1", "abandoned")  # not the recorded one: kept
    assert ledger.to_report() == {"doc-1": "printed"}
    ledger.reported("doc-1", "printed")
    assert not (tmp_path / LEDGER_NAME).exists(), "an empty ledger leaves no file"


def test_a_session_end_abandons_what_is_open_and_a_restart_makes_it_unknown(
    tmp_path: Path,
) -> None:
    ledger = OutcomeLedger(tmp_path)
    ledger.issued("doc-a")
    ledger.issued("doc-b")
    ledger.settle("doc-b", "print_failed")
    assert ledger.settle_open("abandoned") == ["doc-a"]
    ledger.issued("doc-c")  # then the process dies
    after_crash = OutcomeLedger(tmp_path)
    assert after_crash.settle_open("unknown") == ["doc-c"]
    assert after_crash.to_report() == {
        "doc-a": "abandoned",
        "doc-b": "print_failed",
        "doc-c": "unknown",
    }


def test_only_ids_and_outcomes_are_written(tmp_path: Path) -> None:
    ledger = OutcomeLedger(tmp_path)
    ledger.issued("doc-x")
    ledger.settle("doc-y", "printed")
    assert json.loads((tmp_path / LEDGER_NAME).read_text()) == {"doc-x": None, "doc-y": "printed"}
    assert [p.name for p in tmp_path.iterdir()] == [LEDGER_NAME], "no temporary file left"


def test_the_ledger_stays_small(tmp_path: Path) -> None:
    ledger = OutcomeLedger(tmp_path)
    for n in range(MAX_ENTRIES + 10):
        ledger.settle(f"doc-{n}", "unknown")
    kept = ledger.to_report()
    assert len(kept) == MAX_ENTRIES and f"doc-{MAX_ENTRIES + 9}" in kept and "doc-0" not in kept


@given(st.binary(max_size=300))
def test_a_damaged_ledger_is_started_afresh_never_a_crash(raw: bytes) -> None:
    import tempfile

    with tempfile.TemporaryDirectory() as folder:
        (Path(folder) / LEDGER_NAME).write_bytes(raw)
        ledger = OutcomeLedger(Path(folder))
        entries = ledger.to_report()
        assert all(
            v in {"printed", "print_failed", "abandoned", "unknown"} for v in entries.values()
        )
        ledger.issued("doc-new")
        assert "doc-new" in ledger.open_entries()


def test_hostile_entries_are_dropped(tmp_path: Path) -> None:
    (tmp_path / LEDGER_NAME).write_text(
        json.dumps({"../../etc/passwd": "printed", "doc-ok": "printed", "doc-2": "burnt"})
    )
    assert OutcomeLedger(tmp_path).to_report() == {"doc-ok": "printed"}
