"""Overview: headline figures, a small map and the latest incidents."""

import streamlit as st

from geo.views import layers
from geo.views.legend import LEGEND_COLUMNS, map_legend
from geo.views.mapview import MapView
from ui import cache, mapctl, state, tables, widgets

SMALL_MAP = MapView(latitude=33.0, longitude=69.0, zoom=4.4)  # the small map's view
SMALL_SIZE = (440, 420)  # its width and height (px), about

view = cache.current_view()
filters = view.filters

st.title("Incident Atlas")
st.caption(f"Militant incidents on the Afghanistan–Pakistan frontier · {filters.describe()}")
if not view.facts.incidents:
    state.no_match_notice(filters)

widgets.headline_metrics(cache.figure(view, "headline"))

left, right = st.columns(2)  # the table's four columns whole at 1280 px
with left:
    st.subheader("Where")
    st.pydeck_chart(
        layers.deck(
            [
                *cache.basemap(labels=False),
                *layers.incident_layers(view.rows),  # only the columns drawn
                *layers.scale_bar_layers(SMALL_MAP, SMALL_SIZE),
            ],
            view=SMALL_MAP,
            zoom_buttons=True,
        ),
        height=SMALL_SIZE[1],
        key="overview_map",
    )
    widgets.legend(map_legend(view.table(LEGEND_COLUMNS)), show_size=False)
    mapctl.marks_legend()
with right:
    st.subheader("By province")
    by_province = cache.figure(view, "breakdown", "province", 12)
    st.dataframe(
        by_province[["name", "incidents", "killed", "killed_unknown"]],
        hide_index=True,
        height=tables.fitted_height(len(by_province), max_rows=12),
        placeholder="unknown",
        column_config={
            "name": st.column_config.TextColumn(
                "Province", width=tables.text_px(by_province["name"])
            ),
            "incidents": st.column_config.NumberColumn("Incidents", width=76),
            "killed": st.column_config.NumberColumn("Killed", help="Sum of known tolls", width=64),
            "killed_unknown": st.column_config.NumberColumn(
                "Toll unknown", help="Incidents with unknown killed", width=100
            ),
        },
    )

st.subheader("Latest incidents")
widgets.incident_table(cache.figure(view, "latest", 25), key="latest")
st.caption(
    "“unknown” means the source gives no number: it is never counted as zero. "
    "Precision 3–4 means the place is known only to the province or country."
)
