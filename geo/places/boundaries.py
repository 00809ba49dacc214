"""Country and province polygons, the Afghanistan–Pakistan border, point lookup.

The polygons are Natural Earth 1:10m, rebuilt and corrected by
``scripts/build_boundaries.py`` (see ``data/boundaries/SOURCES.md``):

- ADM0: Afghanistan, Pakistan and their six neighbours (Iran, Turkmenistan,
  Uzbekistan, Tajikistan, China, India). Nothing else: a point in any other
  country is "outside the boundaries" and gets nulls.
- ADM1: the 34 provinces of Afghanistan and the 7 units of Pakistan, one
  feature per ISO 3166-2 code, the former FATA inside Khyber Pakhtunkhwa.

Point lookups (:func:`locate`) always use the full-detail polygons; the
``*_simplified`` frames are for drawing only.

>>> from geo.places.boundaries import locate
>>> locate([34.0], [71.5])[["country_code", "admin1_code"]].iloc[0].tolist()
['PAK', 'PK-KP']
"""

from __future__ import annotations

import math
import sqlite3
from concurrent.futures import ThreadPoolExecutor
from contextlib import closing
from dataclasses import dataclass
from functools import cache, lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
import shapely

from geo.config import DATA_DIR

if TYPE_CHECKING:
    import geopandas as gpd

__all__ = [
    "BORDER_CRS",
    "BOUNDARIES_DIR",
    "LOCATE_COLUMNS",
    "Located",
    "adm0",
    "adm0_simplified",
    "adm1",
    "adm1_simplified",
    "border_distance_km",
    "border_line",
    "locate",
    "locate_distinct",
]

#: Folder of the boundary files written by ``scripts/build_boundaries.py``.
BOUNDARIES_DIR: Path = DATA_DIR / "boundaries"
_GPKG = BOUNDARIES_DIR / "boundaries.gpkg"

#: Lambert conformal conic fitted to the border (standard parallels 30°N and
#: 36°N, centred on 33°N 67.5°E), in which border distances are measured.
BORDER_CRS = "+proj=lcc +lat_1=30 +lat_2=36 +lat_0=33 +lon_0=67.5 +datum=WGS84 +units=m +no_defs"

#: Columns of the frame returned by :func:`locate`, in order.
LOCATE_COLUMNS = ["country_code", "country", "admin1", "admin1_code", "border_distance_km"]


# --------------------------------------------------------------------------- frames


@cache
def adm0() -> gpd.GeoDataFrame:
    """Country polygons at full detail (EPSG:4326), loaded once.

    Columns: ``country_code`` (ISO 3166-1 alpha-3), ``country`` (English
    name), ``geometry``. Afghanistan, Pakistan and their six neighbours.

    Returns
    -------
    geopandas.GeoDataFrame
        A cached object shared by every caller: do not mutate it (``.copy()``
        first if you need to change it).
    """
    return _read_gpkg("adm0")


@cache
def adm1() -> gpd.GeoDataFrame:
    """Provinces of Afghanistan (34) and Pakistan (7) at full detail (EPSG:4326).

    Columns: ``admin1_code`` (ISO 3166-2), ``admin1`` (current English name),
    ``country_code``, ``country``, ``rep_lat`` / ``rep_lon`` (a label point
    inside the polygon), ``geometry``. One row per code, sorted by code.

    Returns
    -------
    geopandas.GeoDataFrame
        A cached object shared by every caller: do not mutate it.
    """
    return _read_gpkg("adm1")


@cache
def adm0_simplified() -> gpd.GeoDataFrame:
    """Simplified country polygons for the browser (same columns as :func:`adm0`).

    Simplified together with the provinces as one coverage (tolerance 0.01°,
    at most about 3 km from the full outline; see SOURCES.md), so the edges
    of countries and provinces still meet exactly. Cached: do not mutate.

    Returns
    -------
    geopandas.GeoDataFrame
    """
    return _read_geojson("adm0_simplified.geojson")


@cache
def adm1_simplified() -> gpd.GeoDataFrame:
    """Simplified provinces for the browser (same columns as :func:`adm1`).

    Cached: do not mutate.

    Returns
    -------
    geopandas.GeoDataFrame
    """
    return _read_geojson("adm1_simplified.geojson")


