"""Static map snapshots of a filtered view: PNG for slides, PDF on A4, SVG.

A snapshot has to stand on its own once it is pasted into a document: it says
what it shows, which filters made it, the date range and data cut-off, when it
was made, and where the incidents and the boundaries came from. The incidents
are drawn as four vectorised scatter collections (one per symbol style), so a
million incidents render in seconds.

Module map: this module composes the figure and saves it (:func:`render` for
a :class:`geo.views.view.View`, :func:`render_snapshot` for a bare frame);
:mod:`geo.views.cartography` holds the projection, basemap, scale bar, north arrow and
label placement; :mod:`geo.views.markers` draws the incidents; :mod:`geo.views.mapkey` the
symbols' meaning, header, footer and side panel;
:mod:`geo.views.viewfacts` the facts every export states (re-exported here).
"""

from __future__ import annotations

import io
import threading
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

import geopandas as gpd
import matplotlib as mpl
import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.colors import Normalize
from matplotlib.figure import Figure
from matplotlib.transforms import Bbox

from geo.views import cartography as carto
from geo.views import mapkey, markers
from geo.views.legend import map_legend
from geo.views.view import View
from geo.views.viewfacts import (
    DEFAULT_TITLE,
    ViewFacts,
    incident_sources,
    top_provinces,
    view_facts,
)

__all__ = [
    "DEFAULT_TITLE",
    "PRESETS",
    "SLIDE_BODY",
    "Preset",
    "ViewFacts",
    "build_figure",
    "incident_sources",
    "render",
    "render_snapshot",
    "top_provinces",
    "view_facts",
]

#: The countries framed when no country or province filter is set.
FOCUS_COUNTRIES: tuple[str, ...] = ("AFG", "PAK")

Choropleth = Literal["incidents", "killed"] | None


@dataclass(frozen=True)
class Preset:
    """Page size of one output format.

    Attributes
    ----------
    name : str
        Human name ("slide 16:9", "A4 landscape").
    width_in, height_in : float
        Figure size in inches.
    dpi : int
        Pixels per inch of the PNG, and of rasterised points in vector files.
    marker_scale : float
        Marker diameters are multiplied by this (larger on slides, which are
        read from across a room, than on paper).
    header : bool
        Print the title and subtitle (the slide prints them as editable text instead).
    """

    name: str
    width_in: float
    height_in: float
    dpi: int
    marker_scale: float = 1.0
    header: bool = True


#: ``png`` is exactly 1920×1080 pixels; ``pdf`` is one A4 landscape page (297×210 mm).
PRESETS: dict[str, Preset] = {
    "png": Preset("slide 16:9", 12.8, 7.2, 150, 1.4),
    "svg": Preset("slide 16:9", 12.8, 7.2, 150, 1.4),
    "pdf": Preset("A4 landscape", 297 / 25.4, 210 / 25.4, 200),
}

#: Incidents this far (metres) outside the focus countries' box do not widen the frame.
_NEAR_M = 300_000.0
#: The frame spans at least this (metres), so one incident is not drawn at street scale.
_MIN_SPAN_M = 450_000.0
#: Margin on each side of the frame, as a share of its span.
_MARGIN = 0.08

#: The picture of a PowerPoint slide: the map, its key and footer under the slide's own title.
SLIDE_BODY = Preset("slide body", 2000 / 150, 966 / 150, 150, 1.4, header=False)

#: Above this many mapped incidents, vector files carry the points as an image.
_RASTER_POINTS_ABOVE = 3000

# rcParams while a snapshot is built and saved: text stays text in PDF (embedded
# TrueType, so it can be selected and extracted) and in SVG, and nothing taken
# from the data or the user is parsed as mathtext ("$" is common in sources).
_RC: dict[str, Any] = {
    "font.family": "DejaVu Sans",
    "pdf.fonttype": 42,
    "svg.fonttype": "none",
    "svg.hashsalt": "incident-atlas",
    "text.parse_math": False,
}
# rcParams are process-wide (and Streamlit runs sessions in threads): one at a time.
_LOCK = threading.Lock()


# ---------------------------------------------------------------------------
# Composing the figure
# ---------------------------------------------------------------------------


