"""Incident Atlas: the library behind the dashboard, the CLI and the exports.

``geo`` never imports streamlit. Submodules load on first use, so a command
such as ``python -m geo locate`` does not pay for the plotting stack.

>>> import geo
>>> geo.INCIDENT_COLUMNS[:2]
['incident_id', 'event_date']
"""

from __future__ import annotations

import importlib
from typing import Any

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
    "Filters": ("geo.filters", "Filters"),
    "apply_filters": ("geo.query", "apply"),
    "Gazetteer": ("geo.gazetteer", "Gazetteer"),
    "Store": ("geo.store", "Store"),
    "View": ("geo.view", "View"),
    "ingest_bytes": ("geo.ingest", "ingest_bytes"),
    "ingest_path": ("geo.ingest", "ingest_path"),
    "locate": ("geo.boundaries", "locate"),
}


def __getattr__(name: str) -> Any:
    try:
        module, attr = _LAZY[name]
    except KeyError:
        raise AttributeError(f"module 'geo' has no attribute {name!r}") from None
    return getattr(importlib.import_module(module), attr)
