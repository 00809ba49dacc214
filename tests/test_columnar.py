"""geo.views.columnar: the columnar copy always equals a fresh read of the store.

Each step changes the store as a user would (commit, re-upload with changes, undo,
redo, a claims file), then loads the views' table through the copy and compares
it, exactly, with a fresh read from SQL; and checks which of the two ways it took.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from test_store import incidents

from geo.ingest.seed import open_store
from geo.store.core import Store
from geo.views import columnar
from geo.views.view import _read_all, _views_form, stored_incidents


class _Counting:
    """``columnar.load``'s full read, counted."""

    def __init__(self) -> None:
        self.calls = 0

    def __call__(self, store: Store) -> pd.DataFrame:
        self.calls += 1
        return _read_all(store)


def _loaded(store: Store) -> tuple[pd.DataFrame, int]:
    full = _Counting()
    frame = columnar.load(store, full, _views_form)
    pd.testing.assert_frame_equal(frame, _read_all(store), check_exact=True)
    return frame, full.calls


def _commit(store: Store, df: pd.DataFrame, name: str) -> str:
    return store.commit(df, file=name, sha256="0" * 64, fmt="native").upload_id


@pytest.fixture
def store(store_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Store:
    """A seeded store on each back end (a PostgreSQL store's copy goes to ATLAS_CACHE_DIR)."""
    monkeypatch.setenv("ATLAS_CACHE_DIR", str(tmp_path / "cache"))
    return open_store(store_url)


def test_the_copy_follows_commits_undos_and_redos(store: Store) -> None:
    frame, full = _loaded(store)  # the seed
    assert full == 1 and columnar.copy_path(store).exists() and len(frame) > 0
    assert _loaded(store)[1] == 0  # nothing changed: the copy as it is

    first = _commit(store, incidents([f"U{i:03d}" for i in range(40)]), "a.csv")
    assert _loaded(store)[1] == 0  # extended with the upload's rows only

    changed = incidents([f"U{i:03d}" for i in range(30, 60)], actor1=["Actor B"] * 30)
    second = _commit(store, changed, "b.csv")  # 10 replace rows of the first, 20 new
    frame, full = _loaded(store)
    assert full == 0 and (frame["actor1"] == "Actor B").sum() == 30

    store.undo(second)  # brings the 10 earlier versions back: read again
    frame, full = _loaded(store)
    assert full == 1 and "Actor B" not in set(frame["actor1"].dropna())

    store.undo(first)  # replaced nothing: its rows are dropped from the copy
    frame, full = _loaded(store)
    assert full == 0 and not frame["incident_id"].str.startswith("U").any()
    assert "Actor A" not in frame["actor1"].cat.categories  # no category left unused

    store.redo(first)
    frame, full = _loaded(store)
    assert full == 0 and frame["incident_id"].str.startswith("U").sum() == 40


def test_a_duplicate_upload_and_a_claims_upload_change_nothing(store: Store) -> None:
    _commit(store, incidents(["A", "B"]), "a.csv")
    before, _ = _loaded(store)
    _commit(store, incidents(["A", "B"]), "again.csv")  # all duplicates
    after, full = _loaded(store)
    assert full == 0
    pd.testing.assert_frame_equal(before, after)


@pytest.mark.parametrize("damage", ["garbage", "other store"])
def test_a_damaged_or_foreign_copy_is_read_again(store: Store, tmp_path: Path, damage: str) -> None:
    _loaded(store)
    path = columnar.copy_path(store)
    if damage == "garbage":
        path.write_bytes(b"not parquet")
    else:
        other = open_store(str(tmp_path / "other.sqlite"))
        _commit(other, incidents(["X"]), "x.csv")
        _loaded(other)
        columnar.copy_path(other).replace(path)
    _commit(store, incidents(["A"]), "a.csv")
    assert _loaded(store)[1] == 1


def test_a_postgresql_copy_lives_in_the_cache_folder(store: Store, tmp_path: Path) -> None:
    path = columnar.copy_path(store)
    if store.backend == "postgresql":
        assert path.parent == tmp_path / "cache" and path.name.endswith(".columns.parquet")
    else:
        assert path == store.path.with_name("atlas.sqlite.columns.parquet")


def test_an_in_memory_store_has_no_copy() -> None:
    memory = open_store("sqlite://")
    assert columnar.copy_path(memory) is None
    pd.testing.assert_frame_equal(stored_incidents(memory), _read_all(memory))


def test_a_copy_written_later_is_still_exact(store: Store) -> None:
    _loaded(store)
    _commit(store, incidents(["A", "B"]), "a.csv")
    jobs: list = []
    first = columnar.load(store, _read_all, _views_form, run=jobs.append)
    assert len(jobs) == 1  # the file is not written yet: a second load works from the old one
    pd.testing.assert_frame_equal(columnar.load(store, _read_all, _views_form), first)
    thread = columnar.in_background(jobs[0])
    thread.join()
    frame, full = _loaded(store)
    assert full == 0 and {"A", "B"} <= set(frame["incident_id"])


def test_a_commit_while_the_table_is_read_leaves_no_copy(store: Store) -> None:
    """Rows read after the stamp could belong to a later upload: such a table is
    returned but not kept, so a later undo cannot leave it stale."""

    def read_during_a_commit(s: Store) -> pd.DataFrame:
        _commit(s, incidents(["LATE"]), "late.csv")
        return _read_all(s)

    frame = columnar.load(store, read_during_a_commit, _views_form)
    assert "LATE" in set(frame["incident_id"])
    assert not columnar.copy_path(store).exists()
    assert _loaded(store)[1] == 1


def test_a_memo_is_extended_in_memory_and_the_file_is_not_read_again(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With a :class:`columnar.Memo` (the app's), the load after an upload starts from
    the table held in memory, and still equals a fresh read (dates in view order)."""
    memo = columnar.Memo()
    first = columnar.load(store, _read_all, _views_form, memo=memo)
    assert memo.get(columnar.copy_path(store))[1] is first
    _commit(store, incidents([f"M{i:03d}" for i in range(25)]), "m.csv")

    def no_file(path: Path) -> None:
        raise AssertionError(f"the copy's file was read: {path}")

    monkeypatch.setattr(columnar, "_read_copy", no_file)
    full = _Counting()
    frame = columnar.load(store, full, _views_form, memo=memo)
    assert full.calls == 0 and frame["incident_id"].str.startswith("M").sum() == 25
    pd.testing.assert_frame_equal(frame, _read_all(store), check_exact=True)
    assert columnar.load(store, full, _views_form, memo=memo) is frame  # held, current
    assert frame["event_date"].dropna().is_monotonic_increasing
