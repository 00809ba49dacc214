"""geo.views.summaries: known sums beside unknown counts, never unknown as zero."""

from __future__ import annotations

import pandas as pd
import pytest

from geo.schema import normalise_dtypes
from geo.views import summaries
from geo.views.query import compact


@pytest.fixture
def incidents() -> pd.DataFrame:
    rows = [
        dict(
            incident_id="A",
            event_date="2024-01-05",
            event_type="Battles",
            actor1="TTP",
            country_code="PAK",
            country="Pakistan",
            admin1_code="PK-KP",
            admin1="Khyber Pakhtunkhwa",
            killed=5,
            injured=2,
            cross_border=True,
            border_distance_km=12.0,
        ),
        dict(
            incident_id="B",
            event_date="2024-01-20",
            event_type="Battles",
            actor1="TTP",
            country_code="PAK",
            country="Pakistan",
            admin1_code="PK-KP",
            admin1="Khyber Pakhtunkhwa",
            killed=None,
            injured=None,
            border_distance_km=40.0,
        ),
        dict(
            incident_id="C",
            event_date="2024-03-02",
            event_type="Explosions/Remote violence",
            actor1="IS-KP",
            claimed_by="IS-KP",
            country_code="AFG",
            country="Afghanistan",
            admin1_code="AF-KDZ",
            admin1="Kunduz",
            killed=7,
            injured=None,
            killed_low=5,
            killed_high=11,
            border_distance_km=250.0,
        ),
        dict(
            incident_id="D",
            event_date="2024-03-09",
            event_type="Battles",
            actor1="Taliban",
            country_code="AFG",
            country="Afghanistan",
            admin1_code="AF-NAN",
            admin1="Nangarhar",
            killed=0,
            injured=0,
            border_distance_km=3.0,
        ),
    ]
    return normalise_dtypes(pd.DataFrame(rows))


def test_headline_counts_known_and_unknown(incidents):
    h = summaries.headline(incidents, claims=pd.DataFrame({"claim_id": ["x", "y"]}))
    assert h.incidents == 4
    assert h.killed == 12 and h.killed_unknown == 1
    assert h.injured == 2 and h.injured_unknown == 2
    assert h.casualties_unknown == 2  # B (both unknown) and C (injured unknown)
    assert (h.killed_low, h.killed_high, h.ranged) == (5, 11, 1)
    assert h.provinces == 3 and h.cross_border == 1 and h.claims == 2


def test_all_unknown_total_is_none_not_zero(incidents):
    only_unknown = incidents[incidents["incident_id"] == "B"]
    h = summaries.headline(only_unknown)
    assert h.killed is None and h.injured is None
    assert h.killed_unknown == 1
    # a recorded zero is a real zero
    assert summaries.headline(incidents[incidents["incident_id"] == "D"]).killed == 0
    assert summaries.headline(incidents.iloc[0:0]).killed == 0


@pytest.mark.parametrize("form", [lambda d: d, compact])
def test_breakdown_by_province(incidents, form):
    t = summaries.breakdown(form(incidents), "province").set_index("key")
    assert t.loc["PK-KP", "incidents"] == 2
    assert t.loc["PK-KP", "killed"] == 5  # B's unknown toll is not added as 0 …
    assert t.loc["PK-KP", "killed_unknown"] == 1  # … it is counted here
    assert t.loc["PK-KP", "name"] == "Khyber Pakhtunkhwa"
    assert t.loc["AF-KDZ", "killed_low"] == 5 and t.loc["AF-KDZ", "killed_high"] == 11
    assert pd.isna(t.loc["AF-KDZ", "injured"]) and t.loc["AF-KDZ", "injured_unknown"] == 1
    assert t.index[0] == "PK-KP"  # most incidents first


def test_breakdown_group_with_only_unknown_is_na(incidents):
    t = summaries.breakdown(incidents[incidents["incident_id"] == "B"], "actor").set_index("key")
    assert pd.isna(t.loc["TTP", "killed"])
    assert t.loc["TTP", "killed_unknown"] == 1


