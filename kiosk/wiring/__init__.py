"""How the kiosk is put together: concrete devices, city API client and session machine
behind the kiosk.runtime.Runtime seam. No Kivy here.

- `build_runtime(settings)`: production (`kiosk run`), devices from the configuration.
- `build_demo_runtime(settings, workdir)`: everything simulated, the city's server a child
  process (`kiosk demo`, tests, benchmarks); `runtime.demo` inserts and removes the demo card.

The names below load on first use, so that `kiosk demo` can start the city's server
(kiosk.wiring.cityserver_process) before it loads the devices' modules: the two overlap.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from kiosk.wiring.build import build_demo_runtime, build_runtime
    from kiosk.wiring.demo_controls import SimulatedDemo
    from kiosk.wiring.kiosk_runtime import KioskRuntime

_WHERE = {
    "build_demo_runtime": "kiosk.wiring.build",
    "build_runtime": "kiosk.wiring.build",
    "SimulatedDemo": "kiosk.wiring.demo_controls",
    "KioskRuntime": "kiosk.wiring.kiosk_runtime",
}

__all__ = ["KioskRuntime", "SimulatedDemo", "build_demo_runtime", "build_runtime"]


def __getattr__(name: str) -> Any:
    module = _WHERE.get(name)
    if module is None:
        raise AttributeError(f"module 'kiosk.wiring' has no attribute {name!r}")
    return getattr(importlib.import_module(module), name)
