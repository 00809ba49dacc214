"""The store's schema migrations (Alembic): ``env.py``, ``versions/``, and
:mod:`geo.store.migrations.frozen`, the column lists the early revisions share.
:mod:`geo.store.migrate` runs them."""
