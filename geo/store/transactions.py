"""The bodies of the store's write transactions: commit an upload, undo one, redo one.

Each function runs inside one write transaction opened by
:class:`geo.store.core.Store` (``BEGIN IMMEDIATE`` on SQLite, the writer lock on
PostgreSQL), on the connection it is given, and either finishes or raises
(and the transaction is rolled back). The rules they keep are in
:mod:`geo.store.core`: a changed incident becomes a new version and the old one
moves to ``incident_versions``; undo restores exactly the state before the
upload, or refuses with :class:`UndoConflict`. The SQL here is the same on
both back ends; the bulk steps are the back end's (:mod:`geo.store.backends`).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import pandas as pd
import sqlalchemy as sa
from sqlalchemy.engine import Connection, CursorResult

from geo.report import IngestReport
from geo.schema import CLAIM_COLUMNS
from geo.store.backends import backend_of
from geo.store.bulk import StoredRows, stored_rows, with_table
from geo.store.storage import CLAIMS_SQL, COLS_SQL, STORED, utc_now

#: The upload id of the curated seed (data/incidents.csv and data/claims.csv).
SEED_UPLOAD_ID = "seed"

__all__ = [
    "SEED_UPLOAD_ID",
    "CommitResult",
    "ProtectedUpload",
    "StoreBusy",
    "StoreUnavailable",
    "UndoConflict",
    "UndoError",
    "UnknownUpload",
    "bump_revision",
    "commit_claims_in",
    "commit_in",
    "fetch",
    "insert_claims",
    "meta_get",
    "redo_in",
    "run",
    "stored_hashes",
    "unavailable_text",
    "undo_in",
    "undo_plan",
]


_CLAIM_FIELDS = ", ".join(f'"{c}"' for c in CLAIM_COLUMNS)


class StoreBusy(RuntimeError):
    """The store stayed locked by other writers for longer than the store waits."""


class StoreUnavailable(RuntimeError):
    """The database could not be reached, or the connection broke during an operation."""


def unavailable_text(write: bool) -> str:
    """What to tell the user when the connection broke during a read or a write.

    Examples
    --------
    >>> "completely or not at all" in unavailable_text(write=True)
    True
    """
    if not write:
        return "The store's database cannot be reached; check ATLAS_DB and that the server runs."
    return (
        "The connection to the store's database broke during a change. The database keeps a "
        "transaction whole, so the change was stored completely or not at all: "
        "`python -m geo uploads` shows which."
    )


class UndoError(Exception):
    """An undo that cannot be done; nothing was changed."""


class UnknownUpload(UndoError, KeyError):
    """No upload with this id, or it was already undone."""

    def __str__(self) -> str:
        return str(self.args[0]) if self.args else "unknown upload"


class ProtectedUpload(UndoError):
    """The curated seed is protected: undoing it needs an explicit confirmation."""


class UndoConflict(UndoError):
    """A later upload changed incidents this upload wrote; undo that one first."""

    def __init__(self, message: str, blocking: list[str]) -> None:
        super().__init__(message)
        self.blocking = blocking


@dataclass(frozen=True)
class CommitResult:
    """What one committed upload did to the incidents.

    ``accepted`` counts the rows written (new incidents + new versions),
    ``updated`` the rows among them that replaced a stored version, and
    ``duplicates`` the rows already stored with identical content.
    """

    upload_id: str
    accepted: int
    updated: int
    duplicates: int


# --------------------------------------------------------------------------- transactions


def fetch(conn: Connection, sql: str, params: list[Any] | None = None) -> list[tuple[Any, ...]]:
    """All rows of a query as plain tuples, through the DBAPI cursor (no Row objects).

    ``params`` fill the driver's own placeholders (``?`` on SQLite, ``%s`` on PostgreSQL).
    """
    cur = conn.connection.dbapi_connection.cursor()
    try:
        if params:
            cur.execute(sql, params)
        else:
            cur.execute(sql)
        return cur.fetchall()
    finally:
        cur.close()


def run(conn: Connection, sql: str, **params: Any) -> CursorResult[Any]:
    """One statement with ``:name`` parameters, in SQL both back ends accept."""
    return conn.execute(sa.text(sql), params)


def meta_get(conn: Connection, key: str) -> str | None:
    """A value of the ``meta`` table (None when the key is absent)."""
    return run(conn, "SELECT value FROM meta WHERE key = :key", key=key).scalar()


def bump_revision(conn: Connection) -> None:
    conn.exec_driver_sql(
        "UPDATE meta SET value = CAST(CAST(value AS INTEGER) + 1 AS TEXT) WHERE key = 'revision'"
    )


def stored_hashes(conn: Connection, ids: list[str]) -> dict[str, str]:
    """``incident_id -> row_hash`` of the stored incidents among ``ids``."""
    if not ids:
        return {}
    return backend_of(conn).stored_hashes(conn, ids)


def commit_in(
    conn: Connection,
    data: pd.DataFrame | StoredRows,
    *,
    upload_id: str,
    file: str,
    sha256: str,
    fmt: str,
    report: IngestReport | None,
    user: str | None = None,
    redo_of: str | None = None,
) -> CommitResult:
    """The body of one upload's transaction (also used for the seed and for a redo)."""
    rows = stored_rows(data) if isinstance(data, pd.DataFrame) else data
    ids = rows.ids
    now = utc_now()
    backend = backend_of(conn)
    run(
        conn,
        'INSERT INTO uploads (upload_id, file, sha256, format, created_at, "user", redo_of) '
        "VALUES (:upload_id, :file, :sha256, :fmt, :now, :user, :redo_of)",
        upload_id=upload_id,
        file=file,
        sha256=sha256,
        fmt=fmt,
        now=now,
        user=user,
        redo_of=redo_of,
    )
    in_file = rows.in_file_order()  # versions are superseded in the file's order
    if len(set(ids)) == len(ids):
        first = in_file
    else:  # within one upload an id counts once: the first row of the file wins
        seen: dict[str, int] = {}
        for i in in_file:
            seen.setdefault(ids[i], i)
        first = list(seen.values())
    stored = stored_hashes(conn, [ids[i] for i in first])
    if stored:
        hashes = rows.hashes
        changed = [ids[i] for i in first if ids[i] in stored and stored[ids[i]] != hashes[i]]
        take = [i for i in first if stored.get(ids[i]) != hashes[i]]  # new and changed
    else:  # none of these ids is stored yet: every row is new (its hash is not needed here)
        changed, take = [], list(first)
    duplicates = len(first) - len(take)
    if changed:
        backend.supersede(conn, changed, upload_id, now)
    if take:
        take.sort(key=ids.__getitem__)  # B-tree friendly insert order
        backend.insert_incidents(conn, rows, take, upload_id)
    updated = len(changed)
    result = CommitResult(
        upload_id=upload_id, accepted=len(take), updated=updated, duplicates=duplicates
    )
    counts = {
        "rows_read": report.rows_read if report else len(ids),
        "accepted": result.accepted,
        "rejected": report.rejected if report else 0,
        "updated": result.updated,
        "duplicates": result.duplicates,
        "geocoded": report.geocoded if report else 0,
    }
    payload = None
    if report is not None:
        full = report.to_dict()
        full.update(counts, upload_id=upload_id)
        payload = json.dumps(full, ensure_ascii=False, default=str)
    run(
        conn,
        "UPDATE uploads SET rows_read = :rows_read, accepted = :accepted, rejected = :rejected, "
        "updated = :updated, duplicates = :duplicates, geocoded = :geocoded, report = :report "
        "WHERE upload_id = :upload_id",
        **counts,
        report=payload,
        upload_id=upload_id,
    )
    bump_revision(conn)
    return result


