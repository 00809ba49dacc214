"""The default gazetteer: loaded once per process, and early for a large upload.

:func:`default_gazetteer` is the offline gazetteer every upload without one of its own
uses (the app keeps the same one in ``st.cache_resource``). :func:`prefetch_gazetteer`
starts loading it on the other core while a large file is read and checked.
"""

from __future__ import annotations

import contextlib
import functools
import threading
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from geo.places.gazetteer import Gazetteer

__all__ = ["default_gazetteer", "prefetch_gazetteer"]

#: Files of this many bytes and more, and fewer than _PREFETCH_UNTIL, have the default
#: gazetteer loaded beside their reading (prefetch_gazetteer)
_PREFETCH_FROM = 4_000_000
_PREFETCH_UNTIL = 100_000_000
_LOCK = threading.Lock()


def default_gazetteer() -> Gazetteer:
    """The offline gazetteer, loaded once per process (a second caller while it loads
    waits for it rather than loading another)."""
    with _LOCK:
        return _load_gazetteer()


@functools.lru_cache(maxsize=1)
def _load_gazetteer() -> Gazetteer:
    from geo.places.gazetteer import Gazetteer

    return Gazetteer.load()


def prefetch_gazetteer(data: bytes, gazetteer: Gazetteer | None) -> None:
    """For a large file with no gazetteer given, start loading the default one on the
    other core while the file is read and checked (about half a second, mostly the
    GeoNames index, that placing the rows would otherwise wait for). Not for small
    files: they may well not need it, and the gain would be nothing. Nor for the
    largest: loaded beside their reading it raised the peak memory of a million rows
    by about 57 MiB (1,403 → 1,460 MiB, past 1.5 × 10^9 bytes) for a gain lost in the
    noise of twenty-odd seconds."""
    if gazetteer is not None or _load_gazetteer.cache_info().currsize:
        return
    if not _PREFETCH_FROM <= len(data) < _PREFETCH_UNTIL:
        return
    threading.Thread(target=_load_quietly, name="gazetteer", daemon=True).start()


def _load_quietly() -> None:
    """The prefetch's load: a failure is left to the caller that needs the gazetteer,
    which loads it again and meets the error where it can be reported."""
    with contextlib.suppress(Exception):
        default_gazetteer()