def test_breakdown_by_month_is_contiguous(incidents):
    t = summaries.breakdown(incidents, "month")
    assert [d.strftime("%Y-%m") for d in t["key"]] == ["2024-01", "2024-02", "2024-03"]
    feb = t.iloc[1]
    assert feb["incidents"] == 0 and feb["killed"] == 0 and feb["killed_unknown"] == 0
    assert t.iloc[0]["killed"] == 5 and t.iloc[0]["killed_unknown"] == 1


def test_breakdown_by_type_and_claimant(incidents):
    by_type = summaries.breakdown(incidents, "event_type").set_index("key")
    assert by_type.loc["Battles", "incidents"] == 3
    claimed = summaries.breakdown(incidents, "claimed_by").set_index("key")
    assert claimed.loc["IS-KP", "incidents"] == 1
    assert claimed.loc["(unknown)", "incidents"] == 3


def test_border_band_and_sides(incidents):
    near = summaries.near_border(incidents, 15)
    assert near["incident_id"].tolist() == ["D", "A"]  # nearest first
    from geo.views.rows import Rows

    rows = Rows(incidents)  # a view's rows: the distances read, then the near rows whole
    pd.testing.assert_frame_equal(summaries.near_border(rows, 15), near)
    assert summaries.within_km(rows, 15).sum() == 2 and rows.taken == ("border_distance_km",)
    band = summaries.within_km(incidents, 15)  # a mask the page already has is used as given
    pd.testing.assert_frame_equal(summaries.near_border(incidents, 15, within=band), near)
    sides = summaries.border_sides(incidents, 15).set_index("country_code")
    assert sides.loc["PAK", "within_band"] == 1 and sides.loc["PAK", "incidents"] == 2
    assert sides.loc["AFG", "within_band"] == 1 and sides.loc["AFG", "killed_within"] == 0
    wide = summaries.border_sides(incidents, 50).set_index("country_code")
    assert wide.loc["PAK", "killed_within"] == 5 and wide.loc["PAK", "killed_unknown_within"] == 1


def test_latest_orders_by_date(incidents):
    assert summaries.latest(incidents, 2)["event_date"].dt.strftime("%m-%d").tolist() == [
        "03-09",
        "03-02",
    ]


def test_casualty_text_spells_unknown():
    assert summaries.casualty_text(None, pd.NA) == "killed unknown · injured unknown"
    assert summaries.casualty_text(5, 0, "at least") == "killed 5 · injured 0 (at least)"


def test_claims_views():
    claims = pd.DataFrame(
        {
            "statement_date": ["2024-04-01", "2024-04-20", "2024-05-02"],
            "stance": ["accuses", "denies_presence", "accuses"],
            "groups": ["TTP; ETIM", "TTP", "TTP"],
            "territory_code": ["AFG", "AFG", None],
            "claimant_country_code": ["PAK", "AFG", "PAK"],
            "accused_country_code": ["AFG", None, "AFG"],
        }
    )
    tl = summaries.claims_timeline(claims)
    assert tl[tl["stance"] == "accuses"]["statements"].tolist() == [1, 1]
    grid = summaries.claims_groups_by_territory(claims)
    ttp = grid[(grid["group"] == "TTP") & (grid["territory_code"] == "AFG")]
    assert ttp["statements"].sum() == 2
    flows = summaries.accusation_flows(claims)
    assert flows.to_dict("records") == [
        {
            "claimant_country_code": "PAK",
            "accused_country_code": "AFG",
            "statements": 2,
            "groups": "ETIM; TTP",
        }
    ]
    assert summaries.split_groups(" ISKP ;al-Qaeda;") == ["ISKP", "al-Qaeda"]


def test_border_sides_for_fixed_countries(incidents):
    only_pak = incidents[incidents["country_code"] == "PAK"]
    sides = summaries.border_sides(only_pak, 50, countries=("AFG", "PAK"))
    assert sides["country_code"].tolist() == ["AFG", "PAK"]
    assert sides.loc[0, "within_band"] == 0 and pd.isna(sides.loc[0, "killed_within"])
    assert sides.loc[1, "within_band"] == 2
