"""The bodies of the store's write transactions: commit an upload, undo one.

Each function runs inside one ``BEGIN IMMEDIATE`` transaction opened by
:class:`geo.store.Store`, on the connection it is given, and either finishes
or raises (and the transaction is rolled back). The rules they keep are in
:mod:`geo.store`: a changed incident becomes a new version and the old one
moves to ``incident_versions``; undo restores exactly the state before the
upload, or refuses with :class:`UndoConflict`.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import pandas as pd
from sqlalchemy.engine import Connection
from sqlalchemy.exc import OperationalError

from geo.report import IngestReport
from geo.storage import (
    COLS_SQL,
    ID_CHUNK,
    INSERT_CHUNK,
    hash_rows,
    incident_insert,
    storage_columns,
    utc_now,
)

__all__ = [
    "CommitResult",
    "StoreBusy",
    "UndoConflict",
    "UndoError",
    "UnknownUpload",
    "bump_revision",
    "commit_in",
    "fetch",
    "meta_get",
    "stored_hashes",
    "undo_in",
]


class StoreBusy(RuntimeError):
    """The store stayed locked by other writers for longer than the store waits."""


class UndoError(Exception):
    """An undo that cannot be done; nothing was changed."""


class UnknownUpload(UndoError, KeyError):
    """No upload with this id, or it was already undone."""

    def __str__(self) -> str:
        return str(self.args[0]) if self.args else "unknown upload"


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


def fetch(conn: Connection, sql: str) -> list[tuple[Any, ...]]:
    """All rows of a query as plain tuples, through the DBAPI cursor (no Row objects)."""
    cur = conn.connection.dbapi_connection.cursor()
    try:
        return cur.execute(sql).fetchall()
    finally:
        cur.close()


def meta_get(conn: Connection, key: str) -> str | None:
    try:
        return conn.exec_driver_sql("SELECT value FROM meta WHERE key = ?", (key,)).scalar()
    except OperationalError as exc:
        if "no such table" in str(exc.orig):
            return None
        raise


def bump_revision(conn: Connection) -> None:
    conn.exec_driver_sql(
        "UPDATE meta SET value = CAST(CAST(value AS INTEGER) + 1 AS TEXT) WHERE key = 'revision'"
    )


def stored_hashes(conn: Connection, ids: list[str]) -> dict[str, str]:
    """``incident_id -> row_hash`` of the stored incidents among ``ids``."""
    if not ids:
        return {}
    total = conn.exec_driver_sql("SELECT count(*) FROM incidents").scalar() or 0
    cur = conn.connection.dbapi_connection.cursor()
    try:
        if total <= 4 * len(ids):  # a scan is cheaper than many look-ups
            wanted = set(ids)
            rows = cur.execute("SELECT incident_id, row_hash FROM incidents").fetchall()
            return {k: h for k, h in rows if k in wanted}
        out: dict[str, str] = {}
        for start in range(0, len(ids), ID_CHUNK):
            chunk = ids[start : start + ID_CHUNK]
            marks = ", ".join("?" * len(chunk))
            out.update(
                cur.execute(
                    f"SELECT incident_id, row_hash FROM incidents WHERE incident_id IN ({marks})",
                    chunk,
                ).fetchall()
            )
        return out
    finally:
        cur.close()


def commit_in(
    conn: Connection,
    data: pd.DataFrame | tuple[dict[str, list[Any]], list[str]],
    *,
    upload_id: str,
    file: str,
    sha256: str,
    fmt: str,
    report: IngestReport | None,
) -> CommitResult:
    """The body of one upload's transaction (also used for the seed)."""
    if isinstance(data, pd.DataFrame):
        cols = storage_columns(data)
        hashes = hash_rows(cols)
    else:
        cols, hashes = data
    now = utc_now()
    conn.exec_driver_sql(
        "INSERT INTO uploads (upload_id, file, sha256, format, created_at) VALUES (?, ?, ?, ?, ?)",
        (upload_id, file, sha256, fmt, now),
    )
    ids = cols["incident_id"]
    if len(set(ids)) == len(ids):
        first = range(len(ids))
    else:  # within one upload an id counts once: the first row wins
        seen: dict[str, int] = {}
        for i, key in enumerate(ids):
            seen.setdefault(key, i)
        first = sorted(seen.values())
    stored = stored_hashes(conn, [ids[i] for i in first])
    changed = [ids[i] for i in first if ids[i] in stored and stored[ids[i]] != hashes[i]]
    take = [i for i in first if stored.get(ids[i]) != hashes[i]]  # new and changed
    duplicates = len(first) - len(take)
    if changed:
        conn.exec_driver_sql(
            f"INSERT INTO incident_versions ({COLS_SQL}, superseded_by, superseded_at) "
            f"SELECT {COLS_SQL}, ?, ? FROM incidents WHERE incident_id = ?",
            [(upload_id, now, key) for key in changed],
        )
        conn.exec_driver_sql(
            "DELETE FROM incidents WHERE incident_id = ?", [(key,) for key in changed]
        )
    if take:
        take.sort(key=ids.__getitem__)  # B-tree friendly insert order
        for start in range(0, len(take), INSERT_CHUNK):  # no million-tuple list at once
            sql, rows = incident_insert(cols, hashes, take[start : start + INSERT_CHUNK], upload_id)
            conn.exec_driver_sql(sql, rows)
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
    conn.exec_driver_sql(
        "UPDATE uploads SET rows_read = ?, accepted = ?, rejected = ?, updated = ?, "
        "duplicates = ?, geocoded = ?, report = ? WHERE upload_id = ?",
        (*counts.values(), payload, upload_id),
    )
    bump_revision(conn)
    return result


