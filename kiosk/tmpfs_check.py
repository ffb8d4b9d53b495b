"""Is the session's directory in memory? `kiosk run` refuses to start when it is not.

A session's files (the certificate's PDF before it is printed) go to `session.tmpfs_dir`; on
a disk they would outlive the wipe in the file system's free blocks. The check asks the
kernel which file system holds the directory: statfs(2)'s f_type, TMPFS_MAGIC (ramfs, also
memory only, is accepted too). Python's os.statvfs has no f_type, so statfs is called
through ctypes. /proc/self/mountinfo would need the longest mount-point prefix of the
resolved path (bind mounts, symbolic links): statfs asks about the directory itself.

A directory that does not exist yet is judged by its nearest existing parent, where mkdir
would put it: nothing is created on a disk before the answer.
"""

from __future__ import annotations

import ctypes
import os
from pathlib import Path

TMPFS_MAGIC = 0x01021994
RAMFS_MAGIC = 0x858458F6
IN_MEMORY = {TMPFS_MAGIC: "tmpfs", RAMFS_MAGIC: "ramfs"}
# struct statfs is 120 bytes on 64-bit Linux, 64 (84 for statfs64) on 32-bit; f_type, a
# long (__fsword_t), comes first on every architecture glibc supports but s390x.
_STATFS_BUFFER = 256


class _StatFs(ctypes.Structure):
    _fields_ = [("f_type", ctypes.c_long), ("_rest", ctypes.c_byte * (_STATFS_BUFFER - 8))]


def filesystem_type(path: Path) -> int:
    """statfs(2)'s f_type for `path`; raises OSError."""
    libc = ctypes.CDLL(None, use_errno=True)
    buffer = _StatFs()
    if libc.statfs(os.fsencode(path), ctypes.byref(buffer)) != 0:
        errno = ctypes.get_errno()
        raise OSError(errno, os.strerror(errno), str(path))
    return int(buffer.f_type) & 0xFFFFFFFF


def nearest_existing(path: Path) -> Path:
    path = path.absolute()
    while not path.exists() and path != path.parent:
        path = path.parent
    return path


def memory_filesystem(path: Path) -> str | None:
    """ "tmpfs" or "ramfs" when `path` (or, not made yet, its nearest existing parent) is on
    one, else None. Raises OSError when the kernel cannot be asked."""
    return IN_MEMORY.get(filesystem_type(nearest_existing(path)))


def not_in_memory(path: Path) -> str | None:
    """One line saying why `path` cannot hold a session's files and how to fix it; None when
    it is on a tmpfs (or ramfs)."""
    try:
        if memory_filesystem(path) is not None:
            return None
    except OSError as exc:
        return f"session.tmpfs_dir {path}: cannot tell its file system ({exc.strerror})"
    return (
        f"session.tmpfs_dir {path} is not on a tmpfs: a citizen's files would reach the disk; "
        "mount a tmpfs there or set session.tmpfs_dir to a folder under /run/kiosk "
        "(kiosk.service's RuntimeDirectory, a tmpfs)"
    )
