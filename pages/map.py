"""Map: incidents, province choropleth and density over the offline basemap; click for the record."""

import streamlit as st

from geo import layers, summaries
from ui import cache, widgets

view = cache.current_view()
df, filters = view.incidents, view.filters
bnd = cache.boundaries()

st.title("Map")
st.caption(f"{len(df):,} incidents · {filters.describe()}")

c1, c2, c3, c4 = st.columns([1, 1, 1.4, 1])
show_incidents = c1.toggle("Incidents", value=True, key="map_incidents")
show_choropleth = c2.toggle("Province choropleth", value=False, key="map_choropleth")
metric = c3.radio(
    "Shade provinces by",
    ["incidents", "killed"],
    horizontal=True,
    key="map_metric",
    format_func={"incidents": "incidents", "killed": "killed (known)"}.get,
    disabled=not show_choropleth,
)
show_density = c4.toggle("Density (hexagons)", value=False, key="map_density")

incident_layers = layers.incident_layers(df) if show_incidents else []
by_province = summaries.breakdown(df, "province")
chosen = [
    *cache.basemap(),
    layers.choropleth_layer(bnd.adm1, by_province, metric) if show_choropleth else None,
    layers.density_layer(df) if show_density else None,
    *incident_layers,
]
event = st.pydeck_chart(
    layers.deck(chosen),
    height=620,
    key="main_map",
    on_select="rerun",
    selection_mode="single-object",
)
if any(layer.id.endswith("-hex") for layer in incident_layers):
    st.info(
        f"{len(df):,} incidents are too many to draw one by one: precise incidents are counted in "
        "hexagons, darker for more (hover for counts). Narrow the filters to see single incidents.",
        icon=":material/hexagon:",
    )
widgets.legend(df["event_type"].dropna().unique())
if show_choropleth:
    widgets.choropleth_legend(f"Provinces by {metric}", by_province[metric].max())

st.subheader("Selected incident")
ids = widgets.selected_ids(event)
if not ids:
    st.caption("Click an incident (a dot, ring or faint circle) to see its full record and source.")
for incident_id in ids[:5]:
    widgets.incident_card(df, incident_id)
if len(ids) > 5:
    st.caption(f"… and {len(ids) - 5} more incidents at this approximate location.")
