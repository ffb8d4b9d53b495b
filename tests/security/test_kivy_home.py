"""A local attacker prepares the kiosk's KIVY_HOME before the kiosk starts: a world-writable
folder (or one of their own) with a `config.ini` that asks Kivy to activate a module and a
`mods/` folder holding that module. Kivy puts mods/ on sys.path and runs the module when the
window opens: code of the attacker's inside the process that reads citizens' cards.

`kiosk run` must refuse such a KIVY_HOME with one line and exit 3, before Kivy is imported,
so the module never runs."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from kiosk.display import VirtualDisplay
from kiosk.kivy_setup import UnsafeKivyHome, check_private, kivy_environment

NOBODY = 65534


def plant(home: Path, marker: Path) -> None:
    """What the attacker leaves in KIVY_HOME."""
    (home / "mods").mkdir(parents=True, exist_ok=True)
    (home / "config.ini").write_text("[modules]\nplanted =\n")
    (home / "mods" / "planted.py").write_text(
        "from pathlib import Path\n"
        f"Path({str(marker)!r}).write_text('the attacker ran code in the kiosk')\n"
        "def start(win, ctx): pass\n"
        "def stop(win, ctx): pass\n"
    )


def kiosk_config(tmp_path: Path, tmpfs_dir: Path) -> Path:
    token = tmp_path / "token"
    token.write_text("t" * 40)
    token.chmod(0o600)
    config = tmp_path / "kiosk.toml"
    config.write_text(
        "[cityapi]\n"
        'url = "https://127.0.0.1:9"\n'
        f'token_file = "{token}"\n'
        f'catalogue_cache = "{tmp_path / "catalogue.json"}"\n'
        "[eid]\nsimulated = true\n"
        f'[printer]\npdf_folder = "{tmp_path / "pdf"}"\n'
        f'[session]\ntmpfs_dir = "{tmpfs_dir}"\n'
    )
    return config


def test_kiosk_run_refuses_a_world_writable_kivy_home(
    tmp_path: Path, tmpfs_dir: Path, xvfb: VirtualDisplay
) -> None:
    home = tmp_path / "kivy-home"
    marker = tmp_path / "planted-ran"
    plant(home, marker)
    for path in (home, home / "mods", home / "config.ini", home / "mods" / "planted.py"):
        path.chmod(0o777)
    env = dict(os.environ, DISPLAY=xvfb.display, KIVY_HOME=str(home))
    env.pop("WAYLAND_DISPLAY", None)
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "kiosk.cli",
            "--config",
            str(kiosk_config(tmp_path, tmpfs_dir)),
            "run",
        ],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    deadline = time.monotonic() + 40
    try:
        while process.poll() is None and not marker.exists() and time.monotonic() < deadline:
            time.sleep(0.1)
    finally:
        if process.poll() is None:
            process.terminate()
        _, stderr = process.communicate(timeout=30)
    assert not marker.exists(), "the kiosk ran the module planted in a world-writable KIVY_HOME"
    assert process.returncode == 3, stderr
    lines = stderr.strip().splitlines()
    assert len(lines) == 1 and "KIVY_HOME" in lines[0] and "writable" in lines[0], stderr


def other_users_folder(tmp_path: Path) -> Path:
    """A folder that belongs to another user: made and given away when we are root, else
    the root directory (root's)."""
    if os.geteuid() != 0:
        return Path("/")
    folder = tmp_path / "theirs"
    folder.mkdir(mode=0o755)
    os.chown(folder, NOBODY, NOBODY)
    return folder


def test_a_kivy_home_of_another_user_is_refused(tmp_path: Path) -> None:
    with pytest.raises(UnsafeKivyHome, match="belongs to another user"):
        check_private(other_users_folder(tmp_path))


@pytest.mark.parametrize("entry", ["config.ini", "mods", "mods/planted.py"])
def test_a_writable_entry_in_a_private_kivy_home_is_refused(tmp_path: Path, entry: str) -> None:
    home = tmp_path / "kivy-home"
    plant(home, tmp_path / "marker")
    home.chmod(0o700)
    (home / entry).chmod(0o666 if entry.endswith((".ini", ".py")) else 0o777)
    with pytest.raises(UnsafeKivyHome, match="writable by group or others"):
        check_private(home)


def test_a_private_kivy_home_is_used(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    home = tmp_path / "fresh" / "kivy-home"
    monkeypatch.setattr(os, "environ", {k: v for k, v in os.environ.items() if k != "KIVY_HOME"})
    kivy_environment(home)
    assert os.environ["KIVY_HOME"] == str(home)
    assert (home.stat().st_mode & 0o777) == 0o700
