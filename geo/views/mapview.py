"""Where the map looks: its view, fitting it to data or a place, and what lies outside it.

The browser pans and zooms the map on its own (mouse, touch, the + and −
buttons) and does not tell the server where it is. What the server sets is
the *view*: the frontier at first, then wherever "Fit to data", "Reset view"
or a place search sends it. :class:`MapView` is that view; each new one is
pushed to the browser (Streamlit updates a deck's view when its initial view
changes), and an unchanged one leaves the user's own panning alone.

Sizes are in CSS pixels of the map as drawn. The server does not know the
map's width either; :data:`MAP_SIZE` is about what the Map page's map is
wide in a 1280 px window (it is wider at 1440 px), so a fitted view keeps
its incidents in view at either.

>>> v = fit([69.2, 71.6], [34.5, 34.0])
>>> round(v.latitude, 2), round(v.longitude, 2), round(v.zoom, 1)
(34.25, 70.4, 7.7)
>>> west, south, east, north = bounds(FRONTIER)
>>> round(west), round(east)
(60, 78)
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any

import numpy as np
import pandas as pd
import pydeck as pdk

from geo.schema import as_floats

__all__ = [
    "FRONTIER",
    "MAP_SIZE",
    "MAX_FIT_ZOOM",
    "PLACE_COLUMNS",
    "PLACE_ZOOM",
    "MapView",
    "bounds",
    "describe_places",
    "fit",
    "fit_incidents",
    "metres_per_pixel",
    "outside",
    "place_view",
]

#: Width and height (CSS px) the view maths assume for the pages' map.
MAP_SIZE: tuple[int, int] = (820, 620)
#: What :func:`outside` and :func:`describe_places` read of an incident.
PLACE_COLUMNS: tuple[str, ...] = ("longitude", "latitude", "admin1", "country", "country_code")
#: A fit never zooms closer than this (a single incident is not a street map).
MAX_FIT_ZOOM: float = 10.0
#: How close a place search zooms, by the gazetteer's feature of the place.
PLACE_ZOOM: dict[str, float] = {
    "province": 7.0,
    "district": 9.0,
    "valley": 9.5,
    "area": 9.5,
    "city": 10.0,
    "town": 11.0,
    "crossing": 11.0,
    "village": 12.0,
    "neighbourhood": 13.0,
}
_TILE = 512.0  # deck.gl's world is 512 px wide at zoom 0
_EARTH_CIRCUMFERENCE_M = 40_075_016.686
_NUDGE = 1e-7  # degrees / zoom levels: invisible, but makes a pushed view differ from the last


@dataclass(frozen=True)
class MapView:
    """The view the app sets: centre, zoom and how many times it was set.

    Attributes
    ----------
    latitude, longitude : float
        Centre, WGS84.
    zoom : float
        Web Mercator zoom (5 shows Afghanistan and Pakistan).
    pushes : int
        Incremented by :meth:`moved`. Streamlit merges into the browser's view
        only the values that differ from the previous initial view, so
        :meth:`view_state` nudges every value by a ten-millionth, alternating
        with each push: setting the same view twice (a second "Reset view"
        after the user zoomed in) still takes the map back.
    """

    latitude: float
    longitude: float
    zoom: float
    pushes: int = 0

    def moved(self, other: MapView) -> MapView:
        """``other``'s centre and zoom, as the next push of this view."""
        return replace(other, pushes=self.pushes + 1)

    def view_state(self) -> pdk.ViewState:
        """The deck's initial view state (pitch and bearing 0)."""
        nudge = _NUDGE * (self.pushes % 2)
        return pdk.ViewState(
            latitude=round(self.latitude, 6) + nudge,
            longitude=round(self.longitude, 6) + nudge,
            zoom=round(self.zoom, 4) + nudge,
            pitch=0,
            bearing=0,
        )


#: The opening view: Afghanistan and Pakistan.
FRONTIER = MapView(latitude=33.0, longitude=69.0, zoom=5.0)


def metres_per_pixel(latitude: float, zoom: float) -> float:
    """Ground metres per CSS pixel at ``latitude`` and ``zoom`` (Web Mercator).

    >>> round(metres_per_pixel(0.0, 0.0))
    78272
    """
    return _EARTH_CIRCUMFERENCE_M * math.cos(math.radians(latitude)) / (_TILE * 2**zoom)


def bounds(view: MapView, size: tuple[int, int] = MAP_SIZE) -> tuple[float, float, float, float]:
    """(west, south, east, north) of what ``view`` shows on a map of ``size`` px."""
    width, height = size
    cx, cy = _world(view.longitude, view.latitude)
    scale = 2**view.zoom
    west, north = _lonlat(cx - width / 2 / scale, cy - height / 2 / scale)
    east, south = _lonlat(cx + width / 2 / scale, cy + height / 2 / scale)
    return west, south, east, north


