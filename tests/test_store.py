"""The store: one upload per transaction, duplicates, versions, undo and redo, locks.

Every test that takes the ``store`` fixture runs on SQLite and on PostgreSQL.
"""

from __future__ import annotations

import json
import multiprocessing as mp
import sqlite3
import threading
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import sqlalchemy as sa
from storehelp import dump, execute

import geo.store.core as store_mod
from geo.schema import CLAIM_COLUMNS, INCIDENT_COLUMNS, normalise_dtypes
from geo.store import storage, transactions
from geo.store.backend_pg import WRITER_LOCK
from geo.store.core import ProtectedUpload, Store, StoreBusy, UndoConflict, UndoError, UnknownUpload


def incidents(ids: list[str], **overrides: object) -> pd.DataFrame:
    """A small typed incident frame (one row per id)."""
    n = len(ids)
    data = {
        "incident_id": ids,
        "event_date": ["2024-03-01"] * n,
        "date_precision": ["day"] * n,
        "event_type": ["Battles"] * n,
        "sub_event_type": ["Armed clash"] * n,
        "actor1": ["Actor A"] * n,
        "location": [f"Place {i}" for i in range(n)],
        "admin1": ["Khyber Pakhtunkhwa"] * n,
        "admin1_code": ["PK-KP"] * n,
        "country": ["Pakistan"] * n,
        "country_code": ["PAK"] * n,
        "latitude": [34.0 + i / 1000 for i in range(n)],
        "longitude": [71.5 - i / 1000 for i in range(n)],
        "geo_precision": [1] * n,
        "geocode_source": ["provided"] * n,
        "killed": [i % 4 if i % 3 else None for i in range(n)],
        "cross_border": [bool(i % 2) if i % 5 else None for i in range(n)],
        "source": ["Dawn"] * n,
        "notes": [f"Note {i}" for i in range(n)],
        "border_distance_km": [12.5 + i for i in range(n)],
    }
    data.update(overrides)
    return normalise_dtypes(pd.DataFrame(data))


def seed_claims() -> pd.DataFrame:
    """One curated claim, as the seed step passes it."""
    row = dict.fromkeys(CLAIM_COLUMNS)
    row.update(claim_id="C-1", stance="denies_presence", groups="TTP", territory_code="AFG")
    return pd.DataFrame([row], dtype=object)


def commit(store: Store, df: pd.DataFrame, name: str = "f.csv"):
    return store.commit(df, file=name, sha256="0" * 64, fmt="native")


@pytest.fixture
def store(store_url: str) -> Store:
    return Store(store_url, seed=False)


# --------------------------------------------------------------------------- opening


def test_store_creates_its_folder_and_uses_wal_with_busy_timeout(tmp_path: Path) -> None:
    path = tmp_path / "deep" / "er" / "atlas.sqlite"
    store = Store(str(path), seed=False)
    assert store.incidents().empty
    assert path.exists()
    with store.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() >= 10_000


def test_store_accepts_an_sqlalchemy_url(tmp_path: Path) -> None:
    path = tmp_path / "x" / "by_url.sqlite"
    store = Store(f"sqlite:///{path}", seed=False)
    commit(store, incidents(["A"]))
    assert store.path == path
    assert list(Store(path, seed=False).incidents()["incident_id"]) == ["A"]


def test_opening_is_lazy(tmp_path: Path) -> None:
    path = tmp_path / "lazy.sqlite"
    Store(path)
    assert not path.exists()


@pytest.mark.postgresql
def test_opening_a_postgresql_store_is_lazy_too(pg_server) -> None:
    url = pg_server.new_database()
    store = Store(url)
    assert store.backend == "postgresql" and store.path is None
    with sa.create_engine(url).connect() as conn:
        assert not sa.inspect(conn).has_table("incidents")
    store.version()
    with store.engine.connect() as conn:
        assert sa.inspect(conn).has_table("incidents")
    pg_server.drop_database(url)


# --------------------------------------------------------------------------- commit


