"""geo.ingest.defaults: the default gazetteer loaded once, beside the reading of a large file."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator

import pytest

from geo.ingest import defaults
from geo.places.gazetteer import Gazetteer


@pytest.fixture
def slow_load(monkeypatch) -> Iterator[list[object]]:
    """Gazetteer.load replaced by a slow stand-in that records each call; the
    process's cached gazetteer is set aside for the test and dropped after it."""
    calls: list[object] = []

    def load(cls, *args, **kwargs) -> object:
        time.sleep(0.3)
        made = object()
        calls.append(made)
        return made

    monkeypatch.setattr(Gazetteer, "load", classmethod(load))
    defaults._load_gazetteer.cache_clear()
    yield calls
    _wait_for_prefetch()
    defaults._load_gazetteer.cache_clear()  # the stand-in must not outlive the test


def _prefetching() -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t.name == "gazetteer"]


def _wait_for_prefetch() -> None:
    for thread in _prefetching():
        thread.join(timeout=10)


def test_a_second_caller_waits_for_the_load_under_way(slow_load) -> None:
    got: list[object] = []
    first = threading.Thread(target=lambda: got.append(defaults.default_gazetteer()))
    first.start()
    time.sleep(0.05)  # the first call is inside the load
    got.append(defaults.default_gazetteer())
    first.join()
    assert len(slow_load) == 1 and got[0] is got[1] is slow_load[0]


def test_a_large_file_starts_the_load_and_placing_uses_that_one(slow_load, monkeypatch) -> None:
    monkeypatch.setattr(defaults, "_PREFETCH_FROM", 10)
    defaults.prefetch_gazetteer(b"x" * 10, None)
    assert _prefetching()
    assert defaults.default_gazetteer() is slow_load[0] and len(slow_load) == 1


def test_no_load_for_a_small_or_a_largest_file_or_a_given_gazetteer(slow_load, monkeypatch) -> None:
    monkeypatch.setattr(defaults, "_PREFETCH_FROM", 10)
    monkeypatch.setattr(defaults, "_PREFETCH_UNTIL", 20)
    defaults.prefetch_gazetteer(b"x" * 9, None)
    defaults.prefetch_gazetteer(b"x" * 20, None)  # memory comes first for the largest
    defaults.prefetch_gazetteer(b"x" * 10, object())  # the caller brought its own
    assert not _prefetching() and not slow_load


def test_a_failed_prefetch_is_silent_and_the_caller_meets_the_error(monkeypatch) -> None:
    def broken(cls, *args, **kwargs):
        raise OSError("cities500 missing")

    seen: list[object] = []
    monkeypatch.setattr(threading, "excepthook", seen.append)
    monkeypatch.setattr(Gazetteer, "load", classmethod(broken))
    monkeypatch.setattr(defaults, "_PREFETCH_FROM", 1)
    defaults._load_gazetteer.cache_clear()
    try:
        defaults.prefetch_gazetteer(b"x", None)
        _wait_for_prefetch()
        assert not seen  # no traceback printed from the thread
        with pytest.raises(OSError, match="cities500 missing"):
            defaults.default_gazetteer()
    finally:
        defaults._load_gazetteer.cache_clear()
