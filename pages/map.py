"""Map: incidents, choropleth, density and place names over the offline basemap; click for the record."""

import streamlit as st

from geo.views import layers
from geo.views.legend import map_legend
from ui import cache, mapctl, maplayers, presence, state, widgets


@mapctl.fragment("map")  # first: it checks that the page runs in the frame
def _map() -> None:
    summary = st.empty()  # above the slider, written once the slider has moved
    mapctl.time_window("map", cache.current_view(windowed=False))
    view = cache.current_view()
    df = view.table(mapctl.MAP_COLUMNS)  # a million rows: only the columns read here
    summary.caption(f"{len(df):,} incidents · {view.filters.describe()}")
    if df.empty:
        state.no_match_notice(view.filters)
    where = mapctl.navigation("map", df)
    mapctl.off_map("map", df, where)
    drawn = maplayers.build(view, chosen)
    event = st.pydeck_chart(
        layers.deck(
            [*cache.basemap(labels=False), *drawn, *layers.scale_bar_layers(where)],
            view=where,
            zoom_buttons=True,
        ),
        height=620,
        key="main_map",
        on_select="rerun",
        selection_mode="single-object",
    )
    maplayers.notes(view, chosen, drawn)
    widgets.legend(map_legend(df, presence.drawn_states(drawn)))
    mapctl.marks_legend()

    st.subheader("Selected incident")
    picked = widgets.selected_ids(event)
    ids = layers.same_place(view.incidents, picked) if picked else []
    if not ids:
        st.caption(
            "Click an incident (a dot, ring or faint circle) to see its full record and source."
        )
    elif len(ids) > 1:
        st.caption(f"{len(ids):,} incidents at this point, oldest first.")
    for incident_id in ids[:10]:
        widgets.incident_card(view.incidents, incident_id)
    if len(ids) > 10:
        st.caption(f"… and {len(ids) - 10} more incidents here.")


st.title("Map")
chosen = maplayers.toggles()
_map()
