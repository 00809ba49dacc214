"""Schema version 4: an incident's time of day and the range of the injured.

Adds ``event_time`` (``HH:MM`` as the file gives it; it also tells two strikes
on one day apart), ``injured_low`` and ``injured_high`` (where a source gives
the injured as a range, as hand-made sheets do with Min/Max columns) to
``incidents``, ``incident_versions`` and ``undone_incidents``. Rows stored
before hold NULL in them: not known, never 0.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from geo.store.migrations.frozen import COUNT

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

_TABLES = ("incidents", "incident_versions", "undone_incidents")
_COLUMNS = (("event_time", sa.Text), ("injured_low", COUNT), ("injured_high", COUNT))


def upgrade() -> None:
    for table in _TABLES:
        for name, typ in _COLUMNS:
            op.add_column(table, sa.Column(name, typ))
    op.execute("UPDATE meta SET value = '4' WHERE key = 'schema_version'")


def downgrade() -> None:
    for table in _TABLES:
        with op.batch_alter_table(table) as batch:
            for name, _ in reversed(_COLUMNS):
                batch.drop_column(name)
    op.execute("UPDATE meta SET value = '3' WHERE key = 'schema_version'")
