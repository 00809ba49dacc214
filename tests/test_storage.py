"""geo.store.storage: values in and out of the database, row hashes; the SQLite engine's settings
and its column read (geo.store.backend_sqlite), and the column read of both back ends."""

from __future__ import annotations

import datetime as dt
import sqlite3
from pathlib import Path
from types import SimpleNamespace

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from geo.schema import INCIDENT_COLUMNS, normalise_dtypes
from geo.store import core as store_mod
from geo.store.backend_sqlite import SQLiteBackend, increasing, locked_text
from geo.store.backends import resolve_url
from geo.store.storage import (
    _iso_days,
    frame_from_columns,
    frame_from_rows,
    new_upload_id,
    pick,
    row_hashes,
    storage_columns,
)
from geo.store.transactions import fetch

fetch_incident_columns = SQLiteBackend().read_columns
make_engine = SQLiteBackend().make_engine


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


def test_round_trip_through_stored_columns(two: pd.DataFrame) -> None:
    back = frame_from_columns(storage_columns(two))
    pd.testing.assert_frame_equal(back, two[INCIDENT_COLUMNS], check_dtype=True)


def _rows_one_by_one(store: store_mod.Store) -> pd.DataFrame:
    """What ``Store.incidents`` returned before it read columns as JSON arrays."""
    cols = ", ".join(f'"{c}"' for c in INCIDENT_COLUMNS)
    sql = f"SELECT {cols} FROM incidents ORDER BY incident_id"
    rows = store._read(lambda conn: fetch(conn, sql))
    return frame_from_rows(rows, INCIDENT_COLUMNS)


_maybe = st.none() | st.text(max_size=12)  # any text: quotes, backslashes, NUL, emoji
#: PostgreSQL's text cannot hold NUL (the pipeline rejects such rows before the store)
_maybe_pg = st.none() | st.text(
    st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"), max_size=12
)


def _rows_strategy(text: st.SearchStrategy) -> st.SearchStrategy:
    return st.lists(
        st.fixed_dictionaries(
            {
                "incident_id": st.text("AFGPK-0123456789é", min_size=1, max_size=8),
                "event_date": st.none() | st.dates(dt.date(1900, 1, 1), dt.date(2100, 1, 1)),
                "killed": st.none() | st.integers(0, 10**12),
                "latitude": st.none() | st.floats(-90, 90),
                "longitude": st.none() | st.floats(-180, 180),
                "cross_border": st.none() | st.booleans(),
                "actor1": text,
                "notes": text,
            }
        ),
        max_size=6,
        unique_by=lambda r: r["incident_id"],
    )


def _check_column_read(store: store_mod.Store, rows: list[dict]) -> None:
    if rows:
        frame = pd.DataFrame(rows).astype({"event_date": "datetime64[ns]"})
        store.commit(normalise_dtypes(frame), file="f.csv", sha256="0" * 64, fmt="native")
    backend = store._backend
    assert store._read(backend.read_columns) is not None  # the fast read, not its fallback
    # every float keeps all 17 digits (SQLite's JSON would round them to 15)
    pd.testing.assert_frame_equal(store.incidents(), _rows_one_by_one(store), check_exact=True)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(rows=_rows_strategy(_maybe))
def test_incidents_read_as_json_arrays_equal_rows_read_one_by_one(
    tmp_path_factory: pytest.TempPathFactory, rows: list[dict]
) -> None:
    store = store_mod.Store(tmp_path_factory.mktemp("s") / "s.sqlite", seed=False)
    _check_column_read(store, rows)


@pytest.mark.postgresql
@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(rows=_rows_strategy(_maybe_pg))
def test_incidents_read_by_copy_equal_rows_read_one_by_one(pg_store, rows: list[dict]) -> None:
    with pg_store.engine.begin() as conn:  # one database for all examples, emptied for each
        conn.exec_driver_sql("TRUNCATE uploads CASCADE")
    _check_column_read(pg_store, rows)


