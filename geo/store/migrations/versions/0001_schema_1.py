"""Schema version 1: incidents with their versions, claims, uploads, geocode cache, meta.

The tables exactly as the store made them before it had migrations (SQLite
stores of that time are stamped with this revision when first opened). The
column lists come from :mod:`geo.store.migrations.frozen`, not from
:mod:`geo.schema`, so this revision stays what it was when the schema moves on.

Revision ID: 0001
Revises:
Create Date: 2026-12-01
"""

from __future__ import annotations

import secrets

import sqlalchemy as sa
from alembic import op

from geo.store.migrations.frozen import COUNTS, ORDERED, claim_columns, incident_columns

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "uploads",
        sa.Column("seq", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("upload_id", sa.Text, nullable=False, unique=True),
        sa.Column("file", sa.Text),
        sa.Column("sha256", sa.Text),
        sa.Column("format", sa.Text),
        sa.Column("created_at", sa.Text, nullable=False),
        *[sa.Column(c, sa.Integer, nullable=False, server_default="0") for c in COUNTS],
        sa.Column("undone_at", sa.Text),
        sa.Column("report", sa.Text),
        sqlite_autoincrement=True,
    )
    op.create_table(
        "geocode_cache",
        sa.Column("key", sa.Text, primary_key=True),
        sa.Column("json", sa.Text, nullable=False),
        sa.Column("created_at", sa.Text, nullable=False),
    )
    meta = op.create_table(
        "meta", sa.Column("key", sa.Text, primary_key=True), sa.Column("value", sa.Text)
    )
    op.create_table(
        "incidents", sa.Column("incident_id", ORDERED, primary_key=True), *incident_columns()
    )
    op.create_index("ix_incidents_upload", "incidents", ["upload_id"])
    op.create_table(
        "incident_versions",
        sa.Column("version_id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("incident_id", ORDERED, nullable=False),
        *incident_columns(),
        sa.Column("superseded_by", sa.Text, sa.ForeignKey("uploads.upload_id"), nullable=False),
        sa.Column("superseded_at", sa.Text, nullable=False),
    )
    op.create_index("ix_versions_upload", "incident_versions", ["upload_id"])
    op.create_index("ix_versions_incident", "incident_versions", ["incident_id"])
    op.create_index("ix_versions_superseded_by", "incident_versions", ["superseded_by"])
    op.create_table("claims", sa.Column("claim_id", sa.Text, primary_key=True), *claim_columns())
    op.bulk_insert(
        meta,
        [
            {"key": "schema_version", "value": "1"},
            {"key": "store_id", "value": secrets.token_hex(8)},
            {"key": "revision", "value": "0"},
        ],
    )


def downgrade() -> None:
    for table in ("claims", "incident_versions", "incidents", "meta", "geocode_cache", "uploads"):
        op.drop_table(table)
