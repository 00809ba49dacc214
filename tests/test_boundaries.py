"""Tests for geo.places.boundaries: corrected provinces, border line and point lookup."""

from __future__ import annotations

import json
import math
import subprocess
import sys

import numpy as np
import pandas as pd
import pycountry
import pytest
import shapely
from pyproj import Geod

from geo.places import boundaries as B

GEOD = Geod(ellps="WGS84")

# Real places, coordinates (WGS84, from GeoNames where it has them) and the
# ISO 3166-2 code of the province they are in. Every point lies at least 3 km
# inside its province at the 1:10m detail of the boundaries (checked below).
TRUTH: list[tuple[str, float, float, str]] = [
    # the fixed defects
    ("Bazarak (Panjshir, was labelled Parwan)", 35.3129, 69.5152, "AF-PAN"),
    ("Nili (Daykundi, was labelled Uruzgan)", 33.7218, 66.1302, "AF-DAY"),
    ("Gardez (Paktiya, code was swapped)", 33.5974, 69.2259, "AF-PIA"),
    ("Sharana (Paktika, code was swapped)", 33.1757, 68.7305, "AF-PKA"),
    ("Urgun (Paktika)", 32.9515, 69.1828, "AF-PKA"),
    ("Charikar (Parwan)", 35.0136, 69.1714, "AF-PAR"),
    ("Tarinkot (Uruzgan)", 32.6300, 65.8781, "AF-URU"),
    ("Miran Shah (former FATA)", 33.0006, 70.0712, "PK-KP"),
    ("Wana (former FATA)", 32.2989, 69.5725, "PK-KP"),
    ("Parachinar (former FATA)", 33.8997, 70.1001, "PK-KP"),
    ("Landi Kotal (former FATA)", 34.0988, 71.1411, "PK-KP"),
    ("Khar, Bajaur (former FATA)", 34.7361, 71.5274, "PK-KP"),
    ("Datta Khel (former FATA)", 32.9085, 69.7448, "PK-KP"),
    ("Jamrud (former FATA)", 34.0015, 71.3801, "PK-KP"),
    # close to the border, both sides
    ("Torkham, Afghan side (~6 km W of the gate)", 34.1300, 71.0300, "AF-NAN"),
    ("Torkham, Pakistani side (~2 km E of the gate)", 34.1050, 71.1100, "PK-KP"),
    ("Chaman", 30.9177, 66.4526, "PK-BA"),
    ("Spin Boldak", 31.0058, 66.4000, "AF-KAN"),
    ("Zhob", 31.3408, 69.4493, "PK-BA"),
    ("Angoor Adda, Pakistani side (approx.)", 32.3300, 69.3300, "PK-KP"),
    ("Barmal district, Afghan side of Angoor Adda (approx.)", 32.3300, 69.1500, "AF-PKA"),
    ("Khost", 33.3395, 69.9204, "AF-KHO"),
    ("Asadabad", 34.8731, 71.1470, "AF-KNR"),
    ("Chitral", 35.8518, 71.7864, "PK-KP"),
    # provincial capitals and large cities
    ("Mazar-i-Sharif", 36.7090, 67.1109, "AF-BAL"),
    ("Kunduz", 36.7290, 68.8570, "AF-KDZ"),
    ("Kabul", 34.5281, 69.1723, "AF-KAB"),
    ("Herat", 34.3482, 62.1997, "AF-HER"),
    ("Kandahar", 31.6133, 65.7101, "AF-KAN"),
    ("Jalalabad", 34.4265, 70.4515, "AF-NAN"),
    ("Fayzabad (Badakhshan)", 37.1166, 70.5800, "AF-BDS"),
    ("Bamyan", 34.8216, 67.8273, "AF-BAM"),
    ("Lashkar Gah", 31.5938, 64.3716, "AF-HEL"),
    ("Peshawar", 34.0080, 71.5785, "PK-KP"),
    ("Dera Ismail Khan", 31.8313, 70.9017, "PK-KP"),
    ("Quetta", 30.1841, 67.0014, "PK-BA"),
    ("Turbat", 26.0012, 63.0485, "PK-BA"),
    ("Lahore", 31.5580, 74.3507, "PK-PB"),
    ("Multan", 30.1968, 71.4782, "PK-PB"),
    ("Karachi", 24.8608, 67.0104, "PK-SD"),
    ("Hyderabad (Sindh)", 25.3969, 68.3772, "PK-SD"),
    ("Islamabad", 33.7215, 73.0433, "PK-IS"),
    ("Gilgit", 35.9187, 74.3125, "PK-GB"),
    ("Skardu", 35.2979, 75.6337, "PK-GB"),
    ("Muzaffarabad", 34.3700, 73.4708, "PK-JK"),
]

