"""How the store lays incidents out in SQLite: tables, the engine, values in and out.

The layout behind :mod:`geo.store` (the API) and :mod:`geo.transactions`
(the bodies of its write transactions): SQLAlchemy Core tables, the engine
with the settings that keep writers and readers out of each other's way (WAL,
a busy timeout, ``BEGIN`` emitted by SQLAlchemy so reads are transactional),
and the conversions between typed incident frames and the plain values
SQLite stores, including the ``row_hash`` that tells a changed incident from
a repeated one.
"""

from __future__ import annotations

import hashlib
import json
import operator
import os
import random
import secrets
import sqlite3
import time
from collections.abc import Sequence
from datetime import UTC, datetime
from itertools import repeat
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.engine import Connection, Engine

from geo.config import get_settings
from geo.schema import (
    ADDED_COLUMNS,
    CLAIM_COLUMNS,
    DERIVED_COLUMNS,
    FLOAT_COLUMNS,
    INCIDENT_COLUMNS,
    INT_COLUMNS,
)

__all__ = [
    "BUSY_TIMEOUT_S",
    "CLAIMS_SQL",
    "COLS_SQL",
    "CONTENT_COLUMNS",
    "COUNT_COLUMNS",
    "ID_CHUNK",
    "INSERT_CHUNK",
    "LOCK_PATIENCE_S",
    "METADATA",
    "STORED",
    "UPLOAD_COLUMNS",
    "WRITTEN",
    "fetch_incident_columns",
    "frame_from_columns",
    "frame_from_rows",
    "hash_rows",
    "incident_insert",
    "is_memory",
    "locked_text",
    "make_engine",
    "new_upload_id",
    "pick",
    "resolve_url",
    "row_hashes",
    "storage_columns",
    "upgrade_tables",
    "utc_now",
]

#: Seconds SQLite itself waits for a lock before answering busy.
BUSY_TIMEOUT_S = 30.0
#: Total seconds a transaction keeps retrying after SQLite answered busy.
LOCK_PATIENCE_S = 300.0
#: Ids per ``IN (...)`` look-up (SQLite allows 32,766 parameters).
ID_CHUNK = 5000

#: Columns that define an incident's content (what ``row_hash`` covers).
CONTENT_COLUMNS: list[str] = [c for c in INCIDENT_COLUMNS if c not in DERIVED_COLUMNS]

UPLOAD_COLUMNS: list[str] = [
    "upload_id",
    "file",
    "sha256",
    "format",
    "created_at",
    "rows_read",
    "accepted",
    "rejected",
    "updated",
    "duplicates",
    "geocoded",
    "undone_at",
    "user",
    "redo_of",
]
COUNT_COLUMNS = ["rows_read", "accepted", "rejected", "updated", "duplicates", "geocoded"]


# --------------------------------------------------------------------------- schema

METADATA = sa.MetaData()


def _incident_columns() -> list[sa.Column]:
    cols = []
    for name in INCIDENT_COLUMNS:
        if name == "incident_id":
            continue
        if name in INT_COLUMNS or name == "cross_border":
            typ: Any = sa.Integer
        elif name in FLOAT_COLUMNS:
            typ = sa.Float
        else:
            typ = sa.Text  # text columns and event_date (ISO YYYY-MM-DD)
        cols.append(sa.Column(name, typ))
    return cols


