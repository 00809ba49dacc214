"""The store: incidents with their history, claims, uploads and the geocode cache.

SQLAlchemy Core over SQLite by default (DESIGN.md §5: ``var/atlas.sqlite``, a
path or an SQLAlchemy URL), or over PostgreSQL with PostGIS for a team
(``ATLAS_DB=postgresql+psycopg://…``). The rules that keep analysts' data safe
hold on both (:mod:`geo.store.backends` says how each does it):

* **One upload is one transaction.** Every write takes the writer lock before
  reading anything (SQLite: ``BEGIN IMMEDIATE``; PostgreSQL: a
  transaction-level advisory lock), so the duplicate and version decisions
  are made on the state it writes over, and a crash (even SIGKILL of the
  client or of the database server) at any moment leaves the store as it was
  before the upload.
* **Nobody sees "database is locked".** Readers never block the writer (WAL;
  MVCC), a writer waits 30 s for the lock, and every transaction is retried
  with jittered back-off while another writer still holds it.
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
``alembic_version``
    The migration the tables are at (:mod:`geo.store.migrate`). On PostgreSQL
    ``incidents`` also has ``geom``, a PostGIS point generated from the
    coordinates, with a GiST index.

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
The store never seeds itself: :mod:`geo.ingest.seed` runs the curated tables through
the ingest pipeline and hands them to :meth:`Store.apply_seed`.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import numpy as np
import pandas as pd
import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from geo.report import IngestReport
from geo.store import audit, migrate, reads
from geo.store.auth import LOCAL, Action, User, require, require_on_upload
from geo.store.backend_sqlite import is_memory
from geo.store.backends import backend_for, resolve_url
from geo.store.bulk import stored_rows
from geo.store.geocache import GeocodeCache
from geo.store.retry import in_transaction
from geo.store.storage import (
    new_upload_id,
    row_hashes,
    utc_now,
)
from geo.store.storefilter import StoreFilter
from geo.store.transactions import (
    SEED_UPLOAD_ID,
    CommitResult,
    ProtectedUpload,
    StoreBusy,
    StoreUnavailable,
    UndoConflict,
    UndoError,
    UnknownUpload,
    commit_claims_in,
    commit_in,
    insert_claims,
    meta_get,
    redo_in,
    run,
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
    "StoreFilter",
    "StoreUnavailable",
    "UndoConflict",
    "UndoError",
    "UnknownUpload",
    "row_hashes",
]

T = TypeVar("T")

#: ``meta.schema_version`` at the newest migration (:data:`geo.store.migrate.HEAD`); version 2
#: added ``uploads.user`` / ``uploads.redo_of`` and the tables of undone rows, version 3
#: the PostGIS geometry on PostgreSQL, version 4 the incident columns ``event_time``,
#: ``injured_low`` and ``injured_high``, version 6 the local accounts and the audit log.
SCHEMA_VERSION = "5"
#: Who wrote an upload when nobody signed in (the embedded single-user mode).
LOCAL_USER = "local"


# --------------------------------------------------------------------------- the store


class Store:
    """Incidents, their versions, claims, uploads and the geocode cache.

    Parameters
    ----------
    url : str or path-like, optional
        A SQLite file path or an SQLAlchemy URL (``sqlite:///…`` or
        ``postgresql+psycopg://…``); defaults to ``geo.config.get_settings().db``.
        A SQLite file's folder is created.
    seed : bool, default True
        ``False`` marks a new store as deliberately unseeded, so the seed step
        (:func:`geo.ingest.seed.open_store`) leaves it empty (tests and benchmarks use
        it). The store never seeds itself: seeding runs the ingest pipeline,
        which sits above the store.
    on_open : callable, optional
        Called with the store once, on first use, right after its tables are
        made (:func:`geo.ingest.seed.open_store` seeds a new store this way, so a
        command that refuses its input never touches the store).

    Notes
    -----
    Opening is lazy: the first call reads the store's migration; only when it
    is behind (a new store, or one made by older code) are the migrations run,
    in one write transaction (:mod:`geo.store.migrate`).
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
        self._backend = backend_for(self.url)
        self._engine = self._backend.make_engine(self.url)
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

    @property
    def backend(self) -> str:
        """``"sqlite"`` or ``"postgresql"``."""
        return self._backend.name

    def _run(self, fn: Callable[[Connection], T], *, write: bool) -> T:
        """Run ``fn`` in one transaction, retried while another writer holds the lock
        (:func:`geo.store.retry.in_transaction`)."""
        return in_transaction(self._connect, self._backend, self.engine.dialect, fn, write=write)

    def _connect(self) -> Connection:
        """A connection from the pool; a database server that cannot be reached (or that
        refuses the role) is one :class:`StoreUnavailable` naming the server's reason."""
        try:
            return self.engine.connect()
        except sa.exc.OperationalError as exc:
            if self._backend.name == "sqlite":
                raise
            reason = str(exc.orig).strip().splitlines()[0] if exc.orig else "no answer"
            raise StoreUnavailable(
                f"The store's database cannot be reached ({reason}); "
                "check ATLAS_DB and that the database server runs."
            ) from exc

    def _write(self, fn: Callable[[Connection], T]) -> T:
        self._ensure_ready()
        return self._run(fn, write=True)

    def _read(self, fn: Callable[[Connection], T]) -> T:
        self._ensure_ready()
        return self._run(fn, write=False)

    def _ensure_ready(self) -> None:
        if self._ready:
            return
        if self._run(self._needs_work, write=False):
            self._run(self._create, write=True)
        self._ready = True
        if self._on_open is not None:
            self._on_open(self)

    def _needs_work(self, conn: Connection) -> bool:
        """Whether opening must write: tables behind the newest migration, or an
        unseeded store to mark as such (one cheap read when neither)."""
        if migrate.current_revision(conn) != migrate.HEAD:
            return True
        return not self._seed and meta_get(conn, "seeded") is None

    def _create(self, conn: Connection) -> None:
        migrate.upgrade(conn)  # nothing when another process did it meanwhile
        if not self._seed and meta_get(conn, "seeded") is None:
            run(conn, "INSERT INTO meta (key, value) VALUES ('seeded', 'skipped')")

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
            insert_claims(conn, claims, SEED_UPLOAD_ID)
            run(conn, "INSERT INTO meta (key, value) VALUES ('seeded', :at)", at=utc_now())
            return True

        return self._write(write)

    # ----------------------------------------------------------------- reads

    def incidents(self, where: StoreFilter | None = None) -> pd.DataFrame:
        """Every current incident, typed as :func:`geo.schema.normalise_dtypes` types them.

        Parameters
        ----------
        where : StoreFilter, optional
            Read only the incidents it keeps; the filter runs as SQL in the
            database (on PostgreSQL a bounding box uses the GiST index), and
            equals ``where.apply(store.incidents())``.

        Returns
        -------
        pandas.DataFrame
            The canonical columns in order, sorted by ``incident_id``.
        """
        return self._read(lambda conn: reads.incidents(conn, self._backend, where))

    def versions(self) -> pd.DataFrame:
        """Every superseded version: ``version_id``, the canonical columns,
        ``row_hash``, ``superseded_by`` and ``superseded_at``."""
        return self._read(reads.versions)

    def claims(self) -> pd.DataFrame:
        """The claims ledger: :data:`geo.schema.CLAIM_COLUMNS` as text (None for empty)."""
        return self._read(reads.claims)

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
        return self._read(reads.uploads)

    def upload_report(self, upload_id: str) -> dict[str, Any] | None:
        """The full JSON report saved with an upload (errors and warnings included)."""
        return self._read(lambda conn: reads.upload_report(conn, upload_id))

    def version(self) -> str:
        """A token that changes after every commit and undo (for cache keys)."""
        return self._read(reads.revision_token)

    def audit(self) -> pd.DataFrame:
        """The audit log, oldest first (:func:`geo.store.audit.entries`)."""
        return self._read(audit.entries)

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
        user: str | None = None,
        actor: User = LOCAL,
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
            Who made the upload, for the history (default: ``actor.name``).
        actor : geo.store.auth.User, default geo.store.auth.LOCAL
            The acting user; a role that may not upload is refused.

        Returns
        -------
        CommitResult

        Raises
        ------
        geo.store.auth.NotAllowed
            ``actor`` may not upload; nothing was written.
        """
        require(actor, Action.UPLOAD)
        rows = stored_rows(df)  # CPU work before taking the write lock
        ids = np.asarray(rows.ids, dtype=object)
        if len(ids) and (
            pd.api.types.infer_dtype(ids, skipna=False) != "string" or (ids == "").any()
        ):
            raise ValueError("every row needs an incident_id to be stored")
        upload_id = new_upload_id()

        def write(conn: Connection) -> CommitResult:
            result = commit_in(
                conn,
                rows,
                upload_id=upload_id,
                file=file,
                sha256=sha256,
                fmt=fmt,
                report=report,
                user=user if user is not None else actor.name,
            )
            audit.record(conn, actor, "upload", upload_id, f"{file}: {result.accepted} new")
            return result

        return self._write(write)

    def commit_claims(
        self,
        claims: pd.DataFrame,
        *,
        file: str,
        sha256: str,
        report: IngestReport,
        actor: User = LOCAL,
    ) -> str:
        """Store one claims file's good rows as an upload, in one transaction.

        ``claims`` holds :data:`geo.schema.CLAIM_COLUMNS` as text (the output
        of :func:`geo.ingest.claims.prepare_claims`). The upload is listed,
        undone and redone like any other. Returns the new upload's id.

        Raises
        ------
        geo.store.auth.NotAllowed
            ``actor`` may not upload; nothing was written.
        UndoError
            A claim id was stored by another upload meanwhile; nothing was written.
        """
        require(actor, Action.UPLOAD)
        upload_id = new_upload_id()

        def write(conn: Connection) -> str:
            n = commit_claims_in(conn, claims, upload_id=upload_id, file=file, sha256=sha256,
                                 report=report, user=actor.name)  # fmt: skip
            audit.record(conn, actor, "upload", upload_id, f"{file}: {n} claims")
            return upload_id

        return self._write(write)

    def undo_plan(self, upload_id: str) -> dict[str, Any]:
        """What :meth:`undo` would do, without doing it (see :func:`geo.store.transactions.undo_plan`)."""
        return self._read(lambda conn: undo_plan(conn, upload_id))

    def undo(
        self, upload_id: str, *, allow_seed: bool = False, actor: User = LOCAL
    ) -> dict[str, Any]:
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
        geo.store.auth.NotAllowed
            ``actor`` may not undo this upload (a viewer; an analyst, another's upload).
        """

        def write(conn: Connection) -> dict[str, Any]:
            owner = audit.upload_owner(conn, upload_id)
            require_on_upload(actor, owner, seed=upload_id == SEED_UPLOAD_ID)
            result = undo_in(conn, upload_id, allow_seed=allow_seed)
            audit.record(conn, actor, "undo", upload_id, f"{result['removed']} removed")
            return result

        return self._write(write)

    def redo(
        self, upload_id: str, *, user: str | None = None, actor: User = LOCAL
    ) -> dict[str, Any]:
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
        geo.store.auth.NotAllowed
            ``actor`` may not redo this upload (the same rule as :meth:`undo`).
        """
        new_id = new_upload_id()

        def write(conn: Connection) -> dict[str, Any]:
            require_on_upload(actor, audit.upload_owner(conn, upload_id))
            name = user if user is not None else actor.name
            result = redo_in(conn, upload_id, new_id=new_id, user=name)
            audit.record(conn, actor, "redo", new_id, f"redo of {upload_id}")
            return result

        return self._write(write)
