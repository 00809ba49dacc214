"""The store: incidents with their history, claims, uploads and the geocode cache.

SQLAlchemy Core over SQLite by default (DESIGN.md §5: ``var/atlas.sqlite``, a
path or an SQLAlchemy URL). The rules that keep analysts' data safe:

* **One upload is one transaction.** Every write runs in ``BEGIN IMMEDIATE``:
  it takes SQLite's write lock before reading anything, so the duplicate and
  version decisions are made on the state it writes over, and a crash (even
  SIGKILL) at any moment leaves the store as it was before the upload.
* **Nobody sees "database is locked".** Connections use WAL (readers never block
  the writer), a 30 s busy timeout, and every transaction is retried with
  jittered back-off when SQLite still answers busy.
* **Nothing is overwritten.** A row whose ``incident_id`` is stored with
  different content becomes the current version and the old one moves to
  ``incident_versions`` with the upload that superseded it.

Tables
------
``incidents``
    The current version of each incident: the canonical columns of
    :data:`geo.schema.INCIDENT_COLUMNS` (``upload_id`` = the upload that wrote
    this version) plus ``row_hash``, a SHA-1 of every content column (all but
    ``upload_id``).
``incident_versions``
    Earlier versions: ``version_id``, the same columns, ``superseded_by`` (the
    upload that replaced it) and ``superseded_at``.
``claims``
    The claims ledger (:data:`geo.schema.CLAIM_COLUMNS` as text, ``upload_id``).
``uploads``
    ``seq``, ``upload_id``, ``file``, ``sha256``, ``format``, ``created_at``
    (UTC ISO 8601), ``rows_read``, ``accepted``, ``rejected``, ``updated``,
    ``duplicates``, ``geocoded``, ``undone_at`` and the full ``report`` JSON.
``geocode_cache``
    ``key``, ``json``, ``created_at``: online geocoder answers.
``meta``
    ``schema_version``, ``store_id``, ``revision`` (bumped by every commit and
    undo; :meth:`Store.version`), ``seeded``.

Undo
----
:meth:`Store.undo` deletes the incidents an upload wrote and moves the versions
it superseded back into ``incidents``, so both tables are exactly as they were
before it. When a later, still active upload has superseded a version written
by the upload, the undo is refused with :class:`UndoConflict`, which names the
later uploads to undo first: undoing out of order would either throw away that
later work or leave a state that never existed. Rows a later upload only saw as
duplicates belong to the earlier upload and leave with it.
"""

from __future__ import annotations

import hashlib
import json
import operator
import os
import random
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from itertools import repeat
from pathlib import Path
from typing import Any, TypeVar

import numpy as np
import pandas as pd
import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import OperationalError

from geo.config import DATA_DIR, get_settings
from geo.report import IngestReport
from geo.schema import (
    CLAIM_COLUMNS,
    DERIVED_COLUMNS,
    FLOAT_COLUMNS,
    INCIDENT_COLUMNS,
    INT_COLUMNS,
)

__all__ = [
    "SCHEMA_VERSION",
    "CommitResult",
    "GeocodeCache",
    "Store",
    "StoreBusy",
    "UndoConflict",
    "UndoError",
    "UnknownUpload",
    "row_hashes",
]

T = TypeVar("T")

SCHEMA_VERSION = "1"
SEED_UPLOAD_ID = "seed"

#: Seconds SQLite itself waits for a lock before answering busy.
_BUSY_TIMEOUT_S = 30.0
#: Total seconds a transaction keeps retrying after SQLite answered busy.
_LOCK_PATIENCE_S = 300.0
#: Ids per ``IN (...)`` look-up (SQLite allows 32,766 parameters).
_ID_CHUNK = 5000

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
]
_COUNT_COLUMNS = ["rows_read", "accepted", "rejected", "updated", "duplicates", "geocoded"]


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


# --------------------------------------------------------------------------- schema