_UPLOADS = sa.Table(
    "uploads",
    METADATA,
    sa.Column("seq", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("upload_id", sa.Text, nullable=False, unique=True),
    sa.Column("file", sa.Text),
    sa.Column("sha256", sa.Text),
    sa.Column("format", sa.Text),
    sa.Column("created_at", sa.Text, nullable=False),
    *[sa.Column(c, sa.Integer, nullable=False, server_default="0") for c in COUNT_COLUMNS],
    sa.Column("undone_at", sa.Text),
    sa.Column("report", sa.Text),
    sa.Column("user", sa.Text),
    sa.Column("redo_of", sa.Text),
    sqlite_autoincrement=True,
)

_INCIDENTS = sa.Table(
    "incidents",
    METADATA,
    sa.Column("incident_id", sa.Text, primary_key=True),
    *[c for c in _incident_columns() if c.name != "upload_id"],
    sa.Column("upload_id", sa.Text, sa.ForeignKey("uploads.upload_id"), nullable=False),
    sa.Column("row_hash", sa.Text, nullable=False),
)
sa.Index("ix_incidents_upload", _INCIDENTS.c.upload_id)

_VERSIONS = sa.Table(
    "incident_versions",
    METADATA,
    sa.Column("version_id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("incident_id", sa.Text, nullable=False),
    *[c for c in _incident_columns() if c.name != "upload_id"],
    sa.Column("upload_id", sa.Text, sa.ForeignKey("uploads.upload_id"), nullable=False),
    sa.Column("row_hash", sa.Text, nullable=False),
    sa.Column("superseded_by", sa.Text, sa.ForeignKey("uploads.upload_id"), nullable=False),
    sa.Column("superseded_at", sa.Text, nullable=False),
)
sa.Index("ix_versions_superseded_by", _VERSIONS.c.superseded_by)
sa.Index("ix_versions_upload", _VERSIONS.c.upload_id)
sa.Index("ix_versions_incident", _VERSIONS.c.incident_id)

_CLAIMS = sa.Table(
    "claims",
    METADATA,
    sa.Column("claim_id", sa.Text, primary_key=True),
    *[sa.Column(c, sa.Text) for c in CLAIM_COLUMNS if c != "claim_id"],
    sa.Column("upload_id", sa.Text, sa.ForeignKey("uploads.upload_id"), nullable=False),
)

# What an undo took out of ``incidents`` and ``claims``, kept so a redo can put it back.
_UNDONE_INCIDENTS = sa.Table(
    "undone_incidents",
    METADATA,
    sa.Column("incident_id", sa.Text, nullable=False),
    *[c for c in _incident_columns() if c.name != "upload_id"],
    sa.Column("upload_id", sa.Text, sa.ForeignKey("uploads.upload_id"), nullable=False),
    sa.Column("row_hash", sa.Text, nullable=False),
    sa.PrimaryKeyConstraint("upload_id", "incident_id"),
)

_UNDONE_CLAIMS = sa.Table(
    "undone_claims",
    METADATA,
    sa.Column("claim_id", sa.Text, nullable=False),
    *[sa.Column(c, sa.Text) for c in CLAIM_COLUMNS if c != "claim_id"],
    sa.Column("upload_id", sa.Text, sa.ForeignKey("uploads.upload_id"), nullable=False),
    sa.PrimaryKeyConstraint("upload_id", "claim_id"),
)

_GEOCODE_CACHE = sa.Table(
    "geocode_cache",
    METADATA,
    sa.Column("key", sa.Text, primary_key=True),
    sa.Column("json", sa.Text, nullable=False),
    sa.Column("created_at", sa.Text, nullable=False),
)

_META = sa.Table(
    "meta",
    METADATA,
    sa.Column("key", sa.Text, primary_key=True),
    sa.Column("value", sa.Text),
)

STORED = [*INCIDENT_COLUMNS, "row_hash"]
CLAIMS_SQL = ", ".join(f'"{c}"' for c in [*CLAIM_COLUMNS, "upload_id"])
COLS_SQL = ", ".join(f'"{c}"' for c in STORED)
WRITTEN = [c for c in INCIDENT_COLUMNS if c != "upload_id"]


def upgrade_tables(conn: Connection) -> list[str]:
    """Add to an existing store every column the tables define but its file lacks.

    New columns are nullable (or carry a server default), so the rows already
    stored read as "not known" in them. Returns the ``table.column`` names added.
    Run inside the store's creating transaction, after ``create_all``.
    """
    added = []
    inspector = sa.inspect(conn)
    for table in METADATA.sorted_tables:
        have = {c["name"] for c in inspector.get_columns(table.name)}
        for column in table.columns:
            if column.name in have:
                continue
            typ = column.type.compile(dialect=conn.dialect)
            default = (
                f" DEFAULT {column.server_default.arg}" if column.server_default is not None else ""
            )
            null = " NOT NULL" if column.server_default is not None and not column.nullable else ""
            conn.exec_driver_sql(
                f'ALTER TABLE {table.name} ADD COLUMN "{column.name}" {typ}{default}{null}'
            )
            added.append(f"{table.name}.{column.name}")
    return added


# --------------------------------------------------------------------------- engine


def resolve_url(url: str | os.PathLike[str] | None) -> str:
    """Turn a path or URL into an SQLAlchemy URL, creating a SQLite file's folder."""
    raw = str(url) if url is not None else get_settings().db
    if "://" not in raw:
        path = Path(raw).expanduser().resolve()
        path.parent.mkdir(parents=True, exist_ok=True)
        return f"sqlite:///{path}"
    parsed = sa.engine.make_url(raw)
    if parsed.get_backend_name() == "sqlite" and parsed.database not in (None, "", ":memory:"):
        Path(parsed.database).expanduser().parent.mkdir(parents=True, exist_ok=True)
    return raw


def is_memory(url: sa.engine.URL) -> bool:
    return url.get_backend_name() == "sqlite" and url.database in (None, "", ":memory:")


def make_engine(url: str) -> Engine:
    parsed = sa.engine.make_url(url)
    if parsed.get_backend_name() != "sqlite":
        return sa.create_engine(url)
    kwargs: dict[str, Any] = {
        "connect_args": {"timeout": BUSY_TIMEOUT_S, "check_same_thread": False}
    }
    if is_memory(parsed):
        kwargs["poolclass"] = sa.pool.StaticPool
    engine = sa.create_engine(url, **kwargs)
    memory = is_memory(parsed)

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: Any, _record: Any) -> None:
        # Take BEGIN away from the sqlite3 module: SQLAlchemy's begin hook
        # below emits it, so DDL and reads are transactional too.
        dbapi_conn.isolation_level = None
        cur = dbapi_conn.cursor()
        try:
            cur.execute(f"PRAGMA busy_timeout = {int(BUSY_TIMEOUT_S * 1000)}")
            cur.execute("PRAGMA foreign_keys = ON")
            cur.execute("PRAGMA synchronous = FULL")
            cur.execute("PRAGMA temp_store = MEMORY")
            cur.execute("PRAGMA cache_size = -65536")
            if not memory:
                cur.execute("PRAGMA page_size = 16384")  # only takes effect on a new file
                _set_wal(cur)
        finally:
            cur.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Connection) -> None:
        mode = conn.get_execution_options().get("sqlite_begin", "DEFERRED")
        conn.exec_driver_sql(f"BEGIN {mode}")

    return engine


