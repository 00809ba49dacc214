"""geo.views.query: the Filters value object and the vectorised apply."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

from geo.schema import normalise_dtypes
from geo.views.filters import mask
from geo.views.query import (
    Filters,
    apply,
    apply_claims,
    claims_in_range,
    compact,
    filter_options,
    in_view_order,
    plain,
)


@pytest.fixture
def incidents() -> pd.DataFrame:
    rows = [
        dict(
            incident_id="A",
            event_date="2023-01-05",
            event_type="Battles",
            actor1="TTP",
            actor2="Military Forces of Pakistan",
            country_code="PAK",
            admin1_code="PK-KP",
            killed=5,
            geo_precision=1,
            latitude=34.0,
            longitude=71.5,
        ),
        dict(
            incident_id="B",
            event_date="2024-06-01",
            event_type="Explosions/Remote violence",
            actor1="Unidentified Armed Group",
            claimed_by="IS-KP",
            country_code="AFG",
            admin1_code="AF-KDZ",
            killed=None,
            geo_precision=3,
            latitude=36.7,
            longitude=68.9,
        ),
        dict(
            incident_id="C",
            event_date="2025-03-10",
            event_type="Battles",
            actor1="Taliban",
            actor2="IS-KP",
            country_code="AFG",
            admin1_code="AF-BAL",
            killed=0,
            geo_precision=2,
            latitude=36.7,
            longitude=67.1,
        ),
        dict(
            incident_id="D",
            event_date="2025-12-31",
            event_type="Protests",
            actor1="Protesters",
            country_code="PAK",
            admin1_code="PK-BA",
            killed=12,
            geo_precision=4,
            latitude=30.2,
            longitude=67.0,
        ),
    ]
    return normalise_dtypes(pd.DataFrame(rows))


def ids(df: pd.DataFrame) -> list[str]:
    return sorted(df["incident_id"].astype(str))


def test_no_filter_keeps_everything(incidents):
    assert ids(apply(incidents, Filters())) == ["A", "B", "C", "D"]


@pytest.mark.parametrize("form", [lambda d: d, compact])
def test_each_filter(incidents, form):
    df = form(incidents)
    assert ids(apply(df, Filters(countries=("AFG",)))) == ["B", "C"]
    assert ids(apply(df, Filters(admin1=("PK-KP", "AF-BAL")))) == ["A", "C"]
    assert ids(apply(df, Filters(event_types=("Battles",)))) == ["A", "C"]
    assert ids(apply(df, Filters(date_from=date(2024, 6, 1)))) == ["B", "C", "D"]
    assert ids(apply(df, Filters(date_to=date(2025, 12, 31)))) == ["A", "B", "C", "D"]
    assert ids(apply(df, Filters(date_to=date(2024, 5, 31)))) == ["A"]
    assert ids(apply(df, Filters(precisions=(3, 4)))) == ["B", "D"]


@pytest.mark.parametrize("form", [lambda d: d, compact])
def test_actor_matches_any_actor_column_case_insensitively(incidents, form):
    df = form(incidents)
    assert ids(apply(df, Filters(actors=("is-kp",)))) == ["B", "C"]  # claimed_by and actor2
    assert ids(apply(df, Filters(actors=("ttp", "protest")))) == ["A", "D"]
    assert ids(apply(df, Filters(actors=("nobody",)))) == []


def test_min_killed_drops_unknown_only_above_zero(incidents):
    assert ids(apply(incidents, Filters(min_killed=5))) == ["A", "D"]
    # 0 is a real threshold of "none or more": unknown tolls are kept, not treated as 0
    assert ids(apply(incidents, Filters(min_killed=0))) == ["A", "B", "C", "D"]
    assert ids(apply(incidents, Filters(min_killed=1))) == ["A", "D"]


def test_filters_combine(incidents):
    f = Filters(countries=("AFG",), event_types=("Battles",), actors=("is-kp",))
    assert ids(apply(incidents, f)) == ["C"]


def test_apply_does_not_touch_input(incidents):
    before = incidents.copy()
    apply(incidents, Filters(countries=("PAK",)))
    pd.testing.assert_frame_equal(incidents, before)


def test_query_params_round_trip():
    f = Filters(
        date_from=date(2023, 1, 1),
        date_to=date(2025, 12, 31),
        countries=("AFG", "PAK"),
        admin1=("PK-KP",),
        event_types=("Explosions/Remote violence",),
        actors=("TTP", "IS-KP"),
        min_killed=5,
        precisions=(1, 2),
    )
    params = f.to_query_params()
    assert params["country"] == "AFG,PAK"
    assert params["from"] == "2023-01-01"
    assert Filters.from_query_params(params) == f
    assert Filters().to_query_params() == {}


def test_from_query_params_is_forgiving():
    f = Filters.from_query_params(
        {
            "from": "yesterday",
            "to": "2025-02-30",
            "country": "afg,<script>,PAK",
            "min_killed": "-3",
            "precision": "0,2,9,x",
            "type": ["Battles", "Riots"],
            "junk": "1",
        }
    )
    assert f.date_from is None and f.date_to is None
    assert f.countries == ("AFG", "PAK")
    assert f.min_killed is None
    assert f.precisions == (2,)
    assert f.event_types == ("Battles", "Riots")


def test_from_query_params_drops_reversed_dates_and_names_them():
    # issue 17 item 9: a reversed range in a link is named in a warning and dropped
    # (the command line still puts it right: test_reversed_dates_are_put_right_everywhere)
    dropped: list = []
    f = Filters.from_query_params({"from": "2025-01-01", "to": "2024-01-01"}, dropped)
    assert (f.date_from, f.date_to) == (None, None)
    assert [d.key for d in dropped] == ["from&to"]


def test_from_cli_parses_comma_lists_and_rejects_bad_dates():
    f = Filters.from_cli(
        country="AFG,PAK",
        admin1="af-bal",
        date_from="2024-01-01",
        date_to=None,
        event_type="Battles",
        actor="TTP",
        min_killed=3,
    )
    assert f == Filters(
        date_from=date(2024, 1, 1),
        countries=("AFG", "PAK"),
        admin1=("AF-BAL",),
        event_types=("Battles",),
        actors=("TTP",),
        min_killed=3,
    )
    assert Filters.from_cli() == Filters()
    with pytest.raises(ValueError):
        Filters.from_cli(date_from="01/02/2024")


def test_describe_and_slug():
    f = Filters(
        date_from=date(2023, 1, 1),
        date_to=date(2025, 12, 31),
        countries=("AFG", "PAK"),
        event_types=("Explosions/Remote violence",),
        min_killed=5,
    )
    assert (
        f.describe()
        == "AFG, PAK · 2023-01-01 to 2025-12-31 · Explosions/Remote violence · killed ≥ 5"
    )
    assert Filters().describe() == "all incidents"
    slug = f.short_slug()
    assert slug == "AFG-PAK_2023-01-01_2025-12-31_Explosions_k5"
    assert (
        Filters(actors=("../../etc <x>",)).short_slug().replace("-", "").replace("_", "").isalnum()
    )
    assert Filters().short_slug() == "all"


def test_compact_and_plain_keep_values(incidents):
    small = compact(incidents)
    assert isinstance(small["actor1"].dtype, pd.CategoricalDtype)
    back = plain(small)
    assert back["actor1"].tolist() == incidents["actor1"].tolist()
    assert back["claimed_by"].iloc[0] is None


def test_filter_options(incidents):
    opts = filter_options(incidents)  # by filter name
    assert opts["date_from"] == (date(2023, 1, 5), date(2025, 12, 31))
    assert opts["event_types"][:2] == ["Battles", "Explosions/Remote violence"]
    assert "IS-KP" in opts["actors"] and "TTP" in opts["actors"]
    assert set(opts["admin1"]) == {"PK-KP", "AF-KDZ", "AF-BAL", "PK-BA"}


def test_apply_on_a_million_rows_stays_vectorised():
    n = 1_000_000
    i = pd.RangeIndex(n)
    df = pd.DataFrame(
        {
            "event_date": pd.Timestamp("2020-01-01") + pd.to_timedelta(i % 2000, "D"),
            "actor1": pd.Categorical.from_codes(i % 3, ["TTP", "IS-KP", "Taliban"]),
            "actor2": pd.Categorical.from_codes([-1] * n, ["x"]),
            "claimed_by": pd.Categorical.from_codes([-1] * n, ["x"]),
            "country_code": pd.Categorical.from_codes(i % 2, ["AFG", "PAK"]),
            "killed": pd.array(i % 7, dtype="Int64"),
        }
    )
    out = apply(df, Filters(countries=("PAK",), actors=("is-kp",), min_killed=3))
    # rows are PAK when i odd, IS-KP when i % 3 == 1, killed >= 3 when i % 7 >= 3
    expected = sum(1 for i in range(0, 42) if i % 2 == 1 and i % 3 == 1 and i % 7 >= 3)
    assert len(out) == pytest.approx(n * expected / 42, abs=2)


def test_claims_filters():
    claims = pd.DataFrame(
        {
            "statement_date": ["2024-04-01", "2025-01-01", None],
            "stance": ["accuses", "denies_presence", "asserts_presence"],
            "groups": ["TTP; ETIM", "IS-KP", "al-Qaeda"],
            "claimant_country_code": ["PAK", "AFG", "UN"],
        }
    )
    assert len(claims_in_range(claims, Filters())) == 3
    assert claims_in_range(claims, Filters(date_from=date(2025, 1, 1)))["stance"].tolist() == [
        "denies_presence"
    ]
    from geo.views.timewindow import TimeWindow

    spring = Filters(window=TimeWindow(date(2024, 4, 1), "quarter"))
    assert claims_in_range(claims, spring)["stance"].tolist() == ["accuses"]  # undated: out
    assert apply_claims(claims, groups=["etim"])["claimant_country_code"].tolist() == ["PAK"]
    assert apply_claims(claims, stances=["accuses", "asserts_presence"], claimants=["UN"])[
        "groups"
    ].tolist() == ["al-Qaeda"]


def test_date_filters_on_incidents_in_date_order_are_a_slice_with_the_same_rows() -> None:
    """In view order (dates ascending, unknown last) the date filters and the time
    window are cut as a slice: the same rows as the mask, and the columns shared."""
    import numpy as np

    from geo.views.filters import date_slice
    from geo.views.timewindow import TimeWindow

    rng = np.random.default_rng(4)
    n = 2_000
    days = pd.Timestamp("2023-01-01") + pd.to_timedelta(rng.integers(0, 500, n), unit="D")
    frame = pd.DataFrame(
        {
            "incident_id": [f"X-{i}" for i in range(n)],
            "event_date": pd.Series(days).where(rng.random(n) > 0.05),  # some unknown
            "country_code": rng.choice(["AFG", "PAK"], n),
            "killed": pd.array(rng.integers(0, 5, n), dtype="Int64"),
        }
    )
    ordered = in_view_order(frame)
    assert ordered["event_date"].iloc[: ordered["event_date"].notna().sum()].is_monotonic_increasing
    cases = [
        Filters(date_from=date(2023, 3, 1)),
        Filters(date_to=date(2023, 3, 1)),
        Filters(date_from=date(2023, 3, 1), date_to=date(2023, 3, 1)),
        Filters(date_from=date(2023, 6, 1), date_to=date(2023, 2, 1)),  # nothing
        Filters(date_from=date(2022, 1, 1), countries=("PAK",), min_killed=2),
        Filters(window=TimeWindow.parse("month:2023-05-01"), date_to=date(2023, 5, 10)),
    ]
    for filters in cases:
        cut, rest = date_slice(ordered, filters)
        assert cut is not None and "date_from" not in dict(rest.items()), filters
        want = ordered.loc[mask(ordered, filters)]
        got = apply(ordered, filters)
        assert got.index.tolist() == want.index.tolist(), filters
        pd.testing.assert_frame_equal(got, want)
    assert date_slice(frame, cases[0])[0] is None  # not in date order: the mask decides
    assert apply(frame, cases[0]).index.tolist() == frame.index[mask(frame, cases[0])].tolist()
    only_dates = apply(ordered, cases[2])
    assert np.shares_memory(only_dates["killed"].array._data, ordered["killed"].array._data)
