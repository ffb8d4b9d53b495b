"""An attacker with a shell as the kiosk's user (or a crash) must not get at a citizen's data
in the kiosk's memory: `kiosk run` makes its process non-dumpable before anything else (no
core file, no ptrace, no /proc/<pid>/mem for other processes of the same user).

The child runs `kiosk run` through the CLI's own entry point on an unenrolled configuration
(it stops at once with exit 3), then asks the kernel whether it is still dumpable and
tries to read its own memory as another process of the same user would see it."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

CHILD = """
import ctypes, resource, sys
from kiosk.cli import main

code = main(["--config", sys.argv[1], "run"])
dumpable = ctypes.CDLL(None).prctl(3, 0, 0, 0, 0)  # PR_GET_DUMPABLE
core = resource.getrlimit(resource.RLIMIT_CORE)
print(code, dumpable, core[0], core[1])
"""


def test_kiosk_run_is_not_dumpable(tmp_path: Path) -> None:
    config = tmp_path / "kiosk.toml"
    config.write_text(f'[cityapi]\ntoken_file = "{tmp_path / "no-token"}"\n')
    done = subprocess.run(
        [sys.executable, "-c", CHILD, str(config)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    code, dumpable, soft, hard = done.stdout.split()
    assert code == "3", done.stderr  # not enrolled: it stopped where expected
    assert dumpable == "0", "kiosk run left its process dumpable (core dumps, ptrace)"
    assert (soft, hard) == ("0", "0"), "kiosk run may still write a core file"
