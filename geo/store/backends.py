"""Which back end a store URL names: SQLite (embedded, the default) or PostgreSQL.

Every store operation is written once, in :mod:`geo.store.transactions` and
:mod:`geo.store.core`, in SQL both databases accept. What must differ (the engine's
settings, how writers are serialised, the bulk insert, the column read, the
hash look-up) is one method of a back-end object: :class:`SQLiteBackend` in
:mod:`geo.store.backend_sqlite`, :class:`PostgresBackend` in :mod:`geo.store.backend_pg`.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any, Protocol

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from geo.config import get_settings
from geo.store.backend_pg import PostgresBackend
from geo.store.backend_sqlite import SQLiteBackend
from geo.store.bulk import StoredRows
from geo.store.storefilter import StoreFilter

__all__ = ["Backend", "backend_for", "backend_of", "resolve_url"]


class Backend(Protocol):
    """What a back end provides (both implementations have exactly these)."""

    name: str
    mark: str

    def make_engine(self, url: str) -> Engine: ...
    def before_begin(self, conn: Connection, *, write: bool) -> None: ...
    def after_begin(self, conn: Connection, *, write: bool) -> None: ...
    def is_busy(self, error: BaseException) -> bool: ...
    def stored_hashes(self, conn: Connection, ids: list[str]) -> dict[str, str]: ...
    def supersede(self, conn: Connection, ids: list[str], upload_id: str, now: str) -> None: ...
    def after_end(self, conn: Connection) -> None: ...
    def insert_incidents(
        self, conn: Connection, rows: StoredRows, take: list[int], upload_id: str
    ) -> None: ...
    def read_columns(
        self, conn: Connection, where: StoreFilter | None = None
    ) -> dict[str, Any] | None: ...


_BACKENDS: dict[str, Backend] = {"sqlite": SQLiteBackend(), "postgresql": PostgresBackend()}


def backend_for(url: str) -> Backend:
    """The back end of an SQLAlchemy URL.

    Raises
    ------
    ValueError
        For a database the store does not support, naming the two it does.

    Examples
    --------
    >>> backend_for("sqlite:///var/atlas.sqlite").name
    'sqlite'
    >>> backend_for("postgresql+psycopg://atlas@db/atlas").name
    'postgresql'
    """
    name = sa.engine.make_url(url).get_backend_name()
    try:
        return _BACKENDS[name]
    except KeyError:
        raise ValueError(
            f"the store runs on SQLite or PostgreSQL, not {name!r}: "
            "set ATLAS_DB to a file path or a postgresql+psycopg:// URL"
        ) from None


def backend_of(conn: Connection) -> Backend:
    """The back end of an open connection."""
    return _BACKENDS[conn.dialect.name]


def resolve_url(url: str | os.PathLike[str] | None) -> str:
    """Turn a path or URL into an SQLAlchemy URL, creating a SQLite file's folder.

    A ``postgresql://`` URL without a driver gets psycopg 3's
    (``postgresql+psycopg://``), the one driver the store is tested with.

    Examples
    --------
    >>> resolve_url("postgresql://atlas@db:5432/atlas")
    'postgresql+psycopg://atlas@db:5432/atlas'
    """
    raw = str(url) if url is not None else get_settings().db
    if "://" not in raw:
        path = Path(raw).expanduser().resolve()
        path.parent.mkdir(parents=True, exist_ok=True)
        return f"sqlite:///{path}"
    if raw.startswith(("postgresql://", "postgres://")):
        return "postgresql+psycopg://" + raw.split("://", 1)[1]
    parsed = sa.engine.make_url(raw)
    if parsed.get_backend_name() == "sqlite" and parsed.database not in (None, "", ":memory:"):
        Path(parsed.database).expanduser().parent.mkdir(parents=True, exist_ok=True)
    return raw
