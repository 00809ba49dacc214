"""geo.store.bulk: a large upload written through a staging file stores exactly what
``executemany`` stores, in one transaction, and leaves nothing behind."""

from __future__ import annotations

import tempfile
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pytest
import sqlalchemy as sa

from geo.schema import INCIDENT_COLUMNS, normalise_dtypes
from geo.store import bulk, rowhash
from geo.store.core import Store
from geo.store.storage import WRITTEN, storage_columns

#: the columns of ``incidents`` with each value's SQLite storage class
_TYPED = ", ".join(f'"{c}", typeof("{c}")' for c in [*WRITTEN, "row_hash"])


def _frame(n: int, seed: int, *, prefix: str = "ID") -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    killed = pd.array(rng.integers(0, 40, n), dtype="Int64")
    killed[rng.random(n) < 0.3] = pd.NA  # unknown is not zero
    notes = np.array([f"note {i} – ‘Ẓhob’" for i in range(n)], dtype=object)
    notes[rng.random(n) < 0.2] = None
    notes[:2] = ["with a NUL \x00 inside", "  kept as given  "]
    frame = pd.DataFrame(
        {
            "incident_id": [f"{prefix}-{i:05d}" for i in rng.permutation(n)],
            "event_date": pd.to_datetime("2024-01-01")
            + pd.to_timedelta(rng.integers(0, 700, n), "D"),
            "event_type": rng.choice(["Battles", "Explosions/Remote violence"], n),
            "latitude": np.where(rng.random(n) < 0.1, np.nan, rng.uniform(29, 37, n)),
            "longitude": rng.uniform(61, 74, n),
            "killed": killed,
            "cross_border": pd.array(rng.choice([True, False, None], n), dtype="boolean"),
            "notes": notes,
            "border_distance_km": np.round(rng.uniform(0, 300, n), 3),
            "source": "Synthetic",
        }
    )
    return normalise_dtypes(frame)


def _stored(store: Store) -> dict[str, list[tuple]]:
    with store.engine.connect() as conn:
        return {
            "incidents": [
                tuple(r)
                for r in conn.execute(
                    sa.text(f"SELECT {_TYPED} FROM incidents ORDER BY incident_id")
                )
            ],
            "versions": [
                tuple(r)
                for r in conn.execute(
                    sa.text(
                        "SELECT incident_id, row_hash, killed, typeof(killed) "
                        "FROM incident_versions ORDER BY version_id"
                    )
                )
            ],
        }


def _two_stores(tmp_path: Path) -> tuple[Store, Store]:
    return Store(tmp_path / "bulk.sqlite", seed=False), Store(tmp_path / "rows.sqlite", seed=False)


def _commit(store: Store, df: pd.DataFrame, name: str = "f.csv"):
    return store.commit(df, file=name, sha256="0" * 64, fmt="native")


def test_bulk_and_executemany_store_the_same_values_and_versions(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, bulk_writes: list[int]
) -> None:
    monkeypatch.setattr(bulk, "BULK_FROM", 50)
    monkeypatch.setattr(rowhash, "_COLUMNAR_FROM", 50)
    fast, plain = _two_stores(tmp_path)
    first = _frame(400, 1)
    again = first.copy()
    again.loc[again.index[:30], "killed"] = pd.array([999] * 30, dtype="Int64")  # 30 changed
    more = pd.concat([again, _frame(120, 2, prefix="NEW")], ignore_index=True)
    for df in (first, more):
        a = _commit(fast, df)
        monkeypatch.setattr(bulk, "BULK_FROM", 10**9)
        b = _commit(plain, df)
        monkeypatch.setattr(bulk, "BULK_FROM", 50)
        assert (a.accepted, a.updated, a.duplicates) == (b.accepted, b.updated, b.duplicates)
    assert bulk_writes == [400, 150]  # the first upload, then 30 changed + 120 new rows
    got, want = _stored(fast), _stored(plain)
    assert got == want
    assert len(got["incidents"]) == 520 and len(got["versions"]) == 30
    pd.testing.assert_frame_equal(
        fast.incidents().drop(columns="upload_id"), plain.incidents().drop(columns="upload_id")
    )


def test_a_failed_transaction_keeps_none_of_the_staged_rows_and_no_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(bulk, "BULK_FROM", 50)
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path / "tmp"))
    (tmp_path / "tmp").mkdir()
    store = Store(tmp_path / "s.sqlite", seed=False)
    before = store.incidents()

    def fail(*_args, **_kwargs):
        raise RuntimeError("the audit log is full")

    monkeypatch.setattr("geo.store.core.audit.record", fail)
    with pytest.raises(RuntimeError, match="audit log"):
        _commit(store, _frame(200, 3))
    monkeypatch.undo()
    assert len(store.incidents()) == len(before) == 0
    assert store.uploads().empty
    assert list((tmp_path / "tmp").iterdir()) == []  # the staging file is gone
    # the pooled connection was detached: the next bulk upload attaches again
    monkeypatch.setattr(bulk, "BULK_FROM", 50)
    assert _commit(store, _frame(200, 3)).accepted == 200