NEIGHBOURS: list[tuple[str, float, float, str]] = [
    ("Mashhad", 36.297, 59.606, "IRN"),
    ("Zahedan", 29.496, 60.863, "IRN"),
    ("Ashgabat", 37.950, 58.383, "TKM"),
    ("Termez", 37.224, 67.278, "UZB"),
    ("Dushanbe", 38.560, 68.774, "TJK"),
    ("Kashgar", 39.470, 75.990, "CHN"),
    ("Amritsar", 31.634, 74.872, "IND"),
]

EXPECTED_NAMES = {
    "AF-PAN": "Panjshir",
    "AF-DAY": "Daykundi",
    "AF-PIA": "Paktiya",
    "AF-PKA": "Paktika",
    "AF-PAR": "Parwan",
    "AF-URU": "Uruzgan",
    "AF-HER": "Herat",
    "AF-HEL": "Helmand",
    "PK-KP": "Khyber Pakhtunkhwa",
    "PK-BA": "Balochistan",
    "PK-SD": "Sindh",
    "PK-PB": "Punjab",
    "PK-IS": "Islamabad Capital Territory",
    "PK-GB": "Gilgit-Baltistan",
    "PK-JK": "Azad Jammu and Kashmir",
}

OLD_NAMES = {"N.W.F.P.", "K.P.", "F.A.T.A.", "Northern Areas", "F.C.T.", "Sind", "Baluchistan"}


def _iso_codes() -> set[str]:
    return {s.code for a2 in ("AF", "PK") for s in pycountry.subdivisions.get(country_code=a2)}


def _metric(geoms) -> np.ndarray:
    """Geometries in the border projection (metres)."""
    import geopandas as gpd

    return gpd.GeoSeries(geoms, crs=4326).to_crs(B.BORDER_CRS).values


# --------------------------------------------------------------------------- ADM1


def test_adm1_has_exactly_the_41_iso_codes_of_pycountry_one_feature_each():
    adm1 = B.adm1()
    assert len(adm1) == 41
    assert adm1["admin1_code"].is_unique
    assert set(adm1["admin1_code"]) == _iso_codes()
    assert (adm1["country_code"] == "AFG").sum() == 34
    assert (adm1["country_code"] == "PAK").sum() == 7
    assert "PK-TA" not in set(adm1["admin1_code"])


def test_adm1_names_are_current_and_english():
    names = dict(zip(B.adm1()["admin1_code"], B.adm1()["admin1"], strict=True))
    for code, name in EXPECTED_NAMES.items():
        assert names[code] == name
    assert not OLD_NAMES & set(names.values())
    assert all(n.isascii() for n in names.values())
    assert len(set(names.values())) == 41


def test_frames_are_wgs84_with_the_documented_columns():
    assert B.adm1().crs.to_epsg() == 4326
    assert B.adm0().crs.to_epsg() == 4326
    assert list(B.adm1().columns) == [
        "admin1_code",
        "admin1",
        "country_code",
        "country",
        "rep_lat",
        "rep_lon",
        "geometry",
    ]
    assert list(B.adm0().columns) == ["country_code", "country", "geometry"]
    assert B.adm1() is B.adm1()  # loaded once


