"""Cross-border: incidents near the Afghanistan–Pakistan border, where they are said to come
from, and which governments accuse which."""

import streamlit as st

from geo.views import layers, summaries
from ui import cache, flows, mapctl, state, tables, widgets

SIZE = (640, 600)  # the map's width and height (px) beside the accusations, about


@mapctl.fragment("xb")  # first: it checks that the page runs in the frame
def _cross_border() -> None:
    summary = st.empty()  # above the slider, written once the slider has moved
    mapctl.time_window("xb", cache.current_view(windowed=False))
    view = cache.current_view()
    filters, rows = view.filters, view.rows  # each use below reads only the columns it needs
    summary.caption(
        f"The Afghanistan–Pakistan border is the thick dark-red line · {filters.describe()}"
    )
    if not view.facts.incidents:
        state.no_match_notice(filters)
    band = summaries.within_km(rows, km)
    near = summaries.near_border(rows, km, within=band)  # rows, not a figure: not cached
    sides = cache.figure(view, "border_sides", km, ("AFG", "PAK"))
    widgets.metric_rows(
        [
            (f"Within {km} km", f"{len(near):,}", "Incidents this close to the border"),
            *(
                (
                    f"{tables.territory_name(row.country_code)} side",
                    f"{row.within_band:,}",
                    f"{row.incidents:,} incidents on this side at any distance; killed within "
                    f"the band {summaries.format_count(row.killed_within)} (known), unknown for "
                    f"{row.killed_unknown_within:,}",
                )
                for row in sides.itertuples(index=False)
            ),
        ]
    )
    placed = view.table(mapctl.MAP_COLUMNS)
    where = mapctl.navigation("xb", placed, SIZE)
    mapctl.off_map("xb", placed, where, SIZE)
    bnd = cache.boundaries()
    arcs = (
        layers.origin_arcs(
            rows, cache.country_points(), crossings=cache.crossings(), countries=bnd.adm0
        )
        if show_arcs
        else None
    )
    left, right = st.columns([3, 1.15])
    with left:
        st.pydeck_chart(
            layers.deck(
                [
                    *cache.basemap(labels=False),
                    *cache.place_names(),
                    *layers.incident_layers(
                        rows.narrow(~band),
                        layer_id="context",
                        muted=True,
                    ),
                    *layers.incident_layers(near, layer_id="incidents"),
                    arcs,
                    *layers.scale_bar_layers(where, SIZE),
                ],
                view=where,
                zoom_buttons=True,
            ),
            height=SIZE[1],
            key="xb_map",
        )
    with right:
        flows.accusations(summaries.accusation_flows(view.claims))
    st.caption(
        f"Coloured: incidents within {km} km of the border; grey: the rest. An arc ends (orange) "
        "at a cross-border incident and starts where its origin would have been crossed:"
    )
    mapctl.marks_legend(arcs)

    st.subheader(f"Incidents within {km} km, nearest first")
    widgets.incident_table(
        near[
            [
                "border_distance_km", "event_date", "location", "admin1", "country_code",
                "event_type", "actor1", "killed", "injured", "cross_border",
                "origin_country_code", "source", "source_ref",
            ]
        ],
        height=400,
        key="xb_near",
    )  # fmt: skip


st.title("Cross-border")
c1, c2 = st.columns([2, 1], vertical_alignment="bottom")
km = c1.slider("Distance from the border (km)", 0, 300, 50, step=5, key="xb_km")
show_arcs = c2.toggle(
    "Origin arcs",
    value=True,
    key="xb_arcs",
    help="From where the source says a cross-border incident came, to the incident.",
)
_cross_border()
