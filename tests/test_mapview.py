"""geo.views.mapview: the view the app sets, fitting, bounds, what lies outside, places."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from geo.views import mapview
from geo.views.mapview import FRONTIER, MapView


def _world_px(lon: float, lat: float, zoom: float) -> tuple[float, float]:
    size = 512 * 2**zoom
    x = (lon + 180) / 360 * size
    y = (1 - math.log(math.tan(math.pi / 4 + math.radians(lat) / 2)) / math.pi) / 2 * size
    return x, y


def test_fit_puts_every_point_inside_the_map_with_the_padding():
    lons, lats = [60.5, 74.0, 69.2], [29.0, 36.9, 34.5]
    w, h = 800, 600
    v = mapview.fit(lons, lats, (w, h), padding=40)
    cx, cy = _world_px(v.longitude, v.latitude, v.zoom)
    for lon, lat in zip(lons, lats, strict=True):
        x, y = _world_px(lon, lat, v.zoom)
        assert 40 - 1e-6 <= x - cx + w / 2 <= w - 40 + 1e-6
        assert 40 - 1e-6 <= y - cy + h / 2 <= h - 40 + 1e-6
    # and it is as close as it can be: one side touches its margin
    xs = [_world_px(lon, lat, v.zoom) for lon, lat in zip(lons, lats, strict=True)]
    span_x = max(p[0] for p in xs) - min(p[0] for p in xs)
    span_y = max(p[1] for p in xs) - min(p[1] for p in xs)
    assert max(span_x / (w - 80), span_y / (h - 80)) == pytest.approx(1.0)


def test_one_point_or_none_does_not_zoom_to_a_street():
    assert mapview.fit([71.57], [34.0]).zoom == mapview.MAX_FIT_ZOOM
    assert mapview.fit([], []) == FRONTIER
    assert mapview.fit([float("nan")], [34.0]) == FRONTIER
    assert mapview.fit_incidents(pd.DataFrame(columns=["latitude", "longitude"])) == FRONTIER


def test_bounds_hold_the_centre_and_shrink_as_the_zoom_grows():
    w5 = mapview.bounds(FRONTIER)
    w8 = mapview.bounds(MapView(33.0, 69.0, 8.0))
    assert w5[0] < 69 < w5[2] and w5[1] < 33 < w5[3]
    assert (w8[2] - w8[0]) == pytest.approx((w5[2] - w5[0]) / 8)


def test_outside_names_the_incidents_the_frontier_view_leaves_out():
    df = pd.DataFrame(
        {
            "latitude": [34.0, 30.28, 55.83, None],
            "longitude": [71.5, 57.08, 37.39, 70.0],
            "admin1": ["Khyber Pakhtunkhwa", "Kerman", "Moscow Oblast", None],
            "country": ["Pakistan", "Iran", "Russia", "Afghanistan"],
        }
    )
    out = mapview.outside(df, FRONTIER)
    assert out.index.tolist() == [1, 2]  # an incident without a point is not "outside"
    assert mapview.describe_places(out) == "Kerman (Iran), Moscow Oblast (Russia)"
    assert mapview.outside(df, mapview.fit_incidents(df)).empty


def test_describe_places_counts_and_cuts_long_lists():
    df = pd.DataFrame({"admin1": [*"ABCDEF", "A"], "country": ["X"] * 7})
    assert mapview.describe_places(df, limit=2) == "A (X) ×2, B (X) and 4 more places"
    assert mapview.describe_places(df.iloc[0:0]) == ""
    many = pd.DataFrame({"admin1": ["Sindh"] * 1234 + [None], "country": ["Pakistan"] * 1235})
    assert mapview.describe_places(many.astype("category")) == "Sindh (Pakistan) ×1,234, Pakistan"


def test_every_push_differs_from_the_last_even_to_the_same_place():
    v1 = FRONTIER.moved(FRONTIER)
    v2 = v1.moved(FRONTIER)
    s0, s1, s2 = (v.view_state() for v in (FRONTIER, v1, v2))
    for key in ("latitude", "longitude", "zoom"):
        assert getattr(s1, key) != getattr(s0, key) and getattr(s2, key) != getattr(s1, key)
        assert getattr(s1, key) == pytest.approx(getattr(s0, key), abs=1e-6)


def test_a_place_is_zoomed_by_its_kind():
    assert mapview.place_view(34.0, 71.57, "city").zoom == mapview.PLACE_ZOOM["city"]
    assert mapview.place_view(34.0, 71.57, "province").zoom < mapview.PLACE_ZOOM["town"]
    assert mapview.place_view(34.0, 71.57, None).zoom == 10.0


def test_metres_per_pixel_halves_with_each_zoom_level():
    a, b = mapview.metres_per_pixel(33, 5), mapview.metres_per_pixel(33, 6)
    assert a == pytest.approx(2 * b)
    assert mapview.metres_per_pixel(60, 5) == pytest.approx(mapview.metres_per_pixel(0, 5) / 2)
