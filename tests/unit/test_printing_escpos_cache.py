"""python-escpos's printer database: parsed once, then loaded from our own cache folder."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from devices.printing.escpos_cache import ENV, private_folder, use_capabilities_cache

REPO = Path(__file__).resolve().parents[2]

_START = """
import json, os, tempfile
import devices.printing
import escpos.capabilities as caps
print(json.dumps({"dir": caps.pickle_dir, "parsed": caps.full_load}))
"""


def _start(env: dict[str, str]) -> dict[str, object]:
    """What escpos did when a fresh kiosk process first imported the printing devices."""
    result = subprocess.run(
        [sys.executable, "-c", _START],
        cwd=REPO,
        env={"PATH": os.environ["PATH"], "HOME": env.get("HOME", "/nonexistent"), **env},
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    found: dict[str, object] = json.loads(result.stdout.strip().splitlines()[-1])
    return found


def test_the_second_start_loads_the_cache_and_writes_nothing_in_tmp(tmp_path: Path) -> None:
    scratch = tmp_path / "tmp"
    scratch.mkdir()
    env = {"XDG_CACHE_HOME": str(tmp_path / "cache"), "TMPDIR": str(scratch)}
    first, second = _start(env), _start(env)
    folder = tmp_path / "cache" / "brussels-kiosk" / "escpos"
    assert first == {"dir": str(folder), "parsed": True}
    assert second == {"dir": str(folder), "parsed": False}
    assert [p.suffix for p in folder.iterdir()] == [".pickle"]
    # The library's default put the pickle into a new folder of /tmp at every start; it
    # still makes an empty one (see escpos_cache), but writes nothing into it.
    assert [list(p.iterdir()) for p in scratch.iterdir()] == [[], []]
    assert folder.stat().st_mode & 0o777 == 0o700


def test_systemd_cache_directory_comes_first(tmp_path: Path) -> None:
    env = {"CACHE_DIRECTORY": str(tmp_path / "var-cache"), "XDG_CACHE_HOME": str(tmp_path)}
    assert _start(env)["dir"] == str(tmp_path / "var-cache" / "escpos")


def test_a_folder_others_may_write_into_is_not_used(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    shared = tmp_path / "shared"
    shared.mkdir()
    shared.chmod(0o777)
    monkeypatch.delenv(ENV, raising=False)
    assert not private_folder(shared)
    use_capabilities_cache(shared)
    assert ENV not in os.environ


def test_a_symlink_is_not_a_private_folder(tmp_path: Path) -> None:
    real = tmp_path / "real"
    real.mkdir(mode=0o700)
    (tmp_path / "link").symlink_to(real)
    assert private_folder(real)
    assert not private_folder(tmp_path / "link")


def test_a_folder_given_by_the_environment_is_kept(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(ENV, "/somewhere/else")
    use_capabilities_cache(tmp_path / "ours")
    assert os.environ[ENV] == "/somewhere/else"
    assert not (tmp_path / "ours").exists()
