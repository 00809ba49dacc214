"""Give memory the pipeline has let go back to the operating system.

A large upload frees big tables between its phases (the file's text once it
is mapped, the rows before the unplaced were dropped). glibc keeps much of
what Python frees in its heap for later, so the next phase, which needs
memory of other sizes, grows the process instead of reusing it: at a million
rows the spatial join then peaked about 120 MB higher. ``malloc_trim`` hands
the free pages back. Elsewhere (macOS, musl) there is nothing to call and
nothing is done.
"""

from __future__ import annotations

import ctypes
import functools
import sys
from collections.abc import Callable

__all__ = ["release_freed_memory"]


def release_freed_memory() -> bool:
    """Return the C heap's free pages to the system; whether there was a way to.

    It takes a few tens of milliseconds after a phase that freed a gigabyte,
    so it is called between phases of large uploads only.
    """
    arrow = sys.modules.get("pyarrow")
    if arrow is not None:  # Arrow's own allocator (mimalloc or jemalloc) keeps pages too
        arrow.default_memory_pool().release_unused()
    trim = _malloc_trim()
    if trim is None:
        return False
    trim(0)
    return True


@functools.cache
def _malloc_trim() -> Callable[[int], int] | None:
    if not sys.platform.startswith("linux"):
        return None
    try:
        return ctypes.CDLL(None).malloc_trim  # the C library the interpreter runs on
    except (OSError, AttributeError):  # a C library without it (musl)
        return None
