"""How the store lays incidents out: tables, and values in and out of the database.

The layout behind :mod:`geo.store.core` (the API) and :mod:`geo.store.transactions`
(the bodies of its write transactions): the SQLAlchemy Core tables (what the
migrations of ``geo/store/migrations`` build, on SQLite and on PostgreSQL), and the
conversions between typed incident frames and the plain values the database
stores, including the ``row_hash`` that tells a changed incident from a
repeated one. What differs between the two databases is in :mod:`geo.store.backends`.
"""

from __future__ import annotations

import operator
import secrets
from collections.abc import Sequence
from datetime import UTC, datetime
from itertools import repeat
from typing import Any

import numpy as np
import pandas as pd
import sqlalchemy as sa

from geo.schema import CLAIM_COLUMNS, FLOAT_COLUMNS, INCIDENT_COLUMNS, INT_COLUMNS
from geo.store.rowhash import CONTENT_COLUMNS, hash_rows

__all__ = [
    "BUSY_TIMEOUT_S",
    "CLAIMS_SQL",
    "COLS_SQL",
    "CONTENT_COLUMNS",
    "COUNT_COLUMNS",
    "COUNT_INTEGER",
    "ID_CHUNK",
    "INSERT_CHUNK",
    "LOCK_PATIENCE_S",
    "METADATA",
    "ORDERED_TEXT",
    "STORED",
    "UPLOAD_COLUMNS",
    "WRITTEN",
    "frame_from_columns",
    "frame_from_rows",
    "hash_rows",
    "incident_insert",
    "new_upload_id",
    "pick",
    "row_hashes",
    "storage_columns",
    "utc_now",
]

#: Seconds one attempt waits for the writer lock (SQLite's busy timeout, PostgreSQL's
#: ``lock_timeout``) before the store backs off and tries again.
BUSY_TIMEOUT_S = 30.0
#: Total seconds a transaction keeps retrying after the database answered busy.
LOCK_PATIENCE_S = 300.0
#: Ids per ``IN (...)`` look-up (SQLite allows 32,766 parameters).
ID_CHUNK = 5000


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

#: Text compared and sorted by code point on both back ends (SQLite's BINARY order;
#: PostgreSQL's "C" collation), whatever the database's locale.
ORDERED_TEXT = sa.Text().with_variant(sa.Text(collation="C"), "postgresql")
#: Counts as 64-bit integers on PostgreSQL too (SQLite's INTEGER already is).
COUNT_INTEGER = sa.Integer().with_variant(sa.BigInteger(), "postgresql")


def _incident_columns() -> list[sa.Column]:
    cols = []
    for name in INCIDENT_COLUMNS:
        if name == "incident_id":
            continue
        if name in INT_COLUMNS:
            typ: Any = COUNT_INTEGER
        elif name == "cross_border":
            typ = sa.Integer
        elif name in FLOAT_COLUMNS:
            typ = sa.Float
        elif name == "event_date":
            typ = ORDERED_TEXT  # ISO YYYY-MM-DD: compares in date order
        else:
            typ = sa.Text
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
    sa.Column("incident_id", ORDERED_TEXT, primary_key=True),
    *[c for c in _incident_columns() if c.name != "upload_id"],
    sa.Column("upload_id", sa.Text, sa.ForeignKey("uploads.upload_id"), nullable=False),
    sa.Column("row_hash", sa.Text, nullable=False),
)
sa.Index("ix_incidents_upload", _INCIDENTS.c.upload_id)

_VERSIONS = sa.Table(
    "incident_versions",
    METADATA,
    sa.Column("version_id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("incident_id", ORDERED_TEXT, nullable=False),
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
    sa.Column("incident_id", ORDERED_TEXT, nullable=False),
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

# Local accounts and the audit log (migration 0005; geo.store.users, geo.store.audit).
_USERS = sa.Table(
    "users",
    METADATA,
    sa.Column("name", sa.Text, primary_key=True),
    sa.Column("role", sa.Text, nullable=False),
    sa.Column("password_hash", sa.Text, nullable=False),
    sa.Column("created_at", sa.Text, nullable=False),
)

_AUDIT = sa.Table(
    "audit_log",
    METADATA,
    sa.Column("seq", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("at", sa.Text, nullable=False),
    sa.Column("user_name", sa.Text, nullable=False),
    sa.Column("role", sa.Text, nullable=False),
    sa.Column("action", sa.Text, nullable=False),
    sa.Column("upload_id", sa.Text),
    sa.Column("detail", sa.Text),
    sqlite_autoincrement=True,
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


# --------------------------------------------------------------------------- ids and times


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


def _as_series(values: Any, n: int) -> pd.Series:
    if isinstance(values, pd.Series):
        return values.reset_index(drop=True)
    s = pd.Series(values)
    if len(s) == 0:
        s = pd.Series(values, dtype=getattr(values, "dtype", object))
    return s
