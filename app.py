"""Incident Atlas: placeholder frame until the dashboard lands."""

import streamlit as st

st.set_page_config(page_title="Incident Atlas", layout="wide")
st.title("Incident Atlas")
st.write("The dashboard is being built.")
