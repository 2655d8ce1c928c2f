"""Keeping freed memory for reuse in a process that scores a file's ranges one after the other.

Scoring a range of a CSV file (:mod:`perfrules.pipeline.csvpass`) makes
NumPy arrays of a few MiB each — the range's bytes, its cells' offsets, the
parsed columns — and lets them go before the next range. glibc's allocator
gives memory blocks that large their own mapping, returns it to the system
when freed, and trims the top of its heap once more than a few MiB of it is
free; each range's arrays then fault their pages in afresh (a million units:
about 500,000 page faults, a second of system time in one process).
:func:`keep_freed_memory` raises both limits once, so that a range reuses
the memory the one before it let go.

Only a process that perfrules owns calls it (a worker process, the command
line): the setting is the whole process's. Elsewhere than glibc it does
nothing.
"""

from __future__ import annotations

import ctypes
import os
import sys

__all__ = ["MMAP_THRESHOLD", "TRIM_THRESHOLD", "keep_freed_memory"]

MMAP_THRESHOLD = 32 << 20
"""Blocks of this many bytes or more get a mapping of their own (glibc's largest allowed value)."""

TRIM_THRESHOLD = 64 << 20
"""Free memory at the heap's top kept before it is given back to the system."""

_M_TRIM_THRESHOLD = -1  # glibc's malloc.h
_M_MMAP_THRESHOLD = -3

_done = False


def keep_freed_memory() -> bool:
    """Set glibc's mapping and trim thresholds for this process (see the module's text), once;
    whether they are set."""
    global _done
    if _done:
        return True
    if sys.platform != "linux" or not _glibc():
        return False
    try:
        mallopt = ctypes.CDLL(None).mallopt
    except (OSError, AttributeError):  # pragma: no cover - a glibc without mallopt
        return False
    mallopt.argtypes = [ctypes.c_int, ctypes.c_int]
    mallopt.restype = ctypes.c_int
    _done = bool(mallopt(_M_MMAP_THRESHOLD, MMAP_THRESHOLD)) and bool(
        mallopt(_M_TRIM_THRESHOLD, TRIM_THRESHOLD)
    )
    return _done


def _glibc() -> bool:
    try:
        return os.confstr("CS_GNU_LIBC_VERSION") is not None
    except (ValueError, OSError):  # pragma: no cover - a C library that does not say
        return False
