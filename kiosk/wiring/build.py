"""Building a runtime: the production one from the configuration, and the demo one."""

from __future__ import annotations

import hashlib
import os
import time
from pathlib import Path

from msgspec.structs import replace

from kiosk.config import SessionSettings, Settings
from kiosk.wiring.cityserver_process import CityServerProcess
from kiosk.wiring.demo_controls import SimulatedDemo
from kiosk.wiring.devices import demo_devices, production_devices, test_pki_roots, trust_roots
from kiosk.wiring.kiosk_runtime import PRINTER_POLL_S, TICK_S, TOKEN_CHECK_S, KioskRuntime
from session.timers import Clock

DEFAULT_TMPFS = SessionSettings().tmpfs_dir
SHM = Path("/dev/shm")  # noqa: S108 (a tmpfs on purpose: the demo's session files)


def build_runtime(settings: Settings) -> KioskRuntime:
    """The production runtime. Raises ConfigError when the configuration cannot work; a
    device that is missing is not an error (the session shows out-of-service)."""
    devices = production_devices(settings)
    extra = test_pki_roots() if settings.eid.simulated else []
    return KioskRuntime(settings, devices, trust_roots(settings, *extra))


def build_demo_runtime(
    settings: Settings,
    workdir: Path,
    *,
    clock: Clock = time.monotonic,
    tick_s: float | None = TICK_S,
    printer_poll_s: float | None = PRINTER_POLL_S,
    paced_printing: bool = False,
    server: CityServerProcess | None = None,
    fault_injection: bool = False,
    token_check_s: float | None = TOKEN_CHECK_S,
) -> KioskRuntime:
    """Everything simulated, the city's server a child process; `runtime.demo` is a
    `SimulatedDemo`.

    `workdir` holds the city server's data, the terminal token and the printed PDFs.
    The session's files go to `session.tmpfs_dir` unless it is the production default, then
    to a tmpfs folder of this workdir under /dev/shm (or workdir/session without /dev/shm).
    Tests pass a `clock` (session.timers.ManualClock) and `tick_s=None` to drive time;
    `paced_printing` gives a folder printer a printer's time, for people watching. `server`:
    the city's server already started (kiosk.wiring.cityserver_process.start_demo_server),
    stopped with the runtime, or at once if the runtime cannot be built. `fault_injection`:
    the server started here answers /_faults (tests that make the city API fail).
    `token_check_s`: how often the terminal token's age is checked (None: never).
    """
    settings = demo_settings(settings, workdir)
    devices, server = demo_devices(
        settings,
        workdir,
        paced_printing=paced_printing,
        server=server,
        fault_injection=fault_injection,
    )
    try:
        runtime = KioskRuntime(
            settings,
            devices,
            trust_roots(settings, *test_pki_roots()),
            clock=clock,
            tick_s=tick_s,
            printer_poll_s=printer_poll_s,
            token_check_s=token_check_s,
            on_stop=[server.stop],
        )
    except BaseException:
        server.stop()
        raise
    assert devices.sim_reader is not None and devices.demo_card is not None
    runtime.demo = SimulatedDemo(
        runtime,
        devices.sim_reader,
        devices.demo_card,
        devices.document_printer,
        devices.receipt_printer,
        devices.pdf_folder,
        server,
    )
    return runtime


def demo_settings(settings: Settings, workdir: Path) -> Settings:
    if settings.session.tmpfs_dir != DEFAULT_TMPFS:
        return settings
    workdir = workdir.resolve()
    if SHM.is_dir() and os.access(SHM, os.W_OK):
        tag = hashlib.sha256(str(workdir).encode()).hexdigest()[:12]
        tmpfs = SHM / f"kiosk-demo-{os.getuid()}-{tag}"
    else:
        tmpfs = workdir / "session"
    return replace(settings, session=replace(settings.session, tmpfs_dir=tmpfs))