_METADATA = sa.MetaData()


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
    _METADATA,
    sa.Column("seq", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("upload_id", sa.Text, nullable=False, unique=True),
    sa.Column("file", sa.Text),
    sa.Column("sha256", sa.Text),
    sa.Column("format", sa.Text),
    sa.Column("created_at", sa.Text, nullable=False),
    *[sa.Column(c, sa.Integer, nullable=False, server_default="0") for c in _COUNT_COLUMNS],
    sa.Column("undone_at", sa.Text),
    sa.Column("report", sa.Text),
    sqlite_autoincrement=True,
)

_INCIDENTS = sa.Table(
    "incidents",
    _METADATA,
    sa.Column("incident_id", sa.Text, primary_key=True),
    *[c for c in _incident_columns() if c.name != "upload_id"],
    sa.Column("upload_id", sa.Text, sa.ForeignKey("uploads.upload_id"), nullable=False),
    sa.Column("row_hash", sa.Text, nullable=False),
)
sa.Index("ix_incidents_upload", _INCIDENTS.c.upload_id)

_VERSIONS = sa.Table(
    "incident_versions",
    _METADATA,
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
    _METADATA,
    sa.Column("claim_id", sa.Text, primary_key=True),
    *[sa.Column(c, sa.Text) for c in CLAIM_COLUMNS if c != "claim_id"],
    sa.Column("upload_id", sa.Text, sa.ForeignKey("uploads.upload_id"), nullable=False),
)

_GEOCODE_CACHE = sa.Table(
    "geocode_cache",
    _METADATA,
    sa.Column("key", sa.Text, primary_key=True),
    sa.Column("json", sa.Text, nullable=False),
    sa.Column("created_at", sa.Text, nullable=False),
)

_META = sa.Table(
    "meta",
    _METADATA,
    sa.Column("key", sa.Text, primary_key=True),
    sa.Column("value", sa.Text),
)

_STORED = [*INCIDENT_COLUMNS, "row_hash"]
_COLS_SQL = ", ".join(f'"{c}"' for c in _STORED)
_WRITTEN = [c for c in INCIDENT_COLUMNS if c != "upload_id"]
_WRITTEN_SQL = ", ".join(f'"{c}"' for c in _WRITTEN)
_INSERT_INCIDENT = (
    f"INSERT INTO incidents ({_WRITTEN_SQL}, upload_id, row_hash) "
    f"VALUES ({', '.join('?' * (len(_WRITTEN) + 2))})"
)


# --------------------------------------------------------------------------- engine


def _resolve_url(url: str | os.PathLike[str] | None) -> str:
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


def _is_memory(url: sa.engine.URL) -> bool:
    return url.get_backend_name() == "sqlite" and url.database in (None, "", ":memory:")


def _make_engine(url: str) -> Engine:
    parsed = sa.engine.make_url(url)
    if parsed.get_backend_name() != "sqlite":
        return sa.create_engine(url)
    kwargs: dict[str, Any] = {
        "connect_args": {"timeout": _BUSY_TIMEOUT_S, "check_same_thread": False}
    }
    if _is_memory(parsed):
        kwargs["poolclass"] = sa.pool.StaticPool
    engine = sa.create_engine(url, **kwargs)
    memory = _is_memory(parsed)

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: Any, _record: Any) -> None:
        # Take BEGIN away from the sqlite3 module: SQLAlchemy's begin hook
        # below emits it, so DDL and reads are transactional too.
        dbapi_conn.isolation_level = None
        cur = dbapi_conn.cursor()
        try:
            cur.execute(f"PRAGMA busy_timeout = {int(_BUSY_TIMEOUT_S * 1000)}")
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
    deadline = time.monotonic() + _LOCK_PATIENCE_S
    while True:
        try:
            mode = cur.execute("PRAGMA journal_mode").fetchone()[0]
            if str(mode).lower() != "wal":
                cur.execute("PRAGMA journal_mode = WAL")
            return
        except Exception as exc:  # sqlite3.OperationalError: database is locked
            if not _locked_text(str(exc)) or time.monotonic() > deadline:
                raise
            time.sleep(delay * random.uniform(0.5, 1.5))
            delay = min(delay * 2, 1.0)


def _locked_text(text: str) -> bool:
    text = text.lower()
    return "database is locked" in text or "database is busy" in text or "locked" in text


