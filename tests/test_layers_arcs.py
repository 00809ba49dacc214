"""geo.views.layers_arcs: arcs start at the nearest crossing or border, never at a country's middle."""

from __future__ import annotations

import pandas as pd
import pytest
from shapely.geometry import Polygon

from geo.schema import normalise_dtypes
from geo.views import layers_arcs
from geo.views.layers_base import CAPITALS

POINTS = {**CAPITALS, "AFG": (66.0, 33.9), "PAK": (69.3, 30.4)}
CROSSINGS = pd.DataFrame(
    {
        "name": ["Torkham", "Torkham", "Chaman", "Ghulam Khan"],
        "latitude": [34.099, 34.1002, 30.9487, 33.1219],
        "longitude": [71.086, 71.0558, 66.431, 70.0068],
        "country_code": ["PAK", "AFG", "PAK", "PAK"],
    }
)


def _countries():
    """Tajikistan as a box north of the Wakhan; Afghanistan as a box."""
    import geopandas as gpd

    return gpd.GeoDataFrame(
        {"country_code": ["TJK", "AFG"]},
        geometry=[
            Polygon([(67.5, 37.0), (75.0, 37.0), (75.0, 40.0), (67.5, 40.0)]),
            Polygon([(61.0, 29.5), (71.0, 29.5), (71.0, 37.0), (61.0, 37.0)]),
        ],
        crs="EPSG:4326",
    )


def _incidents(rows: list[tuple]) -> pd.DataFrame:
    return normalise_dtypes(
        pd.DataFrame(
            rows,
            columns=[
                "incident_id", "latitude", "longitude", "country_code", "origin_country_code",
                "cross_border",
            ],
        ).assign(event_date="2025-01-01", source="Dawn")
    )  # fmt: skip


def test_an_afghan_origin_into_pakistan_starts_at_the_nearest_crossing_on_its_side():
    df = _incidents(
        [
            ("PESH", 34.0, 71.57, "PAK", "AFG", True),  # Torkham, Afghan side
            ("ZHOB", 31.34, 69.45, "PAK", "AFG", True),  # nearer Ghulam Khan than Chaman
            ("KAND", 31.6, 65.7, "AFG", "PAK", True),  # Pakistani origin into Afghanistan
        ]
    )
    starts = layers_arcs.arc_origins(df, POINTS, crossings=CROSSINGS, countries=_countries())
    assert starts["kind"].tolist() == ["crossing"] * 3
    assert starts["via"].tolist() == ["Torkham", "Ghulam Khan", "Chaman"]
    assert starts.loc[0, ["s_lon", "s_lat"]].tolist() == [71.0558, 34.1002]
    assert starts.loc[2, ["s_lon", "s_lat"]].tolist() == [66.431, 30.9487]


def test_other_origins_start_at_their_border_nearest_the_incident_or_their_capital():
    df = _incidents(
        [
            ("TJK", 34.0, 71.57, "PAK", "TJK", True),  # Tajik origin: the box's south edge
            ("IRN", 30.28, 57.08, "IRN", "AFG", True),  # Kerman, Afghan origin: AFG's west edge
            ("RUS", 34.0, 71.57, "PAK", "RUS", True),  # beyond the boundaries: its capital
            ("OWN", 34.5, 69.2, "AFG", "AFG", True),  # origin is its own country: no arc
            ("ZZZ", 34.5, 69.2, "AFG", "ZZZ", True),  # nowhere to start: no arc
            ("NOT", 34.5, 69.2, "PAK", "AFG", False),  # not cross-border: no arc
        ]
    )
    starts = layers_arcs.arc_origins(df, POINTS, crossings=CROSSINGS, countries=_countries())
    assert starts.index.tolist() == [0, 1, 2]
    assert starts["kind"].tolist() == ["border", "border", "capital"]
    assert starts.loc[0, ["s_lon", "s_lat"]].tolist() == pytest.approx([71.57, 37.0])
    assert starts.loc[1, ["s_lon", "s_lat"]].tolist() == pytest.approx([61.0, 30.28])
    assert tuple(starts.loc[2, ["s_lon", "s_lat"]]) == CAPITALS["RUS"]


def test_each_arc_says_how_its_start_was_chosen_and_is_coloured_by_it():
    df = _incidents(
        [("PESH", 34.0, 71.57, "PAK", "AFG", True), ("T", 34.0, 71.6, "PAK", "TJK", True)]
    )
    arcs = layers_arcs.origin_arcs(df, POINTS, crossings=CROSSINGS, countries=_countries())
    by = {a["kind"]: a for a in arcs.data}
    assert "nearest border crossing, Torkham" in by["crossing"]["tip"]
    assert "names only the origin country" in by["crossing"]["tip"]
    assert "nearest point of the origin country's border" in by["border"]["tip"]
    assert by["crossing"]["c"] != by["border"]["c"]
    assert by["crossing"]["t"] == [71.57, 34.0]


def test_many_arcs_are_grouped_per_start_and_cell():
    n = 50
    df = _incidents([(f"X{i}", 34.0 + 0.0001 * i, 71.5, "PAK", "AFG", True) for i in range(n)])
    arcs = layers_arcs.origin_arcs(df, POINTS, crossings=CROSSINGS, limit=10)
    assert len(arcs.data) < 10 and sum(a["n"] for a in arcs.data) == n
    assert {a["kind"] for a in arcs.data} == {"crossing"}


def test_no_cross_border_incident_means_no_layer():
    df = _incidents([("A", 34.0, 71.5, "PAK", "AFG", False)])
    assert layers_arcs.origin_arcs(df, POINTS, crossings=CROSSINGS) is None
    assert layers_arcs.arc_origins(df.drop(columns=["cross_border"]), POINTS).empty


def test_arcs_of_a_views_rows_read_only_the_flag_of_the_other_incidents():
    from geo.views.rows import Rows

    df = _incidents(
        [
            ("PESH", 34.0, 71.57, "PAK", "AFG", True),
            ("KAB", 34.5, 69.2, "AFG", None, False),
            ("KAND", 31.6, 65.7, "AFG", "PAK", True),
        ]
    )
    rows = Rows(df, slice(0, 3))
    arcs = layers_arcs.origin_arcs(rows, POINTS, crossings=CROSSINGS, countries=_countries())
    plain = layers_arcs.origin_arcs(df, POINTS, crossings=CROSSINGS, countries=_countries())
    assert arcs is not None and plain is not None and arcs.to_json() == plain.to_json()
    assert rows.taken == ("cross_border",)  # the arcs' rows were read through a narrower view
