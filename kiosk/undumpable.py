"""`kiosk run` makes its process non-dumpable, first thing.

The kiosk holds a citizen's identity, address, photo and (briefly) PIN in memory. A core
dump would write them to disk, and a dumpable process lets any other process of the same
user attach to it (ptrace) or read /proc/<pid>/mem and /proc/<pid>/environ. With
PR_SET_DUMPABLE 0 the kernel refuses both; the core size limit is set to 0 as well, as a
second guard. Children that exec (espeak-ng, lp) start dumpable again: they hold no
citizen data beyond what they are given to say or print.
"""

from __future__ import annotations

import ctypes
import os
import resource

PR_GET_DUMPABLE, PR_SET_DUMPABLE = 3, 4


def _prctl(option: int, arg: int = 0) -> int:
    libc = ctypes.CDLL(None, use_errno=True)
    result = int(libc.prctl(option, arg, 0, 0, 0))
    if result < 0:
        errno = ctypes.get_errno()
        raise OSError(errno, os.strerror(errno))
    return result


def make_undumpable() -> None:
    """No core dump, no ptrace or /proc/<pid>/mem from other processes; raises OSError."""
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    _prctl(PR_SET_DUMPABLE, 0)


def is_dumpable() -> bool:
    return _prctl(PR_GET_DUMPABLE) != 0
