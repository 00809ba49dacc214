"""The embedded back end: SQLite in WAL mode, one writer at a time by ``BEGIN IMMEDIATE``.

What the store does differently on SQLite (:mod:`geo.store.backend_pg` is the
PostgreSQL side; :mod:`geo.store.backends` chooses): the engine with the settings
that keep writers and readers out of each other's way (WAL, a busy timeout,
``BEGIN`` emitted by SQLAlchemy so reads are transactional), the write lock
taken before anything is read, large inserts in bulk through a staging file
(:mod:`geo.store.bulk`) and smaller ones as chunked ``executemany`` calls that
leave out the columns empty in a whole chunk, and the column read as one JSON
array per column.
"""

from __future__ import annotations

import json
import operator
import random
import sqlite3
import time
from typing import Any

import numpy as np
import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.engine import Connection, Engine

from geo.schema import FLOAT_COLUMNS, INCIDENT_COLUMNS
from geo.store import bulk, storage
from geo.store.bulk import StoredRows, detach_staged, insert_staged
from geo.store.storage import COLS_SQL, ID_CHUNK, incident_insert
from geo.store.storefilter import StoreFilter

__all__ = ["SQLiteBackend", "increasing", "is_memory", "locked_text"]


def is_memory(url: sa.engine.URL) -> bool:
    """Whether ``url`` names an in-memory SQLite database."""
    return url.get_backend_name() == "sqlite" and url.database in (None, "", ":memory:")


def locked_text(text: str) -> bool:
    """Whether an SQLite error message means another connection holds the lock."""
    text = text.lower()
    return "database is locked" in text or "database is busy" in text or "locked" in text


