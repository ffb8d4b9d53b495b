"""Plays one citizen's journey, in French, by touches, on the `kiosk run` the README's
walk-through started (through the drill agent's socket, argv[1]); prints each screen reached
and exits non-zero naming what it saw when a screen does not come."""

from __future__ import annotations

import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))  # run as a script, from elsewhere
from tests.harness import drill_agent

AGENT = sys.argv[1]


def ask(request: dict[str, Any], timeout: float = 20.0) -> dict[str, Any]:
    return drill_agent.ask(AGENT, request, timeout)


def reach(*states: str, timeout: float = 40.0) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    seen: dict[str, Any] = {}
    while time.monotonic() < deadline:
        try:
            seen = ask({"do": "screen"})
        except OSError:  # the kiosk is still starting
            seen = {}
        if seen.get("running") and seen.get("ready") and seen.get("state") in states:
            print("screen:", seen["state"], flush=True)
            return seen
        time.sleep(0.2)
    sys.exit(f"waited for {states}; saw {seen.get('state')}: {seen.get('texts')}")


def touch(target: str) -> None:
    answer = ask({"do": "touch", "target": target})
    if "error" in answer:
        sys.exit(f"touch {target!r}: {answer['error']}")


# The emulated card is in the reader from the start: the kiosk may skip the attract screen.
if reach("attract", "language", timeout=60)["state"] == "attract":
    touch("@centre")
    reach("language")
touch("Français")
reach("pin", timeout=30)
for digit in "1234":
    touch(digit)
touch("OK")
reach("catalogue", timeout=30)
touch("tile:residence")
reach("confirm")
touch("Imprimer")
reach("take_card", timeout=90)