def fit(
    lons: Sequence[float] | np.ndarray,
    lats: Sequence[float] | np.ndarray,
    size: tuple[int, int] = MAP_SIZE,
    *,
    padding: int = 48,
    max_zoom: float = MAX_FIT_ZOOM,
) -> MapView:
    """The view that shows every point with ``padding`` px to spare (the frontier if none).

    Parameters
    ----------
    lons, lats : sequence of float
        Points (missing values are skipped).
    size : (int, int)
        Map width and height in px.
    padding : int
        Margin kept on each side.
    max_zoom : float
        Closest zoom (one point, or points a few metres apart).
    """
    x = np.asarray(lons, dtype=float)
    y = np.asarray(lats, dtype=float)
    ok = np.isfinite(x) & np.isfinite(y) & (np.abs(y) < 85)
    if not ok.any():
        return FRONTIER
    wx, wy = _world(x[ok], y[ok])
    width, height = (max(s - 2 * padding, 40) for s in size)
    dx, dy = float(wx.max() - wx.min()), float(wy.max() - wy.min())
    zoom = min(
        math.log2(width / dx) if dx > 0 else max_zoom,
        math.log2(height / dy) if dy > 0 else max_zoom,
        max_zoom,
    )
    lon, lat = _lonlat((wx.max() + wx.min()) / 2, (wy.max() + wy.min()) / 2)
    return MapView(latitude=float(lat), longitude=float(lon), zoom=max(zoom, 1.0))


def fit_incidents(df: pd.DataFrame, size: tuple[int, int] = MAP_SIZE) -> MapView:
    """:func:`fit` to the incidents' coordinates (the frontier when none are placed)."""
    if df.empty:
        return FRONTIER
    return fit(_coords(df, "longitude"), _coords(df, "latitude"), size)


def place_view(latitude: float, longitude: float, feature: str | None) -> MapView:
    """A view centred on a place, zoomed by its kind (:data:`PLACE_ZOOM`; 10 if unknown)."""
    return MapView(latitude, longitude, PLACE_ZOOM.get(feature or "", 10.0))


def outside(df: pd.DataFrame, view: MapView, size: tuple[int, int] = MAP_SIZE) -> pd.DataFrame:
    """The placed incidents that ``view`` does not show (incidents without a point are not)."""
    if df.empty:
        return df
    west, south, east, north = bounds(view, size)
    lon, lat = _coords(df, "longitude"), _coords(df, "latitude")
    placed = np.isfinite(lon) & np.isfinite(lat)
    inside = (lon >= west) & (lon <= east) & (lat >= south) & (lat <= north)
    return df[placed & ~inside]


def describe_places(df: pd.DataFrame, limit: int = 4) -> str:
    """``Kerman (Iran), Moscow Oblast (Russia)``: where ``df``'s incidents are, most first.

    A province is named with its country; an incident known only by its
    country (or with neither) by what it has.

    >>> describe_places(pd.DataFrame({"admin1": ["Kerman", None, "Kerman"],
    ...     "country": ["Iran", "Russia", "Iran"], "country_code": ["IRN", "RUS", "IRN"]}))
    'Kerman (Iran) ×2, Russia'
    """
    if df.empty:
        return ""
    # name each distinct (province, country, code) once, in the order they first appear
    cols = [c for c in PLACE_COLUMNS[2:] if c in df]
    if cols:
        groups = df.groupby(cols, dropna=False, observed=True, sort=False)
        places = groups.size().rename("count").reset_index()
    else:
        places = pd.DataFrame({"count": [len(df)]})
    province = _text(places, "admin1")
    country = _text(places, "country").where(
        _text(places, "country") != "", _text(places, "country_code")
    )
    name = np.where(
        (province != "") & (country != ""),
        province + " (" + country + ")",
        np.where(province != "", province, np.where(country != "", country, "place unknown")),
    )
    counts = places["count"].groupby(name, sort=False).sum()
    counts = counts.sort_values(ascending=False, kind="stable")  # ties: first seen first
    shown = [f"{n}" + (f" ×{c:,}" if c > 1 else "") for n, c in counts.head(limit).items()]
    more = len(counts) - limit
    return ", ".join(shown) + (f" and {more} more place{'s' * (more != 1)}" if more > 0 else "")


# ---------------------------------------------------------------------- private
def _world(lon: Any, lat: Any) -> tuple[Any, Any]:
    """Web Mercator world pixels at zoom 0."""
    lon = np.asarray(lon, dtype=float)
    lat = np.clip(np.asarray(lat, dtype=float), -85.0511, 85.0511)
    x = (lon + 180.0) / 360.0 * _TILE
    y = (1 - np.log(np.tan(np.pi / 4 + np.radians(lat) / 2)) / np.pi) / 2 * _TILE
    return x, y


def _lonlat(x: Any, y: Any) -> tuple[Any, Any]:
    lon = np.asarray(x, dtype=float) / _TILE * 360.0 - 180.0
    n = np.pi * (1 - 2 * np.asarray(y, dtype=float) / _TILE)
    lat = np.degrees(np.arctan(np.sinh(n)))
    return lon, lat


def _coords(df: pd.DataFrame, col: str) -> np.ndarray:
    if col not in df:
        return np.full(len(df), np.nan)
    return as_floats(df[col])


def _text(df: pd.DataFrame, col: str) -> pd.Series:
    if col not in df:
        return pd.Series([""] * len(df), dtype=object)
    s = df[col].astype(object)
    return s.where(s.notna(), "").astype(str).str.strip().reset_index(drop=True)
