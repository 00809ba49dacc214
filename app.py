"""Incident Atlas: the frame. Navigation over pages/, the shared filters, a data status line."""

import streamlit as st

from geo.views.query import describe_store
from ui import auth, cache, frame, state

st.set_page_config(page_title="Incident Atlas", page_icon="🗺️", layout="wide")

# the page is chosen first, so the URL asked for is still the page after signing in
page = frame.navigation(auth.current_user())
user = auth.gate()  # sign-in on: nothing below runs until someone signs in

with frame.running():
    with st.sidebar:
        auth.sidebar(user)
        st.subheader("Filters")
        state.draw_sidebar(cache.filter_options())
        st.caption(describe_store(cache.load_incidents(), cache.load_uploads()))
    page.run()
