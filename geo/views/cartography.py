"""Map furniture for the static snapshot: projection, basemap, scale bar, north arrow, labels.

Everything here draws into a matplotlib ``Axes`` whose data coordinates are metres
in :data:`MAP_CRS` (WGS 84 / UTM zone 42N, whose central meridian, 69°E, runs
through the middle of the Afghanistan–Pakistan frontier). The scale bar and the
north arrow are computed for the point of the map where they stand, so they stay
true where the projection's scale factor and grid convergence drift away from
the central meridian.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import geopandas as gpd
import numpy as np
import shapely
from matplotlib import patheffects
from matplotlib.axes import Axes
from matplotlib.collections import LineCollection, PathCollection
from matplotlib.patches import FancyArrowPatch, Rectangle
from matplotlib.path import Path
from matplotlib.text import Text
from matplotlib.transforms import Bbox
from pyproj import CRS, Proj, Transformer

__all__ = [
    "MAP_CRS",
    "MAP_CRS_LABEL",
    "Basemap",
    "LabelItem",
    "add_north_arrow",
    "add_scale_bar",
    "country_label_items",
    "default_basemap",
    "line_collection",
    "nice_length",
    "place_labels",
    "polygon_collection",
    "project_basemap",
    "project_points",
]

#: Neighbouring countries are cut to this lon/lat box before projecting.
_REGION: tuple[float, float, float, float] = (52.0, 18.0, 86.0, 44.0)

#: The metric projection every snapshot is drawn in.
MAP_CRS: CRS = CRS.from_epsg(32642)
MAP_CRS_LABEL = "WGS 84 / UTM 42N (EPSG:32642)"

_HALO = [patheffects.withStroke(linewidth=2.4, foreground="white", alpha=0.9)]


@dataclass(frozen=True)
class Basemap:
    """Countries, provinces and the border, already projected to :data:`MAP_CRS`.

    Attributes
    ----------
    adm0 : geopandas.GeoDataFrame
        Countries with ``country_code`` and ``country``.
    adm1 : geopandas.GeoDataFrame
        Provinces with ``admin1_code``, ``admin1``, ``country_code`` and the label
        point ``label_x`` / ``label_y`` (metres).
    border : geopandas.GeoSeries
        The Afghanistan–Pakistan boundary as lines.
    """

    adm0: gpd.GeoDataFrame
    adm1: gpd.GeoDataFrame
    border: gpd.GeoSeries


@dataclass(frozen=True)
class LabelItem:
    """A label to place: anchor (map metres), text, rank (lower first) and group.

    Of the items sharing a ``group``, only the first that fits is placed: this is
    how a label gets several candidate anchors.
    """

    x: float
    y: float
    text: str
    rank: float = 0.0
    group: str | None = None


@lru_cache(maxsize=1)
def _to_map() -> Transformer:
    return Transformer.from_crs(4326, MAP_CRS, always_xy=True)


@lru_cache(maxsize=1)
def _from_map() -> Transformer:
    return Transformer.from_crs(MAP_CRS, 4326, always_xy=True)


def project_points(lon: np.ndarray, lat: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Project WGS 84 longitudes and latitudes to map metres (vectorised).

    Parameters
    ----------
    lon, lat : numpy.ndarray
        Degrees.

    Returns
    -------
    tuple of numpy.ndarray
        ``(x, y)`` in metres of :data:`MAP_CRS`.
    """
    x, y = _to_map().transform(np.asarray(lon, dtype=float), np.asarray(lat, dtype=float))
    return np.asarray(x), np.asarray(y)


