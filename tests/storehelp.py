"""Helpers for tests that run on both back ends: read a store's tables row for row.

Plain SQLAlchemy on the store's own engine, so the same comparison works on
SQLite and on PostgreSQL (where ``incidents`` also holds the PostGIS ``geom``,
which an exact undo must restore like any other column).
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from geo.store.core import Store

#: The tables an upload or an undo changes, each with its order.
ORDERS = {
    "incidents": "incident_id",
    "incident_versions": "version_id",
    "claims": "claim_id",
}


def dump(store: Store, orders: dict[str, str] = ORDERS) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of the given tables, in their order, as plain tuples."""
    with store.engine.connect() as conn:
        return {
            table: [
                tuple(r) for r in conn.execute(sa.text(f"SELECT * FROM {table} ORDER BY {order}"))
            ]
            for table, order in orders.items()
        }


def every_table(store: Store) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table of the store, sorted (for before/after comparisons);
    PostGIS's own ``spatial_ref_sys`` is left out."""
    with store.engine.connect() as conn:
        names = sorted(set(sa.inspect(conn).get_table_names()) - {"spatial_ref_sys"})
        out = {}
        for table in names:
            rows = [tuple(r) for r in conn.execute(sa.text(f'SELECT * FROM "{table}"'))]
            out[table] = sorted(rows, key=repr)
        return out


def execute(store: Store, sql: str, **params: Any) -> None:
    """One statement with ``:name`` parameters, committed."""
    with store.engine.begin() as conn:
        conn.execute(sa.text(sql), params)