def _set_wal(cur: Any) -> None:
    """Switch a SQLite file to WAL (persistent), retrying while another opener holds it."""
    delay = 0.02
    deadline = time.monotonic() + LOCK_PATIENCE_S
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


def locked_text(text: str) -> bool:
    text = text.lower()
    return "database is locked" in text or "database is busy" in text or "locked" in text


def utc_now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def new_upload_id() -> str:
    return f"{datetime.now(UTC):%Y%m%dT%H%M%S}-{secrets.token_hex(3)}"


# --------------------------------------------------------------------------- conversions


#: Rows handed to one executemany: bounds the memory of the parameter tuples.
INSERT_CHUNK = 50_000


def pick(values: list[Any], positions: list[int]) -> tuple[Any, ...]:
    """``values`` at ``positions``, picked in C (itemgetter) rather than a comprehension."""
    if len(positions) == 1:
        return (values[positions[0]],)
    return operator.itemgetter(*positions)(values)


def incident_insert(
    cols: dict[str, list[Any]], hashes: list[str], positions: list[int], upload_id: str
) -> tuple[str, list[tuple[Any, ...]]]:
    """The ``INSERT`` into ``incidents`` and its parameter rows for ``positions`` (not empty).

    Columns that are NULL in every one of these rows are left out of the
    statement, and SQLite stores NULL for them. Python's ``sqlite3`` looks for an
    adapter for every None it binds, which costs about five times as much as
    binding a string. ACLED has no injured count, casualty range, claim or
    cross-border field, so nine of the 32 values of each row are None; binding
    them took half of the insert time for the benchmark's million-row file.

    Examples
    --------
    >>> cols = {c: ["a", "b"] if c == "incident_id" else [None, None] for c in WRITTEN}
    >>> sql, rows = incident_insert(cols, ["h1", "h2"], [1], "u1")
    >>> sql
    'INSERT INTO incidents ("incident_id", upload_id, row_hash) VALUES (?, ?, ?)'
    >>> rows
    [('b', 'u1', 'h2')]
    """
    picked = {c: pick(cols[c], positions) for c in WRITTEN}
    # count(None) is quick on None (an identity test) and slow on text: ask only when
    # the first value is None
    present = [
        c
        for c, values in picked.items()
        if values[0] is not None or values.count(None) < len(values)
    ]
    names = ", ".join(f'"{c}"' for c in present)
    marks = ", ".join("?" * (len(present) + 2))
    sql = f"INSERT INTO incidents ({names}, upload_id, row_hash) VALUES ({marks})"
    rows = list(zip(*(picked[c] for c in present), repeat(upload_id), pick(hashes, positions)))
    return sql, rows


