"""Claims: the ledger of statements about militant presence, with a timeline and a groups × territory view."""

import altair as alt
import streamlit as st

from geo.schema import CLAIM_STANCES
from geo.views import layers, presence, query, summaries
from geo.views.palette import STANCE_COLOURS
from ui import cache, claims_upload, tables, widgets
from ui import presence as presence_ui

view = cache.current_view()
ledger, filters = view.claims, view.filters
options = query.claim_options(ledger)

st.title("Claims of militant presence")
st.caption(
    "Who said what about which groups where: assertions, denials and accusations between "
    f"governments, each traced to its source · {filters.describe_dates()}"
)

c1, c2, c3 = st.columns(3)
stances = c1.multiselect("Stance", options["stances"], key="cl_stance", placeholder="All stances")
groups = c2.multiselect("Group named", options["groups"], key="cl_group", placeholder="All groups")
claimants = c3.multiselect(
    "Claimant country", options["claimants"], key="cl_claimant", placeholder="All claimants"
)
claims = query.apply_claims(ledger, stances=stances, groups=groups, claimants=claimants)

widgets.metric_rows(
    [
        (stance.replace("_", " ").capitalize(), f"{(claims['stance'] == stance).sum():,}", None)
        for stance in CLAIM_STANCES
    ]
)

left, right = st.columns(2)
with left:
    st.subheader("Assertions against denials, by month")
    timeline = summaries.claims_timeline(claims)
    st.altair_chart(
        alt.Chart(timeline)
        .mark_bar()
        .encode(
            x=alt.X("period:T", title="Month", axis=alt.Axis(format="%b %Y")),
            y=alt.Y("statements:Q", title="Statements"),
            color=alt.Color(
                "stance:N",
                title="Stance",
                scale=alt.Scale(
                    domain=CLAIM_STANCES, range=[STANCE_COLOURS[s] for s in CLAIM_STANCES]
                ),
                legend=alt.Legend(
                    orient="bottom", columns=2, labelExpr="replace(datum.label, '_', ' ')"
                ),
            ),
            tooltip=[alt.Tooltip("period:T", format="%Y-%m"), "stance:N", "statements:Q"],
        )
        .properties(height=280),
    )
with right:
    st.subheader("Groups × territory")
    grid = tables.for_display(summaries.claims_groups_by_territory(claims))  # codes as names
    st.altair_chart(
        alt.Chart(grid)
        .mark_rect()
        .encode(
            x=alt.X(
                "territory_code:N",
                title="Territory",
                axis=alt.Axis(labelAngle=-90, labelOverlap=False),
            ),
            y=alt.Y("group:N", title="Group"),
            color=alt.Color(
                "sum(statements):Q", title="Statements", scale=alt.Scale(scheme="orangered")
            ),
            tooltip=[
                "group:N",
                alt.Tooltip("territory_code:N", title="territory"),
                alt.Tooltip("sum(statements):Q", title="statements"),
            ],
        )
        .properties(height=280),
    )

st.subheader("Claimed presence")
shaded = presence_ui.build(view, groups)
presence_ui.legend(presence_ui.drawn_states(shaded))
st.pydeck_chart(
    layers.deck([*cache.basemap(labels=True), *shaded]),
    height=420,
    key="claims_map",
)
presence_ui.territory_list(view, groups, key="claims", deck_key=None)
months = st.slider("Corroboration window (± months)", 1, 36, 12, key="cl_months")
st.caption(
    "Incidents in the filtered set, in the claim's territory, attributed to or claimed by one of "
    "its groups (any alias) within the window around the statement."
)
st.dataframe(
    tables.for_display(presence.corroboration_table(claims, view.incidents, months)),
    hide_index=True,
    column_config={
        "claim_id": "Claim",
        "statement_date": "Date",
        "territory_code": "Territory",
        "groups": "Groups",
        "incidents": st.column_config.NumberColumn("Incidents", help="Corroborating incidents"),
        "incident_ids": st.column_config.TextColumn("Incident ids", width="large"),
    },
)

st.subheader(f"The ledger ({len(claims):,} statements)")
st.dataframe(
    tables.for_display(widgets.source_link_column(claims)),
    hide_index=True,
    height=tables.fitted_height(len(claims)),
    key="ledger",
    placeholder="—",
    column_config={
        "claim_id": "Claim",
        "statement_date": "Date",
        "date_precision": "Date precision",
        "notes": "Notes",
        "claimant": "Claimant",
        "claimant_role": "Role",
        "claimant_country_code": "Country",
        "stance": "Stance",
        "groups": "Groups",
        "territory_code": "Territory",
        "accused_country_code": "Accused",
        "figure": "Figure",
        "figure_unit": "Unit",
        "quote": st.column_config.TextColumn("Quote", width="large"),
        "source": "Source",
        "source_ref": "Source reference",
        "link": st.column_config.LinkColumn("Link", display_text="open"),
    },
)
st.caption("Quotes are the claimant's own words; a claim is a statement, not a verified fact.")
claims_upload.draw_form()
