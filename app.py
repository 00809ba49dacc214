"""Incident Atlas: the frame. Navigation over pages/, the shared filters, a data status line."""

import streamlit as st

from geo.query import describe_store
from ui import cache, state

st.set_page_config(page_title="Incident Atlas", page_icon="🗺️", layout="wide")

pages = [
    st.Page("pages/overview.py", title="Overview", icon=":material/dashboard:", default=True),
    st.Page("pages/map.py", title="Map", icon=":material/map:"),
    st.Page("pages/cross_border.py", title="Cross-border", icon=":material/swap_horiz:"),
    st.Page("pages/casualties.py", title="Casualties", icon=":material/monitor_heart:"),
    st.Page("pages/claims.py", title="Claims", icon=":material/campaign:"),
    st.Page("pages/data.py", title="Data", icon=":material/upload_file:"),
    st.Page("pages/export.py", title="Export", icon=":material/download:"),
    st.Page("pages/about.py", title="About", icon=":material/info:"),
]
page = st.navigation(pages)

with st.sidebar:
    st.subheader("Filters")
    state.draw_sidebar(cache.filter_options())
    st.caption(describe_store(cache.load_incidents(), cache.load_uploads()))

page.run()
