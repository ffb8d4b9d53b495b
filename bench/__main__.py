"""`python -m bench [NAME ...]`: run the benchmarks (all of them by default) and print ratios.

Each module `bench/bench_<name>.py` has a `main() -> dict` returning its figures; they are
printed as JSON lines so a closing note or CI log can quote them. Timings on these shared
machines are noisy, so every benchmark reports a ratio to a baseline measured in the same run.
"""

from __future__ import annotations

import importlib
import json
import pkgutil
import sys
from pathlib import Path


def available() -> list[str]:
    folder = Path(__file__).parent
    return sorted(
        m.name.removeprefix("bench_")
        for m in pkgutil.iter_modules([str(folder)])
        if m.name.startswith("bench_")
    )


def main(argv: list[str]) -> int:
    names = argv or available()
    unknown = sorted(set(names) - set(available()))
    if unknown:
        print(
            f"bench: unknown benchmark(s) {', '.join(unknown)}; have {', '.join(available())}",
            file=sys.stderr,
        )
        return 2
    if not names:
        print("bench: no benchmarks yet")
        return 0
    for name in names:
        module = importlib.import_module(f"bench.bench_{name}")
        print(json.dumps({"bench": name, **module.main()}), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