def project_basemap(adm0: gpd.GeoDataFrame, adm1: gpd.GeoDataFrame, border: Any) -> Basemap:
    """Project boundary layers to :data:`MAP_CRS` and work out the province label points.

    Parameters
    ----------
    adm0, adm1 : geopandas.GeoDataFrame
        Countries and provinces as :mod:`geo.places.boundaries` returns them (EPSG:4326).
        ``rep_lat`` / ``rep_lon`` are used for label points where present.
    border : shapely geometry, geopandas.GeoSeries or geopandas.GeoDataFrame
        The Afghanistan–Pakistan boundary (EPSG:4326).

    Returns
    -------
    Basemap
    """
    a0 = gpd.clip(adm0, _REGION).to_crs(MAP_CRS)
    a1 = adm1.to_crs(MAP_CRS)
    if {"rep_lat", "rep_lon"} <= set(adm1.columns):
        lx, ly = project_points(adm1["rep_lon"].to_numpy(), adm1["rep_lat"].to_numpy())
    else:
        rp = a1.geometry.representative_point()
        lx, ly = rp.x.to_numpy(), rp.y.to_numpy()
    a1 = a1.assign(label_x=lx, label_y=ly)
    if isinstance(border, gpd.GeoDataFrame):
        line = border.geometry
    elif isinstance(border, gpd.GeoSeries):
        line = border
    else:
        line = gpd.GeoSeries([border], crs=4326)
    return Basemap(adm0=a0, adm1=a1, border=line.to_crs(MAP_CRS))


@lru_cache(maxsize=1)
def default_basemap() -> Basemap:
    """The project's boundaries (:mod:`geo.places.boundaries`), projected once per process.

    The simplified layers are used: at slide and A4 size one pixel is about a
    kilometre, far coarser than the simplification.
    """
    from geo.places import boundaries

    adm0 = getattr(boundaries, "adm0_simplified", boundaries.adm0)()
    adm1 = getattr(boundaries, "adm1_simplified", boundaries.adm1)()
    return project_basemap(adm0, adm1, boundaries.border_line())


def _polygon_path(geom: Any) -> Path:
    """One compound path for a (multi)polygon: every ring closed, holes included."""
    parts = getattr(geom, "geoms", [geom])
    verts: list[np.ndarray] = []
    codes: list[np.ndarray] = []
    for poly in parts:
        for ring in (poly.exterior, *poly.interiors):
            xy = np.asarray(ring.coords)[:, :2]
            if len(xy) < 3:
                continue
            c = np.full(len(xy), Path.LINETO, dtype=Path.code_type)
            c[0], c[-1] = Path.MOVETO, Path.CLOSEPOLY
            verts.append(xy)
            codes.append(c)
    if not verts:
        return Path(np.empty((0, 2)))
    return Path(np.concatenate(verts), np.concatenate(codes))


def polygon_collection(geoms: gpd.GeoSeries, **kw: Any) -> PathCollection:
    """A matplotlib collection of polygons (one path each), for ``ax.add_collection``.

    Faster than ``GeoSeries.plot``, which redraws the whole figure on every call
    once the figure has a canvas.

    Parameters
    ----------
    geoms : geopandas.GeoSeries
        Polygons or multipolygons in map metres.
    **kw
        ``facecolors``, ``edgecolors``, ``linewidths``, ``zorder`` ...
    """
    paths = [_polygon_path(g) for g in geoms if g is not None and not g.is_empty]
    return PathCollection(paths, **kw)


def line_collection(geoms: gpd.GeoSeries, **kw: Any) -> LineCollection:
    """A matplotlib collection of the lines (or polygon outlines) in ``geoms``."""
    lines = shapely.get_parts(shapely.boundary(geoms.to_numpy()) if _is_areal(geoms) else geoms)
    segments = [np.asarray(part.coords)[:, :2] for part in shapely.get_parts(lines)]
    return LineCollection(segments, **kw)


def _is_areal(geoms: gpd.GeoSeries) -> bool:
    return bool(len(geoms)) and bool(geoms.geom_type.str.contains("Polygon").all())


def nice_length(limit: float) -> float:
    """The largest 1, 2, 3, 4 or 5 × 10ⁿ not above ``limit`` (``limit`` > 0).

    >>> nice_length(37), nice_length(123)
    (30.0, 100.0)
    """
    exp = math.floor(math.log10(limit))
    for step in (5, 4, 3, 2, 1):
        if step * 10**exp <= limit:
            return float(step * 10**exp)
    return float(10**exp)


def _scale_factor(x: float, y: float) -> float:
    lon, lat = _from_map().transform(x, y)
    return float(Proj(MAP_CRS).get_factors(lon, lat).parallel_scale)