def build_figure(
    df: pd.DataFrame,
    filters: Any = None,
    *,
    preset: Preset = PRESETS["png"],
    title: str | None = None,
    caveat: str | None = None,
    choropleth: Choropleth = None,
    now: datetime | None = None,
    basemap: carto.Basemap | None = None,
    raster_points: bool = False,
    facts: ViewFacts | None = None,
    presence: gpd.GeoDataFrame | None = None,
) -> Figure:
    """Draw the snapshot of a filtered view and return the figure (not saved).

    Build inside ``matplotlib.rc_context(geo.views.snapshot._RC)`` for vector output
    with text kept as text; :func:`render_snapshot` does.

    Parameters
    ----------
    df : pandas.DataFrame
        Filtered incidents (canonical columns; unknown killed is ``<NA>``).
    filters : geo.views.query.Filters, optional
        The filters that produced ``df``: described in the subtitle and used to
        frame the map (selected provinces, else selected countries).
    preset : Preset
    title, caveat : str, optional
    choropleth : {"incidents", "killed"}, optional
        Shade provinces by incident count or by known killed.
    now : datetime.datetime, optional
    basemap : geo.views.cartography.Basemap, optional
        Defaults to the project's boundaries.
    raster_points : bool
        Carry the incident symbols as an image inside a vector file.
    facts : ViewFacts, optional
        Precomputed :func:`view_facts` (computed when omitted).
    presence : geopandas.GeoDataFrame, optional
        Claimed territories to shade
        (:func:`geo.views.layers_presence.presence_territories` over the basemap).

    Returns
    -------
    matplotlib.figure.Figure
    """
    base = basemap if basemap is not None else carto.default_basemap()
    if facts is None:
        facts = view_facts(df, filters, title=title, caveat=caveat, now=now)
    fig = Figure(figsize=(preset.width_in, preset.height_in), dpi=preset.dpi, facecolor="white")
    FigureCanvasAgg(fig)
    renderer = fig.canvas.get_renderer()

    top = mapkey.draw_header(fig, renderer, facts) if preset.header else 0.975
    bottom = mapkey.draw_footer(fig, renderer, facts)
    ax = fig.add_axes((0.012, bottom, 0.62, top - bottom))
    values = _province_values(df, choropleth)
    norm = _draw_base(ax, base, values)
    xy = _points(df)
    _frame(ax, _extent(base, filters, xy, presence))
    if presence is not None:
        markers.draw_presence(ax, presence)
    markers.draw_incidents(ax, df, raster=raster_points, scale=preset.marker_scale)
    if facts.incidents == 0:
        _notice(ax, "No incidents match these filters")
    elif facts.mapped == 0:
        _notice(ax, "None of these incidents has coordinates to map")
    avoid = [carto.add_scale_bar(ax), carto.add_north_arrow(ax)]
    _label_map(ax, base, df, avoid)
    shading = None
    if norm is not None:
        what = "Incidents per province" if choropleth == "incidents" else "Killed per province"
        shading = (what + (" (known counts)" if choropleth == "killed" else ""), norm)
    mapkey.draw_panel(
        fig,
        renderer,
        df,
        facts,
        x=ax.get_position().x1 + 0.02,
        top=top,
        bottom=bottom,
        ring_handle=markers.ring_handle(ax),
        key=map_legend(df, None if presence is None else presence["state"]),
        marker_scale=preset.marker_scale,
        shading=shading,
        provinces=top_provinces(df, 10),
        outside=_outside(ax, df, xy),
    )
    return fig


def _province_values(df: pd.DataFrame, choropleth: Choropleth) -> pd.Series | None:
    if choropleth is None:
        return None
    if choropleth not in ("incidents", "killed"):
        raise ValueError(f"choropleth must be 'incidents', 'killed' or None, not {choropleth!r}")
    if df.empty:
        return None
    codes = df["admin1_code"].astype(object)
    if choropleth == "incidents":
        return codes.value_counts().astype(float)
    killed = pd.to_numeric(df["killed"], errors="coerce")
    return killed.groupby(codes).sum(min_count=1).dropna().astype(float)