@cache
def border_line() -> shapely.LineString:
    """The Afghanistan–Pakistan border (EPSG:4326, lon/lat order).

    The shared boundary of the two country polygons, from the tripoint with
    Iran to the tripoint with China (about 2,245 km on the ellipsoid at this
    1:10m detail, against about 2,600 km usually quoted for the Durand Line).

    Returns
    -------
    shapely.LineString
    """
    geoms, _ = _read_raw("border_afg_pak")
    return geoms[0]


def _read_gpkg(layer: str) -> gpd.GeoDataFrame:
    import pyogrio

    return pyogrio.read_dataframe(_GPKG, layer=layer)


def _read_geojson(name: str) -> gpd.GeoDataFrame:
    import pyogrio

    return pyogrio.read_dataframe(BOUNDARIES_DIR / name)


# --------------------------------------------------------------------------- lookup


@dataclass(frozen=True)
class _Index:
    """Prepared polygons and attributes for :func:`locate`."""

    geoms: np.ndarray  # provinces of AF/PK (sorted by code), then the neighbours
    bounds: np.ndarray  # (n, 4) bounding boxes of geoms
    country_code: np.ndarray
    country: np.ndarray
    admin1: np.ndarray
    admin1_code: np.ndarray
    fallback: np.ndarray  # AFG and PAK outlines, for points between provinces
    fallback_bounds: np.ndarray
    fallback_code: np.ndarray
    fallback_name: np.ndarray


@dataclass(frozen=True)
class _Border:
    """The border in :data:`BORDER_CRS` (prepared) and the transformers around it."""

    line: shapely.LineString  # metres, prepared for nearest-point queries
    forward: Any  # pyproj.Transformer EPSG:4326 -> BORDER_CRS
    inverse: Any


def _read_raw(layer: str) -> tuple[np.ndarray, dict[str, np.ndarray]]:
    """Geometries and fields of a GeoPackage layer, read with the standard library.

    A GeoPackage is an SQLite database whose geometry blobs are a short
    header followed by ordinary WKB. Reading it with :mod:`sqlite3` keeps
    ``python -m geo locate`` from importing pyogrio (and pyarrow with it).
    """
    uri = f"{_GPKG.resolve().as_uri()}?mode=ro"
    with closing(sqlite3.connect(uri, uri=True)) as con:
        (geom_col,) = con.execute(
            "SELECT column_name FROM gpkg_geometry_columns WHERE table_name = ?", (layer,)
        ).fetchone()
        cursor = con.execute(f'SELECT * FROM "{layer}" ORDER BY fid')
        names = [d[0] for d in cursor.description]
        rows = cursor.fetchall()
    columns = list(zip(*rows, strict=True)) if rows else [()] * len(names)
    fields = {n: np.asarray(c, dtype=object) for n, c in zip(names, columns, strict=True)}
    blobs = fields.pop(geom_col)
    fields.pop("fid", None)
    return shapely.from_wkb([_gpkg_wkb(b) for b in blobs]), fields


def _gpkg_wkb(blob: bytes) -> bytes:
    """Strip the GeoPackage header (magic, version, flags, srs id, envelope)."""
    if blob[:2] != b"GP":
        raise ValueError("not a GeoPackage geometry blob")
    envelope = (0, 32, 48, 48, 64)[(blob[3] >> 1) & 0b111]
    return blob[8 + envelope :]


@lru_cache(maxsize=1)
def _index() -> _Index:
    p_geoms, p = _read_raw("adm1")
    c_geoms, c = _read_raw("adm0")
    order = np.argsort(p["admin1_code"], kind="stable")
    home = np.isin(c["country_code"], ["AFG", "PAK"])
    n_nb = int((~home).sum())
    geoms = np.concatenate([p_geoms[order], c_geoms[~home]])
    fallback = c_geoms[home]
    shapely.prepare(geoms)
    shapely.prepare(fallback)
    # GEOS builds a prepared polygon's point locator on first use: build them
    # now, before the cached index is shared between threads (Streamlit).
    for g in (geoms, fallback):
        inner = shapely.get_coordinates(shapely.point_on_surface(g))
        shapely.intersects_xy(g, inner[:, 0], inner[:, 1])
    none = np.full(n_nb, None, dtype=object)
    return _Index(
        geoms=geoms,
        bounds=shapely.bounds(geoms),
        country_code=np.concatenate([p["country_code"][order], c["country_code"][~home]]),
        country=np.concatenate([p["country"][order], c["country"][~home]]),
        admin1=np.concatenate([p["admin1"][order], none]),
        admin1_code=np.concatenate([p["admin1_code"][order], none]),
        fallback=fallback,
        fallback_bounds=shapely.bounds(fallback),
        fallback_code=c["country_code"][home],
        fallback_name=c["country"][home],
    )