def undo_in(conn: Connection, upload_id: str) -> dict[str, Any]:
    row = conn.exec_driver_sql(
        "SELECT file, undone_at FROM uploads WHERE upload_id = ?", (upload_id,)
    ).fetchone()
    if row is None:
        raise UnknownUpload(f"no upload with id {upload_id!r}")
    if row[1] is not None:
        raise UnknownUpload(f"upload {upload_id!r} was already undone at {row[1]}")
    blocking = [
        r[0]
        for r in conn.exec_driver_sql(
            "SELECT u.upload_id FROM uploads u WHERE u.upload_id IN "
            "(SELECT DISTINCT superseded_by FROM incident_versions WHERE upload_id = ?) "
            "ORDER BY u.seq DESC",
            (upload_id,),
        ).fetchall()
    ]
    if blocking:
        raise UndoConflict(
            f"cannot undo {upload_id!r}: later upload(s) {', '.join(blocking)} changed "
            "incidents it wrote; undo those first (newest first)",
            blocking,
        )
    deleted = conn.exec_driver_sql(
        "DELETE FROM incidents WHERE upload_id = ?", (upload_id,)
    ).rowcount
    restored = conn.exec_driver_sql(
        f"INSERT INTO incidents ({COLS_SQL}) SELECT {COLS_SQL} FROM incident_versions "
        "WHERE superseded_by = ? ORDER BY version_id",
        (upload_id,),
    ).rowcount
    conn.exec_driver_sql("DELETE FROM incident_versions WHERE superseded_by = ?", (upload_id,))
    claims = conn.exec_driver_sql("DELETE FROM claims WHERE upload_id = ?", (upload_id,)).rowcount
    now = utc_now()
    conn.exec_driver_sql("UPDATE uploads SET undone_at = ? WHERE upload_id = ?", (now, upload_id))
    bump_revision(conn)
    return {
        "upload_id": upload_id,
        "file": row[0],
        "removed": deleted - restored,
        "restored": restored,
        "claims_removed": claims,
        "undone_at": now,
    }
