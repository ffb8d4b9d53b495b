"""Where python-escpos keeps its parsed printer database between starts.

On first import, `escpos.capabilities` parses its 96 kB printer database with PyYAML (about
100 ms and 3 MB more memory than loading its pickle) and writes a pickle of it, by default
into a *new* `mkdtemp()` folder: so every start parsed it again and left a 70 kB pickle in
/tmp. Pointing ESCPOS_CAPABILITIES_PICKLE_DIR at a folder of our own makes later starts load
the pickle. (The library still creates an empty temporary folder at each import: it
evaluates `mkdtemp()` as the default even when the variable is set; kiosk.service's
PrivateTmp= removes them.) The pickle is code when loaded, so the folder must be ours
alone; otherwise the library's default is kept.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

ENV = "ESCPOS_CAPABILITIES_PICKLE_DIR"


def default_cache_dir() -> Path:
    # systemd's CacheDirectory= (kiosk.service) sets CACHE_DIRECTORY; else the XDG cache.
    systemd = os.environ.get("CACHE_DIRECTORY", "").split(":")[0]
    if systemd:
        return Path(systemd) / "escpos"
    xdg = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(xdg) / "brussels-kiosk" / "escpos"


def private_folder(path: Path) -> bool:
    """Create `path` (mode 0700) if needed; True when it is a real folder owned by us that
    nobody else may write into."""
    try:
        path.mkdir(mode=0o700, parents=True, exist_ok=True)
        info = path.lstat()
    except OSError:
        return False
    return (
        stat.S_ISDIR(info.st_mode)
        and info.st_uid == os.getuid()
        and not info.st_mode & (stat.S_IWGRP | stat.S_IWOTH)
    )


def use_capabilities_cache(folder: Path | None = None) -> None:
    """Before escpos is first imported. Keeps a value already set in the environment."""
    if ENV in os.environ:
        return
    folder = folder or default_cache_dir()
    if private_folder(folder):
        os.environ[ENV] = str(folder)