@lru_cache(maxsize=1)
def _border() -> _Border:
    from pyproj import Transformer

    forward = Transformer.from_crs("EPSG:4326", BORDER_CRS, always_xy=True)
    inverse = Transformer.from_crs(BORDER_CRS, "EPSG:4326", always_xy=True)
    line = shapely.transform(border_line(), lambda xy: np.column_stack(forward.transform(*xy.T)))
    shapely.prepare(line)
    shapely.shortest_line(line, shapely.Point(0.0, 0.0))  # build the facet index now
    return _Border(line, forward, inverse)


# WGS84 and the Lambert conformal conic constants of BORDER_CRS (EPSG guidance
# note 7-2, method 9802), for the scale factor k(lat) of the projection.
_E = math.sqrt(1 / 298.257223563 * (2 - 1 / 298.257223563))


def _lcc_m(phi: np.ndarray) -> np.ndarray:
    return np.cos(phi) / np.sqrt(1 - (_E * np.sin(phi)) ** 2)


def _lcc_t(phi: np.ndarray) -> np.ndarray:
    es = _E * np.sin(phi)
    return np.tan(np.pi / 4 - phi / 2) / ((1 - es) / (1 + es)) ** (_E / 2)


_PHI1, _PHI2 = math.radians(30.0), math.radians(36.0)
_LCC_N = float(
    (np.log(_lcc_m(_PHI1)) - np.log(_lcc_m(_PHI2)))
    / (np.log(_lcc_t(_PHI1)) - np.log(_lcc_t(_PHI2)))
)
_LCC_F = float(_lcc_m(_PHI1) / (_LCC_N * _lcc_t(_PHI1) ** _LCC_N))


def _lcc_scale(lat_deg: np.ndarray) -> np.ndarray:
    """Scale factor of :data:`BORDER_CRS` at each latitude (1 on 30°N and 36°N)."""
    phi = np.radians(lat_deg)
    return _LCC_F * _LCC_N * _lcc_t(phi) ** _LCC_N / _lcc_m(phi)


def _as_float(values: Any) -> tuple[np.ndarray, pd.Index | None]:
    """Coerce scalars, lists, arrays or Series to float64; junk becomes NaN."""
    index = values.index if isinstance(values, pd.Series) else None
    if values is None or np.isscalar(values):
        values = [values]
    try:  # fast path: numbers, None and numeric text convert directly
        return np.asarray(values, dtype="float64").reshape(-1), index
    except (TypeError, ValueError):
        series = pd.Series(np.asarray(values, dtype=object).reshape(-1))
        arr = pd.to_numeric(series, errors="coerce").astype("float64")
        return arr.to_numpy(na_value=np.nan), index


def _valid(lat: np.ndarray, lon: np.ndarray) -> np.ndarray:
    with np.errstate(invalid="ignore"):
        return np.isfinite(lat) & np.isfinite(lon) & (np.abs(lat) <= 90) & (np.abs(lon) <= 180)


