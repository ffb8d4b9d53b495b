"""A bounded atheris session over the eID parsers: any other exception fails it."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st

from devices.eid.tlv import encode_tlv

RUNS = 20_000


def test_a_bounded_coverage_guided_fuzz_session_finds_no_crash(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    # Seeds: well-formed files, so mutations start from inside the format.
    (corpus / "identity").write_bytes(
        encode_tlv([(0x01, b"592123456732"), (0x07, "Dupré".encode()), (0x0C, b"14 FEV 1987")])
    )
    (corpus / "long").write_bytes(encode_tlv([(0x08, b"x" * 600)], pad_to=1024))
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "tests.fuzz.fuzz_eid_parsers",
            f"-runs={RUNS}",
            "-seed=1",
            str(corpus),
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        cwd=Path(__file__).resolve().parents[2],
    )
    assert result.returncode == 0, result.stderr[-3000:]
    assert f"Done {RUNS} runs" in result.stderr


@given(st.binary(max_size=2048))
def test_the_fuzz_target_itself_accepts_any_bytes(data: bytes) -> None:
    from tests.fuzz.fuzz_eid_parsers import one_input  # imported lazily: it instruments

    one_input(data)