@pytest.fixture
def pg_store(pg_server):
    url = pg_server.new_database()
    store = store_mod.Store(url, seed=False)
    store.version()
    yield store
    store.engine.dispose()
    pg_server.drop_database(url)


@pytest.mark.parametrize(
    ("ids", "expected"),
    [
        ([], True),
        (["A", "B", "Z", "a", "é"], True),  # SQLite's BINARY order is code point order
        (["B", "A"], False),
        (["A", "A"], False),
        (["A", 7], False),
    ],
)
def test_ids_in_order(ids: list, expected: bool) -> None:
    assert increasing(ids) is expected


def test_incidents_fall_back_to_rows_when_the_column_read_declines(
    tmp_path: Path, two: pd.DataFrame, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = store_mod.Store(tmp_path / "s.sqlite", seed=False)
    store.commit(two, file="f.csv", sha256="0" * 64, fmt="native")
    monkeypatch.setattr(SQLiteBackend, "read_columns", lambda self, conn, where=None: None)
    got = store.incidents()
    pd.testing.assert_frame_equal(got.drop(columns="upload_id"), two.drop(columns="upload_id"))


@pytest.mark.parametrize(
    ("message", "declines"),
    [("no such function: json_group_array", True), ("disk I/O error", False)],
)
def test_column_read_declines_only_when_sqlite_lacks_json(message: str, declines: bool) -> None:
    class Cursor:
        def execute(self, sql: str, params: object = None) -> None:
            raise sqlite3.OperationalError(message)

        def close(self) -> None:
            pass

    conn = SimpleNamespace(
        connection=SimpleNamespace(dbapi_connection=SimpleNamespace(cursor=Cursor))
    )
    if declines:
        assert fetch_incident_columns(conn) is None
    else:
        with pytest.raises(sqlite3.OperationalError, match="disk I/O"):
            fetch_incident_columns(conn)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2024-03-01", "2024-03-01"),
        (None, None),
        ("", None),
        ("2024-3-1", "2024-03-01"),  # not ISO: parsed the lenient way
        ("12024-01-01", None),  # beyond what nanoseconds hold: NaT, not a wrapped date
        ("soon", None),
    ],
)
def test_stored_dates_become_days_or_nat(text: str | None, expected: str | None) -> None:
    got = _iso_days(["2020-01-02", text])
    assert got.dtype == "datetime64[ns]" and got[0] == pd.Timestamp("2020-01-02")
    assert (None if pd.isna(got[1]) else got[1].strftime("%Y-%m-%d")) == expected


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


def test_rows_without_the_added_columns_keep_the_hash_they_had_before() -> None:
    """Golden hashes computed with the recipe before event_time/injured ranges existed."""
    from geo.schema import normalise_dtypes
    from geo.store.storage import row_hashes

    frame = normalise_dtypes(
        pd.DataFrame(
            {
                "incident_id": ["PAK1", "NAT-x"],
                "event_date": ["2024-03-01", "2004-06-18"],
                "date_precision": ["day", "day"],
                "event_type": ["Battles", None],
                "location": ["Wana", "Mir Ali"],
                "latitude": [32.3, 33.0],
                "longitude": [69.6, 70.1],
                "geo_precision": [1, 2],
                "killed": [3, None],
                "killed_low": [None, 2],
                "killed_high": [None, 5],
                "casualty_note": [None, "at least"],
                "cross_border": [True, None],
                "source": ["Dawn", "x"],
            }
        )
    )
    before = [
        "1524ccd2b2d53b62cce6a73ebefcb4de140aad2d",
        "48567323a0ac0fb29b7071b426c3e361519ee436",
    ]
    assert row_hashes(frame) == before
    frame.loc[1, "event_time"] = "22:00"
    assert row_hashes(frame)[0] == before[0] and row_hashes(frame)[1] != before[1]