def test_representative_points_lie_inside_their_province():
    adm1 = B.adm1()
    inside = shapely.contains_xy(adm1.geometry.values, adm1["rep_lon"], adm1["rep_lat"])
    assert inside.all()


def test_adm0_holds_afghanistan_pakistan_and_every_neighbour():
    codes = set(B.adm0()["country_code"])
    assert {"AFG", "PAK", "IRN", "TKM", "UZB", "TJK", "CHN", "IND"} <= codes
    assert B.adm0().is_valid.all()


def test_provinces_tile_their_country_without_gaps_or_overlaps():
    adm1, adm0 = B.adm1(), B.adm0().set_index("country_code")
    assert adm1.is_valid.all()
    assert shapely.coverage_is_valid(adm1.geometry.values)
    for a3 in ("AFG", "PAK"):
        provinces = adm1.loc[adm1["country_code"] == a3].geometry.values
        country = adm0.loc[a3, "geometry"]
        union = shapely.union_all(provinces)
        (m_country, m_diff) = _metric([country, union.symmetric_difference(country)])
        # ADM1 and ADM0 agree to well under a square kilometre.
        assert m_diff.area < 1e6
        assert m_country.area > 5e11  # both countries are > 500,000 km²


def test_simplified_copies_keep_codes_topology_and_stay_close():
    full, simple = B.adm1(), B.adm1_simplified()
    assert list(simple["admin1_code"]) == list(full["admin1_code"])
    assert shapely.coverage_is_valid(simple.geometry.values)
    assert simple.is_valid.all()
    n_full = shapely.get_num_coordinates(full.geometry.values).sum()
    n_simple = shapely.get_num_coordinates(simple.geometry.values).sum()
    assert n_simple < 0.6 * n_full
    hausdorff_m = shapely.hausdorff_distance(
        _metric(full.geometry.values), _metric(simple.geometry.values)
    )
    assert hausdorff_m.max() < 3000.0
    assert set(B.adm0_simplified()["country_code"]) == set(B.adm0()["country_code"])


# --------------------------------------------------------------------------- border


def test_border_line_is_the_shared_boundary_from_iran_to_china():
    line = B.border_line()
    assert line.geom_type == "LineString"
    # Natural Earth 1:10m generalises the mountain line: about 2,245 km here,
    # against ~2,600 km quoted for the surveyed Durand Line.
    assert 2150 < GEOD.geometry_length(line) / 1000 < 2900
    adm0 = B.adm0().set_index("country_code").geometry
    ends = shapely.points(shapely.get_coordinates(line)[[0, -1]])
    near_iran = shapely.distance(ends, adm0["IRN"])
    near_china = shapely.distance(ends, adm0["CHN"])
    assert min(near_iran) < 1e-6 and min(near_china) < 1e-6
    # it lies on both countries' outlines
    assert adm0["AFG"].boundary.buffer(1e-7).contains(line)
    assert adm0["PAK"].boundary.buffer(1e-7).contains(line)


def test_border_distance_plausible():
    lat = [34.1125, 34.0080, 31.5580, 33.0006]
    lon = [71.0906, 71.5785, 74.3507, 70.0712]
    torkham, peshawar, lahore, miranshah = B.border_distance_km(lat, lon)
    assert 0 <= torkham <= 3
    assert 40 <= peshawar <= 60
    assert lahore > 300
    assert 5 <= miranshah <= 30


