"""geo.views.layers_scale: a ruler of a round length, in the view's lower left, true on the ground."""

from __future__ import annotations

import math

import pytest

from geo.views import layers_scale as ls
from geo.views.mapview import FRONTIER, MapView, bounds, metres_per_pixel


@pytest.mark.parametrize(("km", "nice"), [(0.4, 1), (1.0, 1), (3.0, 2), (7.0, 5), (180.0, 100)])
def test_nice_lengths_are_one_two_or_five_times_a_power_of_ten(km, nice):
    assert ls.nice_length_km(km) == nice


@pytest.mark.parametrize("view", [FRONTIER, MapView(34.0, 71.57, 10.0), MapView(31.0, 66.0, 7.3)])
def test_the_ruler_is_as_long_on_the_ground_as_its_label_says(view):
    halo, quarters, text = ls.scale_bar_layers(view)
    assert [x.id for x in (halo, quarters, text)] == list(ls.SCALE_LAYER_IDS)
    (start, end), lat = halo.data[0]["path"], halo.data[0]["path"][0][1]
    km = int(text.data[-1]["t"].replace(",", "").split()[0])
    ground_km = (end[0] - start[0]) * 111.32 * math.cos(math.radians(lat))
    assert ground_km == pytest.approx(km, rel=1e-6)
    # about 150 px long at the view it was made for, and inside that view
    px = km * 1000 / metres_per_pixel(lat, view.zoom)
    assert 60 <= px <= 160
    west, south, east, north = bounds(view)
    assert west < start[0] < end[0] < east and south < lat < north
    assert [q["c"] for q in quarters.data] == [[30, 30, 30], [255, 255, 255]] * 2
    assert [t["t"] for t in text.data][:2] == ["0", f"{km / 2:g}"]
