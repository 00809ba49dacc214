"""geo.views.filters: the app's filter table, and what the URL, CLI and sidebar make of it.

Registering a new filter is tested in tests/test_filterspec.py.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pandas as pd
import pytest

from geo.__main__ import build_parser
from geo.schema import normalise_dtypes
from geo.views import filters as F
from geo.views.filters import FILTERS, Filters
from geo.views.query import apply

APP = str(Path(__file__).resolve().parent.parent / "app.py")


@pytest.fixture
def incidents() -> pd.DataFrame:
    return normalise_dtypes(
        pd.DataFrame(
            {
                "incident_id": ["A", "B", "C"],
                "event_date": ["2024-01-01", "2024-02-01", "2024-03-01"],
                "event_type": ["Battles", "Explosions/Remote violence", "Battles"],
                "sub_event_type": ["Armed clash", "Suicide bomb", None],
                "country_code": ["AFG", "PAK", "PAK"],
                "killed": [1, None, 7],
                "geo_precision": [1, 2, 3],
                "latitude": [34.5, 34.0, 30.2],
                "longitude": [69.2, 71.5, 67.0],
            }
        )
    )


def test_each_filter_has_its_own_url_key_and_flag():
    urls = [f.url for f in FILTERS.values()]
    flags = [f.cli for f in FILTERS.values()]
    assert len(set(urls)) == len(urls) == len(FILTERS)
    assert len(set(flags)) == len(flags)
    assert all(flag.startswith("--") for flag in flags)


def test_sidebar_shows_the_dates_first_then_the_table_order():
    names = [f.name for f in F.sidebar_filters()]
    assert names == [
        "date_from",
        "countries",
        "admin1",
        "event_types",
        "actors",
        "min_killed",
        "precisions",
    ]
    # the last day is picked in the same date-range widget
    assert FILTERS["date_from"].widget.end == "date_to" and FILTERS["date_to"].widget is None


def test_the_cli_has_every_filter_the_sidebar_has():
    commands = next(a for a in build_parser()._actions if a.dest == "command").choices
    for command in ("export", "snapshot"):
        sub = commands[command]
        flags = {opt for action in sub._actions for opt in action.option_strings}
        assert {f.cli for f in FILTERS.values()} <= flags, command


def test_cli_reads_precision_and_reports_bad_values():
    args = build_parser().parse_args(
        [
            "export",
            "--format",
            "csv",
            "--out",
            "x.csv",
            "--precision",
            "2,1",
            "--from",
            "2024-01-01",
        ]
    )
    assert Filters.from_cli_args(args) == Filters(precisions=(1, 2), date_from=date(2024, 1, 1))
    with pytest.raises(SystemExit):  # argparse says what is wrong and exits
        build_parser().parse_args(["export", "--format", "csv", "--out", "x", "--precision", "7"])
    with pytest.raises(ValueError, match="ISO"):
        Filters.from_cli(country="Afghanistan")


def test_reversed_dates_are_put_right_everywhere():
    lo, hi = date(2024, 1, 1), date(2025, 1, 1)
    assert Filters.from_cli(date_from="2025-01-01", date_to="2024-01-01") == Filters(
        date_from=lo, date_to=hi
    )


def test_precision_filter_masks(incidents):
    assert apply(incidents, Filters(precisions=(2, 3)))["incident_id"].tolist() == ["B", "C"]


def test_the_time_window_is_one_filter_carried_by_the_url_and_the_cli(incidents):
    from geo.views.timewindow import TimeWindow

    f = Filters.from_query_params({"window": "month:2024-02-14", "country": "PAK"})
    assert f.window == TimeWindow(date(2024, 2, 1), "month")
    assert f.to_query_params() == {"country": "PAK", "window": "month:2024-02-01"}
    assert f.describe() == "PAK · February 2024" and f.short_slug() == "PAK_2024-02"
    assert apply(incidents, f)["incident_id"].tolist() == ["B"]
    assert Filters.from_query_params({"window": "fortnight:2024-02-01"}).window is None
    assert FILTERS["window"].widget is None  # drawn by the Map and Cross-border pages
    args = build_parser().parse_args(
        ["export", "--format", "csv", "--out", "x.csv", "--window", "quarter:2024-02-01"]
    )
    assert Filters.from_cli_args(args).window == TimeWindow(date(2024, 1, 1), "quarter")


def test_invalid_url_values_are_dropped_and_named():
    dropped: list = []
    f = Filters.from_query_params(
        {"country": "XXX,pak", "min_killed": "-5", "from": "2024-13-45", "precision": "7,2"},
        dropped,
    )
    assert f == Filters(countries=("PAK",), precisions=(2,))
    named = {(d.key, d.text) for d in dropped}
    assert named == {
        ("country", "XXX"),
        ("min_killed", "-5"),
        ("from", "2024-13-45"),
        ("precision", "7"),
    }
    assert "no country" in next(str(d) for d in dropped if d.key == "country")
    assert "YYYY-MM-DD" in next(d.reason for d in dropped if d.key == "from")


def test_a_reversed_date_range_in_the_url_is_dropped_and_named():
    dropped: list = []
    f = Filters.from_query_params(
        {"from": "2025-01-01", "to": "2024-01-01", "country": "AFG"}, dropped
    )
    assert f == Filters(countries=("AFG",))
    assert [(d.key, d.text) for d in dropped] == [("from&to", "2025-01-01,2024-01-01")]
    assert "after" in dropped[0].reason


def test_valid_url_values_drop_nothing():
    dropped: list = []
    f = Filters.from_query_params(
        {"country": "AFG", "admin1": "PK-KP", "from": "2024-01-01"}, dropped
    )
    assert dropped == [] and f.admin1 == ("PK-KP",)


def test_the_cli_refuses_an_unknown_country_code():
    with pytest.raises(ValueError, match="no country"):
        Filters.from_cli(country="XXX")
