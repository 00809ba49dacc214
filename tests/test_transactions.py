"""Tests for geo.store.transactions: the bodies of the store's write transactions, run
directly on a connection of a fresh store (SQLite, and PostgreSQL when installed)."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pandas as pd
import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Connection

from geo.report import IngestReport
from geo.schema import CLAIM_COLUMNS, normalise_dtypes
from geo.store import transactions as tx
from geo.store.core import Store


def _frame(ids: list[str], **overrides: object) -> pd.DataFrame:
    """A small typed incident frame, one row per id."""
    n = len(ids)
    data = {
        "incident_id": ids,
        "event_date": ["2024-03-01"] * n,
        "date_precision": ["day"] * n,
        "event_type": ["Battles"] * n,
        "location": [f"Pešāwar {i}" for i in range(n)],
        "country": ["Pakistan"] * n,
        "country_code": ["PAK"] * n,
        "latitude": [34.0 + i / 100 for i in range(n)],
        "longitude": [71.5] * n,
        "geo_precision": [1] * n,
        "killed": [None] * n,
        "source": ["Dawn"] * n,
    }
    data.update(overrides)
    return normalise_dtypes(pd.DataFrame(data))


@pytest.fixture
def store(store_url: str) -> Store:
    s = Store(store_url, seed=False)
    s.uploads()  # make the tables
    return s


@pytest.fixture
def conn(store: Store) -> Iterator[Connection]:
    """One transaction on the store, committed at the end of the test."""
    with store.engine.begin() as c:
        yield c


def _commit(conn: Connection, df: pd.DataFrame, upload_id: str, report=None) -> tx.CommitResult:
    return tx.commit_in(
        conn, df, upload_id=upload_id, file="f.csv", sha256="0" * 64, fmt="native", report=report
    )


def _current(conn: Connection) -> dict[str, str]:
    rows = tx.run(conn, "SELECT incident_id, upload_id FROM incidents ORDER BY incident_id")
    return dict(rows.fetchall())


def _add_claim(conn: Connection, claim_id: str, upload_id: str) -> None:
    cols = [*CLAIM_COLUMNS, "upload_id"]
    values = dict.fromkeys(CLAIM_COLUMNS) | {
        "claim_id": claim_id,
        "stance": "denies_presence",
        "upload_id": upload_id,
    }
    names = ", ".join(f'"{c}"' for c in cols)
    marks = ", ".join(f":p{i}" for i in range(len(cols)))
    tx.run(
        conn,
        f"INSERT INTO claims ({names}) VALUES ({marks})",
        **{f"p{i}": values[c] for i, c in enumerate(cols)},
    )


# ----------------------------------------------------------------------------- helpers
def test_meta_get_and_bump_revision(conn):
    before = int(tx.meta_get(conn, "revision"))
    tx.bump_revision(conn)
    tx.bump_revision(conn)
    assert int(tx.meta_get(conn, "revision")) == before + 2
    assert tx.meta_get(conn, "no such key") is None


def test_fetch_gives_plain_tuples(conn, store):
    mark = "?" if store.backend == "sqlite" else "%s"
    rows = tx.fetch(conn, f"SELECT value FROM meta WHERE key = {mark}", ["revision"])
    assert len(rows) == 1 and isinstance(rows[0], tuple)
    assert tx.fetch(conn, "SELECT key FROM meta WHERE 1 = 0") == []


def test_stored_hashes_of_nothing_is_empty(conn):
    assert tx.stored_hashes(conn, []) == {}
    _commit(conn, _frame(["A"]), "u1")
    assert set(tx.stored_hashes(conn, ["A", "missing"])) == {"A"}


def test_unavailable_text_says_whether_a_write_may_have_happened():
    assert "ATLAS_DB" in tx.unavailable_text(False)
    assert "completely or not at all" in tx.unavailable_text(True)


def test_error_hierarchy_and_messages():
    err = tx.UnknownUpload("no upload with id 'x'")
    assert isinstance(err, tx.UndoError) and isinstance(err, KeyError)
    assert str(err) == "no upload with id 'x'"  # not KeyError's quoted repr
    assert str(tx.UnknownUpload()) == "unknown upload"
    assert tx.UndoConflict("m", ["u2"]).blocking == ["u2"]


# ----------------------------------------------------------------------------- commit
def test_commit_counts_new_changed_and_duplicate_rows(conn):
    first = _commit(conn, _frame(["A", "B"]), "u1")
    assert (first.accepted, first.updated, first.duplicates) == (2, 0, 0)
    second = _commit(conn, _frame(["A", "B", "C"], source=["Dawn", "BBC", "Dawn"]), "u2")
    assert (second.accepted, second.updated, second.duplicates) == (2, 1, 1)
    assert _current(conn) == {"A": "u1", "B": "u2", "C": "u2"}
    old = tx.run(conn, "SELECT incident_id, upload_id, superseded_by FROM incident_versions")
    assert old.fetchall() == [("B", "u1", "u2")]


def test_commit_first_row_wins_for_a_repeated_id(conn):
    result = _commit(conn, _frame(["A", "A"], source=["first", "second"]), "u1")
    assert (result.accepted, result.duplicates) == (1, 0)
    assert tx.run(conn, "SELECT source FROM incidents").scalar() == "first"


def test_commit_of_no_rows_still_records_the_upload(conn):
    before = tx.meta_get(conn, "revision")
    result = _commit(conn, _frame([]), "empty")
    assert (result.accepted, result.updated, result.duplicates) == (0, 0, 0)
    row = tx.run(conn, "SELECT rows_read, accepted FROM uploads WHERE upload_id = 'empty'")
    assert row.fetchone() == (0, 0)
    assert tx.meta_get(conn, "revision") != before


def test_commit_keeps_the_report_with_the_stored_counts(conn):
    report = IngestReport(file="ملف.csv", format="native", rows_read=5, rejected=3, geocoded=1)
    _commit(conn, _frame(["A", "B"]), "u1", report=report)
    row = tx.run(
        conn, "SELECT rows_read, accepted, rejected, geocoded, report FROM uploads"
    ).fetchone()
    assert row[:4] == (5, 2, 3, 1)
    kept = json.loads(row[4])
    assert kept["upload_id"] == "u1" and kept["accepted"] == 2 and kept["file"] == "ملف.csv"


def test_commit_without_report_stores_no_report(conn):
    _commit(conn, _frame(["A"]), "u1")
    assert tx.run(conn, "SELECT report FROM uploads").scalar() is None


def test_reused_upload_id_is_refused(store):
    with store.engine.begin() as c:
        _commit(c, _frame(["A"]), "u1")
    with pytest.raises(sa.exc.IntegrityError), store.engine.begin() as c:
        _commit(c, _frame(["B"]), "u1")
    with store.engine.connect() as c:
        assert _current(c) == {"A": "u1"}  # the failed transaction left nothing


# ----------------------------------------------------------------------------- undo
def test_undo_plan_matches_what_undo_does(conn):
    _commit(conn, _frame(["A", "B"]), "u1")
    _commit(conn, _frame(["B", "C"], source=["BBC", "Dawn"]), "u2")
    _add_claim(conn, "C-1", "u2")
    plan = tx.undo_plan(conn, "u2")
    assert plan == {
        "upload_id": "u2",
        "file": "f.csv",
        "removed": 1,
        "restored": 1,
        "claims_removed": 1,
        "blocking": [],
    }
    done = tx.undo_in(conn, "u2")
    assert {k: done[k] for k in ("removed", "restored", "claims_removed")} == {
        "removed": 1,
        "restored": 1,
        "claims_removed": 1,
    }
    assert _current(conn) == {"A": "u1", "B": "u1"}
    assert tx.run(conn, "SELECT count(*) FROM incident_versions").scalar() == 0
    assert tx.run(conn, "SELECT count(*) FROM undone_incidents").scalar() == 2


def test_undo_refuses_while_a_later_upload_changed_its_rows(conn):
    _commit(conn, _frame(["A"]), "u1")
    _commit(conn, _frame(["A"], source=["BBC"]), "u2")
    assert tx.undo_plan(conn, "u1")["blocking"] == ["u2"]
    with pytest.raises(tx.UndoConflict) as info:
        tx.undo_in(conn, "u1")
    assert info.value.blocking == ["u2"]
    assert _current(conn) == {"A": "u2"}


@pytest.mark.parametrize("func", [tx.undo_plan, tx.undo_in])
def test_undo_of_unknown_or_undone_upload(conn, func):
    with pytest.raises(tx.UnknownUpload, match="no upload"):
        func(conn, "nope")
    _commit(conn, _frame(["A"]), "u1")
    tx.undo_in(conn, "u1")
    with pytest.raises(tx.UnknownUpload, match="already undone"):
        func(conn, "u1")


def test_the_seed_is_protected_unless_allowed(conn):
    _commit(conn, _frame(["A"]), tx.SEED_UPLOAD_ID)
    with pytest.raises(tx.ProtectedUpload):
        tx.undo_in(conn, tx.SEED_UPLOAD_ID)
    assert _current(conn) == {"A": "seed"}
    assert tx.undo_in(conn, tx.SEED_UPLOAD_ID, allow_seed=True)["removed"] == 1
    assert _current(conn) == {}


# ----------------------------------------------------------------------------- redo
def test_redo_applies_the_undone_rows_again_as_a_new_upload(conn):
    report = IngestReport(file="f.csv", format="native", rows_read=4, rejected=2)
    _commit(conn, _frame(["A", "B"]), "u1", report=report)
    _add_claim(conn, "C-1", "u1")
    tx.undo_in(conn, "u1")
    out = tx.redo_in(conn, "u1", new_id="u1b", user="analyst")
    assert out == {
        "upload_id": "u1b",
        "redo_of": "u1",
        "file": "f.csv",
        "accepted": 2,
        "updated": 0,
        "duplicates": 0,
        "claims": 1,
    }
    assert _current(conn) == {"A": "u1b", "B": "u1b"}
    row = tx.run(
        conn, "SELECT rows_read, rejected, redo_of, \"user\" FROM uploads WHERE upload_id = 'u1b'"
    ).fetchone()
    assert tuple(row) == (4, 2, "u1", "analyst")  # the original file's counts
    assert tx.run(conn, "SELECT count(*) FROM undone_incidents").scalar() == 0
    with pytest.raises(tx.UnknownUpload, match="already redone"):
        tx.redo_in(conn, "u1", new_id="u1c")


def test_redo_counts_rows_stored_again_since_as_duplicates(conn):
    _commit(conn, _frame(["A", "B"]), "u1")
    tx.undo_in(conn, "u1")
    _commit(conn, _frame(["A"]), "u2")  # the same row A, stored again
    out = tx.redo_in(conn, "u1", new_id="u3")
    assert (out["accepted"], out["duplicates"]) == (1, 1)
    assert _current(conn) == {"A": "u2", "B": "u3"}


def test_redo_refuses_unknown_and_standing_uploads(conn):
    with pytest.raises(tx.UnknownUpload, match="no upload"):
        tx.redo_in(conn, "nope", new_id="x")
    _commit(conn, _frame(["A"]), "u1")
    with pytest.raises(tx.UnknownUpload, match="stands"):
        tx.redo_in(conn, "u1", new_id="x")


def test_redo_refuses_when_a_claim_id_was_stored_again(conn):
    _commit(conn, _frame(["A"]), "u1")
    _add_claim(conn, "C-1", "u1")
    tx.undo_in(conn, "u1")
    _commit(conn, _frame([]), "u2")
    _add_claim(conn, "C-1", "u2")
    with pytest.raises(tx.UndoError, match="C-1"):
        tx.redo_in(conn, "u1", new_id="u3")
    assert _current(conn) == {}
