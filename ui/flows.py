"""The Cross-border page's accusations between governments, as a diagram beside the map.

Drawn on the map, the Kabul↔Islamabad arcs looped over Nangarhar, Khyber and
Peshawar and hid the incidents there. Beside the map, each accusing → accused
pair of governments is one bar, as long as the number of statements, coloured
by the accuser, with the groups they named in its tooltip.
"""

from __future__ import annotations

import altair as alt
import pandas as pd
import streamlit as st

from geo.views.palette import BORDER_COLOUR, EVENT_COLOURS

__all__ = ["accusations", "flow_table"]

_COLOURS = [EVENT_COLOURS["Protests"], BORDER_COLOUR, EVENT_COLOURS["Strategic developments"],
            EVENT_COLOURS["Battles"]]  # fmt: skip


def accusations(flows: pd.DataFrame) -> None:
    """Draw one bar per accuser → accused pair (from :func:`geo.views.summaries.accusation_flows`).

    The bar's label says who accuses whom (``PAK → AFG``); its colour is the accuser's.
    """
    st.subheader("Accusations")
    if flows.empty:
        st.caption("No statement in this period accuses another government.")
        return
    data = flow_table(flows)
    bars = (
        alt.Chart(data)
        .mark_bar(height=16)
        .encode(
            y=alt.Y("pair:N", title=None, sort="-x", axis=alt.Axis(labelFontSize=12)),
            x=alt.X("statements:Q", title="Statements", axis=alt.Axis(tickMinStep=1)),
            color=alt.Color("accuser:N", scale=alt.Scale(range=_COLOURS), legend=None),
            tooltip=[
                alt.Tooltip("accuser:N", title="Accuser"),
                alt.Tooltip("accused:N", title="Accused of harbouring militants"),
                alt.Tooltip("statements:Q", title="Statements"),
                alt.Tooltip("groups:N", title="Groups named"),
            ],
        )
    )
    labels = bars.mark_text(align="left", dx=4, color="#333").encode(
        text="statements:Q", color=alt.value("#333")
    )
    st.altair_chart((bars + labels).properties(height=alt.Step(34)), width="stretch")
    st.caption(
        "Each bar: statements in which one government accuses the other of harbouring or "
        "sending militants, in the period shown (the claims ledger; each statement and its "
        "source is on the Claims page)."
    )


def flow_table(flows: pd.DataFrame) -> pd.DataFrame:
    """The bars' data: ``pair`` (``PAK → AFG``), ``accuser`` and ``accused`` by name, counts, groups.

    >>> flow_table(pd.DataFrame({"claimant_country_code": ["PAK"], "accused_country_code": ["AFG"],
    ...     "statements": [2], "groups": [None]}))[["pair", "accuser", "groups"]].values.tolist()
    [['PAK → AFG', 'Pakistan (PAK)', '']]
    """
    return flows.assign(
        pair=flows["claimant_country_code"].astype(str)
        + " → "
        + flows["accused_country_code"].astype(str),
        accuser=flows["claimant_country_code"].map(_name),
        accused=flows["accused_country_code"].map(_name),
        groups=flows["groups"].fillna("").astype(str).str.slice(0, 200),
    )


def _name(code: object) -> str:
    import pycountry

    text = str(code)
    country = pycountry.countries.get(alpha_3=text) if len(text) == 3 else None
    return f"{getattr(country, 'common_name', None) or country.name} ({text})" if country else text
