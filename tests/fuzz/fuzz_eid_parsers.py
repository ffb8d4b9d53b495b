"""Coverage-guided fuzzing of the eID parsers with atheris (libFuzzer).

Card bytes are hostile input: only the parsers' typed errors may come out. Run it longer by
hand with `python -m tests.fuzz.fuzz_eid_parsers -runs=1000000` (libFuzzer options apply);
tests/unit/test_eid_fuzz.py runs a short, bounded session in every `make test`.
"""

from __future__ import annotations

import contextlib
import sys

import atheris

with atheris.instrument_imports():
    from devices.eid.identity import (
        CardDataError,
        parse_address,
        parse_birth_date,
        parse_identity,
    )
    from devices.eid.tlv import TlvError, parse_tlv

EXPECTED = (TlvError, CardDataError)


def one_input(data: bytes) -> None:
    for parse in (parse_tlv, parse_identity, parse_address):
        with contextlib.suppress(EXPECTED):
            parse(data)
    with contextlib.suppress(EXPECTED):
        parse_birth_date(data.decode("utf-8", errors="replace"))


def main(argv: list[str]) -> None:
    atheris.Setup(argv, one_input)
    atheris.Fuzz()


if __name__ == "__main__":
    main(sys.argv)