def _now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _new_upload_id() -> str:
    return f"{datetime.now(UTC):%Y%m%dT%H%M%S}-{secrets.token_hex(3)}"


# --------------------------------------------------------------------------- conversions


#: Rows handed to one executemany: bounds the memory of the parameter tuples.
_INSERT_CHUNK = 50_000


def _pick(values: list[Any], positions: list[int]) -> tuple[Any, ...]:
    """``values`` at ``positions``, picked in C (itemgetter) rather than a comprehension."""
    if len(positions) == 1:
        return (values[positions[0]],)
    return operator.itemgetter(*positions)(values)


def _storage_columns(df: pd.DataFrame) -> dict[str, list[Any]]:
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


def _hash_rows(cols: dict[str, list[Any]]) -> list[str]:
    """SHA-1 of each row's content columns (None and text kept apart by a NUL marker)."""
    parts = []
    for col in CONTENT_COLUMNS:
        values = cols[col]
        if col in INT_COLUMNS or col in FLOAT_COLUMNS or col == "cross_border":
            parts.append(["\x00" if v is None else str(v) for v in values])
        else:
            parts.append(["\x00" if v is None else v for v in values])
    sha1 = hashlib.sha1
    return [
        sha1(text.encode("utf-8", "surrogatepass")).hexdigest()
        for text in map("\x1f".join, zip(*parts, strict=True))
    ]


def row_hashes(df: pd.DataFrame) -> list[str]:
    """The ``row_hash`` the store would give each row of ``df`` (content columns only)."""
    return _hash_rows(_storage_columns(df))


def _frame_from_rows(rows: list[tuple[Any, ...]], columns: list[str]) -> pd.DataFrame:
    """Typed incidents frame from stored tuples, matching ``normalise_dtypes`` (fast)."""
    n = len(rows)
    transposed = list(zip(*rows, strict=True)) if n else [() for _ in columns]
    data: dict[str, Any] = {}
    for col, values in zip(columns, transposed, strict=True):
        if col in INT_COLUMNS:
            data[col] = pd.array(list(values), dtype="Int64")
        elif col in FLOAT_COLUMNS:
            data[col] = np.array(values, dtype="float64")
        elif col == "event_date":
            data[col] = pd.to_datetime(
                pd.Series(np.array(values, dtype=object)), format="%Y-%m-%d", errors="coerce"
            ).astype("datetime64[ns]")
        elif col == "cross_border":
            data[col] = pd.array(list(values), dtype="Int64").astype("boolean")
        else:
            arr = np.empty(n, dtype=object)
            arr[:] = values
            data[col] = pd.Series(arr, dtype=object)
    frame = pd.DataFrame({c: _as_series(data[c], n) for c in columns})
    return frame


def _as_series(values: Any, n: int) -> pd.Series:
    if isinstance(values, pd.Series):
        return values.reset_index(drop=True)
    s = pd.Series(values)
    if len(s) == 0:
        s = pd.Series(values, dtype=getattr(values, "dtype", object))
    return s


# --------------------------------------------------------------------------- the store


