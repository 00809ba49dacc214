"""geo.ingest.ahead and boundaries.locate(known=...): the file's points looked up on
another thread give exactly the answers the join finds by itself."""

from __future__ import annotations

import threading

import numpy as np
import pandas as pd
import pytest

from geo.ingest import ahead, pipeline
from geo.places import boundaries


def test_locate_with_known_points_answers_as_without() -> None:
    rng = np.random.default_rng(3)
    lat = np.round(rng.uniform(23, 40, 400), 2)
    lon = np.round(rng.uniform(58, 78, 400), 2)
    lat[:5], lon[5:8] = np.nan, 200.0  # invalid points: nulls either way
    lat[8:20], lon[8:20] = 34.0, 71.5  # repeated
    known = boundaries.locate_distinct(lat[:250], lon[:250])  # only some of the points
    assert 0 < len(known.points) < 250
    extra_lat, extra_lon = np.append(lat, 31.5), np.append(lon, 65.7)  # one never seen
    pd.testing.assert_frame_equal(
        boundaries.locate(extra_lat, extra_lon, known=known),
        boundaries.locate(extra_lat, extra_lon),
    )
    empty = boundaries.locate_distinct([np.nan], [np.nan])
    pd.testing.assert_frame_equal(
        boundaries.locate(lat, lon, known=empty), boundaries.locate(lat, lon)
    )


def test_a_known_answer_is_used_rather_than_looked_up_again(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    known = boundaries.locate_distinct([34.0, 31.5], [71.5, 65.7])
    asked: list[int] = []
    real = boundaries._locate_unique
    monkeypatch.setattr(
        boundaries, "_locate_unique", lambda la, lo: asked.append(len(la)) or real(la, lo)
    )
    out = boundaries.locate([34.0, 31.5, 33.0], [71.5, 65.7, 70.0], known=known)
    assert asked == [1]  # only the point it did not know
    assert out["admin1_code"].tolist()[:2] == ["PK-KP", "AF-KAN"]


def test_the_window_of_rows(monkeypatch: pytest.MonkeyPatch) -> None:
    rows = pd.DataFrame({"latitude": ["34.0"] * 10, "longitude": ["71.5"] * 10})
    monkeypatch.setattr(ahead, "LOCATE_AHEAD_UNTIL", 10)
    assert ahead.locate_ahead(rows, start_from=1) is None  # too many: the memory peak
    monkeypatch.setattr(ahead, "LOCATE_AHEAD_UNTIL", 11)
    assert ahead.locate_ahead(rows, start_from=11) is None  # too few: nothing to gain
    assert ahead.locate_ahead(rows.drop(columns="longitude"), start_from=1) is None
    known = ahead.known_points(ahead.locate_ahead(rows, start_from=1))  # text is parsed
    assert known.points.tolist() == [34.0 + 71.5j]
    assert ahead.known_points(None) is None


def _prepared(data: bytes) -> tuple[pd.DataFrame, dict]:
    prepared = pipeline.prepare(data, "ahead.csv")
    return prepared.frame, prepared.report.to_dict()


def test_an_upload_placed_with_points_found_ahead_is_the_same_upload(
    monkeypatch: pytest.MonkeyPatch, acled_rows
) -> None:
    frame = acled_rows(600, seed=21)
    frame.loc[frame.index[:40], ["latitude", "longitude"]] = None  # geocoded from names
    frame.loc[frame.index[40:45], "latitude"] = "34,5"  # not a number for the thread
    data = frame.to_csv(index=False).encode()
    monkeypatch.setattr(ahead, "LOCATE_AHEAD_FROM", 10**9)
    plain_rows, plain_report = _prepared(data)

    threads: list[str] = []
    real = boundaries.locate_distinct

    def spy(lat, lon):
        threads.append(threading.current_thread().name)
        return real(lat, lon)

    monkeypatch.setattr(boundaries, "locate_distinct", spy)
    monkeypatch.setattr(ahead, "LOCATE_AHEAD_FROM", 100)
    rows, report = _prepared(data)
    assert len(threads) == 1 and threads[0].startswith("atlas-locate")
    assert report == plain_report
    pd.testing.assert_frame_equal(rows, plain_rows)


def test_a_failed_lookup_ahead_leaves_the_join_to_do_it(
    monkeypatch: pytest.MonkeyPatch, acled_rows
) -> None:
    data = acled_rows(300, seed=22).to_csv(index=False).encode()
    monkeypatch.setattr(ahead, "LOCATE_AHEAD_FROM", 10**9)
    plain_rows, plain_report = _prepared(data)

    def broken(lat, lon):
        raise MemoryError("no room for the points")

    monkeypatch.setattr(boundaries, "locate_distinct", broken)
    monkeypatch.setattr(ahead, "LOCATE_AHEAD_FROM", 100)
    rows, report = _prepared(data)
    assert report == plain_report
    pd.testing.assert_frame_equal(rows, plain_rows)
