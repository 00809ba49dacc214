"""The Data page's preview of an upload: the rows that will be stored, where they fall, how placed.

Shown before commit so the analyst sees what goes in, not only what is wrong:
the first rows as they will be stored, a small map of them (coarse places as
faint circles, as on the Map page) and how many rows the gazetteer placed, by
precision.
"""

from __future__ import annotations

from typing import Any

import pandas as pd
import streamlit as st

from geo.schema import GEO_PRECISION_LABELS
from geo.views import layers
from ui import cache, tables

__all__ = ["draw"]

_SHOWN = [
    "_line", "incident_id", "event_date", "event_type", "location", "admin1", "country_code",
    "latitude", "longitude", "geo_precision", "killed", "injured", "qa_flags",
]  # fmt: skip
_ROWS = 20


def _placed(frame: pd.DataFrame) -> str:
    """How the rows are placed, by precision: '12 exact, 3 to a province …'."""
    levels = pd.to_numeric(frame.get("geo_precision"), errors="coerce")
    parts = [
        f"{int(n):,} {GEO_PRECISION_LABELS.get(int(level), str(level))}"
        for level, n in levels.value_counts().sort_index().items()
    ]
    unplaced = int(levels.isna().sum())
    if unplaced:
        parts.append(f"{unplaced:,} with no place on the map")
    return "; ".join(parts) or "no rows"


def draw(prepared: Any) -> None:
    """The preview of ``prepared`` (a :class:`geo.ingest.pipeline.Prepared`)."""
    frame = prepared.frame
    if frame.empty:
        return
    st.subheader("What will be stored")
    geocoded = prepared.report.geocoded
    st.caption(
        f"{len(frame):,} good rows (any already stored unchanged are skipped at commit); "
        f"placed: {_placed(frame)}."
        + (f" {geocoded:,} of them placed from their names by the gazetteer." if geocoded else "")
    )
    shown = frame[[c for c in _SHOWN if c in frame.columns]].head(_ROWS).copy()
    if "event_date" in shown:  # a day, not a midnight timestamp
        shown["event_date"] = pd.to_datetime(shown["event_date"]).dt.strftime("%Y-%m-%d")
    st.dataframe(
        tables.for_display(shown.rename(columns={"_line": "line"})),
        hide_index=True,
        height=tables.fitted_height(len(shown)),
        placeholder="—",
        key="upload_preview_rows",
    )
    if len(frame) > _ROWS:
        st.caption(f"The first {_ROWS} of {len(frame):,} rows.")
    if frame["latitude"].notna().any():
        st.pydeck_chart(
            layers.deck([*cache.basemap(labels=False), *layers.incident_layers(frame)]),
            height=320,
            key="upload_preview_map",
        )