def _claim_text(value: Any) -> str | None:
    """A ledger cell as text; NaN and None are empty (PostgreSQL would store NaN as 'NaN')."""
    if value is None or (isinstance(value, float) and value != value):
        return None
    return str(value)


def insert_claims(conn: Connection, claims: pd.DataFrame, upload_id: str) -> int:
    """Add ledger rows (:data:`geo.schema.CLAIM_COLUMNS` as text) under ``upload_id``."""
    if not len(claims):
        return 0
    marks = ", ".join(f":c{i}" for i in range(len(CLAIM_COLUMNS)))
    rows = [
        {**{f"c{i}": _claim_text(v) for i, v in enumerate(r)}, "upload_id": upload_id}
        for r in claims[CLAIM_COLUMNS].itertuples(False, None)
    ]
    conn.execute(sa.text(f"INSERT INTO claims ({CLAIMS_SQL}) VALUES ({marks}, :upload_id)"), rows)
    return len(rows)


def commit_claims_in(
    conn: Connection,
    claims: pd.DataFrame,
    *,
    upload_id: str,
    file: str,
    sha256: str,
    report: IngestReport,
    user: str | None = None,
) -> int:
    """The body of a claims upload: an upload with no incidents whose rows are claims.

    Raises :class:`UndoError` (nothing written) when a claim id was stored by
    another upload since the file was checked.
    """
    wanted = {str(x) for x in claims["claim_id"]} if len(claims) else set()
    taken = sorted(r[0] for r in fetch(conn, "SELECT claim_id FROM claims") if r[0] in wanted)
    if taken:
        raise UndoError(
            f"claim(s) {', '.join(taken[:5])} were stored by another upload while this file "
            "was checked: upload it again to see them as duplicates"
        )
    empty = {c: [] for c in STORED if c != "row_hash"}
    commit_in(conn, StoredRows(empty, []), upload_id=upload_id, file=file, sha256=sha256,
              fmt="claims", report=report, user=user)  # fmt: skip
    n = insert_claims(conn, claims, upload_id)
    full = report.to_dict()
    full.update(accepted=n, upload_id=upload_id)
    run(
        conn,
        "UPDATE uploads SET accepted = :n, report = :report WHERE upload_id = :u",
        n=n,
        report=json.dumps(full, ensure_ascii=False, default=str),
        u=upload_id,
    )
    return n


