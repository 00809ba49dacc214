"""geo.views.viewfacts: the facts every export states, with unknowns counted, never added as 0."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pandas as pd

from geo.schema import normalise_dtypes
from geo.views.filters import Filters
from geo.views.viewfacts import (
    DEFAULT_TITLE,
    caveat_or_none,
    incident_sources,
    title_or_default,
    top_provinces,
    view_facts,
)


def _frame(**columns) -> pd.DataFrame:
    return normalise_dtypes(pd.DataFrame(columns))


def test_sources_are_split_on_semicolons_and_ranked_by_use():
    df = _frame(source=["Dawn; AP", "AP", "  Reuters ", None, "ap"])
    assert incident_sources(df) == ["AP", "ap", "Dawn", "Reuters"]  # ties: alphabetical
    assert incident_sources(df, limit=1) == ["AP"]
    assert incident_sources(df.iloc[0:0]) == []


def test_counts_keep_unknown_apart():
    df = _frame(
        event_date=["2024-01-03", "2024-06-01", None],
        killed=[4, None, 0],
        latitude=[34.0, None, 33.0],
        longitude=[70.0, 70.0, 71.0],
    )
    f = view_facts(df, Filters(min_killed=0), now=datetime(2026, 1, 1, 12, tzinfo=UTC))
    assert (f.incidents, f.mapped, f.killed_known, f.known, f.unknown) == (3, 2, 4, 2, 1)
    assert f.killed_line == "Killed: 4 in 2 incidents with known counts; unknown in 1"
    assert f.date_range == "3 Jan 2024 – 1 Jun 2024" and f.cutoff == "1 Jun 2024"
    assert f.description == "all incidents"  # 0 keeps everything and says nothing
    assert f.made == "2026-01-01 12:00 UTC"


def test_made_is_told_in_utc():
    kabul = timezone(timedelta(hours=4, minutes=30))
    f = view_facts(_frame(killed=[1]), None, now=datetime(2026, 1, 1, 16, 30, tzinfo=kabul))
    assert f.made == "2026-01-01 12:00 UTC"


def test_an_empty_view_says_so():
    f = view_facts(_frame(killed=pd.Series([], dtype="Int64")), None)
    assert f.as_of == "No events in this view" and f.date_range == "no dates"
    assert (f.incidents, f.killed_known, f.unknown) == (0, 0, 0)


def test_title_and_caveat_defaults():
    assert title_or_default(None) == DEFAULT_TITLE == title_or_default("   ")
    assert caveat_or_none("  ") is None and caveat_or_none(" Draft ") == "Draft"


def test_top_provinces_rank_by_known_killed_and_keep_unknown_na():
    df = _frame(
        admin1_code=["PK-KP", "PK-KP", "AF-KAB", "AF-BAL"],
        admin1=["Khyber Pakhtunkhwa", "Khyber Pakhtunkhwa", "Kabul", "Balkh"],
        killed=[5, None, 9, None],
    )
    table = top_provinces(df)
    assert table["key"].tolist() == ["AF-KAB", "PK-KP", "AF-BAL"]
    assert table["killed_unknown"].tolist() == [0, 1, 1]
    assert pd.isna(table["killed"].iloc[2])  # all unknown: not 0
    assert top_provinces(df.iloc[0:0]).empty