def storage_columns(df: pd.DataFrame) -> dict[str, list[Any]]:
    """Column lists of plain Python values (None for missing), as SQLite stores them.

    ``df`` must hold the canonical columns typed like :func:`geo.schema.normalise_dtypes`
    (the ingest pipeline guarantees it); missing columns are stored as NULL.
    """
    n = len(df)
    out: dict[str, list[Any]] = {}
    for col in INCIDENT_COLUMNS:
        if col not in df.columns:
            out[col] = [None] * n
            continue
        s = df[col]
        if col in INT_COLUMNS:
            out[col] = pd.array(s, dtype="Int64").to_numpy(dtype=object, na_value=None).tolist()
        elif col in FLOAT_COLUMNS:
            vals = pd.to_numeric(s, errors="coerce").to_numpy(dtype="float64")
            lst = vals.tolist()
            if np.isnan(vals).any():
                lst = [None if v != v else v for v in lst]
            out[col] = lst
        elif col == "event_date":
            days = pd.to_datetime(s, errors="coerce").to_numpy(dtype="datetime64[D]")
            text = np.datetime_as_string(days)
            out[col] = [None if t == "NaT" else t for t in text.tolist()]
        elif col == "cross_border":
            b = pd.array(s, dtype="boolean")
            out[col] = [None if v is None else int(v) for v in b.to_numpy(object, na_value=None)]
        else:
            vals = s.to_numpy(dtype=object, na_value=None)
            lst = vals.tolist()
            if pd.api.types.infer_dtype(vals, skipna=True) not in ("string", "empty"):
                lst = [None if v is None or v != v else str(v) for v in lst]
            out[col] = lst
    return out


def hash_rows(cols: dict[str, list[Any]]) -> list[str]:
    """SHA-1 of each row's content columns (None and text kept apart by a NUL marker).

    The columns of :data:`geo.schema.ADDED_COLUMNS` join the hashed text only
    where the row has a value (as ``name=value``), so a row without them hashes
    as it did before they existed.
    """
    parts = []
    for col in CONTENT_COLUMNS:
        if col in ADDED_COLUMNS:
            continue
        values = cols[col]
        if col in INT_COLUMNS or col in FLOAT_COLUMNS or col == "cross_border":
            parts.append(["\x00" if v is None else str(v) for v in values])
        else:
            parts.append(["\x00" if v is None else v for v in values])
    texts = list(map("\x1f".join, zip(*parts, strict=True)))
    for col in ADDED_COLUMNS:
        values = cols.get(col)
        if values is None or values.count(None) == len(values):
            continue
        texts = [
            t if v is None else f"{t}\x1e{col}={v}" for t, v in zip(texts, values, strict=True)
        ]
    sha1 = hashlib.sha1
    return [sha1(text.encode("utf-8", "surrogatepass")).hexdigest() for text in texts]


def row_hashes(df: pd.DataFrame) -> list[str]:
    """The ``row_hash`` the store would give each row of ``df`` (content columns only)."""
    return hash_rows(storage_columns(df))


def frame_from_rows(rows: list[tuple[Any, ...]], columns: list[str]) -> pd.DataFrame:
    """Typed incidents frame from stored tuples, matching ``normalise_dtypes`` (fast)."""
    transposed = list(zip(*rows, strict=True)) if rows else [() for _ in columns]
    return frame_from_columns(dict(zip(columns, transposed, strict=True)))


