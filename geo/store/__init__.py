"""The store: every incident, claim, upload and version, in SQLite or PostgreSQL.

Owns the :class:`~geo.store.core.Store` (``core``), its reads (``reads``) and
retried transactions (``retry``), its tables and columns (``storage``), row
hashes (``rowhash``), the bulk write of large uploads (``bulk``), one
transaction per upload and exact undo (``transactions``, ``history``), the two
back ends (``backends``, ``backend_sqlite``, ``backend_pg``), filters pushed
into SQL (``storefilter``), the geocode cache (``geocache``) and the schema
migrations (``migrate``, ``migrations/``).

May import: the base modules of :mod:`geo` only (``config``, ``report``,
``schema``, ``textops``). Never the ingest, the places or the views: seeding
runs the ingest, so it lives in :mod:`geo.ingest.seed`.

>>> import geo.store
>>> geo.store.Store.__name__
'Store'
"""

from __future__ import annotations

from geo._lazy import lazy_attributes

__all__ = ["Store", "StoreBusy", "StoreFilter", "StoreUnavailable"]

__getattr__ = lazy_attributes(
    __name__,
    {
        "Store": ("geo.store.core", "Store"),
        "StoreBusy": ("geo.store.core", "StoreBusy"),
        "StoreUnavailable": ("geo.store.core", "StoreUnavailable"),
        "StoreFilter": ("geo.store.storefilter", "StoreFilter"),
    },
)
