"""Schema version 2: who made each upload, redo, and the rows an undo took out.

Adds ``uploads.user`` and ``uploads.redo_of`` (NULL for the uploads made
before: not known) and the tables ``undone_incidents`` / ``undone_claims``
that keep what an undo removed, so a redo can apply it again.

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from geo.store.migrations.frozen import ORDERED, claim_columns, incident_columns

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("uploads", sa.Column("user", sa.Text))
    op.add_column("uploads", sa.Column("redo_of", sa.Text))
    op.create_table(
        "undone_incidents",
        sa.Column("incident_id", ORDERED, nullable=False),
        *incident_columns(),
        sa.PrimaryKeyConstraint("upload_id", "incident_id"),
    )
    op.create_table(
        "undone_claims",
        sa.Column("claim_id", sa.Text, nullable=False),
        *claim_columns(),
        sa.PrimaryKeyConstraint("upload_id", "claim_id"),
    )
    op.execute("UPDATE meta SET value = '2' WHERE key = 'schema_version'")


def downgrade() -> None:
    op.drop_table("undone_claims")
    op.drop_table("undone_incidents")
    with op.batch_alter_table("uploads") as batch:
        batch.drop_column("redo_of")
        batch.drop_column("user")
    op.execute("UPDATE meta SET value = '1' WHERE key = 'schema_version'")
