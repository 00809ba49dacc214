"""Cross-border: incidents near the Afghanistan–Pakistan border, origins and accusations."""

import streamlit as st

from geo import layers, summaries
from ui import cache, widgets

view = cache.current_view()
df, claims, filters = view.incidents, view.claims, view.filters
points = cache.country_points()

st.title("Cross-border")
st.caption(f"The Afghanistan–Pakistan border is the thick dark-red line · {filters.describe()}")

c1, c2, c3 = st.columns([2, 1, 1])
km = c1.slider("Distance from the border (km)", 0, 300, 50, step=5, key="xb_km")
show_arcs = c2.toggle("Origin → incident arcs", value=True, key="xb_arcs")
show_accusations = c3.toggle("Accusations", value=True, key="xb_accuse")

near = summaries.near_border(df, km)
sides = summaries.border_sides(df, km, countries=("AFG", "PAK"))
cols = st.columns(3)
cols[0].metric(f"Within {km} km", f"{len(near):,}", help="Incidents this close to the border")
for col, row in zip(cols[1:], sides.itertuples(index=False), strict=True):
    col.metric(
        f"{row.country_code} side",
        f"{row.within_band:,}",
        help=f"{row.incidents:,} incidents on this side at any distance; killed within the band "
        f"{summaries.format_count(row.killed_within)} (known), unknown for {row.killed_unknown_within:,}",
    )

flows = summaries.accusation_flows(claims)
st.pydeck_chart(
    layers.deck(
        [
            *cache.basemap(),
            *layers.incident_layers(df.drop(index=near.index), layer_id="context", muted=True),
            *layers.incident_layers(near, layer_id="incidents"),
            layers.origin_arcs(df, points) if show_arcs else None,
            layers.accusation_arcs(flows, layers.CAPITALS) if show_accusations else None,
        ]
    ),
    height=600,
    key="xb_map",
)
st.caption(
    f"Coloured: incidents within {km} km of the border; grey: the rest. Arcs run from the country "
    "a source names as the origin to the incident (dark → orange); blue → red arcs run from the "
    "accusing government's capital to the accused one's."
)

left, right = st.columns([3, 2])
with left:
    st.subheader(f"Incidents within {km} km, nearest first")
    widgets.incident_table(
        near[
            [
                "border_distance_km",
                "event_date",
                "location",
                "admin1",
                "country_code",
                "event_type",
                "actor1",
                "killed",
                "injured",
                "cross_border",
                "origin_country_code",
                "source",
                "source_ref",
            ]
        ],
        height=400,
        key="xb_near",
    )
with right:
    st.subheader("Accusations")
    st.dataframe(
        flows,
        hide_index=True,
        column_config={
            "claimant_country_code": "Accuser",
            "accused_country_code": "Accused",
            "statements": "Statements",
            "groups": "Groups named",
        },
    )
    st.caption(
        "From the claims ledger (statements in the date range); see the Claims page for sources."
    )