def _active_upload(conn: Connection, upload_id: str) -> str | None:
    """The file of an upload that stands; raises :class:`UnknownUpload` otherwise."""
    row = run(
        conn, "SELECT file, undone_at FROM uploads WHERE upload_id = :u", u=upload_id
    ).fetchone()
    if row is None:
        raise UnknownUpload(f"no upload with id {upload_id!r}")
    if row[1] is not None:
        raise UnknownUpload(f"upload {upload_id!r} was already undone at {row[1]}")
    return row[0]


def _blocking(conn: Connection, upload_id: str) -> list[str]:
    """Later uploads that superseded rows ``upload_id`` wrote, newest first."""
    return [
        r[0]
        for r in run(
            conn,
            "SELECT u.upload_id FROM uploads u WHERE u.upload_id IN "
            "(SELECT DISTINCT superseded_by FROM incident_versions WHERE upload_id = :u) "
            "ORDER BY u.seq DESC",
            u=upload_id,
        ).fetchall()
    ]


def _count(conn: Connection, sql: str, **params: Any) -> int:
    return int(run(conn, sql, **params).scalar() or 0)


def undo_plan(conn: Connection, upload_id: str) -> dict[str, Any]:
    """What undoing ``upload_id`` would do, without doing it (read only).

    Returns
    -------
    dict
        ``upload_id, file, removed`` (incidents that would leave the store),
        ``restored`` (earlier versions made current again), ``claims_removed``
        and ``blocking`` (later uploads to undo first; empty when it can go).
    """
    file = _active_upload(conn, upload_id)
    written = _count(conn, "SELECT count(*) FROM incidents WHERE upload_id = :u", u=upload_id)
    restored = _count(
        conn, "SELECT count(*) FROM incident_versions WHERE superseded_by = :u", u=upload_id
    )
    return {
        "upload_id": upload_id,
        "file": file,
        "removed": written - restored,
        "restored": restored,
        "claims_removed": _count(
            conn, "SELECT count(*) FROM claims WHERE upload_id = :u", u=upload_id
        ),
        "blocking": _blocking(conn, upload_id),
    }


def undo_in(conn: Connection, upload_id: str, *, allow_seed: bool = False) -> dict[str, Any]:
    """Undo one upload: the store returns exactly to its state before it.

    The rows the upload wrote move to ``undone_incidents`` / ``undone_claims``
    (kept for :func:`redo_in`), and the versions it superseded become current
    again. The curated seed (upload id ``seed``) is refused unless
    ``allow_seed`` is given.
    """
    if upload_id == SEED_UPLOAD_ID and not allow_seed:
        raise ProtectedUpload(
            "the curated seed (upload 'seed': the incidents and claims of data/) is protected; "
            "undo it only with an explicit confirmation (CLI: --allow-seed)"
        )
    file = _active_upload(conn, upload_id)
    blocking = _blocking(conn, upload_id)
    if blocking:
        raise UndoConflict(
            f"cannot undo {upload_id!r}: later upload(s) {', '.join(blocking)} changed "
            "incidents it wrote; undo those first (newest first)",
            blocking,
        )
    run(
        conn,
        f"INSERT INTO undone_incidents ({COLS_SQL}) SELECT {COLS_SQL} FROM incidents "
        "WHERE upload_id = :u",
        u=upload_id,
    )
    deleted = run(conn, "DELETE FROM incidents WHERE upload_id = :u", u=upload_id).rowcount
    restored = run(
        conn,
        f"INSERT INTO incidents ({COLS_SQL}) SELECT {COLS_SQL} FROM incident_versions "
        "WHERE superseded_by = :u ORDER BY version_id",
        u=upload_id,
    ).rowcount
    run(conn, "DELETE FROM incident_versions WHERE superseded_by = :u", u=upload_id)
    run(
        conn,
        f"INSERT INTO undone_claims ({CLAIMS_SQL}) SELECT {CLAIMS_SQL} FROM claims "
        "WHERE upload_id = :u",
        u=upload_id,
    )
    claims = run(conn, "DELETE FROM claims WHERE upload_id = :u", u=upload_id).rowcount
    now = utc_now()
    run(conn, "UPDATE uploads SET undone_at = :now WHERE upload_id = :u", now=now, u=upload_id)
    bump_revision(conn)
    return {
        "upload_id": upload_id,
        "file": file,
        "removed": deleted - restored,
        "restored": restored,
        "claims_removed": claims,
        "undone_at": now,
    }


