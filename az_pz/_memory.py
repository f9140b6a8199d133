"""Give the C heap's free pages back to the OS between iterations (glibc only; elsewhere nothing).

Each iteration builds a checkpoint in memory (safetensors bytes, the replay buffer's npz) and self-play
allocates search arrays; glibc keeps much of that freed memory in its arenas, so a long run's resident
memory creeps up although nothing leaks (``examples/soak.py``: about +1 MiB per connect four iteration
without this, flat with it). ``malloc_trim(0)`` returns the free pages; it takes milliseconds.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import sys

__all__ = ["trim_heap"]

_LIBC = None
if sys.platform.startswith("linux"):
    try:
        _LIBC = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        _LIBC.malloc_trim  # musl and others have no malloc_trim: nothing to do there
    except (OSError, AttributeError):
        _LIBC = None


def trim_heap() -> None:
    """Release the C heap's free memory to the OS where glibc allows it."""
    if _LIBC is not None:
        _LIBC.malloc_trim(0)