def _first_hit(geoms: np.ndarray, bounds: np.ndarray, x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Index of the first geometry (in ``geoms`` order) covering each point, or -1.

    One vectorised pass per polygon (there are 47, whatever the number of
    points): a numpy bounding-box test picks the candidates among the points
    not placed yet, then the prepared polygon tests them exactly. This is
    about three times faster than an STRtree query, which must first build a
    GEOS point per input. ``intersects`` counts a point on an edge as inside
    and the earlier polygon keeps it, so a point on an edge shared by two
    provinces always resolves the same way.
    """
    hit = np.full(len(x), -1, dtype=np.int64)
    todo = np.arange(len(x))
    for k, (x0, y0, x1, y1) in enumerate(bounds):
        if len(todo) == 0:
            break
        tx, ty = x[todo], y[todo]
        cand = np.flatnonzero((tx >= x0) & (tx <= x1) & (ty >= y0) & (ty <= y1))
        if len(cand) == 0:
            continue
        inside = cand[shapely.intersects_xy(geoms[k], tx[cand], ty[cand])]
        hit[todo[inside]] = k
        todo = np.delete(todo, inside)
    return hit


def border_distance_km(lat: Any, lon: Any) -> np.ndarray:
    """Distance in km from each point to the Afghanistan–Pakistan border.

    Computed in a Lambert conformal conic projection fitted to the border
    (:data:`BORDER_CRS`: standard parallels 30°N and 36°N, centre 33°N
    67.5°E), never in degrees: the nearest point of the border is found there
    and the straight-line distance to it is taken.

    A conformal projection is true to scale only on its standard parallels.
    Uncorrected, planar distances would be up to 0.14% short between them,
    and too long outside them: +0.25% at 28°N or 38°N, +0.8% at Karachi
    (25°N), +0.6% at 40°N, a few % beyond the region. So each distance is
    divided by the projection's scale factor averaged along the path
    (Simpson's rule over its two ends and middle; the scale of a Lambert
    conic depends on latitude only). Against geodesic distances on the WGS84
    ellipsoid the result is within 0.03% for any point from 22°N to 42°N and
    56°E to 80°E; the remaining error is the curvature of the path, largest
    for long north-south paths near the edges of that window.

    Parameters
    ----------
    lat, lon : float or array-like
        WGS84 degrees. NaN, None, text or out-of-range values give NaN.

    Returns
    -------
    numpy.ndarray
        float64, one value per point, NaN where the input is unusable.
    """
    lat_a, _ = _as_float(lat)
    lon_a, _ = _as_float(lon)
    out = np.full(len(lat_a), np.nan)
    ok = _valid(lat_a, lon_a)
    if ok.any():
        out[ok] = _distance_km(lat_a[ok], lon_a[ok])
    return out


#: Below this many points the distance is computed in one thread.
_THREADED_FROM = 50_000
#: Points per piece of work in the threads: each piece makes a point and a line per
#: point, so pieces keep those geometries to a few tens of MB at any one time.
_PIECE = 65_536


def _distance_km(lat: np.ndarray, lon: np.ndarray) -> np.ndarray:
    """:func:`_distance_km_of` in two threads for many points, piece by piece.

    The work is in PROJ and GEOS, which release the GIL (pyproj's
    ``Transformer`` is thread-safe since 3.1), so two pieces run on two cores.
    """
    if len(lat) < _THREADED_FROM:
        return _distance_km_of(lat, lon)
    starts = range(0, len(lat), _PIECE)
    with ThreadPoolExecutor(max_workers=2) as pool:
        parts = list(
            pool.map(_distance_km_of, (lat[i : i + _PIECE] for i in starts),
                     (lon[i : i + _PIECE] for i in starts))
        )  # fmt: skip
    return np.concatenate(parts)


def _distance_km_of(lat: np.ndarray, lon: np.ndarray) -> np.ndarray:
    b = _border()
    x, y = b.forward.transform(lon, lat)
    # Nearest border point of each point: GEOS's indexed facet distance on
    # the prepared line, one call for all points.
    nearest = shapely.get_coordinates(shapely.shortest_line(b.line, shapely.points(x, y)))
    qx, qy = nearest[0::2, 0], nearest[0::2, 1]
    _, q_lat = b.inverse.transform(qx, qy)
    k = (_lcc_scale(lat) + 4 * _lcc_scale((lat + q_lat) / 2) + _lcc_scale(q_lat)) / 6
    return np.hypot(x - qx, y - qy) / k / 1000.0


def _locate_unique(lat: np.ndarray, lon: np.ndarray) -> list[np.ndarray]:
    """Country code, country, admin1, admin1 code and distance of valid points."""
    n = len(lat)
    ix = _index()
    hit = _first_hit(ix.geoms, ix.bounds, lon, lat)
    found = hit >= 0
    out = [np.full(n, None, dtype=object) for _ in range(4)]
    for target, source in zip(
        out, (ix.country_code, ix.country, ix.admin1, ix.admin1_code), strict=True
    ):
        target[found] = source[hit[found]]
    rest = np.flatnonzero(~found)
    if len(rest):  # a point in AFG/PAK outside every province (not expected)
        fb = _first_hit(ix.fallback, ix.fallback_bounds, lon[rest], lat[rest])
        out[0][rest[fb >= 0]] = ix.fallback_code[fb[fb >= 0]]
        out[1][rest[fb >= 0]] = ix.fallback_name[fb[fb >= 0]]
    distance = np.full(n, np.nan)
    placed = np.flatnonzero(out[0] != None)  # noqa: E711 (element-wise on objects)
    if len(placed):
        distance[placed] = _distance_km(lat[placed], lon[placed])
    return [*out, distance]


@dataclass(frozen=True)
class Located:
    """What :func:`locate` answers for some distinct points (:func:`locate_distinct`),
    for a later :func:`locate` to reuse: ``points`` as ``lat + 1j * lon``, ``columns``
    as :func:`_locate_unique` returns them."""

    points: pd.Index
    columns: list[np.ndarray]


def locate_distinct(lat: Any, lon: Any) -> Located:
    """:func:`locate` of the distinct valid points of ``lat``/``lon``, kept for reuse.

    >>> known = locate_distinct([34.0, 34.0, None], [71.5, 71.5, 70.0])
    >>> len(known.points), locate([34.0], [71.5], known=known)["admin1_code"].tolist()
    (1, ['PK-KP'])
    """
    lat_a, _ = _as_float(lat)
    lon_a, _ = _as_float(lon)
    ok = _valid(lat_a, lon_a)
    unique = pd.unique(lat_a[ok] + 1j * lon_a[ok])
    return Located(pd.Index(unique), _locate_unique(unique.real, unique.imag))


def _answers(unique: np.ndarray, known: Located | None) -> list[np.ndarray]:
    """:func:`_locate_unique` of ``unique`` (complex points), taken from ``known`` where
    it holds them: the same answers, since each point's answer is its own."""
    if known is None or not len(known.points):
        return _locate_unique(unique.real, unique.imag)
    at = known.points.get_indexer(unique)
    out = [column[np.maximum(at, 0)] for column in known.columns]
    missing = np.flatnonzero(at < 0)
    if len(missing):
        fresh = _locate_unique(unique.real[missing], unique.imag[missing])
        for column, values in zip(out, fresh, strict=True):
            column[missing] = values
    return out


def locate(lat: Any, lon: Any, *, known: Located | None = None) -> pd.DataFrame:
    """Country, province and border distance of each point (vectorised).

    Parameters
    ----------
    lat, lon : float or array-like
        WGS84 degrees, same length. Scalars, lists, numpy arrays and pandas
        Series are accepted; NaN, None, text and out-of-range values never
        raise, they give a row of nulls.
    known : Located, optional
        Answers already found for some of the points (:func:`locate_distinct`,
        computed ahead on another thread): only the others are looked up.

    Returns
    -------
    pandas.DataFrame
        Columns :data:`LOCATE_COLUMNS`, one row per input point in input order
        (with the index of ``lat`` when it is a Series, else 0..n-1):

        - inside a province of Afghanistan or Pakistan: every column filled;
        - inside a neighbour country (Iran, Turkmenistan, Uzbekistan,
          Tajikistan, China, India): its ``country_code`` and ``country``,
          ``admin1`` and ``admin1_code`` None, and the border distance;
        - at sea or outside those eight countries: all None / NaN, border
          distance included (use :func:`border_distance_km` for a distance
          from anywhere).

        A point exactly on an edge shared by two provinces goes to the one
        whose ISO code sorts first, every time.
    """
    lat_a, index = _as_float(lat)
    lon_a, _ = _as_float(lon)
    if len(lat_a) != len(lon_a):
        raise ValueError(f"lat and lon differ in length: {len(lat_a)} != {len(lon_a)}")
    n = len(lat_a)
    columns = [np.full(n, None, dtype=object) for _ in range(4)]
    distance = np.full(n, np.nan)
    ok = np.flatnonzero(_valid(lat_a, lon_a))
    if len(ok):
        # Incident files repeat coordinates (geocoded towns): look each up once.
        codes, unique = pd.factorize(lat_a[ok] + 1j * lon_a[ok])
        *found, dist = _answers(unique, known)
        for out, values in zip(columns, found, strict=True):
            out[ok] = values[codes]
        distance[ok] = dist[codes]
    country_code, country, admin1, admin1_code = columns

    index = index if index is not None else pd.RangeIndex(n)
    text = {
        "country_code": country_code,
        "country": country,
        "admin1": admin1,
        "admin1_code": admin1_code,
    }
    # object columns with None for nulls, like geo.schema's text columns
    frame = {k: pd.Series(v, index=index, dtype=object) for k, v in text.items()}
    frame["border_distance_km"] = pd.Series(distance, index=index, dtype="float64")
    return pd.DataFrame(frame)
