"""Alembic revisions of the store, one file each, applied in order by geo.store.migrate."""
