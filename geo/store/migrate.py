"""The store's tables, created and upgraded by versioned Alembic migrations.

The revisions live in ``geo/store/migrations/versions`` (shipped inside the
package). :func:`current_revision` is what :class:`geo.store.core.Store` asks on
first use: one catalogue look-up and one row, so opening an up-to-date store
never loads Alembic. Only when the store is behind does :func:`upgrade` run
Alembic, inside the store's write transaction (so two processes opening a new
store at once migrate it once, and a failed migration leaves it untouched).

Stores made before the migrations existed have no ``alembic_version`` table.
They are recognised by ``meta.schema_version`` and stamped with the revision
that built the same tables, then upgraded like any other:

============  ==========  ============================================================
revision      schema      what it made
============  ==========  ============================================================
``0001``      1           incidents, versions, claims, uploads, geocode cache, meta
``0002``      2           ``uploads.user`` / ``redo_of``, ``undone_incidents`` / ``_claims``
``0003``      3           PostgreSQL: ``incidents.geom`` (PostGIS point) and its GiST index
``0004``      4           ``event_time``, ``injured_low``, ``injured_high`` on the incident tables
``0005``      5           ``users`` (local accounts, argon2 hashes) and ``audit_log``
============  ==========  ============================================================
"""

from __future__ import annotations

from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.engine import Connection

__all__ = ["HEAD", "MIGRATIONS", "REVISIONS", "NewerStore", "current_revision", "upgrade"]

#: The revisions in order (a test checks them against the scripts' own chain).
REVISIONS: list[str] = ["0001", "0002", "0003", "0004", "0005"]
HEAD = REVISIONS[-1]
MIGRATIONS: Path = Path(__file__).resolve().parent / "migrations"

#: ``meta.schema_version`` of a store made before the migrations -> its revision.
_LEGACY = {"1": "0001", "2": "0002"}


class NewerStore(RuntimeError):
    """The store was made or upgraded by newer code than this one; nothing was changed."""


def current_revision(conn: Connection) -> str | None:
    """The store's Alembic revision, or None when it has none (new or made before them)."""
    if not sa.inspect(conn).has_table("alembic_version"):
        return None
    return conn.exec_driver_sql("SELECT version_num FROM alembic_version").scalar()


def upgrade(conn: Connection) -> list[str]:
    """Bring the store on ``conn`` to :data:`HEAD`, inside the caller's write transaction.

    Returns
    -------
    list of str
        The revisions applied (empty when the store was up to date).

    Raises
    ------
    NewerStore
        The store carries a revision (or schema version) this code does not know.
    """
    found = current_revision(conn)
    if found == HEAD:
        return []
    stamp = None
    if found is None:
        found = stamp = _legacy_revision(conn)
    if found is not None and found not in REVISIONS:
        raise NewerStore(
            f"the store is at migration {found}, newer than this code ({HEAD}); "
            "update Incident Atlas to open it"
        )
    from alembic import command
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["connection"] = conn
    if stamp is not None:
        command.stamp(config, stamp)
    command.upgrade(config, HEAD)
    start = 0 if found is None else REVISIONS.index(found) + 1
    return REVISIONS[start:]


def _legacy_revision(conn: Connection) -> str | None:
    """The revision whose tables a store without ``alembic_version`` has (None: empty)."""
    inspector = sa.inspect(conn)
    if not inspector.has_table("uploads"):
        return None
    version = None
    if inspector.has_table("meta"):
        version = conn.exec_driver_sql(
            "SELECT value FROM meta WHERE key = 'schema_version'"
        ).scalar()
    if version in _LEGACY:
        return _LEGACY[version]
    if version is None:
        raise NewerStore(
            "the database holds an 'uploads' table but no Incident Atlas schema version; "
            "it is not a store this code made, so nothing was changed"
        )
    raise NewerStore(
        f"the store has schema version {version}, newer than this code knows; "
        "update Incident Atlas to open it"
    )
