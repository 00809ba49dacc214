"""The store's schema migrations (Alembic): ``env.py``, ``versions/``, and
:mod:`geo.migrations.frozen`, the column lists the early revisions share.
:mod:`geo.migrate` runs them."""