class Store:
    """Incidents, their versions, claims, uploads and the geocode cache.

    Parameters
    ----------
    url : str or path-like, optional
        A SQLite file path or an SQLAlchemy URL; defaults to
        ``geo.config.get_settings().db``. A SQLite file's folder is created.
    seed : bool, default True
        Seed a new store from ``data/incidents.csv`` and ``data/claims.csv``
        on first use. ``False`` marks a new store as deliberately unseeded
        (tests use it); an existing store is never re-seeded.

    Notes
    -----
    Opening is lazy: the first call creates the tables and seeds the store in
    one transaction, so two processes opening a new store at once seed it once.
    """

    def __init__(self, url: str | os.PathLike[str] | None = None, *, seed: bool = True) -> None:
        self.url = _resolve_url(url)
        self._seed = seed
        self._engine = _make_engine(self.url)
        self._pid = os.getpid()
        self._ready = False

    def __repr__(self) -> str:
        return f"Store({self.url!r})"

    # ----------------------------------------------------------------- plumbing

    @property
    def engine(self) -> Engine:
        """The SQLAlchemy engine (a fresh pool after ``fork``)."""
        if os.getpid() != self._pid:
            self._engine.dispose(close=False)
            self._pid = os.getpid()
        return self._engine

    @property
    def path(self) -> Path | None:
        """The SQLite file, or None for other databases and in-memory stores."""
        parsed = sa.engine.make_url(self.url)
        if parsed.get_backend_name() != "sqlite" or _is_memory(parsed):
            return None
        return Path(parsed.database)

    def _run(self, fn: Callable[[Connection], T], *, write: bool) -> T:
        """Run ``fn`` in one transaction, retrying the whole of it while SQLite is busy."""
        delay = 0.05
        deadline = time.monotonic() + _LOCK_PATIENCE_S
        while True:
            try:
                with self.engine.connect() as conn:
                    if write:
                        conn.execution_options(sqlite_begin="IMMEDIATE")
                    with conn.begin():
                        return fn(conn)
            except OperationalError as exc:
                if not _locked_text(str(exc.orig)):
                    raise
                if time.monotonic() > deadline:
                    raise StoreBusy(
                        "The store is busy with other uploads; nothing was changed. "
                        "Try again in a minute."
                    ) from exc
                time.sleep(delay * random.uniform(0.5, 1.5))
                delay = min(delay * 2, 2.0)

    def _write(self, fn: Callable[[Connection], T]) -> T:
        self._ensure_ready()
        return self._run(fn, write=True)

    def _read(self, fn: Callable[[Connection], T]) -> T:
        self._ensure_ready()
        return self._run(fn, write=False)

    def _ensure_ready(self) -> None:
        if self._ready:
            return
        self._run(self._create, write=True)
        if self._run(lambda c: _meta_get(c, "seeded"), write=False) is None:
            seed = _prepare_seed()
            self._run(lambda c: self._apply_seed(c, seed), write=True)
        self._ready = True

    def _create(self, conn: Connection) -> None:
        _METADATA.create_all(conn)
        found = _meta_get(conn, "schema_version")
        if found is not None and found != SCHEMA_VERSION:
            raise RuntimeError(f"store schema version {found}; this code reads {SCHEMA_VERSION}")
        for key, value in (
            ("schema_version", SCHEMA_VERSION),
            ("store_id", secrets.token_hex(8)),
            ("revision", "0"),
        ):
            conn.exec_driver_sql("INSERT OR IGNORE INTO meta VALUES (?, ?)", (key, value))
        if not self._seed and _meta_get(conn, "seeded") is None:
            conn.exec_driver_sql("INSERT INTO meta VALUES ('seeded', 'skipped')")

    def _apply_seed(self, conn: Connection, seed: _Seed) -> None:
        if _meta_get(conn, "seeded") is not None:
            return  # another process seeded it while we were preparing
        _commit_in(
            conn,
            seed.incidents,
            upload_id=SEED_UPLOAD_ID,
            file="data/incidents.csv",
            sha256=seed.sha256,
            fmt="native",
            report=seed.report,
        )
        if len(seed.claims):
            rows = [*seed.claims.itertuples(index=False, name=None)]
            cols = ", ".join(f'"{c}"' for c in CLAIM_COLUMNS)
            marks = ", ".join("?" * (len(CLAIM_COLUMNS) + 1))
            conn.exec_driver_sql(
                f"INSERT INTO claims ({cols}, upload_id) VALUES ({marks})",
                [(*r, SEED_UPLOAD_ID) for r in rows],
            )
        conn.exec_driver_sql("INSERT INTO meta VALUES ('seeded', ?)", (_now(),))

    # ----------------------------------------------------------------- reads

    def incidents(self) -> pd.DataFrame:
        """Every current incident, typed as :func:`geo.schema.normalise_dtypes` types them.

        Returns
        -------
        pandas.DataFrame
            The canonical columns in order, sorted by ``incident_id``.
        """
        cols = ", ".join(f'"{c}"' for c in INCIDENT_COLUMNS)
        rows = self._read(lambda c: _fetch(c, f"SELECT {cols} FROM incidents ORDER BY incident_id"))
        return _frame_from_rows(rows, INCIDENT_COLUMNS)

    def versions(self) -> pd.DataFrame:
        """Every superseded version: ``version_id``, the canonical columns,
        ``row_hash``, ``superseded_by`` and ``superseded_at``."""
        extra = ["row_hash", "superseded_by", "superseded_at"]
        cols = ", ".join(f'"{c}"' for c in ["version_id", *INCIDENT_COLUMNS, *extra])
        rows = self._read(
            lambda c: c.exec_driver_sql(
                f"SELECT {cols} FROM incident_versions ORDER BY version_id"
            ).fetchall()
        )
        rows = [tuple(r) for r in rows]
        frame = _frame_from_rows([r[1:-3] for r in rows], INCIDENT_COLUMNS)
        frame.insert(0, "version_id", pd.array([r[0] for r in rows], dtype="Int64"))
        for i, col in enumerate(extra):
            frame[col] = pd.Series([r[-3 + i] for r in rows], dtype=object)
        return frame

    def claims(self) -> pd.DataFrame:
        """The claims ledger: :data:`geo.schema.CLAIM_COLUMNS` as text (None for empty)."""
        cols = ", ".join(f'"{c}"' for c in CLAIM_COLUMNS)
        rows = self._read(
            lambda c: c.exec_driver_sql(f"SELECT {cols} FROM claims ORDER BY claim_id").fetchall()
        )
        return pd.DataFrame(
            {
                col: pd.Series([r[i] for r in rows], dtype=object)
                for i, col in enumerate(CLAIM_COLUMNS)
            }
        )

    def uploads(self) -> pd.DataFrame:
        """The upload history, oldest first.

        Returns
        -------
        pandas.DataFrame
            ``upload_id, file, sha256, format, created_at, rows_read, accepted,
            rejected, updated, duplicates, geocoded, undone_at``; the times are
            UTC ISO 8601 text and ``undone_at`` is None for an active upload, so
            ``to_dict(orient="records")`` is valid JSON.
        """
        cols = ", ".join(f'"{c}"' for c in UPLOAD_COLUMNS)
        rows = self._read(
            lambda c: c.exec_driver_sql(f"SELECT {cols} FROM uploads ORDER BY seq").fetchall()
        )
        data = {}
        for i, col in enumerate(UPLOAD_COLUMNS):
            values = [r[i] for r in rows]
            data[col] = (
                pd.Series(values, dtype="int64")
                if col in _COUNT_COLUMNS
                else pd.Series(values, dtype=object)
            )
        return pd.DataFrame(data)

    def upload_report(self, upload_id: str) -> dict[str, Any] | None:
        """The full JSON report saved with an upload (errors and warnings included)."""
        text = self._read(
            lambda c: c.exec_driver_sql(
                "SELECT report FROM uploads WHERE upload_id = ?", (upload_id,)
            ).scalar()
        )
        return json.loads(text) if text else None

    def version(self) -> str:
        """A token that changes after every commit and undo (for cache keys)."""

        def q(conn: Connection) -> str:
            return f"{_meta_get(conn, 'store_id')}-{_meta_get(conn, 'revision')}"

        return self._read(q)

    def stored_hashes(self, incident_ids: list[str]) -> dict[str, str]:
        """``incident_id -> row_hash`` of the given ids that are stored (read only)."""

        return self._read(lambda conn: _stored_hashes(conn, list(incident_ids)))

    def geocode_cache(self) -> GeocodeCache:
        """The store's cache of online geocoder answers (``get`` / ``put``)."""
        return GeocodeCache(self)

    # ----------------------------------------------------------------- writes

    def commit(
        self,
        df: pd.DataFrame,
        *,
        file: str,
        sha256: str,
        fmt: str,
        report: IngestReport | None = None,
    ) -> CommitResult:
        """Store one upload's rows in one transaction: whole or not at all.

        Parameters
        ----------
        df : pandas.DataFrame
            Canonical, typed incidents (the ingest pipeline's output); their
            ``upload_id`` is replaced by the new upload's id.
        file, sha256, fmt : str
            The uploaded file's name, SHA-256 and format, for the history.
        report : IngestReport, optional
            The pipeline's report; its counts and issues are kept with the upload.

        Returns
        -------
        CommitResult
        """
        cols = _storage_columns(df)  # CPU work before taking the write lock
        ids = np.asarray(cols["incident_id"], dtype=object)
        if len(ids) and (
            pd.api.types.infer_dtype(ids, skipna=False) != "string" or (ids == "").any()
        ):
            raise ValueError("every row needs an incident_id to be stored")
        hashes = _hash_rows(cols)
        upload_id = _new_upload_id()
        return self._write(
            lambda conn: _commit_in(
                conn,
                (cols, hashes),
                upload_id=upload_id,
                file=file,
                sha256=sha256,
                fmt=fmt,
                report=report,
            )
        )

    def undo(self, upload_id: str) -> dict[str, Any]:
        """Restore the incidents exactly as they were before ``upload_id``.

        Returns
        -------
        dict
            ``upload_id, file, removed`` (incidents deleted), ``restored``
            (earlier versions made current again) and ``undone_at``.

        Raises
        ------
        UnknownUpload
            No such upload, or it was already undone.
        UndoConflict
            A later upload superseded rows this one wrote; undo it first.
        """
        return self._write(lambda conn: _undo_in(conn, upload_id))


