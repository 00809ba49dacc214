"""How far points are from a named province or country, in kilometres.

The boundaries are Natural Earth 1:10m lines, generalised: a town that the
providers code in one province can fall a kilometre or two inside the next,
and a harbour point can fall just off the coast. :mod:`geo.places.spatial` and
:mod:`geo.places.gazetteer` use these distances to tell "just across a generalised
line" from "somewhere else".

* :func:`distance_to_unit_km` — distance from each point to the polygon of a
  stated unit (an ISO 3166-2 province code of Afghanistan or Pakistan, or an
  ISO 3166-1 alpha-3 country of :func:`geo.places.boundaries.adm0`); 0 inside.
* :func:`nearest_admin1` — the Afghan or Pakistani province nearest to each
  point, with its distance (for points at sea).
* :func:`nearest_admin1_in` — the province of a given country nearest to each
  point (for a point just across the border from the country the file names).

Distances are measured in :data:`geo.places.boundaries.BORDER_CRS` (a conformal
projection fitted to the region, true to scale within 0.3% between 28°N and
38°N), never in degrees.

>>> from geo.places.proximity import distance_to_unit_km
>>> float(distance_to_unit_km([34.0], [71.5], ["PK-KP"])[0])
0.0
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache
from typing import Any

import numpy as np
import shapely

__all__ = [
    "BOUNDARY_TOLERANCE_KM",
    "COAST_TOLERANCE_KM",
    "distance_to_unit_km",
    "nearest_admin1",
    "nearest_admin1_in",
]

#: A point this close to a province or country that the file names is taken
#: to be in it: Natural Earth's 1:10m lines are generalised by about this much
#: (the simplified browser copies by up to 3 km more), while the providers
#: code events against finer administrative maps.
BOUNDARY_TOLERANCE_KM: float = 5.0

#: A point in the sea this close to the coast belongs to the nearest province.
COAST_TOLERANCE_KM: float = 5.0


@lru_cache(maxsize=1)
def _projected_units() -> tuple[dict[str, Any], list[str], np.ndarray]:
    """``(unit code → projected prepared polygon, province codes, province polygons)``."""
    from geo.places.boundaries import adm0, adm1

    forward = _transformer()

    def project(geom: Any) -> Any:
        return shapely.transform(geom, lambda xy: np.column_stack(forward.transform(*xy.T)))

    units: dict[str, Any] = {}
    for code, geom in zip(adm1()["admin1_code"], adm1().geometry, strict=True):
        units[str(code)] = project(geom)
    for code, geom in zip(adm0()["country_code"], adm0().geometry, strict=True):
        units[str(code)] = project(geom)
    for geom in units.values():
        shapely.prepare(geom)
    codes = sorted(c for c in units if "-" in c)
    return units, codes, np.array([units[c] for c in codes], dtype=object)


@lru_cache(maxsize=1)
def _transformer() -> Any:
    from pyproj import Transformer

    from geo.places.boundaries import BORDER_CRS

    return Transformer.from_crs("EPSG:4326", BORDER_CRS, always_xy=True)


def _project_points(lat: np.ndarray, lon: np.ndarray) -> np.ndarray:
    x, y = _transformer().transform(lon, lat)
    return shapely.points(np.asarray(x, dtype=float), np.asarray(y, dtype=float))


def _as_arrays(lat: Any, lon: Any) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    lat_a = np.array(lat, dtype=float).reshape(-1)  # copies: callers' arrays may be read-only
    lon_a = np.array(lon, dtype=float).reshape(-1)
    if len(lat_a) != len(lon_a):
        raise ValueError(f"lat and lon differ in length: {len(lat_a)} != {len(lon_a)}")
    with np.errstate(invalid="ignore"):
        ok = (
            np.isfinite(lat_a) & np.isfinite(lon_a) & (np.abs(lat_a) <= 90) & (np.abs(lon_a) <= 180)
        )
    return lat_a, lon_a, ok


def distance_to_unit_km(lat: Any, lon: Any, units: Sequence[str | None]) -> np.ndarray:
    """Distance in km from each point to the polygon of the unit named beside it.

    Parameters
    ----------
    lat, lon : array-like of float
        WGS84 degrees.
    units : sequence of str or None
        Per point, an ISO 3166-2 code of an Afghan or Pakistani province
        (``PK-KP``) or an ISO 3166-1 alpha-3 code of a country in the
        boundaries (``IND``).

    Returns
    -------
    numpy.ndarray
        0 for a point inside (or on the edge of) its unit; NaN where the
        point is unusable or the unit is not in the boundaries.

    Examples
    --------
    >>> d = distance_to_unit_km([34.0, 34.0], [71.5, 71.5], ["PK-KP", "AF-KAN"])
    >>> bool(d[0] == 0.0), bool(d[1] > 300)
    (True, True)
    """
    lat_a, lon_a, ok = _as_arrays(lat, lon)
    codes = np.asarray(list(units), dtype=object)
    if len(codes) != len(lat_a):
        raise ValueError("units must have one entry per point")
    out = np.full(len(lat_a), np.nan)
    polygons, _, _ = _projected_units()
    known = ok & np.array([isinstance(c, str) and c in polygons for c in codes], dtype=bool)
    if not known.any():
        return out
    points = _project_points(lat_a[known], lon_a[known])
    idx = np.flatnonzero(known)
    for code in dict.fromkeys(codes[known].tolist()):
        sel = codes[idx] == code
        out[idx[sel]] = shapely.distance(polygons[code], points[sel]) / 1000.0
    return out


def nearest_admin1(
    lat: Any, lon: Any, *, within_km: float | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """The Afghan or Pakistani province nearest each point, and how far it is.

    Parameters
    ----------
    lat, lon : array-like of float
        WGS84 degrees.
    within_km : float, optional
        Only provinces this close count: a point farther from all of them
        gets None and NaN, and the search is an indexed one (much faster for
        many points far from every province).

    Returns
    -------
    (numpy.ndarray of object, numpy.ndarray of float)
        ISO 3166-2 codes (None for unusable points) and distances in km (0
        inside a province, NaN for unusable points). Of provinces at the same
        distance, the first by code.

    Examples
    --------
    >>> codes, km = nearest_admin1([24.80], [66.95])  # Karachi harbour, at sea
    >>> codes[0], bool(km[0] < 5)
    ('PK-SD', True)
    >>> nearest_admin1([24.80, 20.0], [66.95, 60.0], within_km=5)[0].tolist()
    ['PK-SD', None]
    """
    lat_a, lon_a, ok = _as_arrays(lat, lon)
    codes_out = np.full(len(lat_a), None, dtype=object)
    km = np.full(len(lat_a), np.nan)
    if not ok.any():
        return codes_out, km
    _, codes, geoms = _projected_units()
    points = _project_points(lat_a[ok], lon_a[ok])
    if within_km is not None:
        rows = np.flatnonzero(ok)
        hits, metres = _all_provinces_tree().query_nearest(
            points, max_distance=within_km * 1000.0, return_distance=True, all_matches=True
        )
        order = np.lexsort((hits[1], hits[0]))  # ties: the lowest index, as argmin picks
        first = order[np.unique(hits[0][order], return_index=True)[1]]
        codes_out[rows[hits[0][first]]] = np.asarray(codes, dtype=object)[hits[1][first]]
        km[rows[hits[0][first]]] = metres[first] / 1000.0
        return codes_out, km
    dist = np.vstack([shapely.distance(g, points) for g in geoms]) / 1000.0
    best = np.argmin(dist, axis=0)
    codes_out[ok] = np.asarray(codes, dtype=object)[best]
    km[ok] = dist[best, np.arange(len(best))]
    return codes_out, km


def nearest_admin1_in(lat: Any, lon: Any, countries: Sequence[str | None]) -> np.ndarray:
    """Per point, the province of the country beside it that is nearest to the point.

    Parameters
    ----------
    lat, lon : array-like of float
        WGS84 degrees.
    countries : sequence of str or None
        Per point, ``AFG`` or ``PAK`` (another code, or None, gives None).

    Returns
    -------
    numpy.ndarray of object
        ISO 3166-2 codes; None for unusable points and countries without
        provinces in the boundaries. Of provinces at the same distance (a point
        inside two, on their shared line), the first in the boundaries' order.

    Examples
    --------
    >>> nearest_admin1_in([34.0, 34.0], [71.5, 71.5], ["PAK", "AFG"]).tolist()
    ['PK-KP', 'AF-NAN']
    """
    lat_a, lon_a, ok = _as_arrays(lat, lon)
    wanted = np.asarray(list(countries), dtype=object)
    if len(wanted) != len(lat_a):
        raise ValueError("countries must have one entry per point")
    out = np.full(len(lat_a), None, dtype=object)
    for country in dict.fromkeys(wanted[ok].tolist()):
        tree, codes = _province_tree(country)
        if tree is None:
            continue
        rows = np.flatnonzero(ok & (wanted == country))
        hits = tree.query_nearest(_project_points(lat_a[rows], lon_a[rows]), all_matches=True)
        # ties: the lowest tree index (the boundaries' order), as a scan over them would pick
        order = np.lexsort((hits[1], hits[0]))
        first = np.unique(hits[0][order], return_index=True)[1]
        out[rows[hits[0][order][first]]] = np.asarray(codes, dtype=object)[hits[1][order][first]]
    return out


@lru_cache(maxsize=1)
def _all_provinces_tree() -> Any:
    """An STRtree of every projected province, in the order of :func:`_projected_units`."""
    _, _, geoms = _projected_units()
    return shapely.STRtree(list(geoms))


@lru_cache(maxsize=8)
def _province_tree(country: Any) -> tuple[Any, list[str]]:
    """An STRtree of the projected provinces of ``country`` in the boundaries' order."""
    from geo.places.boundaries import adm1

    units, _, _ = _projected_units()
    frame = adm1()
    codes = [
        str(c)
        for c, k in zip(frame["admin1_code"], frame["country_code"], strict=True)
        if k == country
    ]
    if not codes:
        return None, []
    return shapely.STRtree([units[c] for c in codes]), codes
