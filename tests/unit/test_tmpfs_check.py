"""`session.tmpfs_dir` must be in memory: statfs's answer against coreutils' `stat -f`, and
`kiosk run`'s refusal (exit 3, one line) and acceptance through the real command line."""

from __future__ import annotations

import logging
import os
import subprocess
import sys
from pathlib import Path

import pytest

from kiosk.commands.demo import warn_unless_in_memory
from kiosk.tmpfs_check import RAMFS_MAGIC, TMPFS_MAGIC, filesystem_type, memory_filesystem

SHM = Path("/dev/shm")
REPO = Path(__file__).resolve().parents[2]


def stat_f(path: Path) -> tuple[int, str]:
    """coreutils' own statfs: the file system's type as a number and as a name."""
    out = subprocess.run(
        ["stat", "-f", "-c", "%t %T", str(path)], capture_output=True, text=True, check=True
    ).stdout.split()
    return int(out[0], 16), out[1]


def on_disk(path: Path) -> Path:
    number, name = stat_f(path)
    assert number not in (TMPFS_MAGIC, RAMFS_MAGIC), (
        f"{path} is on a {name} here: this test needs a folder on a disk"
    )
    return path


@pytest.mark.parametrize("where", ["/dev/shm", "/proc", "/", "tmp_path"])
def test_the_file_system_type_is_the_kernels(where: str, tmp_path: Path) -> None:
    path = tmp_path if where == "tmp_path" else Path(where)
    assert filesystem_type(path) == stat_f(path)[0]


def test_dev_shm_is_a_tmpfs_and_a_folder_to_be_made_there_too() -> None:
    assert stat_f(SHM)[1] == "tmpfs", "/dev/shm is not a tmpfs on this machine"
    assert memory_filesystem(SHM) == "tmpfs"
    assert memory_filesystem(SHM / "not-made-yet" / "session") == "tmpfs"  # judged by /dev/shm


def test_a_folder_on_a_disk_is_not_in_memory(tmp_path: Path) -> None:
    assert memory_filesystem(on_disk(tmp_path)) is None
    assert memory_filesystem(tmp_path / "not-made-yet") is None


def test_statfs_of_a_missing_path_is_an_error(tmp_path: Path) -> None:
    assert filesystem_type(Path("/")) == stat_f(Path("/"))[0]
    with pytest.raises(FileNotFoundError):
        filesystem_type(tmp_path / "nowhere")


def kiosk_config(tmp_path: Path, tmpfs_dir: Path) -> Path:
    token = tmp_path / "token"
    token.write_text("t" * 40)
    token.chmod(0o600)
    config = tmp_path / "kiosk.toml"
    config.write_text(
        f'[cityapi]\nurl = "http://127.0.0.1:9"\ntoken_file = "{token}"\n'
        f'[session]\ntmpfs_dir = "{tmpfs_dir}"\n'
    )
    return config


def kiosk_run(config: Path) -> subprocess.CompletedProcess[str]:
    """`kiosk run` as a process of its own, without a screen (the check after the tmpfs's)."""
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY")}
    return subprocess.run(
        [sys.executable, "-m", "kiosk.cli", "--config", str(config), "run"],
        env={**env, "PYTHONPATH": str(REPO)},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_kiosk_run_refuses_a_session_folder_on_a_disk(tmp_path: Path) -> None:
    folder = on_disk(tmp_path) / "session"
    result = kiosk_run(kiosk_config(tmp_path, folder))
    assert result.returncode == 3, result.stderr
    err = result.stderr.strip().splitlines()
    assert len(err) == 1, err
    assert str(folder) in err[0] and "not on a tmpfs" in err[0] and "/run/kiosk" in err[0]
    assert not folder.exists(), "nothing is made on the disk before the refusal"


def test_kiosk_run_accepts_a_session_folder_on_a_tmpfs(tmp_path: Path, tmpfs_dir: Path) -> None:
    """Past the tmpfs check, the next one (a screen) refuses: the folder was accepted."""
    result = kiosk_run(kiosk_config(tmp_path, tmpfs_dir))
    assert result.returncode == 3, result.stderr
    err = result.stderr.strip().splitlines()
    assert len(err) == 1 and "no screen" in err[0], err
    assert tmpfs_dir.is_dir()


def test_the_demo_warns_of_a_session_folder_on_a_disk_in_one_line(
    tmp_path: Path, tmpfs_dir: Path, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.WARNING):
        warn_unless_in_memory(tmpfs_dir)
        assert caplog.records == []
        warn_unless_in_memory(on_disk(tmp_path))
    assert len(caplog.records) == 1
    assert str(tmp_path) in caplog.records[0].getMessage()