class GeocodeCache:
    """Online geocoder answers kept in the store: ``get(key)`` / ``put(key, dict)``."""

    def __init__(self, store: Store) -> None:
        self._store = store

    def get(self, key: str) -> dict[str, Any] | None:
        """The cached answer for ``key``, or None."""
        text = self._store._read(
            lambda c: c.exec_driver_sql(
                "SELECT json FROM geocode_cache WHERE key = ?", (key,)
            ).scalar()
        )
        return json.loads(text) if text is not None else None

    def put(self, key: str, value: dict[str, Any]) -> None:
        """Cache ``value`` (JSON-serialisable) under ``key``, replacing an older answer."""
        text = json.dumps(value, ensure_ascii=False, default=str)
        self._store._write(
            lambda c: c.exec_driver_sql(
                "INSERT OR REPLACE INTO geocode_cache (key, json, created_at) VALUES (?, ?, ?)",
                (key, text, _now()),
            )
        )


# --------------------------------------------------------------------------- transactions


def _fetch(conn: Connection, sql: str) -> list[tuple[Any, ...]]:
    """All rows of a query as plain tuples, through the DBAPI cursor (no Row objects)."""
    cur = conn.connection.dbapi_connection.cursor()
    try:
        return cur.execute(sql).fetchall()
    finally:
        cur.close()


