"""geo.views.layers_base: the basemap (in its phases), the choropleth, tooltips and type colours."""

from __future__ import annotations

import pandas as pd

from geo.schema import normalise_dtypes
from geo.views import layers_base as lb
from geo.views.palette import EVENT_RGB, OTHER_RGB

XSS = "<script>alert(1)</script>"


def _fc(features):
    return {"type": "FeatureCollection", "features": features}


def _square(x, y, d=1.0):
    ring = [[x, y], [x + d, y], [x + d, y + d], [x, y + d], [x, y]]
    return {"type": "Polygon", "coordinates": [ring]}


ADM0 = _fc(
    [
        {"type": "Feature", "properties": {"country_code": "AFG"}, "geometry": _square(66, 33)},
        {"type": "Feature", "properties": {"country_code": "FRA"}, "geometry": _square(2, 46)},
        {"type": "Feature", "properties": {"country_code": "IRN"}, "geometry": _square(49, 32, 3)},
    ]
)
ADM1 = _fc(
    [
        {
            "type": "Feature",
            "properties": {"admin1": "Islamabad Capital Territory", "admin1_code": "PK-IS",
                           "rep_lat": 33.7, "rep_lon": 73.0},
            "geometry": _square(72.8, 33.5, 0.3),
        },
        {
            "type": "Feature",
            "properties": {"admin1": "Kabul", "admin1_code": "AF-KAB", "rep_lat": float("nan"),
                           "rep_lon": 69.2},
            "geometry": _square(68.8, 34.2, 0.6),
        },
    ]
)  # fmt: skip
BORDER = {"type": "LineString", "coordinates": [[69.0, 31.0], [70.0, 32.0]]}


def test_the_basemap_is_its_phases_in_order():
    ids = [layer.id for layer in lb.basemap_layers(ADM0, ADM1, BORDER)]
    assert ids == [
        "base-countries",
        "base-provinces",
        "base-border-halo",
        "base-border",
        "base-labels",
    ]
    assert [layer.id for layer in lb.basemap_layers(ADM0, ADM1, labels=False)] == [
        "base-countries",
        "base-provinces",
    ]


def test_neighbours_are_clipped_to_the_frontier_and_focus_countries_filled_warm():
    countries = lb.basemap_layers(ADM0, ADM1)[0].data["features"]
    by_code = {f["properties"]["country_code"]: f for f in countries}
    assert by_code["FRA"]["geometry"] is None  # far outside the frontier box
    assert by_code["IRN"]["geometry"] is not None
    assert by_code["AFG"]["properties"]["fill"] != by_code["IRN"]["properties"]["fill"]


def test_labels_use_short_names_and_skip_provinces_without_a_point():
    labels = lb.basemap_layers(ADM0, ADM1)[-1]
    assert [(r["p"], r["t"]) for r in labels.data] == [([73.0, 33.7], "Islamabad")]
    # the basemap also goes into the offline HTML, whose deck.gl bundle has no extensions
    assert "extensions" not in labels.__dict__


def test_feature_collection_turns_nan_into_null():
    fc = lb.feature_collection(ADM1, keep=("admin1_code", "rep_lat"))
    assert fc["features"][1]["properties"] == {"admin1_code": "AF-KAB", "rep_lat": None}
    single = lb.feature_collection(BORDER)
    assert single["features"][0]["geometry"]["type"] == "LineString"


def test_tooltips_say_unknown_and_approximate_and_keep_text_literal():
    df = normalise_dtypes(
        pd.DataFrame(
            {
                "event_date": ["2025-02-01", None],
                "date_precision": ["month", "day"],
                "event_type": ["Battles", "Riots"],
                "actor1": [XSS, "Protesters"],
                "claimed_by": ["TTP", None],
                "killed": [None, 2],
                "injured": [3, None],
                "geo_precision": [3, 1],
                "location": ["Bara", None],
                "admin1": ["Khyber Pakhtunkhwa", "Kabul"],
                "source": ["Dawn", "AP"],
            }
        )
    )
    first, second = lb.tooltip_texts(df)
    assert first.startswith("2025-02-01 (month) · Bara — Khyber Pakhtunkhwa")
    assert "killed unknown · injured 3" in first and "Location approximate:" in first
    assert XSS in first and "claimed by TTP" in first  # escaping is the renderer's job
    assert second.startswith("date unknown · Kabul") and "Location approximate" not in second


def test_unknown_types_are_grey():
    rgb = lb.type_rgb(pd.Series(["Battles", "Made up", None]))
    assert rgb.tolist() == [list(EVENT_RGB["Battles"]), list(OTHER_RGB), list(OTHER_RGB)]


def test_country_points_fall_back_to_capitals():
    points = lb.country_points(ADM0)
    assert points["USA"] == lb.CAPITALS["USA"]
    lon, lat = points["AFG"]
    assert 66 <= lon <= 67 and 33 <= lat <= 34  # inside its polygon, not at Kabul
