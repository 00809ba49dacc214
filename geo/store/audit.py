"""The audit log: who made each upload, commit, undo and redo, and when.

Rows are written by the store's write functions inside the write's own
transaction (:func:`record`), so a write and its audit line land together or
not at all. ``python -m geo audit`` prints the log.
"""

from __future__ import annotations

import pandas as pd
from sqlalchemy.engine import Connection

from geo.store.auth import User
from geo.store.storage import utc_now
from geo.store.transactions import run

__all__ = ["AUDIT_COLUMNS", "entries", "record", "upload_owner"]

#: The columns of :func:`entries`, in order.
AUDIT_COLUMNS = ["seq", "at", "user_name", "role", "action", "upload_id", "detail"]


def record(
    conn: Connection, user: User, action: str, upload_id: str | None, detail: str = ""
) -> None:
    """Add one line to the audit log, in the caller's transaction."""
    run(
        conn,
        "INSERT INTO audit_log (at, user_name, role, action, upload_id, detail) "
        "VALUES (:at, :u, :r, :a, :up, :d)",
        at=utc_now(),
        u=user.name,
        r=user.role.value,
        a=action,
        up=upload_id,
        d=detail,
    )


def upload_owner(conn: Connection, upload_id: str) -> str | None:
    """Who made ``upload_id`` (``uploads.user``), None when unknown or no such upload."""
    return run(conn, 'SELECT "user" FROM uploads WHERE upload_id = :u', u=upload_id).scalar()


def entries(conn: Connection) -> pd.DataFrame:
    """The whole audit log, oldest first (:data:`AUDIT_COLUMNS`)."""
    cols = ", ".join(AUDIT_COLUMNS)
    rows = run(conn, f"SELECT {cols} FROM audit_log ORDER BY seq").fetchall()
    return pd.DataFrame([tuple(r) for r in rows], columns=AUDIT_COLUMNS)
