"""geo.filters: the filter table, and what is derived from it (URL, CLI, sidebar, words).

The acceptance test of issue 15: registering one new filter (one entry) is
enough for it to appear in the URL round trip, the CLI, the summary, the
masks and the sidebar.
"""

from __future__ import annotations

import argparse
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from geo import filters as F
from geo.__main__ import build_parser
from geo.filters import FILTERS, Filter, Filters, Widget
from geo.query import apply
from geo.schema import normalise_dtypes

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


@pytest.fixture
def sub_types():
    """A filter the app does not have: sub-event types. One entry, registered for the test."""
    entry = F.register(
        Filter(
            name="sub_event_types",
            url="sub",
            cli="--sub-event-type",
            about="sub-event type(s), comma-separated",
            parse=str.strip,
            mask=lambda df, v: F.isin(df["sub_event_type"], v),
            describe=lambda f: "sub-type: " + ", ".join(f.sub_event_types),
            slug=lambda f: "sub-" + "-".join(f.sub_event_types),
            widget=Widget("multiselect", "Sub-event types", placeholder="All sub-types"),
            options=lambda df: sorted(df["sub_event_type"].dropna().astype(str).unique()),
        )
    )
    yield entry
    F.unregister(entry.name)


# ---------------------------------------------------------------------- the table
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


def test_registering_a_taken_name_key_or_flag_is_refused():
    with pytest.raises(ValueError, match="url 'country'"):
        F.register(
            Filter("places", "country", "--places", "x", str, np.ones, str, str)  # type: ignore[arg-type]
        )
    assert "places" not in FILTERS


def test_filters_are_immutable_values():
    f = Filters(countries=("AFG",))
    with pytest.raises(AttributeError):
        f.countries = ("PAK",)  # type: ignore[misc]
    with pytest.raises(TypeError, match="no such filter: colour"):
        Filters(colour="red")
    assert f == Filters(countries=["AFG"]) and hash(f) == hash(Filters(countries=("AFG",)))
    assert f.with_(min_killed=2) == Filters(countries=("AFG",), min_killed=2)
    assert Filters(countries=()) == Filters() and Filters().is_empty()
    assert Filters(min_killed=0) != Filters()  # 0 is set (it keeps unknown tolls)


def test_filters_pickle_and_key():
    import pickle

    f = Filters(countries=("PAK",), date_to=date(2025, 1, 1), precisions=(1, 2))
    assert pickle.loads(pickle.dumps(f)) == f
    assert f.key() != Filters(countries=("PAK",)).key()
    assert Filters().key() == "[]"


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


# ---------------------------------------------------------------------- one new entry
def test_a_registered_filter_is_in_the_url_cli_words_and_masks(sub_types, incidents):
    f = Filters(sub_event_types=("Suicide bomb",), countries=("PAK",))
    # URL round trip
    assert f.to_query_params() == {"country": "PAK", "sub": "Suicide bomb"}
    assert Filters.from_query_params({"sub": "Suicide bomb", "country": "PAK"}) == f
    # CLI
    args = build_parser().parse_args(
        ["snapshot", "--out", "x.png", "--sub-event-type", "Suicide bomb", "--country", "PAK"]
    )
    assert isinstance(args, argparse.Namespace) and Filters.from_cli_args(args) == f
    assert Filters.from_cli(sub_event_type="Suicide bomb", country="PAK") == f
    # words
    assert f.describe() == "PAK · sub-type: Suicide bomb"
    assert f.short_slug() == "PAK_sub-Suicide-bomb"
    # rows
    assert apply(incidents, f)["incident_id"].tolist() == ["B"]
    assert F.options(incidents)["sub_event_types"] == ["Armed clash", "Suicide bomb"]


def test_a_registered_filter_is_in_the_sidebar(sub_types, tmp_path, monkeypatch):
    from streamlit.testing.v1 import AppTest

    monkeypatch.setenv("ATLAS_DB", str(tmp_path / "atlas.sqlite"))
    at = AppTest.from_file(APP, default_timeout=180)
    at.query_params["sub"] = "Armed clash"
    at.run()
    assert not at.exception, [e.message for e in at.exception]
    box = at.sidebar.multiselect(key="w_sub_event_types")
    assert box.label == "Sub-event types" and box.value == ["Armed clash"]
    assert at.session_state["filters"] == Filters(sub_event_types=("Armed clash",))
    box.set_value(["Suicide bomb"]).run()
    assert at.session_state["filters"] == Filters(sub_event_types=("Suicide bomb",))
    assert at.query_params["sub"] in ("Suicide bomb", ["Suicide bomb"])
