"""What the store's read methods run inside their transaction, one function per table.

Each takes an open connection (the :class:`~geo.store.core.Store` supplies it, with
its retries) and returns a frame typed the way the store promises: incidents as
:func:`geo.schema.normalise_dtypes` types them, claims and uploads as text and counts.
"""

from __future__ import annotations

import json
from typing import Any

import pandas as pd
from sqlalchemy.engine import Connection

from geo.schema import CLAIM_COLUMNS, INCIDENT_COLUMNS
from geo.store.backends import Backend
from geo.store.storage import COUNT_COLUMNS, UPLOAD_COLUMNS, frame_from_columns, frame_from_rows
from geo.store.storefilter import StoreFilter
from geo.store.transactions import fetch, meta_get, run

__all__ = ["claims", "incidents", "revision_token", "upload_report", "uploads", "versions"]

_VERSION_EXTRA = ["row_hash", "superseded_by", "superseded_at"]


def _columns(names: list[str]) -> str:
    return ", ".join(f'"{c}"' for c in names)


def incidents(conn: Connection, backend: Backend, where: StoreFilter | None) -> pd.DataFrame:
    """The current incidents *where* keeps, sorted by ``incident_id``; the back end's
    columnar read when it has one, else rows through the driver."""
    columns = backend.read_columns(conn, where)
    if columns is not None:
        return frame_from_columns(columns)
    clause, params = (where or StoreFilter()).sql(backend.mark, geometry=False)
    sql = f"SELECT {_columns(INCIDENT_COLUMNS)} FROM incidents {clause} ORDER BY incident_id"
    return frame_from_rows(fetch(conn, sql, params), INCIDENT_COLUMNS)


def versions(conn: Connection) -> pd.DataFrame:
    """Every superseded version, ``version_id`` first, then the canonical columns and
    ``row_hash``, ``superseded_by``, ``superseded_at``."""
    cols = _columns(["version_id", *INCIDENT_COLUMNS, *_VERSION_EXTRA])
    sql = f"SELECT {cols} FROM incident_versions ORDER BY version_id"
    rows = [tuple(r) for r in conn.exec_driver_sql(sql).fetchall()]
    frame = frame_from_rows([r[1:-3] for r in rows], INCIDENT_COLUMNS)
    frame.insert(0, "version_id", pd.array([r[0] for r in rows], dtype="Int64"))
    for i, col in enumerate(_VERSION_EXTRA):
        frame[col] = pd.Series([r[-3 + i] for r in rows], dtype=object)
    return frame


def claims(conn: Connection) -> pd.DataFrame:
    """The claims ledger, :data:`geo.schema.CLAIM_COLUMNS` as text (None for empty)."""
    sql = f"SELECT {_columns(CLAIM_COLUMNS)} FROM claims ORDER BY claim_id"
    rows = conn.exec_driver_sql(sql).fetchall()
    return pd.DataFrame(
        {col: pd.Series([r[i] for r in rows], dtype=object) for i, col in enumerate(CLAIM_COLUMNS)}
    )


def uploads(conn: Connection) -> pd.DataFrame:
    """The upload history, oldest first: counts as int64, everything else as text."""
    sql = f"SELECT {_columns(UPLOAD_COLUMNS)} FROM uploads ORDER BY seq"
    rows = conn.exec_driver_sql(sql).fetchall()
    data = {}
    for i, col in enumerate(UPLOAD_COLUMNS):
        dtype = "int64" if col in COUNT_COLUMNS else object
        data[col] = pd.Series([r[i] for r in rows], dtype=dtype)
    return pd.DataFrame(data)


def upload_report(conn: Connection, upload_id: str) -> dict[str, Any] | None:
    """The JSON report kept with an upload, or None (no such upload, or none kept)."""
    text = run(conn, "SELECT report FROM uploads WHERE upload_id = :u", u=upload_id).scalar()
    return json.loads(text) if text else None


def revision_token(conn: Connection) -> str:
    """``store_id-revision``: changes with every commit and undo."""
    return f"{meta_get(conn, 'store_id')}-{meta_get(conn, 'revision')}"