def redo_in(
    conn: Connection, upload_id: str, *, new_id: str, user: str | None = None
) -> dict[str, Any]:
    """Apply an undone upload again, as a new upload ``new_id`` (``redo_of`` = ``upload_id``).

    The kept rows go through the same commit as any upload: rows stored
    identically since count as duplicates, changed ones become new versions,
    so a redo never overwrites work done after the undo. Claims whose id was
    stored again since are refused (nothing is changed).
    """
    row = run(
        conn,
        "SELECT file, sha256, format, undone_at FROM uploads WHERE upload_id = :u",
        u=upload_id,
    ).fetchone()
    if row is None:
        raise UnknownUpload(f"no upload with id {upload_id!r}")
    file, sha256, fmt, undone_at = row
    if undone_at is None:
        raise UnknownUpload(f"upload {upload_id!r} stands; only an undone upload can be redone")
    again = run(conn, "SELECT upload_id FROM uploads WHERE redo_of = :u", u=upload_id).scalar()
    if again is not None:
        raise UnknownUpload(f"upload {upload_id!r} was already redone as {again!r}")
    taken = [
        r[0]
        for r in run(
            conn,
            "SELECT claim_id FROM undone_claims WHERE upload_id = :u AND claim_id IN "
            "(SELECT claim_id FROM claims) ORDER BY claim_id",
            u=upload_id,
        ).fetchall()
    ]
    if taken:
        raise UndoError(
            f"cannot redo {upload_id!r}: claim(s) {', '.join(taken[:5])} were stored again "
            "since it was undone"
        )
    rows = run(
        conn,
        f"SELECT {COLS_SQL} FROM undone_incidents WHERE upload_id = :u ORDER BY incident_id",
        u=upload_id,
    ).fetchall()
    cols = {c: [r[i] for r in rows] for i, c in enumerate(STORED)}
    hashes = cols.pop("row_hash")
    result = commit_in(
        conn,
        with_table(cols, hashes),  # the hashes as stored: not computed again
        upload_id=new_id,
        file=file,
        sha256=sha256,
        fmt=fmt,
        report=None,
        user=user,
        redo_of=upload_id,
    )
    run(
        conn,
        f"INSERT INTO claims ({CLAIMS_SQL}) SELECT {_CLAIM_FIELDS}, :new "
        "FROM undone_claims WHERE upload_id = :u",
        new=new_id,
        u=upload_id,
    )
    run(  # the history keeps the original file's report and counts
        conn,
        "UPDATE uploads SET report = o.report, rows_read = o.rows_read, rejected = o.rejected, "
        "geocoded = o.geocoded FROM (SELECT report, rows_read, rejected, geocoded FROM uploads "
        "WHERE upload_id = :u) AS o WHERE upload_id = :new",
        u=upload_id,
        new=new_id,
    )
    claims = _count(conn, "SELECT count(*) FROM claims WHERE upload_id = :new", new=new_id)
    run(conn, "DELETE FROM undone_incidents WHERE upload_id = :u", u=upload_id)
    run(conn, "DELETE FROM undone_claims WHERE upload_id = :u", u=upload_id)
    return {
        "upload_id": new_id,
        "redo_of": upload_id,
        "file": file,
        "accepted": result.accepted,
        "updated": result.updated,
        "duplicates": result.duplicates,
        "claims": claims,
    }
