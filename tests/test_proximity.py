"""Distances from points to named provinces and countries (geo.places.proximity)."""

from __future__ import annotations

import numpy as np
import pytest
import shapely

from geo.places.boundaries import adm0, adm1
from geo.places.proximity import distance_to_unit_km, nearest_admin1, nearest_admin1_in

PESHAWAR = (34.0151, 71.5249)
KANDAHAR = (31.6289, 65.7372)


def test_zero_inside_and_positive_outside() -> None:
    d = distance_to_unit_km(
        [PESHAWAR[0], PESHAWAR[0], KANDAHAR[0]],
        [PESHAWAR[1], PESHAWAR[1], KANDAHAR[1]],
        ["PK-KP", "PAK", "PK-KP"],
    )
    assert d[0] == 0.0 and d[1] == 0.0
    assert 200 < d[2] < 600


def test_distance_matches_a_point_moved_off_the_boundary() -> None:
    # a point 3 km west of the westernmost vertex of Khyber Pakhtunkhwa
    coords = shapely.get_coordinates(adm1().set_index("admin1_code").loc["PK-KP", "geometry"])
    lon, lat = coords[np.argmin(coords[:, 0])]
    moved_lon = lon - 3.0 / (111.32 * np.cos(np.radians(lat)))
    d = distance_to_unit_km([lat], [moved_lon], ["PK-KP"])[0]
    assert d == pytest.approx(3.0, abs=0.1)


def test_unknown_units_and_bad_points_are_nan() -> None:
    d = distance_to_unit_km([34.0, np.nan, 34.0], [71.5, 71.5, 71.5], ["XX-YY", "PK-KP", None])
    assert np.isnan(d).all()


def test_every_country_in_the_boundaries_is_a_unit() -> None:
    codes = adm0()["country_code"].tolist()
    d = distance_to_unit_km([PESHAWAR[0]] * len(codes), [PESHAWAR[1]] * len(codes), codes)
    assert not np.isnan(d).any()
    assert d[codes.index("PAK")] == 0.0 and d[codes.index("IND")] > 100


def test_lengths_must_agree() -> None:
    with pytest.raises(ValueError):
        distance_to_unit_km([34.0], [71.5], ["PK-KP", "PK-PB"])
    with pytest.raises(ValueError):
        nearest_admin1([34.0, 35.0], [71.5])


def test_nearest_province_of_a_point_at_sea_and_on_land() -> None:
    codes, km = nearest_admin1([24.80, PESHAWAR[0], np.nan], [66.95, PESHAWAR[1], 70.0])
    assert codes[0] == "PK-SD" and 0 < km[0] < 5
    assert codes[1] == "PK-KP" and km[1] == 0.0
    assert codes[2] is None and np.isnan(km[2])


def test_nearest_province_within_a_distance_is_what_the_full_scan_finds_that_close() -> None:
    """The indexed search (``within_km``) against the scan of every province, on
    points along every border and coast, at sea, inside provinces and on vertices."""
    rng = np.random.default_rng(23)
    coast = np.vstack(
        [shapely.get_coordinates(g) for g in adm1().geometry]
    )  # every province's vertices: shared ones are ties
    picks = coast[rng.choice(len(coast), 400, replace=False)]
    far = np.column_stack([rng.uniform(55, 80, 100), rng.uniform(18, 40, 100)])  # sea, India
    points = np.vstack([picks, picks + rng.normal(0, 0.3, picks.shape), far, [[66.95, 24.80]]])
    lat, lon = points[:, 1], points[:, 0]
    full_codes, full_km = nearest_admin1(lat, lon)
    for within in (0.5, 5.0, 25.0):
        codes, km = nearest_admin1(lat, lon, within_km=within)
        close = full_km <= within
        assert codes[close].tolist() == full_codes[close].tolist()
        np.testing.assert_array_equal(km[close], full_km[close])
        assert all(c is None for c in codes[~close]) and np.isnan(km[~close]).all()
        assert 0 < close.sum() < len(points)


def _nearest_by_scan(lat: float, lon: float, country: str) -> str:
    """The reference: the distance to every province of ``country``, the first smallest."""
    codes = [
        c
        for c, k in zip(adm1()["admin1_code"], adm1()["country_code"], strict=True)
        if k == country
    ]
    km = distance_to_unit_km([lat] * len(codes), [lon] * len(codes), codes)
    return codes[int(np.nanargmin(km))]


def test_nearest_province_in_a_country_is_what_a_scan_of_its_provinces_finds() -> None:
    rng = np.random.default_rng(19)
    # points along the Durand Line and the other borders, a few km either side, and
    # vertices of the provinces themselves (inside two provinces at once: a tie)
    line = shapely.get_coordinates(adm0().set_index("country_code").loc["AFG", "geometry"])
    picks = line[rng.choice(len(line), 150, replace=False)] + rng.normal(0, 0.05, (150, 2))
    shared = shapely.get_coordinates(adm1().set_index("admin1_code").loc["PK-KP", "geometry"])
    vertices = shared[rng.choice(len(shared), 30, replace=False)]
    points = np.vstack([picks, vertices])
    for country in ("AFG", "PAK"):
        got = nearest_admin1_in(points[:, 1], points[:, 0], [country] * len(points))
        want = [_nearest_by_scan(lat, lon, country) for lon, lat in points]
        assert got.tolist() == want


def test_nearest_province_in_a_country_without_provinces_or_point_is_none() -> None:
    got = nearest_admin1_in([34.0, float("nan"), 34.0], [71.5, 71.5, 71.5], ["IND", "PAK", None])
    assert got.tolist() == [None, None, None]
    with pytest.raises(ValueError, match="one entry per point"):
        nearest_admin1_in([34.0], [71.5], [])
