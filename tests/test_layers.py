"""geo.views.layers: honest symbols (hollow unknown, marked coarse precision), small payloads, no tiles."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from geo.schema import EVENT_TYPES, normalise_dtypes
from geo.views import layers
from geo.views.legend import event_type_items

PAYLOAD = '<img src=x onerror=alert(1)> {source} "quoted"'


def _strict(text: str) -> object:
    def refuse(name: str) -> None:
        raise ValueError(f"non-JSON constant {name}")

    return json.loads(text, parse_constant=refuse)


@pytest.fixture
def incidents() -> pd.DataFrame:
    rows = [
        dict(
            incident_id="P1",
            event_date="2025-01-01",
            event_type="Battles",
            killed=9,
            geo_precision=1,
            latitude=34.0,
            longitude=71.5,
            location="Peshawar",
            admin1="Khyber Pakhtunkhwa",
            country="Pakistan",
            country_code="PAK",
            actor1=PAYLOAD,
            source="Dawn",
            cross_border=True,
            origin_country_code="AFG",
        ),
        dict(
            incident_id="U1",
            event_date="2025-01-02",
            event_type="Explosions/Remote violence",
            killed=None,
            geo_precision=1,
            latitude=34.1,
            longitude=71.6,
            source="AP",
        ),
        dict(
            incident_id="S2",
            event_date="2025-01-03",
            event_type="Battles",
            killed=2,
            geo_precision=2,
            latitude=33.5,
            longitude=70.9,
            source="AP",
        ),
        dict(
            incident_id="C3",
            event_date="2025-01-04",
            event_type="Riots",
            killed=1,
            geo_precision=3,
            latitude=36.7,
            longitude=67.1,
            admin1="Balkh",
            source="AP",
        ),
        dict(
            incident_id="C4",
            event_date="2025-01-05",
            event_type="Protests",
            killed=None,
            geo_precision=4,
            latitude=33.9,
            longitude=67.7,
            source="AP",
        ),
    ]
    return normalise_dtypes(pd.DataFrame(rows))


def _layer(ls: list, suffix: str):
    return next(layer for layer in ls if layer.id.endswith(suffix))


def test_palette_covers_schema_and_matches_the_snapshot():
    assert set(EVENT_TYPES) <= set(layers.EVENT_RGB)
    from geo.views import mapkey

    for name, hexcol in mapkey.EVENT_COLOURS.items():
        assert layers.EVENT_RGB[name] == tuple(int(hexcol[i : i + 2], 16) for i in (1, 3, 5))
    labels = [label for label, _ in event_type_items(None)]  # the legends' labels
    assert labels[: len(EVENT_TYPES)] == EVENT_TYPES and labels[-1].startswith("Other")


def test_unknown_toll_is_a_hollow_ring(incidents):
    pts = {r["id"]: r for r in _layer(layers.incident_layers(incidents), "incidents").data}
    assert pts["U1"]["f"][3] == 0 and pts["U1"]["l"][3] > 0  # no fill, visible outline
    assert pts["P1"]["f"][3] > 0
    assert "killed unknown" in pts["U1"]["tip"]
    assert "killed 9" in pts["P1"]["tip"]


def test_radius_grows_with_sqrt_of_killed_and_unknown_is_not_zero():
    r = layers.radius_px([0, 1, 4, 100, None])
    assert r[0] < r[1] < r[2] < r[3]
    assert r[2] - r[0] == pytest.approx(2 * (r[1] - r[0]))  # √4 = 2·√1
    assert r[4] > r[0]  # an unknown toll is not drawn as the smallest (zero) dot


def test_coarse_precision_is_never_a_dot(incidents):
    ls = layers.incident_layers(incidents)
    point_ids = {r["id"] for r in _layer(ls, "incidents").data}
    assert point_ids == {"P1", "U1", "S2"}
    approx = _layer(ls, "-approx")
    assert approx.radius_units == "meters"
    by_ids = {tuple(r["ids"]): r for r in approx.data}
    assert by_ids[("C3",)]["rm"] >= 40_000 and by_ids[("C4",)]["rm"] > by_ids[("C3",)]["rm"]
    assert all(r["f"][3] < 60 for r in approx.data)  # faint
    assert by_ids[("C3",)]["tip"].startswith("APPROXIMATE LOCATION — province level only")


def test_precision_two_is_softer_than_one(incidents):
    pts = {r["id"]: r for r in _layer(layers.incident_layers(incidents), "incidents").data}
    assert pts["S2"]["f"][3] < pts["P1"]["f"][3]
    assert pts["S2"]["l"][3] == 0


def test_tooltip_is_one_placeholder_and_keeps_text_literal(incidents):
    d = layers.deck(layers.incident_layers(incidents), online_tiles=False)
    assert d._tooltip["html"] == "{tip}"
    tip = {r["id"]: r for r in _layer(d.layers, "incidents").data}["P1"]["tip"]
    assert PAYLOAD[:60] in tip  # raw text; st.pydeck_chart escapes it when drawn
    for field in (
        "2025-01-01",
        "Peshawar",
        "Battles",
        "killed 9",
        "injured unknown",
        "Source: Dawn",
    ):
        assert field in tip


def test_deck_is_offline_by_default(incidents):
    spec = _strict(layers.deck(layers.incident_layers(incidents), online_tiles=False).to_json())
    text = json.dumps(spec)
    assert "cartocdn" not in text and "mapbox" not in text
    assert spec.get("mapProvider") is None and spec.get("mapStyle") == "__MAP_STYLE__"
    vs = spec["initialViewState"]
    assert (vs["latitude"], vs["longitude"], vs["zoom"]) == (33.0, 69.0, 5)
    online = _strict(layers.deck([], online_tiles=True).to_json())
    assert online["mapProvider"] == "carto"


def test_points_above_the_limit_become_hexagons(incidents):
    many = pd.concat([incidents.iloc[:3]] * 5, ignore_index=True)
    ls = layers.incident_layers(many, point_limit=10)
    hexes = _layer(ls, "-hex")
    assert hexes.type == "H3HexagonLayer"
    assert sum(int(r["tip"].split(" ")[0]) for r in hexes.data) == 15
    assert not any(layer.id == "incidents" for layer in ls)


def _synthetic(n: int, seed: int = 7) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    return pd.DataFrame(
        {
            "incident_id": np.arange(n).astype(str),
            "latitude": rng.uniform(25.0, 38.0, n),
            "longitude": rng.uniform(60.0, 75.0, n),
            "geo_precision": pd.array(rng.choice([1, 1, 2, 3], n), dtype="Int64"),
            "killed": pd.Series(rng.poisson(2, n), dtype="Int64").mask(rng.random(n) < 0.2),
            "event_type": pd.Categorical.from_codes(rng.integers(0, 6, n), EVENT_TYPES),
            "event_date": pd.Timestamp("2020-01-01"),
        }
    )


@pytest.mark.slow
def test_a_million_incidents_stay_under_five_megabytes():
    df = layers.add_h3(_synthetic(1_000_000))
    d = layers.deck([*layers.incident_layers(df), layers.density_layer(df)], online_tiles=False)
    size = layers.payload_bytes(d)
    print(f"\n1,000,000 incidents → deck JSON {size / 1e6:.2f} MB")
    assert size <= 5_000_000
    hexes = _layer(d.layers, "-hex")
    assert len(hexes.data) <= layers.MAX_CELLS


def test_payload_budget_forces_aggregation(incidents):
    df = layers.add_h3(_synthetic(5_000))
    ls = layers.incident_layers(df, budget=100_000)
    assert any(layer.id.endswith("-hex") for layer in ls)
    size = layers.payload_bytes(layers.deck(layers.incident_layers(df), online_tiles=False))
    print(f"\n5,000 incidents as points → deck JSON {size / 1e6:.2f} MB")
    assert size < layers.PAYLOAD_BUDGET


def test_add_h3_matches_h3_per_point():
    import h3

    df = _synthetic(50)
    cells = layers.add_h3(df)["h3"]
    for (lat, lon), cell in zip(df[["latitude", "longitude"]].to_numpy(), cells, strict=True):
        assert h3.int_to_str(int(cell)) == h3.latlng_to_cell(lat, lon, layers.H3_RES)


def test_choropleth_shades_by_metric():
    adm1 = {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "properties": {"admin1": n, "admin1_code": c, "country_code": "AFG"},
                "geometry": {"type": "Point", "coordinates": [67.0, 34.0]},
            }
            for n, c in [("Balkh", "AF-BAL"), ("Kunduz", "AF-KDZ"), ("Kabul", "AF-KAB")]
        ],
    }
    table = pd.DataFrame(
        {
            "key": ["AF-BAL", "AF-KDZ"],
            "incidents": [10, 1],
            "killed": pd.array([None, 4], dtype="Int64"),
            "killed_unknown": [10, 0],
        }
    )
    by = {
        f["properties"]["admin1_code"]: f["properties"]
        for f in layers.choropleth_layer(adm1, table, "incidents").data["features"]
    }
    assert by["AF-KAB"]["fill"][3] == 0 and "no incidents" in by["AF-KAB"]["tip"]
    assert sum(by["AF-BAL"]["fill"][:3]) < sum(by["AF-KDZ"]["fill"][:3])  # more = darker
    killed = {
        f["properties"]["admin1_code"]: f["properties"]
        for f in layers.choropleth_layer(adm1, table, "killed").data["features"]
    }
    assert killed["AF-BAL"]["fill"][3] == 0  # all unknown: not shaded as if zero or known
    assert "killed unknown (known); toll unknown for 10" in killed["AF-BAL"]["tip"]


def test_arcs(incidents):
    pts = layers.country_points()
    arcs = layers.origin_arcs(incidents, pts)
    assert len(arcs.data) == 1 and arcs.data[0]["s"] == list(pts["AFG"])
    assert arcs.data[0]["t"] == [71.5, 34.0]
    # without crossings or borders to start from, the capital, and the tooltip says so
    assert arcs.data[0]["kind"] == "capital" and "capital" in arcs.data[0]["tip"]
    assert layers.origin_arcs(incidents.assign(cross_border=False), pts) is None


def test_basemap_layers_from_boundaries():
    b = pytest.importorskip("geo.places.boundaries")
    ls = layers.basemap_layers(b.adm0_simplified(), b.adm1_simplified(), b.border_line())
    ids = [layer.id for layer in ls]
    assert ids[:2] == ["base-countries", "base-provinces"] and "base-border" in ids
    border = _layer(ls, "base-border")
    assert border.line_width_min_pixels >= 3
    labels = {p["t"] for p in _layer(ls, "base-labels").data}
    assert {"Balkh", "Kunduz", "Khyber Pakhtunkhwa", "Balochistan"} <= labels
    size = layers.payload_bytes(layers.deck(ls, online_tiles=False))
    assert size < 1_000_000


def test_choropleth_key_matches_layer_colours():
    key = layers.choropleth_key(100)
    assert key[-1][0] == "100" and len(key) >= 3
    assert [int(label.replace(",", "")) for label, _ in key] == sorted(
        int(label.replace(",", "")) for label, _ in key
    )
    assert layers.choropleth_key(0) == []


def test_many_approximate_incidents_become_one_circle_per_province():
    rng = np.random.default_rng(3)
    n = 2_000
    df = pd.DataFrame(
        {
            "incident_id": [f"X{i}" for i in range(n)],
            "latitude": rng.uniform(30, 36, n),
            "longitude": rng.uniform(62, 72, n),
            "geo_precision": pd.array([3] * (n - 10) + [4] * 10, dtype="Int64"),
            "admin1_code": pd.Series(
                ["AF-KAN", "PK-KP", "AF-BAL"] * 660 + [None] * 20, dtype=object
            ),
            "country_code": pd.Series(["AFG", "PAK", "AFG"] * 660 + [None] * 20, dtype=object),
            "event_type": "Battles",
            "killed": pd.array([1] * n, dtype="Int64"),
            "event_date": pd.Timestamp("2024-01-01"),
        }
    )
    approx = _layer(layers.incident_layers(layers.add_h3(df)), "-approx")
    # 3 provinces + the country-level rows + at most one circle per missing-code row
    assert len(approx.data) <= 3 + 1 + 20
    assert (
        sum(int(r["tip"].split("; ")[1].split(" ")[0].replace(",", "")) for r in approx.data) == n
    )


def test_border_and_labels_are_drawn_above_the_data(incidents):
    b = pytest.importorskip("geo.places.boundaries")
    base = layers.basemap_layers(b.adm0_simplified(), b.adm1_simplified(), b.border_line())
    d = layers.deck([*base, *layers.incident_layers(incidents)], online_tiles=False)
    ids = [layer.id for layer in d.layers]
    assert ids[0] == "base-countries"
    assert ids[-3:] == ["base-border-halo", "base-border", "base-labels"]


def test_zoom_buttons_come_from_a_blank_inline_style_that_fetches_nothing(incidents):
    spec = _strict(
        layers.deck(
            layers.incident_layers(incidents), online_tiles=False, zoom_buttons=True
        ).to_json()
    )
    (style,) = spec["mapStyle"]  # Streamlit hands the first item to the basemap as a style
    assert style["sources"] == {} and [x["type"] for x in style["layers"]] == ["background"]
    text = json.dumps(spec)
    assert "http" not in text and "mapbox://" not in text
    online = _strict(layers.deck([], online_tiles=True, zoom_buttons=True).to_json())
    assert online["mapProvider"] == "carto" and isinstance(online["mapStyle"], str)


def test_a_map_view_sets_the_initial_view_and_the_scale_bar_goes_on_top(incidents):
    from geo.views.mapview import MapView

    view = MapView(34.0, 71.57, 10.0, pushes=3)
    d = layers.deck([*layers.scale_bar_layers(view), *layers.incident_layers(incidents)], view=view)
    vs = _strict(d.to_json())["initialViewState"]
    assert vs["zoom"] == pytest.approx(10.0) and vs["latitude"] == pytest.approx(34.0)
    assert [x.id for x in d.layers][-3:] == ["scale-bar-halo", "scale-bar", "scale-bar-text"]


def test_the_legend_table_has_each_arc_kind_and_the_other_marks():
    from geo.views.layers_arcs import ARC_KINDS

    every = layers.arc_key()
    assert [meaning for meaning, _, _ in every] == list(ARC_KINDS.values())
    assert len({start for _, start, _ in every}) == len(every)  # told apart by colour
    assert layers.arc_key(["border"]) == [every[1]] and layers.arc_key([]) == []
    marks = dict(layers.mark_key())
    assert "share one point" in marks["3"] and any("scale bar" in m for m in marks.values())
