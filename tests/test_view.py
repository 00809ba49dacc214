"""geo.views.view: one View per run: filters applied once, facts counted once, cheap variants."""

from __future__ import annotations

import pickle
from datetime import UTC, date, datetime

import pandas as pd
import pytest

from geo.schema import normalise_dtypes
from geo.views import query
from geo.views.filters import Filters
from geo.views.view import View, made_now, stored_incidents
from geo.views.viewfacts import DEFAULT_TITLE

MADE = datetime(2026, 1, 15, 9, 30, tzinfo=UTC)


@pytest.fixture
def incidents() -> pd.DataFrame:
    return query.compact(
        normalise_dtypes(
            pd.DataFrame(
                {
                    "incident_id": ["A", "B", "C"],
                    "event_date": ["2023-05-01", "2024-06-01", "2025-07-01"],
                    "country_code": ["AFG", "PAK", "PAK"],
                    "killed": [2, None, 5],
                    "latitude": [34.5, 34.0, 30.2],
                    "longitude": [69.2, 71.5, 67.0],
                    "source": ["Dawn", "AP", "AP"],
                }
            )
        )
    )


@pytest.fixture
def claims() -> pd.DataFrame:
    return pd.DataFrame(
        {"statement_date": ["2023-01-01", "2024-07-01", None], "stance": ["accuses"] * 3}
    )


def test_build_applies_the_filters_to_incidents_and_dates_to_claims(incidents, claims):
    f = Filters(countries=("PAK",), date_from=date(2024, 1, 1))
    v = View.build(incidents, claims, f, made_at=MADE)
    assert v.incidents["incident_id"].tolist() == ["B", "C"]
    assert v.claims["statement_date"].tolist() == ["2024-07-01"]  # claims: the dates only
    assert (v.facts.incidents, v.facts.killed_known, v.facts.unknown) == (2, 5, 1)
    assert v.facts.description == "PAK · from 2024-01-01" and v.title == DEFAULT_TITLE


def test_already_filtered_incidents_are_not_filtered_again(incidents):
    v = View.build(incidents.iloc[:1], filters=Filters(countries=("PAK",)), filtered=True)
    assert v.incidents["incident_id"].tolist() == ["A"]  # taken as given


def test_with_changes_words_and_time_without_recounting(incidents):
    v = View.build(incidents, made_at=MADE)
    w = v.with_(title="  Frontier ", caveat=" ", shade="killed")
    assert (w.title, w.caveat, w.shade, w.made_at) == ("Frontier", None, "killed", MADE)
    assert w.facts.killed_line == v.facts.killed_line and w.rows is v.rows
    assert v.title == DEFAULT_TITLE and v.shade is None  # the original is unchanged
    assert w.with_(title=None).title == DEFAULT_TITLE
    with pytest.raises(ValueError, match="shade"):
        v.with_(shade="population")  # type: ignore[arg-type]


def test_keys_and_file_names_follow_what_the_file_would_say(incidents):
    v = View.build(incidents, filters=Filters(countries=("AFG",), min_killed=1), made_at=MADE)
    assert v.file_stem() == "atlas_2026-01-15_AFG_k1"
    keys = {v.key(), v.with_(title="T").key(), v.with_(made_at=datetime(2026, 1, 16)).key()}
    assert len(keys) == 3 and v.with_().key() == v.key()


def test_plain_incidents_are_plain_text_without_cells(incidents):
    from geo.views.cells import add_h3

    v = View.build(add_h3(incidents))
    assert "h3" in v.incidents.columns and "h3" not in v.plain_incidents.columns
    assert v.plain_incidents["country_code"].dtype == object


def test_a_view_survives_pickling_as_streamlit_caches_it(incidents, claims):
    v = View.build(incidents, claims, Filters(countries=("PAK",)), title="T", made_at=MADE)
    back = pickle.loads(pickle.dumps(v))
    assert back.filters == v.filters and back.facts == v.facts and back.key() == v.key()
    pd.testing.assert_frame_equal(back.incidents, v.incidents)


def test_made_now_honours_source_date_epoch(monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", str(int(MADE.timestamp())))
    assert made_now() == MADE
    monkeypatch.delenv("SOURCE_DATE_EPOCH")
    assert abs((made_now() - datetime.now(UTC)).total_seconds()) < 60


def test_stored_incidents_are_compact_with_their_cells(tmp_path):
    from geo.ingest.seed import open_store

    df = stored_incidents(open_store(str(tmp_path / "atlas.sqlite")))
    assert len(df) > 0 and "h3" in df.columns
    assert isinstance(df["country_code"].dtype, pd.CategoricalDtype)


def test_a_view_copies_the_columns_its_facts_and_readers_name_and_no_others(incidents):
    """Counting the facts takes their few columns; ``table`` takes what it names;
    ``incidents`` reads them all, and ``table`` then reads from it."""
    from geo.views.viewfacts import FACT_COLUMNS

    v = View.build(incidents, filters=Filters(countries=("PAK",)), made_at=MADE)
    assert set(v.rows.taken) == set(FACT_COLUMNS) & set(incidents.columns)
    assert v.table(["country_code", "nope"]).to_dict("list") == {"country_code": ["PAK", "PAK"]}
    assert "incident_id" not in v.rows.taken and len(v.rows) == v.facts.incidents == 2
    assert v.incidents["incident_id"].tolist() == ["B", "C"]
    assert set(v.rows.taken) == set(incidents.columns)
    pd.testing.assert_frame_equal(v.table(["killed"]), v.incidents[["killed"]])
