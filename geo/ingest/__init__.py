"""The ingest pipeline: bytes of a CSV or workbook in, checked rows and a report out.

Owns decoding and reading (``decoding``, ``reader``, ``arrowcsv``, ``workbook``,
``xlsxcheck``), recognising a provider's layout (``layouts``, ``providers``,
``formats``), checking and parsing values (``validate``, ``parsing``, ``dates``,
``casualties``, ``checks``, ``identity``), the whole run (``pipeline``) and the
curated seed (``seed``).

May import: the base modules of :mod:`geo` (``config``, ``report``, ``schema``,
``textops``), :mod:`geo.places` and :mod:`geo.store`. Never :mod:`geo.views`.

>>> import geo.ingest
>>> callable(geo.ingest.ingest_path)
True
"""

from __future__ import annotations

from geo._lazy import lazy_attributes

__all__ = ["ingest_bytes", "ingest_path", "open_store", "seed_store"]

__getattr__ = lazy_attributes(
    __name__,
    {
        "ingest_bytes": ("geo.ingest.pipeline", "ingest_bytes"),
        "ingest_path": ("geo.ingest.pipeline", "ingest_path"),
        "open_store": ("geo.ingest.seed", "open_store"),
        "seed_store": ("geo.ingest.seed", "seed_store"),
    },
)
