"""Tests for geo.schema: canonical columns and dtype normalisation."""

from __future__ import annotations

import pandas as pd
import pytest

from geo.schema import (
    CLAIM_COLUMNS,
    INCIDENT_COLUMNS,
    INT_COLUMNS,
    empty_claims,
    empty_incidents,
    normalise_dtypes,
)


def test_incident_columns_follow_design_order():
    assert INCIDENT_COLUMNS[:3] == ["incident_id", "event_date", "date_precision"]
    assert INCIDENT_COLUMNS[-3:] == ["border_distance_km", "qa_flags", "upload_id"]
    assert len(INCIDENT_COLUMNS) == len(set(INCIDENT_COLUMNS)) == 34


def test_claim_columns_are_unique_and_complete():
    assert len(CLAIM_COLUMNS) == len(set(CLAIM_COLUMNS))
    for col in ("claim_id", "stance", "groups", "territory_code", "source_ref"):
        assert col in CLAIM_COLUMNS


def test_unknown_casualties_stay_unknown_not_zero():
    df = normalise_dtypes(pd.DataFrame({"incident_id": ["a", "b"], "killed": ["", "3"]}))
    assert df["killed"].dtype == "Int64"
    assert df["killed"].isna().tolist() == [True, False]
    assert int(df["killed"].iloc[1]) == 3
    assert int(df["killed"].fillna(-1).iloc[0]) == -1  # not silently 0


def test_missing_columns_added_and_extra_columns_kept_after():
    df = normalise_dtypes(pd.DataFrame({"incident_id": ["x"], "_line": [7]}))
    assert list(df.columns[: len(INCIDENT_COLUMNS)]) == INCIDENT_COLUMNS
    assert df.columns[-1] == "_line"
    assert df["_line"].iloc[0] == 7


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("true", True), ("FALSE", False), ("1", True), ("0", False), ("", None), ("maybe", None)],
)
def test_cross_border_parses_to_nullable_bool(raw, expected):
    value = normalise_dtypes(pd.DataFrame({"cross_border": [raw]}))["cross_border"].iloc[0]
    if expected is None:
        assert value is pd.NA
    else:
        assert bool(value) is expected


def test_text_is_stripped_and_blank_becomes_none():
    df = normalise_dtypes(pd.DataFrame({"location": ["  Zhob ", "   ", None]}))
    assert df["location"].tolist() == ["Zhob", None, None]


def test_dates_and_coordinates_are_typed():
    df = normalise_dtypes(
        pd.DataFrame({"event_date": ["2025-02-11"], "latitude": ["36.7"], "longitude": [68.8]})
    )
    assert df["event_date"].iloc[0] == pd.Timestamp("2025-02-11")
    assert df["latitude"].dtype == "float64"
    assert df["latitude"].iloc[0] == pytest.approx(36.7)


def test_empty_tables_have_schema():
    inc = empty_incidents()
    assert list(inc.columns) == INCIDENT_COLUMNS
    assert all(inc[c].dtype == "Int64" for c in INT_COLUMNS)
    assert list(empty_claims().columns) == CLAIM_COLUMNS