def _points(df: pd.DataFrame) -> np.ndarray:
    """The mapped incidents in map metres, shape (n, 2) (rows without coordinates dropped)."""
    if df.empty:
        return np.empty((0, 2))
    lat = pd.to_numeric(df["latitude"], errors="coerce").to_numpy(dtype=float, na_value=np.nan)
    lon = pd.to_numeric(df["longitude"], errors="coerce").to_numpy(dtype=float, na_value=np.nan)
    x, y = carto.project_points(lon, lat)
    return np.column_stack([x, y])


def _extent(
    base: carto.Basemap,
    filters: Any,
    xy: np.ndarray,
    presence: gpd.GeoDataFrame | None = None,
) -> tuple[float, float, float, float]:
    """The map frame ``(x0, x1, y0, y1)``: the data with a margin, not whole countries.

    The frame holds the mapped incidents near the focus
    countries (AFG, PAK or the chosen ones; one far away, e.g. in Moscow Oblast,
    is announced beside the map rather than shrinking it) and the shaded
    presence territories. With nothing of these, the chosen or focus countries;
    with provinces chosen, those provinces.
    The frame spans at least :data:`_MIN_SPAN_M`, plus a margin on each side.
    """
    countries = list(getattr(filters, "countries", None) or []) or list(FOCUS_COUNTRIES)
    focus = base.adm0[base.adm0["country_code"].isin(countries)]
    if focus.empty:
        focus = base.adm0
    fx0, fy0, fx1, fy1 = focus.total_bounds
    admin1 = list(getattr(filters, "admin1", None) or [])
    chosen = base.adm1[base.adm1["admin1_code"].isin(admin1)]
    if not chosen.empty:  # the provinces asked for, whatever else there is
        return _padded(chosen.total_bounds, _MIN_SPAN_M / 4)
    boxes: list[np.ndarray] = []
    ok = np.isfinite(xy).all(axis=1) if len(xy) else np.zeros(0, bool)
    near = xy[ok]
    near = near[
        (near[:, 0] >= fx0 - _NEAR_M) & (near[:, 0] <= fx1 + _NEAR_M)
        & (near[:, 1] >= fy0 - _NEAR_M) & (near[:, 1] <= fy1 + _NEAR_M)
    ]  # fmt: skip
    if len(near):
        boxes.append(np.r_[near.min(axis=0), near.max(axis=0)])
    if presence is not None and len(presence):
        boxes.append(presence.total_bounds)
    if not boxes:
        boxes.append(focus.total_bounds)
    b = np.vstack(boxes)
    return _padded((b[:, 0].min(), b[:, 1].min(), b[:, 2].max(), b[:, 3].max()))


def _padded(bounds: Any, min_span: float = _MIN_SPAN_M) -> tuple[float, float, float, float]:
    """``(x0, x1, y0, y1)`` of bounds ``(x0, y0, x1, y1)``: at least ``min_span``, a margin."""
    x0, y0, x1, y1 = (float(v) for v in bounds)
    cx, cy = (x0 + x1) / 2, (y0 + y1) / 2
    half_w = max(x1 - x0, min_span) / 2 * (1 + 2 * _MARGIN)
    half_h = max(y1 - y0, min_span) / 2 * (1 + 2 * _MARGIN)
    return cx - half_w, cx + half_w, cy - half_h, cy + half_h


def _frame(ax: Axes, extent: tuple[float, float, float, float]) -> None:
    """Set the frame; the axes keep their box and the frame grows to fill it (no blank strip)."""
    x0, x1, y0, y1 = extent
    pos, (fig_w, fig_h) = ax.get_position(), ax.figure.get_size_inches()
    box = (pos.width * fig_w) / (pos.height * fig_h)
    cx, cy, w, h = (x0 + x1) / 2, (y0 + y1) / 2, x1 - x0, y1 - y0
    w, h = max(w, h * box), max(h, w / box)
    ax.set_xlim(cx - w / 2, cx + w / 2)
    ax.set_ylim(cy - h / 2, cy + h / 2)
    ax.set_aspect("equal", adjustable="box", anchor="C")
    ax.apply_aspect()