class SQLiteBackend:
    """The store's SQL where SQLite needs its own (see the module docstring)."""

    name = "sqlite"
    mark = "?"

    # ----------------------------------------------------------------- engine

    def make_engine(self, url: str) -> Engine:
        """An engine with WAL, a busy timeout, foreign keys and SQLAlchemy-emitted BEGIN."""
        parsed = sa.engine.make_url(url)
        memory = is_memory(parsed)
        kwargs: dict[str, Any] = {  # the timeouts are read at call time: tests lower them
            "connect_args": {"timeout": storage.BUSY_TIMEOUT_S, "check_same_thread": False}
        }
        if memory:
            kwargs["poolclass"] = sa.pool.StaticPool
        engine = sa.create_engine(url, **kwargs)

        @event.listens_for(engine, "connect")
        def _on_connect(dbapi_conn: Any, _record: Any) -> None:
            # Take BEGIN away from the sqlite3 module: SQLAlchemy's begin hook
            # below emits it, so DDL and reads are transactional too.
            dbapi_conn.isolation_level = None
            cur = dbapi_conn.cursor()
            try:
                cur.execute(f"PRAGMA busy_timeout = {int(storage.BUSY_TIMEOUT_S * 1000)}")
                cur.execute("PRAGMA foreign_keys = ON")
                cur.execute("PRAGMA synchronous = FULL")
                cur.execute("PRAGMA temp_store = MEMORY")
                if not memory:
                    cur.execute("PRAGMA page_size = 16384")  # only takes effect on a new file
                    _set_wal(cur)
                # after the page size: set before it on a new file, the 1M ingest's peak
                # was about 125 MB higher (1.84-1.86 against 1.71-1.73 GB, measured)
                cur.execute("PRAGMA cache_size = -65536")
            finally:
                cur.close()

        @event.listens_for(engine, "begin")
        def _on_begin(conn: Connection) -> None:
            mode = conn.get_execution_options().get("sqlite_begin", "DEFERRED")
            conn.exec_driver_sql(f"BEGIN {mode}")

        return engine

    def before_begin(self, conn: Connection, *, write: bool) -> None:
        """A writer begins with ``BEGIN IMMEDIATE``: SQLite's write lock before any read."""
        if write:
            conn.execution_options(sqlite_begin="IMMEDIATE")

    def after_begin(self, conn: Connection, *, write: bool) -> None:
        """Nothing: ``BEGIN IMMEDIATE`` already serialised the writers."""

    def is_busy(self, error: BaseException) -> bool:
        """Whether the driver's ``error`` means another writer holds the lock (retry)."""
        return isinstance(error, sqlite3.OperationalError) and locked_text(str(error))

    # ----------------------------------------------------------------- hot paths

    def stored_hashes(self, conn: Connection, ids: list[str]) -> dict[str, str]:
        """``incident_id -> row_hash`` of the stored incidents among ``ids``."""
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
                        "SELECT incident_id, row_hash FROM incidents "
                        f"WHERE incident_id IN ({marks})",
                        chunk,
                    ).fetchall()
                )
            return out
        finally:
            cur.close()

    def supersede(self, conn: Connection, ids: list[str], upload_id: str, now: str) -> None:
        """Move the current version of each of ``ids`` to ``incident_versions``, in order."""
        conn.exec_driver_sql(
            f"INSERT INTO incident_versions ({COLS_SQL}, superseded_by, superseded_at) "
            f"SELECT {COLS_SQL}, ?, ? FROM incidents WHERE incident_id = ?",
            [(upload_id, now, key) for key in ids],
        )
        conn.exec_driver_sql("DELETE FROM incidents WHERE incident_id = ?", [(key,) for key in ids])

    def after_end(self, conn: Connection) -> None:
        """Detach and delete the staging file of a bulk insert, if there was one."""
        detach_staged(conn)

    def insert_incidents(
        self, conn: Connection, rows: StoredRows, take: list[int], upload_id: str
    ) -> None:
        """Insert ``rows`` at ``take`` (in that order): at least :data:`~geo.store.bulk.BULK_FROM`
        rows with an Arrow table in bulk (:func:`geo.store.bulk.insert_staged`), others as
        chunked ``executemany`` calls."""
        if len(take) >= bulk.BULK_FROM and insert_staged(conn, rows, take, upload_id):
            return
        chunk = storage.INSERT_CHUNK  # read at call time: a test lowers it
        for start in range(0, len(take), chunk):  # no million-tuple list at once
            positions = take[start : start + chunk]
            sql, params = incident_insert(rows.cols, rows.hashes, positions, upload_id)
            conn.exec_driver_sql(sql, params)

    def read_columns(
        self, conn: Connection, where: StoreFilter | None = None
    ) -> dict[str, Any] | None:
        """Every current incident (or those ``where`` keeps) as columns in ``incident_id`` order.

        Text and integer columns come as one JSON array each
        (``json_group_array``), one pass over the table, which is faster than
        building a tuple per row and transposing. Floats are read as values,
        because SQLite writes them into JSON with 15 significant digits. None
        when the ids did not come in order (SQLite does not promise the order an
        aggregate sees its rows in), or when this SQLite has no JSON functions:
        then read rows.
        """
        clause, params = (where or StoreFilter()).sql("?", geometry=False)
        texts = [c for c in INCIDENT_COLUMNS if c not in FLOAT_COLUMNS]
        floats = [c for c in INCIDENT_COLUMNS if c in FLOAT_COLUMNS]
        arrays = ", ".join(f'json_group_array("{c}")' for c in texts)
        inner = ", ".join(f'"{c}"' for c in texts)
        cur = conn.connection.dbapi_connection.cursor()
        try:
            encoded = list(
                cur.execute(
                    f"SELECT {arrays} FROM "
                    f"(SELECT {inner} FROM incidents {clause} ORDER BY incident_id)",
                    params,
                ).fetchone()
            )
            numbers = cur.execute(
                f"SELECT {', '.join(floats)} FROM incidents {clause} ORDER BY incident_id",
                params,
            ).fetchall()
        except sqlite3.OperationalError as exc:
            if "no such function" in str(exc):
                return None
            raise
        finally:
            cur.close()
        data: dict[str, Any] = {}
        for i, col in enumerate(texts):
            data[col] = json.loads(encoded[i])
            encoded[i] = None  # each column's text is freed once parsed
        if len(numbers) != len(data["incident_id"]) or not increasing(data["incident_id"]):
            return None
        values = np.array(numbers, dtype="float64").reshape(len(numbers), len(floats))
        for i, col in enumerate(floats):
            data[col] = values[:, i]
        return {c: data[c] for c in INCIDENT_COLUMNS}


def increasing(ids: list[Any]) -> bool:
    """Whether the ids are text in strictly increasing order (SQLite's BINARY order:
    UTF-8 bytes sort as Python sorts code points)."""
    try:
        return all(map(operator.lt, ids, ids[1:]))
    except TypeError:  # an id that is not text
        return False


def _set_wal(cur: Any) -> None:
    """Switch a SQLite file to WAL (persistent), retrying while another opener holds it."""
    delay = 0.02
    deadline = time.monotonic() + storage.LOCK_PATIENCE_S
    while True:
        try:
            mode = cur.execute("PRAGMA journal_mode").fetchone()[0]
            if str(mode).lower() != "wal":
                cur.execute("PRAGMA journal_mode = WAL")
            return
        except Exception as exc:  # sqlite3.OperationalError: database is locked
            if not locked_text(str(exc)) or time.monotonic() > deadline:
                raise
            time.sleep(delay * random.uniform(0.5, 1.5))
            delay = min(delay * 2, 1.0)
