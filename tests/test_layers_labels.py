"""geo.views.layers_labels: one collision-filtered layer of names, provinces first, towns gated by zoom."""

from __future__ import annotations

import itertools
import math
from types import SimpleNamespace

import pytest

from geo.views import layers_labels as ll
from geo.views.mapview import metres_per_pixel


def _square(x, y, d):
    ring = [[x, y], [x + d, y], [x + d, y + d], [x, y + d], [x, y]]
    return {"type": "Polygon", "coordinates": [ring]}


ADM1 = {
    "type": "FeatureCollection",
    "features": [
        {"type": "Feature", "geometry": _square(*g),
         "properties": {"admin1": n, "admin1_code": c, "rep_lat": lat, "rep_lon": lon}}
        for n, c, lat, lon, g in [
            ("Kunar", "AF-KNR", 34.9, 71.1, (70.8, 34.6, 0.6)),
            ("Khyber Pakhtunkhwa", "PK-KP", 34.5, 72.0, (70.5, 31.0, 4.0)),
            ("Islamabad Capital Territory", "PK-IS", 33.7, 73.0, (72.8, 33.5, 0.3)),
            ("Nowhere", "XX-NO", None, 70.0, (60.0, 30.0, 1.0)),
        ]
    ],
}  # fmt: skip


def _place(name, lat, lon, feature="town", population=0):
    return SimpleNamespace(
        name=name, latitude=lat, longitude=lon, feature=feature, population=population
    )


def test_provinces_have_the_highest_priorities_larger_first():
    rows = ll.label_layer(ADM1).data
    by = {r["t"]: r for r in rows}
    assert set(by) == {"Kunar", "Khyber Pakhtunkhwa", "Islamabad"}  # short name; no point: none
    assert by["Khyber Pakhtunkhwa"]["pr"] > by["Kunar"]["pr"] > by["Islamabad"]["pr"] >= 900


def test_towns_are_tiered_by_kind_and_population_and_named_in_plain_letters():
    table = ll.place_table(
        [
            _place("Peshāwar", 34.0, 71.57, "city", 1_218_773),
            _place("Landi Kotal", 34.1, 71.14, "town", 30_000),
            _place("Torkham", 34.1, 71.09, "crossing"),
            _place("Tiny", 34.2, 71.0, "village", 500),
            _place("Kunar", 34.9, 71.1, "province", 400_000),  # provinces: their own labels
            _place("Qissa Khwani Bazaar", 34.008, 71.58, "neighbourhood"),  # inside Peshawar
        ]
    )
    assert table["name"].tolist() == ["Peshawar", "Landi Kotal", "Torkham", "Tiny"]
    assert table["tier"].tolist() == ["city", "town", "crossing", "small"]
    pr = table.set_index("name")["priority"]
    assert pr["Peshawar"] > pr["Landi Kotal"] > pr["Tiny"]


def test_all_names_share_one_layer_and_one_collision_group():
    table = ll.place_table([_place("Peshawar", 34.0, 71.57, "city", 1_000_000)])
    layer = ll.label_layer(ADM1, table)
    spec = layer.__dict__
    assert layer.type == "TextLayer" and layer.id == "base-labels"
    assert spec["extensions"] == [{"@@type": "CollisionFilterExtension"}]
    assert spec["collision_group"] == ll.COLLISION_GROUP
    assert ll.label_layer(None, table.iloc[0:0]) is None


def test_each_town_has_a_gate_south_of_it_above_its_own_priority():
    lat = 34.0
    table = ll.place_table([_place("Jalalabad", lat, 70.45, "city", 200_000)])
    rows = ll.label_layer(None, table).data
    gate = next(r for r in rows if r["t"] == ll.GATE_TEXT)
    name = next(r for r in rows if r["t"] == "Jalalabad")
    assert gate["c"][3] == 0 and gate["pr"] > name["pr"]  # invisible, and it wins
    assert gate["p"][0] == name["p"][0] and gate["p"][1] < name["p"][1]
    # the gate's distance is GATE_OFFSET_PX at the tier's zoom: more at lower zoom, less above
    south_m = (name["p"][1] - gate["p"][1]) * 111_320.0
    z = ll.TIERS["city"].min_zoom
    assert south_m / metres_per_pixel(lat, z) == pytest.approx(ll.GATE_OFFSET_PX, rel=1e-3)
    assert south_m / metres_per_pixel(lat, z - 1) == pytest.approx(ll.GATE_OFFSET_PX / 2, rel=1e-3)


def test_gates_of_a_tier_never_outrank_the_names_of_the_tier_above():
    tiers = sorted(ll.TIERS.values(), key=lambda t: -t.priority)
    for upper, lower in itertools.pairwise(tiers):
        if upper.priority > lower.priority:
            assert lower.priority + 100 <= upper.priority  # the lower tier's gates
        assert upper.min_zoom <= lower.min_zoom


def test_gate_metres_grows_as_the_zoom_falls():
    assert ll.gate_metres(6.0) == pytest.approx(2 * ll.gate_metres(7.0))
    assert ll.gate_metres(6.0, latitude=0) > ll.gate_metres(6.0, latitude=40)
    assert math.isfinite(ll.gate_metres(8.6))


def test_without_the_collision_filter_only_province_names_are_drawn():
    # pydeck's offline HTML bundle (the HTML export) has no CollisionFilterExtension
    table = ll.place_table([_place("Peshawar", 34.0, 71.57, "city", 1_000_000)])
    layer = ll.label_layer(ADM1, table, collide=False)
    assert "extensions" not in layer.__dict__ and "collision_group" not in layer.__dict__
    assert {r["t"] for r in layer.data} == {"Kunar", "Khyber Pakhtunkhwa", "Islamabad"}
    assert "extensions" not in ll.province_label_layer(ADM1, collide=False).__dict__
