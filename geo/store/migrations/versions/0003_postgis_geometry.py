"""Schema version 3: on PostgreSQL, each incident's point as PostGIS geometry.

``incidents.geom`` is ``geometry(Point, 4326)`` generated from longitude and
latitude by the database itself (so it is equal to them by construction, and
NULL when either is unknown), with a GiST index for bounding-box filters.
PostGIS must be installed on the server; the database owner or a superuser
adds it to the database (``CREATE EXTENSION postgis``) unless the store's own
role may. SQLite stores only record the new version.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def _ensure_postgis(bind: sa.engine.Connection) -> None:
    if bind.exec_driver_sql("SELECT 1 FROM pg_extension WHERE extname = 'postgis'").scalar():
        return
    available = bind.exec_driver_sql(
        "SELECT 1 FROM pg_available_extensions WHERE name = 'postgis'"
    ).scalar()
    if not available:
        raise RuntimeError(
            "PostGIS is not installed on this PostgreSQL server; install it "
            "(Debian: apt-get install postgresql-15-postgis-3) and open the store again"
        )
    try:
        bind.exec_driver_sql("CREATE EXTENSION postgis")
    except sa.exc.DBAPIError as exc:
        raise RuntimeError(
            "this database has no PostGIS and the store's role may not add it: ask the "
            "database owner to run CREATE EXTENSION postgis in it, then open the store again"
        ) from exc


def upgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name == "postgresql":
        _ensure_postgis(bind)
        op.execute(
            "ALTER TABLE incidents ADD COLUMN geom geometry(Point, 4326) "
            "GENERATED ALWAYS AS (ST_SetSRID(ST_MakePoint(longitude, latitude), 4326)) STORED"
        )
        op.execute("CREATE INDEX ix_incidents_geom ON incidents USING gist (geom)")
    op.execute("UPDATE meta SET value = '3' WHERE key = 'schema_version'")


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP INDEX ix_incidents_geom")
        op.execute("ALTER TABLE incidents DROP COLUMN geom")
    op.execute("UPDATE meta SET value = '2' WHERE key = 'schema_version'")
