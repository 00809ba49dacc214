"""geo.storage: values in and out of SQLite, row hashes, the engine's settings."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from geo.schema import INCIDENT_COLUMNS, normalise_dtypes
from geo.storage import (
    frame_from_rows,
    locked_text,
    make_engine,
    new_upload_id,
    pick,
    resolve_url,
    row_hashes,
    storage_columns,
)


@pytest.fixture
def two() -> pd.DataFrame:
    return normalise_dtypes(
        pd.DataFrame(
            {
                "incident_id": ["A", "B"],
                "event_date": ["2025-02-11", "2024-12-11"],
                "killed": [5, None],
                "latitude": [36.72895, 34.52813],
                "longitude": [68.857, 69.17233],
                "cross_border": [False, None],
                "location": ["Kunduz", "Kabul"],
                "notes": ["None", None],  # the text "None" is not a missing value
            }
        )
    )


def test_storage_columns_are_plain_values_with_none_for_unknown(two: pd.DataFrame) -> None:
    cols = storage_columns(two)
    assert set(cols) == set(INCIDENT_COLUMNS)
    assert cols["killed"] == [5, None]  # unknown stays NULL, never 0
    assert cols["event_date"] == ["2025-02-11", "2024-12-11"]
    assert cols["cross_border"] == [0, None]
    assert cols["notes"] == ["None", None]


def test_round_trip_through_stored_tuples(two: pd.DataFrame) -> None:
    cols = storage_columns(two)
    rows = list(zip(*(cols[c] for c in INCIDENT_COLUMNS), strict=True))
    back = frame_from_rows(rows, INCIDENT_COLUMNS)
    pd.testing.assert_frame_equal(back, two[INCIDENT_COLUMNS], check_dtype=True)


def test_row_hash_sees_content_and_tells_none_from_the_text_none(two: pd.DataFrame) -> None:
    first = row_hashes(two)
    assert row_hashes(two) == first and len(set(first)) == 2
    changed = two.copy()
    changed.loc[1, "notes"] = "None"
    assert row_hashes(changed)[1] != first[1]
    assert row_hashes(changed)[0] == first[0]
    moved = two.copy()
    moved["upload_id"] = "another upload"  # derived columns are not content
    assert row_hashes(moved) == first


def test_pick_one_or_many() -> None:
    assert pick(["a", "b", "c"], [2, 0]) == ("c", "a")
    assert pick(["a", "b", "c"], [1]) == ("b",)


def test_urls_upload_ids_and_lock_messages(tmp_path: Path) -> None:
    assert resolve_url(tmp_path / "x.sqlite") == f"sqlite:///{tmp_path / 'x.sqlite'}"
    assert resolve_url("sqlite://") == "sqlite://"
    assert new_upload_id() != new_upload_id()
    assert locked_text("database is locked") and not locked_text("no such table")


def test_engine_uses_wal_and_a_busy_timeout(tmp_path: Path) -> None:
    engine = make_engine(resolve_url(tmp_path / "x.sqlite"))
    with engine.connect() as conn:
        mode = conn.exec_driver_sql("PRAGMA journal_mode").scalar()
        timeout = conn.exec_driver_sql("PRAGMA busy_timeout").scalar()
    assert mode == "wal" and timeout >= 1000