def frame_from_columns(data: dict[str, Sequence[Any]]) -> pd.DataFrame:
    """Typed incidents frame from stored column values, matching ``normalise_dtypes``.

    Examples
    --------
    >>> frame = frame_from_columns({"killed": [3, None], "event_date": ["2024-03-01", None]})
    >>> frame["killed"].tolist()
    [3, <NA>]
    >>> frame["event_date"].tolist()
    [Timestamp('2024-03-01 00:00:00'), NaT]
    """
    n = len(next(iter(data.values()))) if data else 0
    out: dict[str, Any] = {}
    for col, values in data.items():
        if col in INT_COLUMNS:
            out[col] = pd.array(list(values), dtype="Int64")
        elif col in FLOAT_COLUMNS:
            out[col] = np.array(values, dtype="float64")
        elif col == "event_date":
            out[col] = _iso_days(values)
        elif col == "cross_border":
            out[col] = pd.array(list(values), dtype="Int64").astype("boolean")
        else:
            arr = np.empty(n, dtype=object)
            arr[:] = values
            out[col] = pd.Series(arr, dtype=object)
    return pd.DataFrame({c: _as_series(out[c], n) for c in data})


#: The days ``datetime64[ns]`` can hold (numpy would wrap the others around silently).
_NS_RANGE = (np.datetime64("1678-01-01", "D"), np.datetime64("2262-04-11", "D"))


def _iso_days(values: Sequence[Any]) -> pd.Series:
    """Stored ``YYYY-MM-DD`` text (or None) as ``datetime64[ns]``; anything else is NaT."""
    try:  # numpy parses ISO dates in C; the store writes nothing else
        days = np.array(values, dtype="datetime64[D]")
        known = days[~np.isnat(days)]
        if known.size and (known.min() < _NS_RANGE[0] or known.max() > _NS_RANGE[1]):
            raise ValueError("a date that nanoseconds cannot hold")
    except ValueError:  # text from elsewhere: parse leniently, NaT where it fails
        return pd.to_datetime(
            pd.Series(np.array(values, dtype=object)), format="%Y-%m-%d", errors="coerce"
        ).astype("datetime64[ns]")
    return pd.Series(days.astype("datetime64[ns]"))


def fetch_incident_columns(conn: Connection) -> dict[str, list[Any]] | None:
    """Every current incident as column lists in ``incident_id`` order, or None.

    Text and integer columns come as one JSON array each (``json_group_array``),
    one pass over the table, which is faster than building a tuple per row and
    transposing. Floats are read as values, because SQLite writes them into JSON
    with 15 significant digits. None when the ids did not come in order (SQLite
    does not promise the order an aggregate sees its rows in), or when this
    SQLite has no JSON functions: then read rows.
    """
    texts = [c for c in INCIDENT_COLUMNS if c not in FLOAT_COLUMNS]
    floats = [c for c in INCIDENT_COLUMNS if c in FLOAT_COLUMNS]
    arrays = ", ".join(f'json_group_array("{c}")' for c in texts)
    inner = ", ".join(f'"{c}"' for c in texts)
    cur = conn.connection.dbapi_connection.cursor()
    try:
        encoded = list(
            cur.execute(
                f"SELECT {arrays} FROM (SELECT {inner} FROM incidents ORDER BY incident_id)"
            ).fetchone()
        )
        numbers = cur.execute(
            f"SELECT {', '.join(floats)} FROM incidents ORDER BY incident_id"
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
    if len(numbers) != len(data["incident_id"]) or not _increasing(data["incident_id"]):
        return None
    values = np.array(numbers, dtype="float64").reshape(len(numbers), len(floats))
    for i, col in enumerate(floats):
        data[col] = values[:, i]
    return {c: data[c] for c in INCIDENT_COLUMNS}


def _increasing(ids: list[Any]) -> bool:
    """Whether the ids are text in strictly increasing order (SQLite's BINARY order:
    UTF-8 bytes sort as Python sorts code points)."""
    try:
        return all(map(operator.lt, ids, ids[1:]))
    except TypeError:  # an id that is not text
        return False


def _as_series(values: Any, n: int) -> pd.Series:
    if isinstance(values, pd.Series):
        return values.reset_index(drop=True)
    s = pd.Series(values)
    if len(s) == 0:
        s = pd.Series(values, dtype=getattr(values, "dtype", object))
    return s
