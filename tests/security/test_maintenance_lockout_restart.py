"""Someone at the kiosk guesses the maintenance code. After five wrong codes the screen locks;
they then restart the kiosk (pull the plug, or make it crash) to get five new tries. The
count and the lock must survive the restart: they are kept in the state directory.

Each "kiosk" below is a new process that builds the maintenance lock from the configuration
file as `kiosk run` does (kiosk.app through kiosk.maintenance_lock_file) and records wrong
codes on it as the maintenance screen does."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

KIOSK = """
import sys
from kiosk.config import load_settings
from kiosk.maintenance_lock_file import maintenance_lock

lock = maintenance_lock(load_settings(sys.argv[1]).ui)
for _ in range(int(sys.argv[2])):
    if lock.seconds_locked() == 0:
        lock.failed()  # a wrong code, as the maintenance screen records it
print(round(lock.seconds_locked()))
"""


def kiosk_process(config: Path, wrong_codes: int) -> int:
    """Start a kiosk, type `wrong_codes` wrong codes; the seconds it is still locked for."""
    done = subprocess.run(
        [sys.executable, "-c", KIOSK, str(config), str(wrong_codes)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    return int(done.stdout)


def config_in(tmp_path: Path) -> Path:
    config = tmp_path / "kiosk.toml"
    state = tmp_path / "var-lib-kiosk"
    config.write_text(
        f'[ui]\nmaintenance_lockout = 600\nmaintenance_lock_file = "{state / "lock.json"}"\n'
    )
    return config


def test_a_restart_does_not_lift_the_lock(tmp_path: Path) -> None:
    config = config_in(tmp_path)
    assert kiosk_process(config, 5) > 590  # five wrong codes: locked
    assert kiosk_process(config, 0) > 590, "the restart lifted the lock-out"
    assert kiosk_process(config, 5) > 590, "the restart gave five new tries"


def test_a_restart_does_not_reset_the_wrong_codes_so_far(tmp_path: Path) -> None:
    config = config_in(tmp_path)
    for _ in range(4):
        assert kiosk_process(config, 1) == 0  # one wrong code per start of the kiosk
    assert kiosk_process(config, 1) > 590, "each restart gave the attacker new tries"