def test_text_that_arrow_cannot_hold_takes_the_executemany_path(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # a lone surrogate is not UTF-8: no Arrow table, so the rows go to executemany,
    # which refuses them as it always did (the reader never produces such text)
    monkeypatch.setattr(bulk, "BULK_FROM", 50)
    df = _frame(100, 4)
    df.loc[df.index[5], "notes"] = "a lone surrogate \ud800"
    assert bulk.storage_table(storage_columns(df)) is None
    store = Store(tmp_path / "s.sqlite", seed=False)
    with pytest.raises(UnicodeEncodeError):
        _commit(store, df)
    assert store.incidents().empty and store.uploads().empty


def test_storage_table_types_and_nulls() -> None:
    cols = storage_columns(_frame(3, 5))
    table = bulk.storage_table(cols)
    assert table.column_names == WRITTEN and set(WRITTEN) < set(INCIDENT_COLUMNS)
    assert str(table.schema.field("cross_border").type) == "int64"
    assert str(table.schema.field("event_time").type) == "string"  # empty: typed nulls
    for col in WRITTEN:
        assert table.column(col).to_pylist() == cols[col], col


def test_a_redo_of_a_large_upload_goes_in_bulk_and_restores_the_same_rows(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, bulk_writes: list[int]
) -> None:
    monkeypatch.setattr(bulk, "BULK_FROM", 50)
    store = Store(tmp_path / "s.sqlite", seed=False)
    upload = _commit(store, _frame(300, 6)).upload_id
    before = _stored(store)
    store.undo(upload)
    assert store.incidents().empty
    bulk_writes.clear()  # only the redo
    store.redo(upload)
    assert bulk_writes == [300]
    assert _stored(store) == before  # values, storage classes and row hashes


def test_hashes_from_the_shared_table_are_the_reference_hashes(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(rowhash, "_COLUMNAR_FROM", 10)
    cols = storage_columns(_frame(60, 7))
    table = bulk.storage_table(cols)
    assert rowhash.hash_rows(cols, table=table) == rowhash.hash_rows_python(cols)


def test_adbc_only_opens_its_staging_files_and_closes_each_before_its_attach(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # two copies of SQLite in one process must never open the same file: ADBC writes
    # the next part on its thread while the store's connection copies the one before
    import adbc_driver_sqlite.dbapi as adbc

    monkeypatch.setattr(bulk, "BULK_FROM", 50)
    monkeypatch.setattr(bulk, "PART_ROWS", 40)  # 130 rows: four parts
    opened: dict[str, object] = {}
    attached: list[str] = []
    opened_while_attached: list[str] = []
    real_connect = adbc.connect

    def connect(path, *args, **kwargs):
        if path in attached:
            opened_while_attached.append(path)
        conn = real_connect(path, *args, **kwargs)
        opened[path] = conn
        return conn

    monkeypatch.setattr(adbc, "connect", connect)
    closed_at_attach: list[bool] = []
    real_insert = bulk.insert_staged

    def trace(sql: str) -> None:
        if sql.startswith("ATTACH"):
            path = str(next(p for p in opened if Path(p).name in sql or p in sql))
            attached.append(path)
            closed_at_attach.append(_is_closed(opened[path]))

    def insert(conn, rows, take, uid):
        raw = conn.connection.dbapi_connection
        raw.set_trace_callback(trace)
        try:
            return real_insert(conn, rows, take, uid)
        finally:
            raw.set_trace_callback(None)

    monkeypatch.setattr("geo.store.backend_sqlite.insert_staged", insert)
    store = Store(tmp_path / "s.sqlite", seed=False)
    frame = _frame(130, 8)
    assert _commit(store, frame).accepted == 130
    assert [Path(p).name for p in opened] == [f"rows{i}.sqlite" for i in range(4)]
    assert all(Path(p).parent != tmp_path for p in opened)  # never the store's folder
    assert attached == list(opened) and closed_at_attach == [True] * 4
    assert opened_while_attached == []
    ids = store.incidents()["incident_id"]
    assert sorted(ids) == sorted(frame["incident_id"]) and len(ids) == 130


def _is_closed(conn: object) -> bool:
    try:
        conn.cursor()
    except Exception:
        return True
    return False


@pytest.mark.parametrize("seed", [9, 10, 11])
def test_the_table_from_the_frame_is_the_table_from_the_lists(seed: int) -> None:
    df = _frame(500, seed)
    df.loc[df.index[:3], "event_date"] = pd.NaT
    df.loc[df.index[3], "latitude"] = float("inf")
    df.loc[df.index[4], "longitude"] = -0.0
    direct = bulk.frame_table(df)
    assert direct is not None
    lists = bulk.storage_table(storage_columns(df))
    assert direct.cast(lists.schema).equals(lists)  # the same values, dictionaries decoded
    dictionaries = {f.name for f in direct.schema if pa.types.is_dictionary(f.type)}
    assert "incident_id" not in dictionaries
    repeated = {c for c in lists.column_names if lists[c].type == pa.string()}
    repeated = {c for c in repeated if 0 < 2 * len(pc.unique(lists[c])) <= len(df)}
    assert repeated and repeated <= dictionaries  # each repetitive text once, not per row


def test_a_text_array_is_made_once_per_distinct_value() -> None:
    values = np.array(["Kunar", None, "Kunar", float("nan"), "Khost", "Kunar"], dtype=object)
    text = bulk._text_array(values, distinct=False)
    assert pa.types.is_dictionary(text.type)
    assert text.dictionary.to_pylist() == ["Kunar", "Khost"]
    assert text.to_pylist() == ["Kunar", None, "Kunar", None, "Khost", "Kunar"]
    distinct = np.array(["a", "b", None], dtype=object)
    assert bulk._text_array(distinct, distinct=False).type == pa.string()  # nothing to share
    assert bulk._text_array(distinct, distinct=True).to_pylist() == ["a", "b", None]
    assert bulk._text_array(np.array(["a", 2, "a"], dtype=object), distinct=False) is None


def test_a_text_column_holding_numbers_goes_through_the_lists() -> None:
    df = _frame(60, 12)
    df["notes"] = df["notes"].astype(object)
    df.loc[df.index[7], "notes"] = 42  # storage_columns writes it as the text "42"
    assert bulk.frame_table(df) is None
    rows = bulk.stored_rows(
        pd.concat([df] * 400, ignore_index=True).assign(
            incident_id=lambda f: [f"T-{i}" for i in range(len(f))]
        )
    )
    assert rows.cols["notes"][7] == "42"
    assert rows.hashes == rowhash.hash_rows_python(rows.cols)


def test_a_large_frame_is_hashed_and_staged_without_the_python_lists() -> None:
    df = pd.concat([_frame(500, 13)] * 50, ignore_index=True)
    df["incident_id"] = [f"L-{i:06d}" for i in range(len(df))]
    rows = bulk.stored_rows(df)
    assert rows.table is not None and rows._cols is None
    assert rows.ids == df["incident_id"].tolist()
    assert rows.hashes == rowhash.hash_rows_python(storage_columns(df))
    assert rows.cols == storage_columns(df)  # built when asked for


@pytest.mark.parametrize("layout", ["in id order", "shuffled", "shuffled with repeated ids"])
def test_a_first_upload_is_written_without_reordering_and_stores_the_same(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, layout: str
) -> None:
    monkeypatch.setattr(bulk, "BULK_FROM", 50)
    monkeypatch.setattr(rowhash, "_COLUMNAR_FROM", 50)
    in_order: list[bool] = []
    real = bulk._every_row_in_order
    monkeypatch.setattr(
        bulk, "_every_row_in_order", lambda t, n: in_order.append(real(t, n)) or in_order[-1]
    )
    fast, plain = _two_stores(tmp_path)
    df = _frame(300, 4).sample(frac=1, random_state=3, ignore_index=True)
    if layout == "in id order":
        df = df.sort_values("incident_id", ignore_index=True)
    elif layout == "shuffled with repeated ids":  # the first row of the file must win
        again = df.iloc[:40].assign(killed=pd.array([777] * 40, dtype="Int64"))
        df = pd.concat([df.iloc[:150], again, df.iloc[150:]], ignore_index=True)
    a = _commit(fast, df)
    monkeypatch.setattr(bulk, "BULK_FROM", 10**9)
    b = _commit(plain, df)
    # the rows are held in id order from the start: the bulk path copies them only to
    # leave out the repeats, never to sort them
    assert in_order == [layout != "shuffled with repeated ids"]
    assert (a.accepted, b.accepted) == (300, 300)
    assert _stored(fast) == _stored(plain)
    stored = fast.incidents()
    assert 777 not in set(stored["killed"].dropna())
    pd.testing.assert_frame_equal(
        stored.drop(columns="upload_id"), plain.incidents().drop(columns="upload_id")
    )
