"""How the kiosk is put together: concrete devices, city API client and session machine
behind the kiosk.runtime.Runtime seam. No Kivy here.

- `build_runtime(settings)`: production (`kiosk run`), devices from the configuration.
- `build_demo_runtime(settings, workdir)`: everything simulated or embedded (`kiosk demo`,
  tests, benchmarks); `runtime.demo` inserts and removes the demo card.
"""

from kiosk.wiring.build import build_demo_runtime, build_runtime
from kiosk.wiring.demo import SimulatedDemo
from kiosk.wiring.runtime import KioskRuntime

__all__ = ["KioskRuntime", "SimulatedDemo", "build_demo_runtime", "build_runtime"]
