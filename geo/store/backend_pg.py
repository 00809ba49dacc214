"""The team back end: PostgreSQL with PostGIS, through psycopg 3.

What the store does differently on PostgreSQL (:mod:`geo.store.backend_sqlite` is
the embedded side; :mod:`geo.store.backends` chooses):

* **One writer at a time.** Every write transaction first takes one
  transaction-level advisory lock (``pg_advisory_xact_lock``), the
  counterpart of SQLite's ``BEGIN IMMEDIATE``: the duplicate and version
  decisions of an upload are made on the state it writes over, and two
  uploads never interleave. The lock covers every table at once (no lock
  order, so no deadlock between writers), blocks no reader (readers see the
  last committed state through MVCC), needs no table lock that would also
  stop ``pg_dump`` or ``VACUUM``, and goes away with the transaction: on
  commit, on rollback, and when the client dies or the connection drops.
  Writers run at READ COMMITTED, so every statement after the lock sees what
  the previous writer committed. A writer waits at most ``BUSY_TIMEOUT_S``
  per attempt (``lock_timeout``) and the store retries, as on SQLite.
* **Readers** run at REPEATABLE READ, READ ONLY: a read of several statements
  sees one state.
* **Bulk paths.** New incidents go in with ``COPY ... FROM STDIN``; the
  incidents come back with ``COPY (SELECT ...) TO STDOUT`` as CSV, parsed by
  pyarrow. ``incident_id`` and ``event_date`` use the "C" collation, so ids
  sort by code point as on SQLite and the primary key serves the order.
* **Geometry.** ``incidents.geom`` is ``geometry(Point, 4326)`` *generated*
  from longitude and latitude, so it cannot disagree with them, with a GiST
  index for bounding-box filters (:class:`geo.store.storefilter.StoreFilter`).
"""

from __future__ import annotations

import os
from itertools import repeat
from typing import Any

import numpy as np
import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.engine import Connection, Engine

from geo.schema import FLOAT_COLUMNS, INCIDENT_COLUMNS, INT_COLUMNS
from geo.store import storage
from geo.store.bulk import StoredRows
from geo.store.storage import STORED, WRITTEN, pick
from geo.store.storefilter import StoreFilter

__all__ = ["WRITER_LOCK", "PostgresBackend"]

#: The advisory lock key every writer takes (any fixed 64-bit number; "ATLAS" in ASCII).
WRITER_LOCK = 0x41544C4153

#: SQLSTATEs after which the whole transaction is retried: lock_timeout, deadlock, serialization.
_RETRY_STATES = {"55P03", "40P01", "40001"}

_INSERTED = [*WRITTEN, "upload_id", "row_hash"]
_INSERT_SQL = "COPY incidents ({}) FROM STDIN".format(", ".join(f'"{c}"' for c in _INSERTED))
_PREFIXED = ", ".join(f'i."{c}"' for c in STORED)
_COLS = ", ".join(f'"{c}"' for c in STORED)