def test_border_distance_matches_a_brute_force_geodesic_check():
    # Densify the border to ~200 m and take the smallest ellipsoidal distance
    # to any vertex: independent of the projection used by the module.
    line = B.border_line()
    dense = shapely.get_coordinates(shapely.segmentize(line, 0.002))
    points = [(34.52, 69.17), (24.86, 67.01), (36.3, 59.6), (33.0, 70.07), (30.18, 67.0)]
    got = B.border_distance_km([p[0] for p in points], [p[1] for p in points])
    for (lat, lon), value in zip(points, got, strict=True):
        n = len(dense)
        _, _, metres = GEOD.inv(np.full(n, lon), np.full(n, lat), dense[:, 0], dense[:, 1])
        expected = metres.min() / 1000
        assert value == pytest.approx(expected, rel=2e-3, abs=0.2)


def test_projection_scale_factor_matches_pyproj():
    from pyproj import Proj

    lat = np.array([22.0, 25.0, 30.0, 33.0, 36.0, 40.0])
    factors = Proj(B.BORDER_CRS).get_factors(np.full(lat.shape, 67.5), lat)
    np.testing.assert_allclose(B._lcc_scale(lat), factors.meridional_scale, rtol=1e-9)


def test_border_distance_bad_inputs_give_nan():
    out = B.border_distance_km([float("nan"), None, 95.0, 34.0], [70.0, 70.0, 70.0, 500.0])
    assert out.dtype == np.float64
    assert np.isnan(out).all()


# --------------------------------------------------------------------------- locate


@pytest.mark.parametrize(("place", "lat", "lon", "code"), TRUTH, ids=[t[0] for t in TRUTH])
def test_truth_table_province(place, lat, lon, code):
    row = B.locate([lat], [lon]).iloc[0]
    assert row["admin1_code"] == code, place
    assert row["country_code"] == ("AFG" if code.startswith("AF-") else "PAK")
    assert (
        row["admin1"] == dict(zip(B.adm1()["admin1_code"], B.adm1()["admin1"], strict=True))[code]
    )
    assert math.isfinite(row["border_distance_km"])


def test_truth_table_points_are_well_inside_their_province():
    adm1 = B.adm1().set_index("admin1_code")
    edges = _metric([adm1.loc[t[3], "geometry"].boundary for t in TRUTH])
    pts = _metric(shapely.points([t[2] for t in TRUTH], [t[1] for t in TRUTH]))
    assert (shapely.distance(edges, pts) > 3000).all()
    assert len(TRUTH) >= 30


def test_locate_is_vectorised_and_keeps_input_order():
    lat = [t[1] for t in TRUTH]
    lon = [t[2] for t in TRUTH]
    out = B.locate(np.array(lat), np.array(lon))
    assert list(out.columns) == B.LOCATE_COLUMNS
    assert list(out["admin1_code"]) == [t[3] for t in TRUTH]
    reversed_out = B.locate(lat[::-1], lon[::-1])
    assert list(reversed_out["admin1_code"]) == [t[3] for t in TRUTH][::-1]


def test_locate_keeps_a_series_index():
    lat = pd.Series([34.008, 31.558], index=[7, 3])
    lon = pd.Series([71.5785, 74.3507], index=[7, 3])
    out = B.locate(lat, lon)
    assert list(out.index) == [7, 3]
    assert list(out["admin1_code"]) == ["PK-KP", "PK-PB"]


@pytest.mark.parametrize(("place", "lat", "lon", "a3"), NEIGHBOURS, ids=[n[0] for n in NEIGHBOURS])
def test_neighbour_country_has_code_and_no_province(place, lat, lon, a3):
    row = B.locate([lat], [lon]).iloc[0]
    assert row["country_code"] == a3
    assert row["country"] == B.adm0().set_index("country_code").loc[a3, "country"]
    assert row["admin1"] is None and row["admin1_code"] is None
    assert row["border_distance_km"] > 0


def test_points_outside_the_boundaries_give_nulls_without_error():
    lat = [24.5, 55.7558, 0.0, float("nan"), None, "north", 91.0, 34.0, np.inf]
    lon = [66.5, 37.6173, 0.0, 70.0, 70.0, 70.0, 70.0, -181.0, 70.0]
    out = B.locate(lat, lon)
    assert len(out) == len(lat)
    for col in ("country_code", "country", "admin1", "admin1_code"):
        assert out[col].isna().all()
        assert all(v is None for v in out[col])
    assert out["border_distance_km"].isna().all()


