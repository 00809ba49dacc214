"""Alembic's environment for the store's migrations (see :mod:`geo.store.migrate`).

The store hands Alembic its own connection, already inside the store's write
transaction (``BEGIN IMMEDIATE`` on SQLite, the writer lock on PostgreSQL), so
the migrations run in that one transaction: all of them or none. Run by hand,
``alembic -x url=URL upgrade head`` (with ``script_location = geo.store:migrations``)
opens a connection of its own.
"""

from __future__ import annotations

from alembic import context

from geo.store.storage import METADATA

config = context.config


def _run(connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=METADATA,
        transaction_per_migration=False,
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


connection = config.attributes.get("connection")
if connection is not None:
    _run(connection)
else:  # run from the alembic command line: alembic -x url=URL ...
    import sqlalchemy as sa

    url = context.get_x_argument(as_dictionary=True).get("url")
    if not url:
        raise SystemExit("give the store's SQLAlchemy URL: alembic -x url=URL ...")
    with sa.create_engine(url).begin() as conn:
        _run(conn)