class PostgresBackend:
    """The store's SQL where PostgreSQL needs its own (see the module docstring)."""

    name = "postgresql"
    mark = "%s"

    # ----------------------------------------------------------------- engine

    def make_engine(self, url: str) -> Engine:
        """An engine whose connections name their process (``application_name``)."""
        engine = sa.create_engine(url, pool_pre_ping=True)

        @event.listens_for(engine, "do_connect")
        def _name(_dialect: Any, _record: Any, _cargs: Any, cparams: dict[str, Any]) -> None:
            # pg_stat_activity then tells which process holds the writer lock
            cparams.setdefault("application_name", f"incident-atlas:{os.getpid()}")

        return engine

    def before_begin(self, conn: Connection, *, write: bool) -> None:
        """Nothing: psycopg begins the transaction with the first statement."""

    def after_begin(self, conn: Connection, *, write: bool) -> None:
        """Writers take the advisory lock; readers get one snapshot for the transaction."""
        if write:
            timeout = int(storage.BUSY_TIMEOUT_S * 1000)
            conn.exec_driver_sql(f"SET LOCAL lock_timeout = {timeout}")
            conn.exec_driver_sql(f"SELECT pg_advisory_xact_lock({WRITER_LOCK})")
        else:
            conn.exec_driver_sql("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")

    def is_busy(self, error: BaseException) -> bool:
        """Whether the driver's ``error`` means the transaction met another writer (retry)."""
        return getattr(error, "sqlstate", None) in _RETRY_STATES

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
            sql = "SELECT incident_id, row_hash FROM incidents WHERE incident_id = ANY(%s::text[])"
            return dict(cur.execute(sql, (list(ids),)).fetchall())
        finally:
            cur.close()

    def supersede(self, conn: Connection, ids: list[str], upload_id: str, now: str) -> None:
        """Move the current version of each of ``ids`` to ``incident_versions``, in order."""
        cur = conn.connection.dbapi_connection.cursor()
        try:
            cur.execute(
                f"INSERT INTO incident_versions ({_COLS}, superseded_by, superseded_at) "
                f"SELECT {_PREFIXED}, %s, %s FROM unnest(%s::text[]) WITH ORDINALITY AS k(id, n) "
                "JOIN incidents i ON i.incident_id = k.id ORDER BY k.n",
                (upload_id, now, list(ids)),
            )
            cur.execute("DELETE FROM incidents WHERE incident_id = ANY(%s::text[])", (list(ids),))
        finally:
            cur.close()

    def after_end(self, conn: Connection) -> None:
        """Nothing: a ``COPY`` leaves nothing behind."""

    def insert_incidents(
        self, conn: Connection, rows: StoredRows, take: list[int], upload_id: str
    ) -> None:
        """Insert ``rows`` at ``take`` (in that order) with one ``COPY``.

        Raises
        ------
        ValueError
            PostgreSQL refused a value (text holding a NUL character, which its
            text type cannot store); the transaction is rolled back.
        """
        import psycopg

        cols, hashes = rows.cols, rows.hashes
        cur = conn.connection.dbapi_connection.cursor()
        chunk = storage.INSERT_CHUNK
        try:
            with cur.copy(_INSERT_SQL) as copy:
                for start in range(0, len(take), chunk):  # no million-tuple lists at once
                    positions = take[start : start + chunk]
                    for row in zip(
                        *(pick(cols[c], positions) for c in WRITTEN),
                        repeat(upload_id),
                        pick(hashes, positions),
                    ):
                        copy.write_row(row)
        except psycopg.DataError as exc:
            raise ValueError(
                f"PostgreSQL refused a value of this upload, so nothing was stored: {exc}"
            ) from exc
        finally:
            cur.close()

    def read_columns(
        self, conn: Connection, where: StoreFilter | None = None
    ) -> dict[str, Any] | None:
        """Every current incident (or those ``where`` keeps) as columns in ``incident_id`` order.

        One ``COPY (SELECT ...) TO STDOUT`` in CSV, parsed by pyarrow's CSV
        reader: an empty unquoted field is NULL, a quoted ``""`` the empty text,
        and floats are written with all their digits (PostgreSQL 12 and later).
        """
        import pyarrow as pa
        from pyarrow import csv

        clause, params = (where or StoreFilter()).sql("%s", geometry=True)
        names = ", ".join(f'"{c}"' for c in INCIDENT_COLUMNS)
        sql = (
            f"COPY (SELECT {names} FROM incidents {clause} ORDER BY incident_id) "
            "TO STDOUT WITH (FORMAT csv)"
        )
        cur = conn.connection.dbapi_connection.cursor()
        try:
            with cur.copy(sql, params or None) as copy:
                data = b"".join(bytes(block) for block in copy)
        finally:
            cur.close()
        if not data:
            return {
                c: (np.array([], "float64") if c in FLOAT_COLUMNS else []) for c in INCIDENT_COLUMNS
            }
        types = {c: pa.float64() if c in FLOAT_COLUMNS else pa.int64() for c in _NUMBERS} | {
            c: pa.string() for c in INCIDENT_COLUMNS if c not in _NUMBERS
        }
        table = csv.read_csv(
            pa.BufferReader(data),
            read_options=csv.ReadOptions(column_names=INCIDENT_COLUMNS, block_size=1 << 24),
            parse_options=csv.ParseOptions(newlines_in_values=True),
            convert_options=csv.ConvertOptions(
                column_types=types,
                null_values=[""],
                strings_can_be_null=True,
                quoted_strings_can_be_null=False,
            ),
        )
        del data
        out: dict[str, Any] = {}
        for col in INCIDENT_COLUMNS:
            column = table.column(col)
            if col in FLOAT_COLUMNS:
                out[col] = column.to_numpy().astype("float64", copy=False)
            else:
                out[col] = column.to_pylist()
        return out


_NUMBERS = [*INT_COLUMNS, *FLOAT_COLUMNS, "cross_border"]
