"""Export: the current view as a map snapshot, an offline map, a slide or data files."""

import json
from datetime import UTC, datetime

import streamlit as st

from geo import briefing, export
from geo.viewfacts import DEFAULT_TITLE
from ui import cache, state

filters = state.current_filters()
df = cache.filtered_incidents()
version = cache.store_version()
view_key = json.dumps(filters.to_query_params(), sort_keys=True)
stem = f"atlas_{datetime.now(UTC):%Y-%m-%d}_{filters.short_slug()}"


@st.cache_data(show_spinner="Drawing the map…", max_entries=24, ttl=900)
def _render(
    version: str, view: str, fmt: str, title: str, caveat: str, shade: str, _df, _filters
) -> bytes:
    """One export, cached per store version, filters, format and options (df/filters unhashed)."""
    return briefing.render_view(
        _df, _filters, fmt, title=title or None, caveat=caveat or None, choropleth=shade or None
    )


st.title("Export")
st.caption(
    f"{len(df):,} incidents · filters: {filters.describe()}. Every file states its title, "
    "filters, date range, data cut-off, sources and when it was made."
)

c1, c2, c3 = st.columns([3, 3, 1.4])
title = c1.text_input("Title", key="export_title", placeholder=DEFAULT_TITLE, max_chars=120)
caveat = c2.text_input(
    "Caveat or handling line",
    key="export_caveat",
    placeholder="e.g. For briefing use only",
    max_chars=160,
)
shade = c3.selectbox(
    "Shade provinces",
    ["", "incidents", "killed"],
    key="export_shade",
    format_func={"": "no shading", "incidents": "by incidents", "killed": "by killed"}.get,
)


def _deferred(fmt: str):
    """A download callback: renders only when the button is clicked."""
    return lambda: _render(version, view_key, fmt, title, caveat, shade, df, filters)


preview = _render(version, view_key, "png", title, caveat, shade, df, filters)
st.image(preview, width="stretch", caption="Preview of the slide snapshot (1920×1080 PNG)")
if df.empty:
    st.info("No incidents match these filters: the exports say so rather than show an empty map.")

st.subheader("Map and briefing files")
maps = st.columns(5)
map_formats = [
    ("PNG slide", "png", "1920×1080 image for slides"),
    ("PDF (A4)", "pdf", "one A4 landscape page, vector, selectable text"),
    ("SVG", "svg", "vector image with text kept as text"),
    ("HTML map", "html", "interactive map in one file; works offline"),
    ("PowerPoint", "pptx", "one 16:9 slide: map, top provinces, sources in the notes"),
]
for col, (label, fmt, note) in zip(maps, map_formats, strict=True):
    col.download_button(
        label,
        data=preview if fmt == "png" else _deferred(fmt),
        file_name=f"{stem}.{fmt}",
        mime=briefing.MEDIA_TYPES[fmt],
        help=note,
        key=f"dl_{fmt}",
        on_click="ignore",
        width="stretch",
    )

st.subheader("Data files")
data_cols = st.columns(3)
data_formats = [
    ("CSV", "csv", "text/csv", export.to_csv_bytes, "formula-safe, canonical columns"),
    ("GeoJSON", "geojson", "application/geo+json", export.to_geojson_bytes, "RFC 7946 points"),
    ("GeoPackage", "gpkg", "application/geopackage+sqlite3", export.to_gpkg_bytes, "for GIS"),
]
for col, (label, ext, mime, writer, note) in zip(data_cols, data_formats, strict=True):
    col.download_button(
        label,
        data=lambda writer=writer: writer(df),
        file_name=f"{stem}.{ext}",
        mime=mime,
        help=note,
        key=f"dl_{ext}",
        on_click="ignore",
        width="stretch",
    )
st.caption(
    "Unknown casualty counts stay empty in the data files, never 0. Boundaries: Natural Earth "
    "(public domain); places: GeoNames (CC BY 4.0)."
)
