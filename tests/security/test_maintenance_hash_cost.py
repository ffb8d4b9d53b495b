"""Someone copies the kiosk's configuration (a backup, a misplaced copy, a readable file) and
tries every maintenance code against its hash offline. A 6-digit code has a million
possibilities: the hash must be memory-hard and slow (argon2id at RFC 9106's recommended cost,
not scrypt at N=2^14, 16 MiB), and a code IT set before the change must still open the
screen."""

from __future__ import annotations

import base64
import hashlib
import subprocess
import sys
from pathlib import Path

from argon2 import extract_parameters

from kiosk.maintenance_pin import check_maintenance_pin


def hash_from_the_cli(tmp_path: Path, code: str) -> str:
    """The hash as IT makes it: `kiosk maintenance code --write` on a configuration file."""
    config = tmp_path / "kiosk.toml"
    config.write_text("[ui]\n")
    done = subprocess.run(
        [sys.executable, "-m", "kiosk.cli", "--config", str(config), "maintenance", "code"],
        input=code + "\n",
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    line = done.stdout.strip()
    return line.split('"')[1]


def test_the_stored_hash_is_argon2id_at_the_recommended_cost(tmp_path: Path) -> None:
    stored = hash_from_the_cli(tmp_path, "246813")
    assert stored.startswith("$argon2id$"), f"not argon2id: {stored.split('$')[0]}"
    found = extract_parameters(stored)
    assert found.memory_cost >= 64 * 1024  # KiB: RFC 9106's second option, 64 MiB
    assert found.time_cost >= 3 and found.salt_len >= 16 and found.hash_len >= 32
    assert check_maintenance_pin(b"246813", stored)
    assert not check_maintenance_pin(b"246814", stored)


def test_a_code_set_before_the_change_still_opens_the_screen() -> None:
    salt = b"saltsaltsaltsalt"
    key = hashlib.scrypt(b"135790", salt=salt, n=2**14, r=8, p=1, dklen=32)
    old = f"scrypt$16384$8$1${base64.b64encode(salt).decode()}${base64.b64encode(key).decode()}"
    assert check_maintenance_pin(b"135790", old)
    assert not check_maintenance_pin(b"135791", old)