def _meta_get(conn: Connection, key: str) -> str | None:
    try:
        return conn.exec_driver_sql("SELECT value FROM meta WHERE key = ?", (key,)).scalar()
    except OperationalError as exc:
        if "no such table" in str(exc.orig):
            return None
        raise


def _bump_revision(conn: Connection) -> None:
    conn.exec_driver_sql(
        "UPDATE meta SET value = CAST(CAST(value AS INTEGER) + 1 AS TEXT) WHERE key = 'revision'"
    )


def _stored_hashes(conn: Connection, ids: list[str]) -> dict[str, str]:
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
        for start in range(0, len(ids), _ID_CHUNK):
            chunk = ids[start : start + _ID_CHUNK]
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


def _commit_in(
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
        cols = _storage_columns(data)
        hashes = _hash_rows(cols)
    else:
        cols, hashes = data
    now = _now()
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
    stored = _stored_hashes(conn, [ids[i] for i in first])
    changed = [ids[i] for i in first if ids[i] in stored and stored[ids[i]] != hashes[i]]
    take = [i for i in first if stored.get(ids[i]) != hashes[i]]  # new and changed
    duplicates = len(first) - len(take)
    if changed:
        conn.exec_driver_sql(
            f"INSERT INTO incident_versions ({_COLS_SQL}, superseded_by, superseded_at) "
            f"SELECT {_COLS_SQL}, ?, ? FROM incidents WHERE incident_id = ?",
            [(upload_id, now, key) for key in changed],
        )
        conn.exec_driver_sql(
            "DELETE FROM incidents WHERE incident_id = ?", [(key,) for key in changed]
        )
    if take:
        take.sort(key=ids.__getitem__)  # B-tree friendly insert order
        for start in range(0, len(take), _INSERT_CHUNK):  # no million-tuple list at once
            part = take[start : start + _INSERT_CHUNK]
            columns = [_pick(cols[c], part) for c in _WRITTEN]
            rows = list(zip(*columns, repeat(upload_id), _pick(hashes, part)))
            conn.exec_driver_sql(_INSERT_INCIDENT, rows)
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
    _bump_revision(conn)
    return result


def _undo_in(conn: Connection, upload_id: str) -> dict[str, Any]:
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
        f"INSERT INTO incidents ({_COLS_SQL}) SELECT {_COLS_SQL} FROM incident_versions "
        "WHERE superseded_by = ? ORDER BY version_id",
        (upload_id,),
    ).rowcount
    conn.exec_driver_sql("DELETE FROM incident_versions WHERE superseded_by = ?", (upload_id,))
    claims = conn.exec_driver_sql("DELETE FROM claims WHERE upload_id = ?", (upload_id,)).rowcount
    now = _now()
    conn.exec_driver_sql("UPDATE uploads SET undone_at = ? WHERE upload_id = ?", (now, upload_id))
    _bump_revision(conn)
    return {
        "upload_id": upload_id,
        "file": row[0],
        "removed": deleted - restored,
        "restored": restored,
        "claims_removed": claims,
        "undone_at": now,
    }


