"""Incident Atlas: the library behind the dashboard, the CLI and the exports.

``geo`` never imports streamlit. Submodules load on first use, so a command
such as ``python -m geo locate`` does not pay for the plotting stack.

>>> import geo
>>> geo.INCIDENT_COLUMNS[:2]
['incident_id', 'event_date']
"""

from __future__ import annotations

from geo._lazy import lazy_attributes
from geo.report import FileRefused, IngestReport, Issue
from geo.schema import CLAIM_COLUMNS, INCIDENT_COLUMNS, normalise_dtypes

__all__ = [
    "CLAIM_COLUMNS",
    "INCIDENT_COLUMNS",
    "FileRefused",
    "Filters",
    "Gazetteer",
    "IngestReport",
    "Issue",
    "Store",
    "View",
    "apply_filters",
    "ingest_bytes",
    "ingest_path",
    "locate",
    "normalise_dtypes",
]

_LAZY = {
    "Filters": ("geo.views.filters", "Filters"),
    "apply_filters": ("geo.views.query", "apply"),
    "Gazetteer": ("geo.places.gazetteer", "Gazetteer"),
    "Store": ("geo.store.core", "Store"),
    "View": ("geo.views.view", "View"),
    "ingest_bytes": ("geo.ingest.pipeline", "ingest_bytes"),
    "ingest_path": ("geo.ingest.pipeline", "ingest_path"),
    "locate": ("geo.places.boundaries", "locate"),
}


__getattr__ = lazy_attributes(__name__, _LAZY)
