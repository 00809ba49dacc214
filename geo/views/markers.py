"""The data on the static map: incidents in four scatter collections, claimed territories.

DESIGN.md §6 on paper: filled markers sized by killed (area grows linearly
with killed), hollow when the toll is unknown, a faint fill and a dashed ring
when the location is only approximate (precision 3–4). Colours and sizes come
from :mod:`geo.views.mapkey`; :mod:`geo.views.snapshot` composes the figure.
Claimed presence (:func:`draw_presence`) is a light hatched fill with a strong
outline in the state's colour, under the incidents.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.colors import to_rgba, to_rgba_array

from geo.schema import as_floats
from geo.views import cartography as carto
from geo.views import mapkey
from geo.views.legend import PRESENCE_COLOURS

__all__ = ["draw_incidents", "draw_presence", "ring_handle"]


def _colour_codes(event_type: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """Per-row palette index and the RGBA palette (event types, then "other")."""
    codes, uniques = pd.factorize(event_type.astype(object), use_na_sentinel=True)
    palette = to_rgba_array(
        [mapkey.EVENT_COLOURS.get(str(u), mapkey.OTHER_COLOUR) for u in uniques]
        + [mapkey.OTHER_COLOUR]
    )
    return np.where(codes < 0, len(uniques), codes).astype(np.int64), palette


def _thin(
    ax: Axes,
    lon: np.ndarray,
    lat: np.ndarray,
    key: np.ndarray,
    area: np.ndarray,
    cell_px: float = 1.5,
) -> np.ndarray:
    """Rows to draw: per map cell of ``cell_px`` pixels and symbol ``key``, the largest.

    With tens of thousands of markers most of them overlap. A marker hidden
    inside a bigger one of the same colour and style, less than two pixels
    away, changes nothing a reader can see, so only the largest per cell is
    drawn; the picture stays the same and a million incidents draw in seconds.
    The cell is sized in degrees from the map's metres per pixel (conservatively,
    using the longitude scale at 38°N).
    """
    x0, x1 = ax.get_xlim()
    metres = (x1 - x0) / ax.get_window_extent().width * cell_px
    dlat = metres / 111_320
    dlon = dlat / np.cos(np.radians(38.0))
    cx = np.floor((lon - lon.min()) / dlon).astype(np.int64)
    cy = np.floor((lat - lat.min()) / dlat).astype(np.int64)
    cell = (cy * (int(cx.max()) + 1) + cx) * (int(key.max()) + 1) + key
    order = np.lexsort((-area, cell))
    first = np.unique(cell[order], return_index=True)[1]
    return order[first]


def draw_presence(ax: Axes, territories: Any) -> None:
    """Shade the claimed territories by state: light hatched fill, strong outline.

    Parameters
    ----------
    ax : matplotlib.axes.Axes
    territories : geopandas.GeoDataFrame
        :func:`geo.views.layers_presence.presence_territories` in map metres.
    """
    for state, colour in PRESENCE_COLOURS.items():
        geoms = territories.geometry[territories["state"] == state]
        if geoms.empty:
            continue
        ax.add_collection(
            carto.polygon_collection(
                geoms, facecolors=to_rgba(colour, 0.13), edgecolors="none", zorder=2.4
            ),
            autolim=False,
        )
        hatch = carto.polygon_collection(
            geoms, facecolors="none", edgecolors=to_rgba(colour, 0.45), linewidths=0, zorder=2.5
        )
        hatch.set_hatch("///")
        ax.add_collection(hatch, autolim=False)
        ax.add_collection(
            carto.line_collection(geoms, colors=colour, linewidths=1.8, alpha=0.9, zorder=3.5),
            autolim=False,
        )


def draw_incidents(ax: Axes, df: pd.DataFrame, *, raster: bool, scale: float = 1.0) -> int:
    """Scatter the incidents in at most four collections; returns how many are on the map.

    Filled: killed known, located precisely. Faint fill and dashed ring: killed
    known, location approximate (geo_precision 3–4). Hollow: killed unknown
    (dashed ring when the location is approximate too). ``scale`` multiplies the
    markers' diameters (:attr:`geo.views.snapshot.Preset.marker_scale`). Bigger markers are drawn
    first so small ones stay visible on top. Above 20,000 incidents, markers
    hidden under a bigger one of the same kind are skipped (:func:`_thin`).
    """
    if df.empty:
        return 0
    lat = as_floats(df["latitude"])
    lon = as_floats(df["longitude"])
    ok = np.isfinite(lat) & np.isfinite(lon)
    n = int(ok.sum())
    if n == 0:
        return 0
    killed = as_floats(df["killed"])
    precision = pd.to_numeric(df["geo_precision"], errors="coerce")
    approx = precision.to_numpy(dtype=float, na_value=np.nan) >= 3
    code, palette = _colour_codes(df["event_type"])
    factor, alpha = mapkey.crowding(n)
    area = mapkey.marker_area(killed) * factor * scale**2
    style = np.isnan(killed) * 2 + approx  # 0 filled, 1 faint dashed, 2 hollow, 3 hollow dashed
    keep = np.flatnonzero(ok)
    if n > 20_000:
        key = style[keep] * len(palette) + code[keep]
        # beyond 200,000 markers are smaller (crowding) and pile up: coarser cells
        cell_px = 1.5 if n <= 200_000 else 3.0 if n <= 500_000 else 4.0
        keep = keep[_thin(ax, lon[keep], lat[keep], key, area[keep], cell_px)]
    x, y = carto.project_points(lon[keep], lat[keep])
    style, area, rgba = style[keep], area[keep], palette[code[keep]]
    thin_lines = 1.0 if n <= 50_000 else 0.6
    for value, filled, dashed, lw in ((1, True, True, 0.8), (0, True, False, 0.3),
                                      (3, False, True, 0.9), (2, False, False, 1.0)):  # fmt: skip
        idx = np.flatnonzero(style == value)
        if not len(idx):
            continue
        idx = idx[np.argsort(-area[idx], kind="stable")]
        colour = rgba[idx]
        if filled:
            face = colour.copy()
            face[:, 3] = alpha * (0.25 if dashed else 1.0)
            edge = colour if dashed else np.array([[1.0, 1.0, 1.0, min(0.9, alpha + 0.1)]])
        else:
            face = "none"
            edge = colour.copy()
            edge[:, 3] = min(1.0, alpha + 0.15)
        coll = ax.scatter(
            x[idx],
            y[idx],
            s=area[idx],
            facecolors=face,
            edgecolors=edge,
            linewidths=lw * thin_lines,
            linestyles=mapkey.DASHES if dashed else "solid",
            zorder=10 if filled else 11,
        )
        coll.set_rasterized(raster)
    return n


def ring_handle(ax: Axes) -> Any:
    """An empty dashed-ring scatter: draws nothing, lends its style to the legend.

    Parameters
    ----------
    ax : matplotlib.axes.Axes
    """
    return ax.scatter(
        [], [], s=64, facecolors="none", edgecolors="#555555", linewidths=1.0,
        linestyles=mapkey.DASHES,
    )  # fmt: skip