# --------------------------------------------------------------------------- seed


@dataclass
class _Seed:
    incidents: pd.DataFrame
    claims: pd.DataFrame
    sha256: str
    report: IngestReport | None


def _prepare_seed() -> _Seed:
    """Run the curated tables through the ingest pipeline (no writes)."""
    from geo.ingest import prepare  # the pipeline imports the store's types
    from geo.report import FileRefused

    path = DATA_DIR / "incidents.csv"
    data = path.read_bytes() if path.exists() else b""
    incidents = pd.DataFrame(columns=INCIDENT_COLUMNS)
    report = None
    if data:
        try:
            prepared = prepare(data, path.name, fmt="native")
            incidents, report = prepared.frame, prepared.report
        except FileRefused as exc:
            report = IngestReport(
                file=path.name, format="native", errors=[_refusal_issue(str(exc))]
            )
    return _Seed(
        incidents=incidents,
        claims=_read_claims(DATA_DIR / "claims.csv"),
        sha256=hashlib.sha256(data).hexdigest(),
        report=report,
    )


def _refusal_issue(message: str) -> Any:
    from geo.report import Issue

    return Issue(line=None, column=None, value=None, message=message)


def _read_claims(path: Path) -> pd.DataFrame:
    """The curated claims ledger as text, one row per unique non-empty claim_id."""
    empty = pd.DataFrame({c: pd.Series(dtype=object) for c in CLAIM_COLUMNS})
    if not path.exists():
        return empty
    from geo.reader import read_csv_bytes
    from geo.report import FileRefused

    try:
        frame = read_csv_bytes(path.read_bytes()).frame
    except FileRefused:
        return empty
    lookup = {str(c).strip().lower(): c for c in frame.columns}
    out = pd.DataFrame(index=frame.index)
    for col in CLAIM_COLUMNS:
        src = lookup.get(col)
        values = frame[src] if src is not None else pd.Series(None, index=frame.index)
        out[col] = [_clean_text(v) for v in values.tolist()]
    out = out[out["claim_id"].notna()].drop_duplicates("claim_id", keep="first")
    return out.astype(object).reset_index(drop=True)


def _clean_text(value: Any) -> str | None:
    if value is None or value is pd.NA or (isinstance(value, float) and value != value):
        return None
    text = str(value).strip()
    return text or None
