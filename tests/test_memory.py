"""geo._memory: freed memory handed back between the phases of a large upload."""

from __future__ import annotations

import platform
from pathlib import Path

import pytest

from geo import _memory
from geo.ingest import pipeline
from geo.places import geocode

ACLED = Path(__file__).resolve().parent / "data" / "ingest" / "acled_mixed.csv"


@pytest.mark.skipif(
    platform.libc_ver()[0] != "glibc", reason="malloc_trim is a glibc function; elsewhere a no-op"
)
def test_glibc_gives_freed_memory_back() -> None:
    assert _memory.release_freed_memory() is True


def test_a_large_upload_gives_memory_back_between_its_phases(monkeypatch) -> None:
    calls: list[str] = []
    real_join, real_geocode = pipeline._join, geocode.geocode_rows

    def geocode_rows(*args, **kwargs):
        calls.append("geocode")
        return real_geocode(*args, **kwargs)

    monkeypatch.setattr(pipeline, "release_freed_memory", lambda: calls.append("release"))
    monkeypatch.setattr(
        pipeline, "_join", lambda rows, known: calls.append("join") or real_join(rows, known)
    )
    monkeypatch.setattr(geocode, "geocode_rows", geocode_rows)
    monkeypatch.setattr(pipeline, "_RELEASE_FROM", 1)
    prepared = pipeline.prepare(ACLED.read_bytes(), ACLED.name)
    # after the file is parsed, after its text is dropped, after geocoding, before the join
    assert calls == ["release", "release", "geocode", "release", "release", "join"]
    monkeypatch.setattr(pipeline, "_RELEASE_FROM", 10**9)
    calls.clear()
    again = pipeline.prepare(ACLED.read_bytes(), ACLED.name)
    assert calls == ["geocode", "join"]  # a small upload does not pay for it
    assert again.frame.equals(prepared.frame)