def add_scale_bar(
    ax: Axes, *, anchor: tuple[float, float] = (0.03, 0.04), max_fraction: float = 0.3
) -> Bbox:
    """Draw a two-tone scale bar in kilometres, true at the place it is drawn.

    Parameters
    ----------
    ax : matplotlib.axes.Axes
        A map axes in :data:`MAP_CRS` metres with its final limits and aspect.
    anchor : tuple of float
        Lower-left corner of the bar in axes fractions.
    max_fraction : float
        Longest bar allowed, as a fraction of the axes width.

    Returns
    -------
    matplotlib.transforms.Bbox
        The display-space box the bar occupies (for label collision checks).
    """
    x0, x1 = ax.get_xlim()
    y0, y1 = ax.get_ylim()
    bx = x0 + anchor[0] * (x1 - x0)
    by = y0 + anchor[1] * (y1 - y0)
    k = _scale_factor(bx + 0.5 * max_fraction * (x1 - x0), by)
    km = nice_length(max_fraction * (x1 - x0) / 1000.0 / k)
    length = km * 1000.0 * k
    height = 0.012 * (y1 - y0)
    for i in range(4):
        ax.add_patch(
            Rectangle(
                (bx + i * length / 4, by),
                length / 4,
                height,
                facecolor="#222222" if i % 2 == 0 else "white",
                edgecolor="#222222",
                linewidth=0.6,
                zorder=30,
            )
        )
    texts = []
    for frac, label in ((0.0, "0"), (0.5, f"{km / 2:g}"), (1.0, f"{km:g} km")):
        texts.append(
            ax.text(
                bx + frac * length,
                by + height * 1.6,
                label,
                ha="center",
                va="bottom",
                fontsize=7,
                color="#222222",
                path_effects=_HALO,
                zorder=31,
            )
        )
    renderer = ax.figure.canvas.get_renderer()
    boxes = [t.get_window_extent(renderer) for t in texts]
    corner = ax.transData.transform([(bx, by), (bx + length, by + height)])
    boxes.append(Bbox(corner))
    return Bbox.union(boxes)


def add_north_arrow(ax: Axes, *, anchor: tuple[float, float] = (0.955, 0.86)) -> Bbox:
    """Draw an arrow to true north at ``anchor`` (axes fractions) with an "N".

    The arrow follows the meridian through its own position, so it leans by the
    grid convergence of the projection there.

    Returns
    -------
    matplotlib.transforms.Bbox
        The display-space box of the arrow and its letter.
    """
    x0, x1 = ax.get_xlim()
    y0, y1 = ax.get_ylim()
    tx = x0 + anchor[0] * (x1 - x0)
    ty = y0 + anchor[1] * (y1 - y0)
    lon, lat = _from_map().transform(tx, ty)
    nx, ny = project_points(np.array([lon]), np.array([lat + 0.25]))
    angle = math.atan2(float(nx[0]) - tx, float(ny[0]) - ty)
    size = 0.07 * (y1 - y0)
    hx, hy = tx + size * math.sin(angle), ty + size * math.cos(angle)
    arrow = FancyArrowPatch(
        (tx, ty),
        (hx, hy),
        arrowstyle="simple,head_width=0.9,head_length=0.9,tail_width=0.25",
        mutation_scale=14,
        facecolor="#222222",
        edgecolor="white",
        linewidth=0.6,
        zorder=30,
    )
    ax.add_patch(arrow)
    letter = ax.text(
        hx + 0.012 * (y1 - y0) * math.sin(angle),
        hy + 0.012 * (y1 - y0) * math.cos(angle),
        "N",
        ha="center",
        va="bottom",
        fontsize=10,
        fontweight="bold",
        color="#222222",
        path_effects=_HALO,
        zorder=31,
    )
    renderer = ax.figure.canvas.get_renderer()
    box = Bbox(ax.transData.transform([(min(tx, hx), ty), (max(tx, hx), hy)]))
    return Bbox.union([box.expanded(1.0, 1.0).padded(6), letter.get_window_extent(renderer)])


# Candidate offsets (points) and alignments tried in turn for each label.
_OFFSETS: tuple[tuple[float, float, str, str], ...] = (
    (0, 0, "center", "center"),
    (0, 5, "center", "bottom"),
    (0, -5, "center", "top"),
    (5, 0, "left", "center"),
    (-5, 0, "right", "center"),
)


