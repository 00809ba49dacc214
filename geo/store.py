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
    ``duplicates``, ``geocoded``, ``undone_at``, ``user`` (who made it),
    ``redo_of`` (the undone upload a redo applied again) and the full ``report`` JSON.
``undone_incidents``, ``undone_claims``
    What an undo took out, kept so :meth:`Store.redo` can apply it again.
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
duplicates belong to the earlier upload and leave with it. The curated seed
(upload ``seed``) is protected: its undo needs ``allow_seed=True``.

:meth:`Store.redo` applies an undone upload again, as a new upload through the
same commit, so anything stored since the undo is kept as a version, never lost.

Seeding
-------
The store never seeds itself: :mod:`geo.seed` runs the curated tables through
the ingest pipeline and hands them to :meth:`Store.apply_seed`.
"""

from __future__ import annotations

import json
import os
import random
import secrets
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import numpy as np
import pandas as pd
import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import OperationalError

from geo import storage
from geo.report import IngestReport
from geo.schema import (
    CLAIM_COLUMNS,
    INCIDENT_COLUMNS,
)
from geo.storage import (
    COUNT_COLUMNS,
    METADATA,
    UPLOAD_COLUMNS,
    fetch_incident_columns,
    frame_from_columns,
    frame_from_rows,
    hash_rows,
    is_memory,
    locked_text,
    make_engine,
    new_upload_id,
    resolve_url,
    row_hashes,
    storage_columns,
    upgrade_tables,
    utc_now,
)
from geo.transactions import (
    SEED_UPLOAD_ID,
    CommitResult,
    ProtectedUpload,
    StoreBusy,
    UndoConflict,
    UndoError,
    UnknownUpload,
    commit_in,
    fetch,
    meta_get,
    redo_in,
    stored_hashes,
    undo_in,
    undo_plan,
)

__all__ = [
    "SCHEMA_VERSION",
    "SEED_UPLOAD_ID",
    "CommitResult",
    "GeocodeCache",
    "ProtectedUpload",
    "Store",
    "StoreBusy",
    "UndoConflict",
    "UndoError",
    "UnknownUpload",
    "row_hashes",
]

T = TypeVar("T")

#: Version 2 added ``uploads.user`` / ``uploads.redo_of`` and the tables of undone rows;
#: version 3 the incident columns ``event_time``, ``injured_low`` and ``injured_high``.
SCHEMA_VERSION = "3"
#: Who wrote an upload when nobody signed in (the embedded single-user mode).
LOCAL_USER = "local"


# --------------------------------------------------------------------------- the store


class Store:
    """Incidents, their versions, claims, uploads and the geocode cache.

    Parameters
    ----------
    url : str or path-like, optional
        A SQLite file path or an SQLAlchemy URL; defaults to
        ``geo.config.get_settings().db``. A SQLite file's folder is created.
    seed : bool, default True
        ``False`` marks a new store as deliberately unseeded, so the seed step
        (:func:`geo.seed.open_store`) leaves it empty (tests and benchmarks use
        it). The store never seeds itself: seeding runs the ingest pipeline,
        which sits above the store.
    on_open : callable, optional
        Called with the store once, on first use, right after its tables are
        made (:func:`geo.seed.open_store` seeds a new store this way, so a
        command that refuses its input never touches the store).

    Notes
    -----
    Opening is lazy: the first call creates the tables (and adds the columns a
    store made by older code lacks) in one transaction.
    """

    def __init__(
        self,
        url: str | os.PathLike[str] | None = None,
        *,
        seed: bool = True,
        on_open: Callable[[Store], object] | None = None,
    ) -> None:
        self.url = resolve_url(url)
        self._seed = seed
        self._on_open = on_open
        self._engine = make_engine(self.url)
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
        if parsed.get_backend_name() != "sqlite" or is_memory(parsed):
            return None
        return Path(parsed.database)

    def _run(self, fn: Callable[[Connection], T], *, write: bool) -> T:
        """Run ``fn`` in one transaction, retrying the whole of it while SQLite is busy."""
        delay = 0.05
        deadline = time.monotonic() + storage.LOCK_PATIENCE_S
        while True:
            try:
                with self.engine.connect() as conn:
                    if write:
                        conn.execution_options(sqlite_begin="IMMEDIATE")
                    with conn.begin():
                        return fn(conn)
            except OperationalError as exc:
                if not locked_text(str(exc.orig)):
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
        self._ready = True
        if self._on_open is not None:
            self._on_open(self)

    def _create(self, conn: Connection) -> None:
        METADATA.create_all(conn)
        found = meta_get(conn, "schema_version")
        if found is not None and int(found) > int(SCHEMA_VERSION):
            raise RuntimeError(
                f"store schema version {found} is newer than this code ({SCHEMA_VERSION})"
            )
        upgrade_tables(conn)  # cheap when nothing is missing; a store may predate a column
        for key, value in (
            ("schema_version", SCHEMA_VERSION),
            ("store_id", secrets.token_hex(8)),
            ("revision", "0"),
        ):
            conn.exec_driver_sql("INSERT OR IGNORE INTO meta VALUES (?, ?)", (key, value))
        conn.exec_driver_sql(
            "UPDATE meta SET value = ? WHERE key = 'schema_version'", (SCHEMA_VERSION,)
        )
        if not self._seed and meta_get(conn, "seeded") is None:
            conn.exec_driver_sql("INSERT INTO meta VALUES ('seeded', 'skipped')")

    # ----------------------------------------------------------------- seed

    def seed_state(self) -> str | None:
        """None for a new store the seed step has not run on yet; ``"skipped"`` for a
        store made deliberately empty; else the UTC time it was seeded."""
        return self._read(lambda c: meta_get(c, "seeded"))

    def apply_seed(
        self,
        incidents: pd.DataFrame,
        claims: pd.DataFrame,
        *,
        file: str,
        sha256: str,
        report: IngestReport | None = None,
    ) -> bool:
        """Store the curated tables as upload ``seed``, once, in one transaction.

        Returns False (and writes nothing) when the store was seeded or marked
        unseeded already, for example by another process at the same moment.
        """

        def write(conn: Connection) -> bool:
            if meta_get(conn, "seeded") is not None:
                return False
            commit_in(
                conn,
                incidents,
                upload_id=SEED_UPLOAD_ID,
                file=file,
                sha256=sha256,
                fmt="native",
                report=report,
                user="curated",
            )
            if len(claims):
                cols = ", ".join(f'"{c}"' for c in CLAIM_COLUMNS)
                marks = ", ".join("?" * (len(CLAIM_COLUMNS) + 1))
                conn.exec_driver_sql(
                    f"INSERT INTO claims ({cols}, upload_id) VALUES ({marks})",
                    [(*r, SEED_UPLOAD_ID) for r in claims[CLAIM_COLUMNS].itertuples(False, None)],
                )
            conn.exec_driver_sql("INSERT INTO meta VALUES ('seeded', ?)", (utc_now(),))
            return True

        return self._write(write)

    # ----------------------------------------------------------------- reads

    def incidents(self) -> pd.DataFrame:
        """Every current incident, typed as :func:`geo.schema.normalise_dtypes` types them.

        Returns
        -------
        pandas.DataFrame
            The canonical columns in order, sorted by ``incident_id``.
        """

        def read(conn: Connection) -> pd.DataFrame:
            columns = fetch_incident_columns(conn)
            if columns is not None:
                return frame_from_columns(columns)
            cols = ", ".join(f'"{c}"' for c in INCIDENT_COLUMNS)
            rows = fetch(conn, f"SELECT {cols} FROM incidents ORDER BY incident_id")
            return frame_from_rows(rows, INCIDENT_COLUMNS)

        return self._read(read)

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
        frame = frame_from_rows([r[1:-3] for r in rows], INCIDENT_COLUMNS)
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
                if col in COUNT_COLUMNS
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
            return f"{meta_get(conn, 'store_id')}-{meta_get(conn, 'revision')}"

        return self._read(q)

    def stored_hashes(self, incident_ids: list[str]) -> dict[str, str]:
        """``incident_id -> row_hash`` of the given ids that are stored (read only)."""

        return self._read(lambda conn: stored_hashes(conn, list(incident_ids)))

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
        user: str | None = LOCAL_USER,
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
        user : str, optional
            Who made the upload, for the history.

        Returns
        -------
        CommitResult
        """
        cols = storage_columns(df)  # CPU work before taking the write lock
        ids = np.asarray(cols["incident_id"], dtype=object)
        if len(ids) and (
            pd.api.types.infer_dtype(ids, skipna=False) != "string" or (ids == "").any()
        ):
            raise ValueError("every row needs an incident_id to be stored")
        hashes = hash_rows(cols)
        upload_id = new_upload_id()
        return self._write(
            lambda conn: commit_in(
                conn,
                (cols, hashes),
                upload_id=upload_id,
                file=file,
                sha256=sha256,
                fmt=fmt,
                report=report,
                user=user,
            )
        )

    def undo_plan(self, upload_id: str) -> dict[str, Any]:
        """What :meth:`undo` would do, without doing it (see :func:`geo.transactions.undo_plan`)."""
        return self._read(lambda conn: undo_plan(conn, upload_id))

    def undo(self, upload_id: str, *, allow_seed: bool = False) -> dict[str, Any]:
        """Restore the incidents exactly as they were before ``upload_id``.

        Returns
        -------
        dict
            ``upload_id, file, removed`` (incidents deleted), ``restored``
            (earlier versions made current again), ``claims_removed`` and
            ``undone_at``. What was removed is kept for :meth:`redo`.

        Raises
        ------
        UnknownUpload
            No such upload, or it was already undone.
        UndoConflict
            A later upload superseded rows this one wrote; undo it first.
        ProtectedUpload
            ``upload_id`` is the curated seed and ``allow_seed`` was not given.
        """
        return self._write(lambda conn: undo_in(conn, upload_id, allow_seed=allow_seed))

    def redo(self, upload_id: str, *, user: str | None = LOCAL_USER) -> dict[str, Any]:
        """Apply an undone upload again, as a new upload whose ``redo_of`` names it.

        Returns
        -------
        dict
            ``upload_id`` (the new one), ``redo_of``, ``file``, ``accepted``,
            ``updated``, ``duplicates`` and ``claims``.

        Raises
        ------
        UnknownUpload
            No such upload, it still stands, or it was redone already.
        UndoError
            A claim it held was stored again since the undo.
        """
        new_id = new_upload_id()
        return self._write(lambda conn: redo_in(conn, upload_id, new_id=new_id, user=user))


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
                (key, text, utc_now()),
            )
        )
