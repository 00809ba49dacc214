"""The presence layer's controls, legend and territory statement list (Map and Claims pages)."""

from __future__ import annotations

import html
from collections.abc import Sequence
from typing import Any

import pandas as pd
import pydeck as pdk
import streamlit as st

from geo.groups import split_groups
from geo.views.layers_presence import presence_key, presence_layer
from geo.views.presence import presence_states, territory_statements
from geo.views.view import View
from ui import cache, widgets

__all__ = ["build", "legend", "note", "options", "statements", "territory_list"]


def options(on: bool) -> list[str]:
    """The groups to shade (all when empty), drawn under the toggle while it is on."""
    if not on:
        return []
    ledger = cache.current_view().claims
    names = sorted({g for v in ledger.get("groups", pd.Series(dtype=str)) for g in split_groups(v)})
    return st.multiselect("Groups", names, key="map_presence_groups", placeholder="All groups")


def build(view: View, groups: list[str]) -> list[pdk.Layer | None]:
    """The presence layer for the view's claims (the filtered period)."""
    bnd = cache.boundaries()
    return [presence_layer(bnd.adm0, bnd.adm1, presence_states(view.claims), groups)]


def legend() -> None:
    """Colour key of the presence shading (app constants only, no file text)."""
    items = " ".join(
        f"<span style='display:inline-block;width:18px;height:12px;"
        f"background:rgba({r},{g},{b},0.25);border:2px solid rgb({r},{g},{b});"
        f"vertical-align:middle;margin:0 3px 0 8px'></span>{html.escape(label)}"
        for label, (r, g, b) in presence_key()
    )
    st.markdown(
        f"<div style='font-size:0.85rem'>Claimed presence: {items}"
        " &nbsp;(a country claim shades the whole country)</div>",
        unsafe_allow_html=True,
    )


def _picked_territory(deck_key: str) -> str | None:
    """The territory code of a presence polygon clicked on the deck ``deck_key``, if any."""
    event = st.session_state.get(deck_key)
    try:
        objects = event["selection"]["objects"]  # type: ignore[index]
    except (KeyError, TypeError):
        return None
    for obj in objects.get("presence") or []:
        code = (obj.get("properties") or {}).get("territory_code")
        if code:
            return str(code)
    return None


def territory_list(
    view: View, groups: list[str], key: str = "map", deck_key: str | None = "main_map"
) -> None:
    """A select box of the claimed territories and the statements behind the chosen one.

    A presence polygon clicked on the deck ``deck_key`` (drawn with ``on_select``)
    chooses its territory.
    """
    states = presence_states(view.claims)
    if groups:
        states = states[states["group"].isin(split_groups(";".join(groups)))]
    if states.empty:
        st.caption("No statement about presence in the filtered period.")
        return
    codes = sorted(states["territory_code"].unique())
    box = f"{key}_presence_territory"
    picked = _picked_territory(deck_key) if deck_key else None
    if picked in codes and st.session_state.get(f"{box}_picked") != picked:
        st.session_state[box] = picked  # a territory clicked on the map: list its statements
        st.session_state[f"{box}_picked"] = picked
    code = st.selectbox(
        "Statements about territory",
        codes,
        key=box,
        help="Click a shaded territory on the map, or pick it here.",
    )
    here = states[states["territory_code"] == code]
    st.dataframe(
        here[["group", "state", "n_statements", "n_assert", "n_deny"]],
        hide_index=True,
        column_config={"n_statements": "statements", "n_assert": "asserting", "n_deny": "denying"},
    )
    statements(territory_statements(view.claims, code, groups))


def statements(rows: pd.DataFrame) -> None:
    """The statements (who, role, country, stance, date, groups, figure, quote, source)."""
    cols = [
        "statement_date",
        "claimant",
        "claimant_role",
        "claimant_country_code",
        "stance",
        "groups",
        "figure",
        "figure_unit",
        "quote",
        "source",
        "source_ref",
    ]
    shown = widgets.source_link_column(rows[[c for c in cols if c in rows]])
    st.dataframe(
        shown,
        hide_index=True,
        column_config={
            "statement_date": "Date",
            "claimant": "Who",
            "claimant_role": "Role",
            "claimant_country_code": "Country",
            "stance": "Stance",
            "groups": "Groups",
            "figure": "Figure",
            "figure_unit": "Unit",
            "quote": st.column_config.TextColumn("Quote", width="large"),
            "source": "Source",
            "source_ref": "Source reference",
            "link": st.column_config.LinkColumn("Link", display_text="open"),
        },
    )


def note(view: View, groups: list[str], drawn: Sequence[Any]) -> None:
    """Below the map while the layer is on: the legend and the territory list."""
    legend()
    territory_list(view, groups)