def place_labels(
    ax: Axes,
    items: Sequence[LabelItem],
    *,
    fontsize: float = 7.0,
    avoid: Sequence[Bbox] = (),
    color: str = "#333333",
    pad: float = 2.0,
    **text_kw: object,
) -> list[Text]:
    """Place labels greedily so that none overlaps another or an ``avoid`` box.

    Labels are tried in ``rank`` order, each at its anchor and then at four
    nudged positions; a label that fits nowhere is left out (it is better to
    drop a small province's name than to print two names over each other).

    Parameters
    ----------
    ax : matplotlib.axes.Axes
        Map axes with final limits (call ``ax.apply_aspect()`` first).
    items : sequence of LabelItem
    fontsize : float
    avoid : sequence of matplotlib.transforms.Bbox
        Display-space boxes already taken (scale bar, north arrow, ...).
    color : str
    pad : float
        Extra clearance around each label, in points.
    **text_kw
        Passed to :meth:`matplotlib.axes.Axes.annotate`.

    Returns
    -------
    list of matplotlib.text.Text
        The labels that were placed.
    """
    renderer = ax.figure.canvas.get_renderer()
    frame = ax.get_window_extent(renderer)
    taken: list[Bbox] = list(avoid)
    placed: list[Text] = []
    done: set[str] = set()
    for item in sorted(items, key=lambda it: it.rank):
        if not (np.isfinite(item.x) and np.isfinite(item.y)) or item.group in done:
            continue
        for dx, dy, ha, va in _OFFSETS:
            label = ax.annotate(
                item.text,
                (item.x, item.y),
                xytext=(dx, dy),
                textcoords="offset points",
                ha=ha,
                va=va,
                fontsize=fontsize,
                color=color,
                path_effects=_HALO,
                annotation_clip=False,
                parse_math=False,
                **text_kw,
            )
            box = label.get_window_extent(renderer).padded(pad * ax.figure.dpi / 72)
            inside = (
                box.x0 >= frame.x0
                and box.x1 <= frame.x1
                and box.y0 >= frame.y0
                and box.y1 <= frame.y1
            )
            if inside and not any(box.overlaps(other) for other in taken):
                taken.append(box)
                placed.append(label)
                if item.group is not None:
                    done.add(item.group)
                break
            label.remove()
    return placed


def country_label_items(
    base: Basemap, ax: Axes, *, exclude: Sequence[str] = (), per_country: int = 25
) -> list[LabelItem]:
    """Candidate anchors for country names inside the visible part of each country.

    Each country gets up to ``per_country`` anchors on a grid over its visible
    part, nearest its representative point first, all in one label group, so
    :func:`place_labels` writes the name once where it fits.

    Parameters
    ----------
    base : Basemap
    ax : matplotlib.axes.Axes
        Map axes with final limits.
    exclude : sequence of str
        ISO3 codes not to label.
    per_country : int

    Returns
    -------
    list of LabelItem
    """
    x0, x1 = ax.get_xlim()
    y0, y1 = ax.get_ylim()
    view = shapely.box(x0, y0, x1, y1).buffer(-0.03 * (x1 - x0))
    items: list[LabelItem] = []
    for rank, (_, row) in enumerate(base.adm0.iterrows()):
        if row["country_code"] in exclude or row.geometry is None:
            continue
        part = row.geometry.intersection(view)
        if part.is_empty or part.area < 0.004 * view.area:
            continue
        px0, py0, px1, py1 = part.bounds
        gx, gy = np.meshgrid(np.linspace(px0, px1, 12), np.linspace(py0, py1, 12))
        gx, gy = gx.ravel(), gy.ravel()
        inside = shapely.contains_xy(part, gx, gy)
        rep = part.representative_point()
        gx = np.concatenate([[rep.x], gx[inside]])
        gy = np.concatenate([[rep.y], gy[inside]])
        near = np.argsort(np.hypot(gx - rep.x, gy - rep.y), kind="stable")[:per_country]
        name = str(row.get("country") or row["country_code"]).upper()
        items += [
            LabelItem(float(gx[i]), float(gy[i]), name, rank * 1000 + k, group=row["country_code"])
            for k, i in enumerate(near)
        ]
    return items
