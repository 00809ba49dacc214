"""Tests for geo.views.geojson: plain GeoJSON dicts for pydeck."""

from __future__ import annotations

import json
import math

import geopandas as gpd
from shapely.geometry import LineString, Point, Polygon

from geo.views.geojson import feature_collection, plain_geometry

PROVINCES = gpd.GeoDataFrame(
    {"admin1_code": ["PK-KP", "AF-KAB"], "rep_lat": [34.0, float("nan")], "extra": [1, 2]},
    geometry=[Polygon([(70, 33), (72, 33), (72, 35)]), Point(69.2, 34.5)],
    crs="EPSG:4326",
)


def test_frame_keeps_only_named_properties_and_nan_is_null():
    fc = feature_collection(PROVINCES, keep=("admin1_code", "rep_lat"))
    assert [f["properties"] for f in fc["features"]] == [
        {"admin1_code": "PK-KP", "rep_lat": 34.0},
        {"admin1_code": "AF-KAB", "rep_lat": None},
    ]
    json.dumps(fc, allow_nan=False)  # raises on NaN or tuples JSON cannot hold


def test_a_bare_geometry_becomes_one_feature():
    fc = feature_collection(LineString([(70.0, 30.0), (71.0, 31.0)]))
    assert len(fc["features"]) == 1
    assert fc["features"][0]["geometry"]["coordinates"] == [[70.0, 30.0], [71.0, 31.0]]


def test_a_feature_mapping_is_wrapped():
    feature = {"type": "Feature", "properties": {"a": 1}, "geometry": Point(1, 2).__geo_interface__}
    assert feature_collection(feature)["features"][0]["properties"] == {"a": 1}


def test_plain_geometry_rounds_and_lists():
    out = plain_geometry({"coordinates": ((1.123456789, math.pi),)})
    assert out == {"coordinates": [[1.12346, 3.14159]]}
    assert plain_geometry("text") == "text"


def test_a_frame_gives_what_its_geo_interface_gives_and_shares_each_shape():
    frame = gpd.GeoDataFrame(
        {
            "name": ["a", None, "c"],
            "n": [1, 2, 3],
            "x": [0.5, float("nan"), 2.0],
        },
        geometry=[
            Polygon([(70, 33), (72.1234567, 33), (72, 35)]),
            None,
            LineString([(1, 2), (3, 4)]),
        ],
        crs="EPSG:4326",
    )
    for keep in (None, ("x", "name"), ("n", "absent")):
        fast = feature_collection(frame, keep=keep)
        generic = feature_collection(dict(frame.__geo_interface__), keep=keep)
        assert json.dumps(fast) == json.dumps(generic)  # same keys, order and values
    again = feature_collection(frame)
    assert again["features"][0]["geometry"] is fast["features"][0]["geometry"]