def _outside(ax: Axes, df: pd.DataFrame, xy: np.ndarray) -> tuple[int, list[str]]:
    """How many mapped incidents fall outside the frame, and their provinces (most first)."""
    if not len(xy):
        return 0, []
    (x0, x1), (y0, y1) = ax.get_xlim(), ax.get_ylim()
    ok = np.isfinite(xy).all(axis=1)
    out = ok & ~((xy[:, 0] >= x0) & (xy[:, 0] <= x1) & (xy[:, 1] >= y0) & (xy[:, 1] <= y1))
    if not out.any():
        return 0, []
    names = df.loc[out, "admin1"] if "admin1" in df else pd.Series(["?"] * int(out.sum()))
    counts = names.astype(object).fillna("province not known").value_counts()
    return int(out.sum()), [str(n) for n in counts.index]


def _draw_base(ax: Axes, base: carto.Basemap, values: pd.Series | None) -> Normalize | None:
    """Sea, neighbours, provinces (optionally shaded), country outlines and the border."""
    ax.set_facecolor("#DDE8EF")
    ax.set_xticks([])
    ax.set_yticks([])
    for spine in ax.spines.values():
        spine.set_edgecolor("#8D99A3")
        spine.set_linewidth(0.8)
    focus = base.adm0["country_code"].isin(FOCUS_COUNTRIES).to_numpy()
    geoms = base.adm0.geometry
    ax.add_collection(
        carto.polygon_collection(
            geoms[~focus], facecolors="#EEEEEA", edgecolors="#B0B0AA", linewidths=0.6, zorder=1
        ),
        autolim=False,
    )
    ax.add_collection(
        carto.polygon_collection(geoms[focus], facecolors="#FCFBF7", edgecolors="none", zorder=1),
        autolim=False,
    )
    norm = None
    faces: Any = "none"
    if values is not None and len(values):
        norm = Normalize(vmin=0, vmax=max(float(values.max()), 1.0))
        cmap = mapkey.shade_cmap()
        shade = base.adm1["admin1_code"].map(values).to_numpy(dtype=float, na_value=np.nan)
        faces = [cmap(norm(v)) if v > 0 else (0, 0, 0, 0) for v in np.nan_to_num(shade)]
    ax.add_collection(
        carto.polygon_collection(
            base.adm1.geometry, facecolors=faces, edgecolors="#B9B9B9", linewidths=0.45, zorder=2
        ),
        autolim=False,
    )
    ax.add_collection(
        carto.line_collection(geoms[focus], colors="#8C8C8C", linewidths=0.9, zorder=3),
        autolim=False,
    )
    for colour, width, alpha, z in (("#E9A3A3", 4.2, 0.7, 4), (mapkey.BORDER_COLOUR, 1.6, 1.0, 5)):
        ax.add_collection(
            carto.line_collection(
                base.border, colors=colour, linewidths=width, alpha=alpha, zorder=z,
                capstyle="round", joinstyle="round",
            ),
            autolim=False,
        )  # fmt: skip
    return norm


def _notice(ax: Axes, message: str) -> None:
    ax.text(
        0.5,
        0.5,
        message,
        transform=ax.transAxes,
        ha="center",
        va="center",
        fontsize=15,
        color="#222222",
        zorder=40,
        bbox={"boxstyle": "round,pad=0.6", "facecolor": "white", "edgecolor": "#999999"},
    )


def _label_map(ax: Axes, base: carto.Basemap, df: pd.DataFrame, avoid: list[Bbox]) -> None:
    """Province names (busiest first, then largest), then neighbouring countries' names."""
    a1 = base.adm1
    counts = df["admin1_code"].astype(object).value_counts() if len(df) else pd.Series(dtype=int)
    n = a1["admin1_code"].map(counts).fillna(0).to_numpy(dtype=float)
    order = np.lexsort((-a1.geometry.area.to_numpy(), -n))
    items = [
        carto.LabelItem(a1["label_x"].iloc[i], a1["label_y"].iloc[i], str(a1["admin1"].iloc[i]), r)
        for r, i in enumerate(order)
        if pd.notna(a1["admin1"].iloc[i])
    ]
    placed = carto.place_labels(ax, items, fontsize=7.2, avoid=avoid, zorder=20)
    taken = avoid + [t.get_window_extent(ax.figure.canvas.get_renderer()) for t in placed]
    neighbours = carto.country_label_items(base, ax, exclude=())
    carto.place_labels(
        ax, neighbours, fontsize=8.5, avoid=taken, color="#8A8A84", style="italic", zorder=19
    )


# ---------------------------------------------------------------------------
# Saving
# ---------------------------------------------------------------------------