def test_commit_round_trips_every_value_and_type(store: Store) -> None:
    df = incidents(["PAK-2", "PAK-1", "PAK-3", "PAK-4", "PAK-5", "PAK-6"])
    result = commit(store, df)
    assert (result.accepted, result.updated, result.duplicates) == (6, 0, 0)

    got = store.incidents()
    assert list(got.columns) == INCIDENT_COLUMNS
    assert (got["upload_id"] == result.upload_id).all()
    expected = df.sort_values("incident_id").reset_index(drop=True)
    pd.testing.assert_frame_equal(
        got.drop(columns="upload_id"), expected.drop(columns="upload_id"), check_dtype=True
    )
    # unknown stays unknown: never 0
    assert got["killed"].isna().sum() == df["killed"].isna().sum() > 0
    # what incidents() returns is exactly normalise_dtypes' typing
    pd.testing.assert_frame_equal(got, normalise_dtypes(got))


def test_columns_empty_in_one_insert_chunk_are_still_stored_from_the_others(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    # chunks of two rows: "notes" is empty in the first, starts empty in the second and
    # has a value in the third; "actor2" is empty in all
    monkeypatch.setattr(storage, "INSERT_CHUNK", 2)
    notes = [None, None, None, "n4", "n5"]
    df = incidents(["A", "B", "C", "D", "E"], notes=notes)
    result = commit(store, df)
    assert result.accepted == 5

    got = store.incidents().drop(columns="upload_id")
    pd.testing.assert_frame_equal(got, df.drop(columns="upload_id"))
    assert got["notes"].tolist() == notes
    assert got["actor2"].isna().all() and got["killed"].isna().any()


def test_same_rows_twice_are_duplicates_and_change_no_incident(store: Store) -> None:
    df = incidents(["A", "B", "C"])
    first = commit(store, df)
    before = dump(store)
    second = commit(store, df, "again.csv")
    assert (second.accepted, second.updated, second.duplicates) == (0, 0, 3)
    assert dump(store) == before
    assert set(store.incidents()["upload_id"]) == {first.upload_id}


def test_derived_columns_alone_do_not_make_a_new_version(store: Store) -> None:
    commit(store, incidents(["A"]))
    again = commit(store, incidents(["A"], qa_flags=["admin1_mismatch"], border_distance_km=[9.0]))
    assert again.duplicates == 1 and again.updated == 0


def test_changed_row_becomes_a_new_version(store: Store) -> None:
    first = commit(store, incidents(["A", "B", "C"]))  # killed: unknown, 1, 2
    old_a = store.incidents().iloc[[0]].reset_index(drop=True)
    result = commit(store, incidents(["A", "B", "C", "D"], killed=[9, 1, 2, 0]), "fix.csv")
    assert (result.accepted, result.updated, result.duplicates) == (2, 1, 2)

    now = store.incidents().set_index("incident_id")
    assert now.loc["A", "killed"] == 9
    assert now.loc["A", "upload_id"] == result.upload_id
    assert now.loc["B", "upload_id"] == first.upload_id  # duplicates keep their writer
    assert now.loc["D", "upload_id"] == result.upload_id

    versions = store.versions()
    assert versions["incident_id"].tolist() == ["A"]
    assert versions["superseded_by"].tolist() == [result.upload_id]
    pd.testing.assert_frame_equal(versions[INCIDENT_COLUMNS], old_a)


def test_first_row_wins_for_an_id_repeated_in_one_commit(store: Store) -> None:
    df = incidents(["A", "A"], notes=["first", "second"])
    result = commit(store, df)
    assert result.accepted == 1
    assert store.incidents()["notes"].tolist() == ["first"]


def test_a_failing_upload_writes_nothing(store: Store, monkeypatch) -> None:
    commit(store, incidents(["A", "B"]))
    before = dump(store)
    uploads_before = len(store.uploads())
    version = store.version()

    def fail(conn) -> None:
        raise RuntimeError("crash at the last statement of the upload")

    monkeypatch.setattr(transactions, "bump_revision", fail)  # after every insert and move
    with pytest.raises(RuntimeError, match="crash"):
        commit(store, incidents(["A", "Z"], killed=[7, 7]))
    monkeypatch.undo()
    assert dump(store) == before
    assert len(store.uploads()) == uploads_before
    assert store.version() == version


def test_rows_without_id_are_refused_before_writing(store: Store) -> None:
    bad = incidents(["A", "B"])
    bad.loc[1, "incident_id"] = None
    with pytest.raises(ValueError, match="incident_id"):
        commit(store, bad)
    assert store.incidents().empty


def test_version_changes_on_commit_and_undo_only(store: Store) -> None:
    v0 = store.version()
    store.incidents()
    assert store.version() == v0
    result = commit(store, incidents(["A"]))
    v1 = store.version()
    assert v1 != v0
    store.undo(result.upload_id)
    assert store.version() not in {v0, v1}


# --------------------------------------------------------------------------- undo


def test_undo_restores_earlier_versions_exactly(store: Store) -> None:
    commit(store, incidents(["A", "B", "C"]))
    state1 = dump(store)
    u2 = commit(store, incidents(["A", "B", "D"], killed=[5, 6, 7]))
    state2 = dump(store)
    u3 = commit(store, incidents(["A", "E"], killed=[50, 1], notes=["again", "new"]))
    assert u3.updated == 1  # A, whose current version came from u2

    result = store.undo(u3.upload_id)
    assert result == {
        "upload_id": u3.upload_id,
        "file": "f.csv",
        "removed": 1,
        "restored": 1,
        "claims_removed": 0,
        "undone_at": result["undone_at"],
    }
    assert dump(store) == state2
    store.undo(u2.upload_id)
    assert dump(store) == state1


def test_undo_is_refused_while_a_later_upload_changed_its_rows(store: Store) -> None:
    u1 = commit(store, incidents(["A", "B"]))
    u2 = commit(store, incidents(["B"], killed=[40]))
    before = dump(store)
    with pytest.raises(UndoConflict) as info:
        store.undo(u1.upload_id)
    assert info.value.blocking == [u2.upload_id]
    assert u2.upload_id in str(info.value)
    assert dump(store) == before
    # in order, both go
    store.undo(u2.upload_id)
    store.undo(u1.upload_id)
    assert store.incidents().empty
    assert store.versions().empty


def test_undo_of_unknown_or_undone_upload(store: Store) -> None:
    with pytest.raises(UnknownUpload, match="no upload"):
        store.undo("nope")
    u = commit(store, incidents(["A"]))
    store.undo(u.upload_id)
    with pytest.raises(UnknownUpload, match="already undone"):
        store.undo(u.upload_id)


def test_undo_plan_says_what_undo_then_does(store: Store) -> None:
    commit(store, incidents(["A", "B"]))
    u2 = commit(store, incidents(["A", "C", "D"], killed=[9, 9, 9]))
    before = dump(store)
    plan = store.undo_plan(u2.upload_id)
    assert dump(store) == before  # a plan writes nothing
    assert plan == {
        "upload_id": u2.upload_id,
        "file": "f.csv",
        "removed": 2,  # C and D leave; A goes back to its first version
        "restored": 1,
        "claims_removed": 0,
        "blocking": [],
    }
    done = store.undo(u2.upload_id)
    assert {k: done[k] for k in ("removed", "restored", "claims_removed")} == {
        "removed": 2,
        "restored": 1,
        "claims_removed": 0,
    }


def test_undo_plan_names_the_uploads_to_undo_first(store: Store) -> None:
    u1 = commit(store, incidents(["A"]))
    u2 = commit(store, incidents(["A"], killed=[3]))
    assert store.undo_plan(u1.upload_id)["blocking"] == [u2.upload_id]


def test_the_curated_seed_is_protected(store_url: str) -> None:
    store = Store(store_url)
    assert store.apply_seed(
        incidents(["S1", "S2"]), seed_claims(), file="data/incidents.csv", sha256="0"
    )
    before = dump(store)
    with pytest.raises(ProtectedUpload, match="curated seed"):
        store.undo("seed")
    assert dump(store) == before
    plan = store.undo_plan("seed")
    assert (plan["removed"], plan["claims_removed"]) == (2, 1)
    result = store.undo("seed", allow_seed=True)
    assert (result["removed"], result["claims_removed"]) == (2, 1)
    assert store.incidents().empty and store.claims().empty


def test_redo_puts_an_undone_upload_back_as_it_was(store: Store) -> None:
    commit(store, incidents(["A", "B"]))
    u2 = commit(store, incidents(["A", "C"], killed=[4, 5]))
    after_u2 = store.incidents().drop(columns="upload_id")
    store.undo(u2.upload_id)
    after_undo = dump(store)
    redo = store.redo(u2.upload_id)
    assert redo["redo_of"] == u2.upload_id and redo["upload_id"] != u2.upload_id
    assert (redo["accepted"], redo["updated"], redo["duplicates"]) == (2, 1, 0)
    pd.testing.assert_frame_equal(store.incidents().drop(columns="upload_id"), after_u2)
    history = store.uploads().set_index("upload_id")
    assert history.loc[redo["upload_id"], "redo_of"] == u2.upload_id
    assert history.loc[redo["upload_id"], "file"] == "f.csv"
    # the redo is an upload like any other: undo it and the store is as after the undo
    store.undo(redo["upload_id"])
    assert dump(store) == after_undo


def test_redo_never_overwrites_work_done_after_the_undo(store: Store) -> None:
    u1 = commit(store, incidents(["A", "B"]))
    store.undo(u1.upload_id)
    u2 = commit(store, incidents(["A"], notes=["written after the undo"]))
    redo = store.redo(u1.upload_id)
    assert (redo["accepted"], redo["updated"]) == (2, 1)  # A becomes a new version of u2's
    versions = store.versions()
    assert versions["notes"].tolist() == ["written after the undo"]
    assert versions["upload_id"].tolist() == [u2.upload_id]
    with pytest.raises(UndoConflict):  # u2's row was superseded by the redo: undo that first
        store.undo(u2.upload_id)


def test_redo_is_refused_for_standing_or_redone_uploads(store: Store) -> None:
    u1 = commit(store, incidents(["A"]))
    with pytest.raises(UnknownUpload, match="stands"):
        store.redo(u1.upload_id)
    store.undo(u1.upload_id)
    redo = store.redo(u1.upload_id)
    with pytest.raises(UnknownUpload, match=f"already redone as '{redo['upload_id']}'"):
        store.redo(u1.upload_id)
    with pytest.raises(UnknownUpload, match="no upload"):
        store.redo("nope")


def test_redo_brings_claims_back_and_refuses_a_claim_stored_again(store_url: str) -> None:
    store = Store(store_url)
    assert store.apply_seed(incidents(["S1"]), seed_claims(), file="data/incidents.csv", sha256="0")
    claims = store.claims()
    store.undo("seed", allow_seed=True)
    redo = store.redo("seed")
    assert redo["claims"] == 1
    pd.testing.assert_frame_equal(store.claims(), claims)
    store.undo(redo["upload_id"])
    execute(  # a claim with the same id, stored since
        store, "INSERT INTO claims (claim_id, upload_id) VALUES ('C-1', :u)", u=redo["upload_id"]
    )
    before = dump(store)
    with pytest.raises(UndoError, match="C-1"):
        store.redo(redo["upload_id"])
    assert dump(store) == before


def test_uploads_lists_history_as_valid_json(store: Store) -> None:
    u1 = commit(store, incidents(["A", "B"]), "one.csv")
    u2 = commit(store, incidents(["A", "B"]), "two.csv")
    store.undo(u2.upload_id)
    table = store.uploads()
    assert list(table.columns) == storage.UPLOAD_COLUMNS
    assert table["upload_id"].tolist() == [u1.upload_id, u2.upload_id]
    assert table["file"].tolist() == ["one.csv", "two.csv"]
    assert table["accepted"].tolist() == [2, 0]
    assert table["duplicates"].tolist() == [0, 2]
    assert table["undone_at"].iloc[0] is None
    assert table["undone_at"].iloc[1].endswith("Z")
    text = json.dumps(table.to_dict(orient="records"))

    def no_nan(token: str) -> None:
        raise AssertionError(f"invalid JSON constant {token}")

    json.loads(text, parse_constant=no_nan)


# --------------------------------------------------------------------------- geocode cache


def test_geocode_cache_persists_and_does_not_touch_incidents(store: Store) -> None:
    cache = store.geocode_cache()
    assert cache.get("kabul|AFG") is None
    version = store.version()
    cache.put("kabul|AFG", {"latitude": 34.5, "longitude": 69.2, "name": "کابل"})
    assert cache.get("kabul|AFG") == {"latitude": 34.5, "longitude": 69.2, "name": "کابل"}
    again = Store(store.url, seed=False).geocode_cache()
    assert again.get("kabul|AFG")["name"] == "کابل"
    cache.put("kabul|AFG", {"latitude": 1.0})
    assert again.get("kabul|AFG") == {"latitude": 1.0}
    assert store.version() == version


# --------------------------------------------------------------------------- locks


def _hold_lock(store: Store, seconds: float, started: threading.Event) -> None:
    """Hold the writer lock from another connection, as a long upload would."""
    if store.backend == "sqlite":
        con = sqlite3.connect(store.path, isolation_level=None, timeout=5)
        con.execute("BEGIN IMMEDIATE")
        started.set()
        time.sleep(seconds)
        con.execute("ROLLBACK")
        con.close()
        return
    engine = sa.create_engine(store.url)
    with engine.connect() as conn, conn.begin():
        conn.exec_driver_sql(f"SELECT pg_advisory_xact_lock({WRITER_LOCK})")
        started.set()
        time.sleep(seconds)
    engine.dispose()


def test_busy_store_is_retried_not_reported(store: Store, monkeypatch) -> None:
    monkeypatch.setattr(storage, "BUSY_TIMEOUT_S", 0.05)  # force the retry path
    store = Store(store.url, seed=False)  # a new engine with the short timeout
    commit(store, incidents(["A"]))
    started = threading.Event()
    holder = threading.Thread(target=_hold_lock, args=(store, 1.0, started))
    holder.start()
    started.wait()
    result = commit(store, incidents(["B"]))
    holder.join()
    assert result.accepted == 1
    assert sorted(store.incidents()["incident_id"]) == ["A", "B"]


def test_store_busy_past_patience_is_one_clear_error(store: Store, monkeypatch) -> None:
    monkeypatch.setattr(storage, "BUSY_TIMEOUT_S", 0.05)
    monkeypatch.setattr(storage, "LOCK_PATIENCE_S", 0.2)
    store = Store(store.url, seed=False)
    commit(store, incidents(["A"]))
    started = threading.Event()
    holder = threading.Thread(target=_hold_lock, args=(store, 1.5, started))
    holder.start()
    started.wait()
    with pytest.raises(StoreBusy, match="nothing was changed"):
        commit(store, incidents(["B"]))
    holder.join()
    assert store.incidents()["incident_id"].tolist() == ["A"]


def test_readers_are_not_blocked_by_a_writer(store: Store) -> None:
    commit(store, incidents(["A"]))
    started = threading.Event()
    holder = threading.Thread(target=_hold_lock, args=(store, 1.0, started))
    holder.start()
    started.wait()
    assert store.incidents()["incident_id"].tolist() == ["A"]  # while the lock is held
    assert holder.is_alive()
    holder.join()


def _writer(path: str, worker: int, batches: int, size: int, errors) -> None:
    try:
        store = Store(path, seed=False)
        for b in range(batches):
            ids = [f"W{worker}-{b}-{i}" for i in range(size)]
            commit(store, incidents(ids), f"worker{worker}-{b}.csv")
    except Exception as exc:  # pragma: no cover - reported to the parent
        errors.put(f"writer {worker}: {exc!r}")


def _reader(path: str, stop, errors) -> None:
    try:
        store = Store(path, seed=False)
        while not stop.is_set():
            frame = store.incidents()
            assert frame["incident_id"].is_unique
    except Exception as exc:  # pragma: no cover
        errors.put(f"reader: {exc!r}")


@pytest.mark.slow
def test_four_processes_commit_at_once_every_row_exactly_once(store: Store) -> None:
    path = store.url
    store.incidents()  # create it
    ctx = mp.get_context("spawn")
    errors = ctx.Queue()
    stop = ctx.Event()
    batches, size = 4, 300
    readers = [ctx.Process(target=_reader, args=(path, stop, errors)) for _ in range(2)]
    writers = [ctx.Process(target=_writer, args=(path, w, batches, size, errors)) for w in range(4)]
    for p in readers + writers:
        p.start()
    for p in writers:
        p.join(240)
    stop.set()
    for p in readers:
        p.join(60)
    problems = []
    while not errors.empty():
        problems.append(errors.get())
    assert problems == []
    assert all(p.exitcode == 0 for p in writers + readers)
    ids = Store(path, seed=False).incidents()["incident_id"]
    expected = {f"W{w}-{b}-{i}" for w in range(4) for b in range(batches) for i in range(size)}
    assert ids.is_unique
    assert set(ids) == expected
    assert len(store.uploads()) == 4 * batches
    if store.backend == "sqlite":
        con = sqlite3.connect(store.path)
        assert con.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert con.execute("PRAGMA foreign_key_check").fetchall() == []


def test_row_hash_ignores_upload_and_derived_columns() -> None:
    a = incidents(["A"])
    b = incidents(["A"], qa_flags=["x"], border_distance_km=[1.0], upload_id=["u"])
    c = incidents(["A"], killed=[99])
    assert store_mod.row_hashes(a) == store_mod.row_hashes(b)
    assert store_mod.row_hashes(a) != store_mod.row_hashes(c)
    assert np.all([len(h) == 40 for h in store_mod.row_hashes(a)])
