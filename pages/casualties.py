"""Casualties: totals, breakdowns with known sums and unknown counts, ranges, charts."""

import altair as alt
import streamlit as st

from geo.views import summaries
from geo.views.palette import KILLED_COLOUR, UNKNOWN_COLOUR
from ui import cache, state, widgets

view = cache.current_view()
h = cache.figure(view, "headline")

st.title("Casualties")
st.caption(view.filters.describe())
if not view.facts.incidents:
    state.no_match_notice(view.filters)

widgets.metric_rows(
    [
        ("Killed (known)", summaries.format_count(h.killed), None),
        ("Injured (known)", summaries.format_count(h.injured), None),
        ("Incidents, killed unknown", f"{h.killed_unknown:,}", None),
        ("Incidents, injured unknown", f"{h.injured_unknown:,}", None),
        (
            "Killed, range where given",
            "—" if h.ranged == 0 else f"{h.killed_low:,}–{h.killed_high:,}",
            f"Low–high estimates of the {h.ranged:,} incidents whose source gives a range "
            "(e.g. UCDP).",
        ),
    ]
)
st.info(
    "**Unknown means unknown.** An incident whose source gives no number is not counted as zero: "
    "totals add up the known numbers only, and each table says how many incidents had none. "
    "Words such as “dozens” are not turned into numbers.",
    icon=":material/help:",
)

st.subheader("By month")
monthly = cache.figure(view, "breakdown", "month")
month_x = alt.X("key:T", title=None, axis=alt.Axis(format="%b %Y"))
month_tip = alt.Tooltip("key:T", title="Month", format="%Y-%m")
st.altair_chart(
    alt.vconcat(
        alt.Chart(monthly)
        .mark_bar(color=KILLED_COLOUR)
        .encode(
            x=month_x,
            y=alt.Y("killed:Q", title="Killed (known)"),
            tooltip=[month_tip, "incidents:Q", alt.Tooltip("killed:Q", title="killed (known)")],
        )
        .properties(height=200, width="container"),
        alt.Chart(monthly)
        .mark_bar(color=UNKNOWN_COLOUR)
        .encode(
            x=month_x,
            y=alt.Y("killed_unknown:Q", title="Toll unknown", axis=alt.Axis(tickMinStep=1)),
            tooltip=[month_tip, alt.Tooltip("killed_unknown:Q", title="incidents, toll unknown")],
        )
        .properties(height=70, width="container"),
    ).resolve_scale(x="shared"),
)
st.caption(
    "Top: killed, summing the known tolls. Below, in grey: incidents that month whose toll is "
    "unknown (a count of incidents, not of people)."
)

CONFIG = {
    "name": "Name",
    "key": "Key",
    "incidents": "Incidents",
    "killed": st.column_config.NumberColumn("Killed (known)"),
    "killed_unknown": st.column_config.NumberColumn("Killed unknown", help="Incidents"),
    "injured": st.column_config.NumberColumn("Injured (known)"),
    "injured_unknown": st.column_config.NumberColumn("Injured unknown", help="Incidents"),
    "killed_low": st.column_config.NumberColumn("Killed low"),
    "killed_high": st.column_config.NumberColumn("Killed high"),
    "ranged": st.column_config.NumberColumn("With a range", help="Incidents giving low and high"),
}
tabs = st.tabs(["Country", "Province", "Event type", "Actor", "Claimed by", "Month"])
for tab, by in zip(
    tabs, ["country", "province", "event_type", "actor", "claimed_by", "month"], strict=True
):
    with tab:
        table = cache.figure(view, "breakdown", by, None if by == "month" else 50)
        if by != "month" and not table.empty:
            st.altair_chart(
                alt.Chart(table.head(15))
                .mark_bar(color=KILLED_COLOUR)
                .encode(
                    y=alt.Y("key:N", sort="-x", title=summaries.BREAKDOWNS[by][1]),
                    x=alt.X("killed:Q", title="Killed (known)"),
                    tooltip=["key:N", "incidents:Q", "killed:Q", "killed_unknown:Q"],
                )
                .properties(height=min(30 * len(table.head(15)) + 40, 420)),
            )
        no_ranges = table["ranged"].sum() == 0
        st.dataframe(
            table.drop(columns=["killed_low", "killed_high", "ranged"]) if no_ranges else table,
            hide_index=True,
            column_config=CONFIG,
            key=f"cas_{by}",
            placeholder="unknown",
        )