def _metadata(fmt: str, facts: ViewFacts) -> dict[str, Any]:
    summary = f"Filters: {facts.description}; {facts.incidents} incidents; data to {facts.cutoff}"
    sources = "; ".join(facts.sources[:20]) or "none"
    if fmt == "png":
        return {
            "Title": facts.title,
            "Description": summary,
            "Source": sources,
            "Creation Time": facts.made,
            "Software": "Incident Atlas",
        }
    if fmt == "pdf":
        return {
            "Title": facts.title,
            "Subject": summary,
            "Keywords": f"sources: {sources}",
            "Creator": "Incident Atlas",
            "CreationDate": facts.made_at,
        }
    return {
        "Title": facts.title,
        "Description": summary,
        "Source": sources,
        "Creator": "Incident Atlas",
        "Date": facts.made_at.strftime("%Y-%m-%dT%H:%M:%SZ"),
    }


def render(
    view: View,
    fmt: str = "png",
    *,
    basemap: carto.Basemap | None = None,
    preset: Preset | None = None,
) -> bytes:
    """Render the static map of a view: its facts as counted, its shading, its time.

    Parameters
    ----------
    view : geo.views.view.View
    fmt : {"png", "pdf", "svg"}
        ``png``: a 1920×1080 slide image; ``pdf``: one A4 landscape page, vector,
        text selectable; ``svg``: the slide layout with text kept as text.
    basemap : geo.views.cartography.Basemap, optional
        Boundaries to draw (defaults to :mod:`geo.places.boundaries`).
    preset : Preset, optional
        Another page than the format's own (:data:`SLIDE_BODY` for the slide's picture).

    Returns
    -------
    bytes
        The file; its metadata (title, filters, sources, creation time) come
        from ``view.facts``.
    """
    fmt = fmt.lower().lstrip(".")
    if fmt not in PRESETS:
        raise ValueError(f"snapshot format must be one of {sorted(PRESETS)}, not {fmt!r}")
    preset, facts = preset or PRESETS[fmt], view.facts
    buf = io.BytesIO()
    with _LOCK, mpl.rc_context(_RC):
        fig = build_figure(
            view.incidents,
            view.filters,
            preset=preset,
            choropleth=view.shade,
            basemap=basemap,
            raster_points=fmt != "png" and facts.mapped > _RASTER_POINTS_ABOVE,
            facts=facts,
            presence=_presence(view, basemap),
        )
        fig.savefig(buf, format=fmt, dpi=preset.dpi, metadata=_metadata(fmt, facts))
    return buf.getvalue()


def _presence(view: View, basemap: carto.Basemap | None) -> gpd.GeoDataFrame | None:
    """The view's claimed territories over the snapshot's (projected) basemap, if drawn."""
    if view.presence is None:
        return None
    from geo.views.layers_presence import presence_territories

    base = basemap if basemap is not None else carto.default_basemap()
    return presence_territories(base.adm0, base.adm1, view.presence_states, view.presence)


def render_snapshot(
    df: pd.DataFrame,
    filters: Any = None,
    fmt: str = "png",
    *,
    title: str | None = None,
    caveat: str | None = None,
    choropleth: Choropleth = None,
    now: datetime | None = None,
    basemap: carto.Basemap | None = None,
) -> bytes:
    """:func:`render` for a frame of incidents already filtered (no :class:`View` at hand).

    Parameters
    ----------
    df : pandas.DataFrame
        Filtered incidents (canonical columns).
    filters : geo.views.filters.Filters, optional
        The filters that produced ``df``.
    fmt : {"png", "pdf", "svg"}
    title, caveat : str, optional
        Title (a default describes the map) and a handling or caveat line.
    choropleth : {"incidents", "killed"}, optional
        Shade provinces by incidents or by known killed.
    now : datetime.datetime, optional
        Creation time printed on the map (defaults to now, UTC).
    basemap : geo.views.cartography.Basemap, optional

    Returns
    -------
    bytes
    """
    if choropleth not in (None, "incidents", "killed"):
        raise ValueError(f"choropleth must be 'incidents', 'killed' or None, not {choropleth!r}")
    view = View.build(
        df, None, filters, title=title, caveat=caveat, made_at=now, shade=choropleth, filtered=True
    )
    return render(view, fmt, basemap=basemap)
