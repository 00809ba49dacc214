"""geo.views.rows: the rows a view keeps, each column taken once and only when read."""

from __future__ import annotations

import pickle
import threading

import numpy as np
import pandas as pd
import pytest

from geo.schema import normalise_dtypes
from geo.views.query import compact
from geo.views.rows import Rows, positions


@pytest.fixture
def table() -> pd.DataFrame:
    """A compact table of every kind of column the views hold (text, category, Int64, dates)."""
    rng = np.random.default_rng(3)
    n = 200
    df = normalise_dtypes(
        pd.DataFrame(
            {
                "incident_id": [f"I{i:03d}" for i in range(n)],
                "event_date": pd.date_range("2024-01-01", periods=n, freq="D"),
                "event_type": rng.choice(["Battles", "Riots", "Protests"], n),
                "latitude": rng.uniform(30, 36, n),
                "killed": pd.array(rng.integers(0, 9, n), dtype="Int64"),
                "notes": [f"note {i}" for i in range(n)],
            }
        )
    )
    df.loc[df.index[::9], "killed"] = pd.NA
    return compact(df)


@pytest.mark.parametrize(
    "where",
    [None, slice(20, 80), np.arange(0, 200, 3), "mask", slice(5, 5), np.array([], dtype=int)],
)
def test_the_kept_rows_equal_the_table_at_those_rows(table, where):
    if isinstance(where, str):
        where = (table["event_type"] != "Riots").to_numpy()
    expected = table.iloc[np.arange(len(table))[where if where is not None else slice(None)]]
    rows = Rows(table, where)
    assert len(rows) == len(expected)
    pd.testing.assert_frame_equal(rows.frame(), expected)
    pd.testing.assert_frame_equal(rows.frame(["killed", "notes"]), expected[["killed", "notes"]])


def test_only_the_columns_read_are_taken_in_the_tables_order(table):
    rows = Rows(table, (table["killed"] > 2).to_numpy(na_value=False))
    assert rows.taken == ()
    out = rows.frame(["killed", "latitude", "not a column"])
    assert list(out.columns) == ["latitude", "killed"]  # the table's order; unknown names skipped
    assert set(rows.taken) == {"latitude", "killed"}


def test_a_write_to_a_frame_never_reaches_the_table_or_another_frame(table):
    """Copy-on-write holds for the columns taken and for a slice, which shares the table's data."""
    before = table.copy()
    for where in (None, slice(10, 50), np.arange(0, 200, 2)):
        rows = Rows(table, where)
        mine = rows.frame()
        first = mine.index[0]
        mine.loc[first, ["killed", "latitude", "notes"]] = [99, -1.0, "changed"]
        mine.loc[first, "event_date"] = pd.Timestamp("1999-01-01")
        assert mine.loc[first, "killed"] == 99
        pd.testing.assert_frame_equal(rows.frame(), before.loc[mine.index])
    pd.testing.assert_frame_equal(table, before)


def test_narrowing_keeps_the_rows_of_the_rows(table):
    rows = Rows(table, slice(40, 120))
    dates = rows.frame(["event_date"])["event_date"]
    keep = (dates >= "2024-03-01").to_numpy()
    narrow = rows.narrow(keep)
    pd.testing.assert_frame_equal(narrow.frame(), table.iloc[40:120][keep])
    twice = Rows(table, np.arange(0, 200, 2)).narrow(np.arange(100) % 2 == 0)
    pd.testing.assert_frame_equal(twice.frame(), table.iloc[::4])
    with pytest.raises(ValueError, match="a mask of 3"):
        rows.narrow(np.ones(3, dtype=bool))


def test_contiguous_positions_become_a_slice_and_a_wrong_mask_is_refused():
    assert positions(np.array([3, 4, 5]), 10) == slice(3, 6)
    assert positions(np.array([5, 4, 3]), 10).tolist() == [5, 4, 3]  # not ascending: kept
    assert positions(slice(2, None), 10) == slice(2, 10)
    assert positions(slice(None, None, 2), 6).tolist() == [0, 2, 4]
    with pytest.raises(ValueError, match="a mask of 2 for a table of 3 rows"):
        positions(np.array([True, False]), 3)


def test_threads_reading_one_rows_take_each_column_once(table):
    rows = Rows(table, np.arange(0, 200, 2))
    frames: list[pd.DataFrame] = []
    threads = [threading.Thread(target=lambda: frames.append(rows.frame())) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(frames) == 8 and rows.taken == tuple(table.columns)
    for f in frames:
        pd.testing.assert_frame_equal(f, frames[0])


def test_pickled_rows_hold_only_the_kept_rows(table):
    rows = Rows(table, slice(0, 10))
    back = pickle.loads(pickle.dumps(rows))
    assert len(back) == 10 and len(back.frame()) == 10
    pd.testing.assert_frame_equal(back.frame(), table.iloc[:10])
    assert len(pickle.dumps(rows)) < len(pickle.dumps(table)) / 4
