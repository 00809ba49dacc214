"""geo.views.filterspec: the Filters value, and registering a filter.

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

from geo.__main__ import build_parser
from geo.schema import normalise_dtypes
from geo.views import filters as F
from geo.views.filters import FILTERS, Filter, Filters, Widget
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
