"""Schema version 6: local accounts and the audit log.

``users``: ``name`` (the key), ``role`` (viewer / analyst / admin), ``password_hash``
(argon2id, never the password), ``created_at``.
``audit_log``: ``seq``, ``at`` (UTC ISO 8601), ``user_name``, ``role``, ``action``
(upload / undo / redo / user add / user remove), ``upload_id`` and ``detail``: who
did each write, and when. Written in the same transaction as the write itself.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "users",
        sa.Column("name", sa.Text, primary_key=True),
        sa.Column("role", sa.Text, nullable=False),
        sa.Column("password_hash", sa.Text, nullable=False),
        sa.Column("created_at", sa.Text, nullable=False),
    )
    op.create_table(
        "audit_log",
        sa.Column("seq", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("at", sa.Text, nullable=False),
        sa.Column("user_name", sa.Text, nullable=False),
        sa.Column("role", sa.Text, nullable=False),
        sa.Column("action", sa.Text, nullable=False),
        sa.Column("upload_id", sa.Text),
        sa.Column("detail", sa.Text),
        sqlite_autoincrement=True,
    )
    op.execute("UPDATE meta SET value = '5' WHERE key = 'schema_version'")


def downgrade() -> None:
    op.drop_table("audit_log")
    op.drop_table("users")
    op.execute("UPDATE meta SET value = '4' WHERE key = 'schema_version'")