def test_locate_accepts_nullable_and_text_columns():
    lat = pd.Series([34.008, None, pd.NA], dtype="Float64")
    lon = pd.Series([71.5785, 70.0, 70.0], dtype="Float64")
    assert B.locate(lat, lon)["admin1_code"].tolist() == ["PK-KP", None, None]
    text = B.locate(pd.Series(["34.008", "n/a"]), pd.Series(["71.5785", "70"]))
    assert text["admin1_code"].tolist() == ["PK-KP", None]


def test_locate_accepts_scalars_and_empty_input():
    assert B.locate(34.0, 71.5)["admin1_code"].tolist() == ["PK-KP"]
    empty = B.locate([], [])
    assert empty.empty and list(empty.columns) == B.LOCATE_COLUMNS
    with pytest.raises(ValueError, match="length"):
        B.locate([1.0, 2.0], [3.0])


def test_points_a_metre_either_side_of_a_province_edge_resolve_deterministically():
    adm1 = B.adm1().set_index("admin1_code")
    shared = shapely.intersection(
        adm1.loc["AF-PIA", "geometry"].boundary, adm1.loc["AF-PKA", "geometry"].boundary
    )
    merged = shapely.line_merge(shared)
    edge = max(getattr(merged, "geoms", [merged]), key=lambda g: g.length)
    coords = shapely.get_coordinates(edge)
    assert len(coords) > 4
    (x0, y0), (x1, y1) = coords[len(coords) // 2], coords[len(coords) // 2 + 1]
    mx, my = (x0 + x1) / 2, (y0 + y1) / 2
    nx, ny = -(y1 - y0), x1 - x0
    scale = 1e-5 / math.hypot(nx, ny)  # ~1 m
    # two points ~1 m either side of the edge, then a vertex both provinces share
    lat = [my + ny * scale, my - ny * scale, y0, y0]
    lon = [mx + nx * scale, mx - nx * scale, x0, x0]
    first = B.locate(lat, lon)["admin1_code"].tolist()
    assert set(first[:2]) == {"AF-PIA", "AF-PKA"}
    # exactly on the edge (a shared vertex): the code that sorts first, every time
    assert first[2:] == ["AF-PIA", "AF-PIA"]
    assert B.locate(lat, lon)["admin1_code"].tolist() == first


# --------------------------------------------------------------------------- CLI


def _cli_locate(lat: str, lon: str) -> dict:
    proc = subprocess.run(
        [sys.executable, "-m", "geo", "locate", lat, lon],
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )

    def _reject(token: str) -> None:
        raise ValueError(f"not JSON: {token}")

    return json.loads(proc.stdout, parse_constant=_reject)


def test_cli_locate_prints_the_design_json():
    doc = _cli_locate("34.0", "71.5")
    assert doc["country_code"] == "PAK"
    assert doc["admin1"] == "Khyber Pakhtunkhwa"
    assert doc["admin1_code"] == "PK-KP"
    assert 30 < doc["border_distance_km"] < 50


def test_cli_locate_outside_prints_nulls():
    doc = _cli_locate("0", "0")
    for key in ("country_code", "admin1", "admin1_code", "border_distance_km"):
        assert doc[key] is None


def test_many_points_in_two_threads_equal_one_thread() -> None:
    from geo.places import boundaries

    rng = np.random.default_rng(7)
    n = boundaries._THREADED_FROM + 1_001
    lat, lon = rng.uniform(24, 40, n), rng.uniform(60, 78, n)
    threaded = boundaries._distance_km(lat, lon)
    assert np.array_equal(threaded, boundaries._distance_km_of(lat, lon))
    assert np.isfinite(threaded).all() and (threaded >= 0).all()
