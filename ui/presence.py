"""The presence layer's controls, legend and territory statement list (Map and Claims pages)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pandas as pd
import pydeck as pdk
import streamlit as st

from geo.groups import split_groups
from geo.views.layers_presence import presence_layer
from geo.views.legend import presence_items
from geo.views.presence import territory_statements
from geo.views.view import View
from ui import cache, widgets

__all__ = [
    "build",
    "drawn_states",
    "legend",
    "note",
    "options",
    "presence_choice",
    "statements",
    "territory_list",
]


def options(on: bool) -> list[str]:
    """The groups to shade (all when empty), drawn under the toggle while it is on."""
    if not on:
        return []
    names = _group_names(cache.current_view())
    return st.multiselect("Groups", names, key="map_presence_groups", placeholder="All groups")


def presence_choice(view: View) -> list[str] | None:
    """Export page: draw claimed presence on the map files? ``None`` for no, else the groups."""
    c1, c2 = st.columns([1.2, 3])
    on = c1.toggle("Claimed presence", key="export_presence",
                   help="Shade the territories the claims ledger speaks of, with its legend.")  # fmt: skip
    if not on:
        return None
    return c2.multiselect(
        "Groups", _group_names(view), key="export_presence_groups", placeholder="All groups"
    )


def _group_names(view: View) -> list[str]:
    ledger = view.claims
    return sorted({g for v in ledger.get("groups", pd.Series(dtype=str)) for g in split_groups(v)})


def build(view: View, groups: list[str]) -> list[pdk.Layer | None]:
    """The presence layer for the view's claims (the filtered period)."""
    bnd = cache.boundaries()
    return [presence_layer(bnd.adm0, bnd.adm1, view.presence_states, groups)]


def drawn_states(drawn: Sequence[Any]) -> list[str]:
    """The states of the presence polygons among the layers drawn (for the legend)."""
    return [
        f["properties"]["state"]
        for layer in drawn
        if layer is not None and layer.id == "presence"
        for f in (layer.data or {}).get("features", [])
    ]


def legend(states: Sequence[str] | None = None) -> None:
    """Colour key of the presence shading, the states drawn only (app constants, no file text)."""
    html_key = widgets.presence_legend_html(presence_items(states))
    st.markdown(html_key or "<div style='font-size:0.85rem'>No territory shaded.</div>",
                unsafe_allow_html=True)  # fmt: skip


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
    states = view.presence_states
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
        column_config={
            "group": "Group",
            "state": "Presence",
            "n_statements": "Statements",
            "n_assert": "Asserting",
            "n_deny": "Denying",
        },
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
    """Below the map while the layer is on: the territory list (the page's legend has the key)."""
    territory_list(view, groups)
