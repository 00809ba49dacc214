"""The key and margins of a snapshot: symbols, header, footer and side panel.

:mod:`geo.views.snapshot` draws the map; this module decides what the symbols mean
(event-type colours, marker areas) and writes everything a reader needs to read
the map without the app: the title and the filters, the symbol legend, a size
key, the colour bar of a choropleth, a table of the top provinces, the sources,
the data cut-off and when the snapshot was made.

All positions are figure fractions; every block is measured with the figure's
renderer after it is drawn, and the next block goes below it.
"""

from __future__ import annotations

import textwrap
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import matplotlib as mpl
import numpy as np
import pandas as pd
from matplotlib.cm import ScalarMappable
from matplotlib.colors import LinearSegmentedColormap, Normalize, to_rgba
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch
from matplotlib.ticker import MaxNLocator

from geo.schema import as_floats
from geo.views import cartography as carto
from geo.views.legend import MapLegend, map_legend
from geo.views.palette import BORDER_COLOUR, EVENT_COLOURS, OTHER_COLOUR
from geo.views.summaries import format_count

if TYPE_CHECKING:
    from geo.views.viewfacts import ViewFacts

__all__ = [
    "BORDER_COLOUR",
    "DASHES",
    "EVENT_COLOURS",
    "OTHER_COLOUR",
    "crowding",
    "draw_footer",
    "draw_header",
    "draw_panel",
    "marker_area",
    "shade_cmap",
]

#: Dash pattern (points) of the rings around approximately located incidents.
DASHES: tuple[int, tuple[float, float]] = (0, (2.2, 1.4))
_INK = "#222222"
_MUTED = "#555555"
_GREY = "#555555"
_FONT = 8.0


def marker_area(killed: Any) -> np.ndarray:
    """Marker area (points²) for killed counts: the area grows linearly with killed.

    Unknown counts get the area of 4 killed (they are drawn hollow). Counts
    above 400 are capped so one mass-casualty event does not cover a province.

    Parameters
    ----------
    killed : array-like
        Killed counts; ``<NA>``/NaN for unknown.

    Returns
    -------
    numpy.ndarray

    Examples
    --------
    >>> marker_area([0, 4, None]).round(1).tolist()  # unknown is sized as 4, drawn hollow
    [9.0, 54.8, 54.8]
    """
    k = as_floats(killed)
    k = np.where(np.isnan(k), 4.0, np.clip(k, 0.0, 400.0))
    return (3.0 + 2.2 * np.sqrt(k)) ** 2


def crowding(n: int) -> tuple[float, float]:
    """Marker area factor and opacity for ``n`` mapped incidents (smaller, fainter when many)."""
    if n <= 5000:
        return 1.0, 0.8
    if n <= 50_000:
        return 0.55, 0.45
    return 0.3, 0.22


def shade_cmap() -> LinearSegmentedColormap:
    """The choropleth colour map: the light part of ``PuBu``.

    Blue-grey keeps the warm event-type colours of the incidents readable on
    top of the darkest province.
    """
    base = mpl.colormaps["PuBu"]
    return LinearSegmentedColormap.from_list("atlas_shade", base(np.linspace(0.05, 0.62, 64)))


def _height(fig: Figure, renderer: Any, artist: Any) -> float:
    return artist.get_window_extent(renderer).height / fig.bbox.height


def _chars_in(width_in: float, size: float, em: float) -> float:
    """About how many characters of a ``size``-point font fit in ``width_in`` inches,
    a character being ``em`` of the size wide on average (wider for bold)."""
    return width_in * 72 / (size * em)


def _wrap(text: str, width_in: float, size: float, *, bold: bool = False, lines: int = 3) -> str:
    chars = max(20, int(_chars_in(width_in, size, 0.62 if bold else 0.55)))
    return "\n".join(textwrap.wrap(text, chars, max_lines=lines, placeholder=" …"))


# ---------------------------------------------------------------------------
# Header and footer
# ---------------------------------------------------------------------------


def draw_header(fig: Figure, renderer: Any, facts: ViewFacts) -> float:
    """Title, subtitle (filters, count, date range, cut-off) and caveat box.

    Returns
    -------
    float
        The figure fraction just below the header.
    """
    width_in = fig.get_figwidth()
    title_w = 0.97 if facts.caveat is None else 0.70
    title = fig.text(
        0.012,
        0.985,
        _wrap(facts.title, width_in * title_w, 17, bold=True, lines=2),
        ha="left",
        va="top",
        fontsize=17,
        fontweight="bold",
        color=_INK,
    )
    y = 0.985 - _height(fig, renderer, title) - 0.01
    subtitle = f"Filters: {facts.description} · {facts.incidents:,} incidents"
    if facts.incidents:
        subtitle += f", {facts.date_range}"
    sub = fig.text(
        0.012,
        y,
        _wrap(subtitle, width_in * title_w, 10, lines=2),
        ha="left",
        va="top",
        fontsize=10,
        color=_MUTED,
        linespacing=1.3,
    )
    y -= _height(fig, renderer, sub)
    if facts.caveat:
        caveat = fig.text(
            0.986,
            0.982,
            _wrap(facts.caveat, width_in * 0.24, 9.5, bold=True),
            ha="right",
            va="top",
            fontsize=9.5,
            fontweight="bold",
            color="#8B0000",
            bbox={"boxstyle": "square,pad=0.4", "facecolor": "#FFF4F4", "edgecolor": "#8B0000"},
        )
        y = min(y, 0.982 - _height(fig, renderer, caveat) - 0.015)
    return y - 0.012


def draw_footer(fig: Figure, renderer: Any, facts: ViewFacts) -> float:
    """Attribution on the left; data cut-off and creation time on the right.

    Returns
    -------
    float
        The figure fraction just above the footer.
    """
    right = fig.text(
        0.988,
        0.012,
        f"{facts.as_of}\nMade {facts.made} · Incident Atlas",
        ha="right",
        va="bottom",
        fontsize=7.5,
        color=_MUTED,
        linespacing=1.35,
    )
    max_px = fig.bbox.width * 0.965 - right.get_window_extent(renderer).width
    boundaries = (
        "Boundaries: Natural Earth (public domain), for reference only, not authoritative · "
        f"Places: GeoNames (CC BY 4.0) · Projection: {carto.MAP_CRS_LABEL}"
    )
    left = fig.text(
        0.012,
        0.012,
        f"{_fit_sources(fig, renderer, facts.sources, max_px)}\n{boundaries}",
        ha="left",
        va="bottom",
        fontsize=7.5,
        color=_MUTED,
        linespacing=1.35,
    )
    height = max(_height(fig, renderer, left), _height(fig, renderer, right))
    return 0.012 + height + 0.01


def _fit_sources(fig: Figure, renderer: Any, sources: Sequence[str], max_px: float) -> str:
    """``"Incident sources: A; B; C +4 more"``, shortened until it fits ``max_px``."""
    if not sources:
        return "Incident sources: none in this view"
    probe = fig.text(0, 0, "", fontsize=7.5)
    text = ""
    shown = list(sources[:30])
    for keep in range(len(shown), 0, -1):
        more = len(sources) - keep
        text = "Incident sources: " + "; ".join(shown[:keep]) + (f" +{more} more" if more else "")
        probe.set_text(text)
        if probe.get_window_extent(renderer).width <= max_px:
            break
    probe.remove()
    return text


# ---------------------------------------------------------------------------
# Side panel
# ---------------------------------------------------------------------------


class _Column:
    """A vertical stack of blocks in the side panel."""

    def __init__(self, fig: Figure, renderer: Any, x: float, top: float, width: float) -> None:
        self.fig, self.renderer, self.x, self.y, self.width = fig, renderer, x, top, width

    def text(self, lines: Sequence[str], size: float = 8.5) -> None:
        wrapped = "\n".join(_wrap(s, self.fig.get_figwidth() * self.width, size) for s in lines)
        block = self.fig.text(
            self.x, self.y, wrapped, ha="left", va="top", fontsize=size, color=_INK, linespacing=1.4
        )
        self.y -= _height(self.fig, self.renderer, block) + 0.018

    def legend(self, handles: list[Any], labels: list[str], title: str, **kw: Any) -> None:
        leg = self.fig.legend(
            handles,
            labels,
            title=title,
            loc="upper left",
            bbox_to_anchor=(self.x - 0.005, self.y),
            bbox_transform=self.fig.transFigure,
            frameon=False,
            fontsize=_FONT,
            title_fontsize=8.5,
            alignment="left",
            borderaxespad=0,
            borderpad=0,
            **kw,
        )
        leg.get_title().set_fontweight("bold")
        self.y -= _height(self.fig, self.renderer, leg) + 0.018


def draw_panel(
    fig: Figure,
    renderer: Any,
    df: pd.DataFrame,
    facts: ViewFacts,
    *,
    x: float,
    top: float,
    bottom: float,
    ring_handle: Any,
    key: MapLegend | None = None,
    marker_scale: float = 1.0,
    shading: tuple[str, Normalize] | None = None,
    provinces: pd.DataFrame | None = None,
    outside: tuple[int, Sequence[str]] = (0, ()),
) -> None:
    """The side panel: view facts, symbol legend, event types, size key, colour bar, top provinces.

    With room for two columns (slides) the facts and the province table take
    the right column; otherwise everything stacks in one column and the table
    keeps as many rows as fit above ``bottom``.

    Parameters
    ----------
    fig, renderer
        The figure and its Agg renderer (for measuring).
    df : pandas.DataFrame
        The incidents of the view.
    facts : geo.views.viewfacts.ViewFacts
    x, top, bottom : float
        Left edge, top and bottom of the panel (figure fractions).
    ring_handle : matplotlib artist
        An (empty) dashed-ring scatter to show in the legend.
    key : geo.views.legend.MapLegend, optional
        What the legends list (:func:`geo.views.legend.map_legend` of ``df`` when omitted).
    marker_scale : float
        The markers' diameter factor, so the size key matches the map.
    shading : tuple of (str, Normalize), optional
        Title and scale of the province choropleth.
    provinces : pandas.DataFrame, optional
        Top provinces (``name``, ``incidents``, ``killed``, ``killed_unknown``).
    outside : (int, sequence of str)
        Mapped incidents outside the frame and their provinces (announced).
    """
    width = 0.988 - x
    two = width >= 0.40
    col_w = (width - 0.02) / 2 if two else width
    left = _Column(fig, renderer, x, top, col_w)
    right = _Column(fig, renderer, x + col_w + 0.02, top, col_w) if two else left
    facts_lines = (
        [f"{facts.incidents:,} incidents · {facts.date_range}", facts.killed_line]
        if facts.incidents
        else ["No incidents in this view"]
    )
    if facts.incidents > facts.mapped:
        facts_lines.append(f"Not on the map (no coordinates): {facts.incidents - facts.mapped:,}")
    if outside[0]:
        where = ", ".join(list(outside[1])[:4]) + (" …" if len(outside[1]) > 4 else "")
        facts_lines.append(f"Outside this map: {outside[0]:,} ({where})")
    right.text(facts_lines)
    key = key if key is not None else map_legend(df)
    _symbol_legends(left, key, facts, ring_handle, marker_scale)
    if shading is not None:
        _colour_bar(left, *shading)
    if provinces is not None and len(provinces):
        _province_table(right, provinces, bottom)


def _symbol_legends(
    col: _Column, key: MapLegend, facts: ViewFacts, ring: Any, marker_scale: float
) -> None:
    """Symbols, event types, the size key and the presence states: only what the map shows."""
    symbols: list[tuple[Any, str]] = []
    if key.sizes:
        symbols.append(
            (Line2D([], [], ls="none", marker="o", ms=8, mfc=_GREY, mec="white", alpha=0.85),
             "Killed known (area ∝ killed)")
        )  # fmt: skip
    if key.unknown_toll:
        symbols.append(
            (Line2D([], [], ls="none", marker="o", ms=8, mfc="none", mec=_GREY, mew=1.2),
             "Killed unknown (hollow)")
        )  # fmt: skip
    if key.approximate:
        symbols.append((ring, "Approximate location:\nprovince or country level only"))
    symbols += [
        (Line2D([], [], color=BORDER_COLOUR, lw=1.6), "Afghanistan–Pakistan border"),
        (Line2D([], [], color="#B9B9B9", lw=0.8), "Province boundary"),
    ]
    col.legend([h for h, _ in symbols], [t for _, t in symbols], "Symbols")
    if key.event_types:
        col.legend(
            [Line2D([], [], ls="none", marker="o", ms=7, mfc=c) for _, c in key.event_types],
            [t for t, _ in key.event_types],
            "Event type",
        )
    if key.sizes:
        areas = marker_area(np.array(key.sizes, dtype=float)) * crowding(facts.mapped)[0]
        areas = areas * marker_scale**2
        widest = float(np.sqrt(areas.max())) / _FONT
        col.legend(
            [
                Line2D(
                    [], [], ls="none", marker="o", ms=float(np.sqrt(a)), mfc="#BBBBBB", mec=_GREY
                )
                for a in areas
            ],
            [f"{v:,}" for v in key.sizes],
            "Killed per incident",
            ncols=len(key.sizes),
            columnspacing=1.0,
            handletextpad=0.4,
            handlelength=max(1.2, widest * 1.1),
            handleheight=max(1.0, widest),
        )
    if key.presence:
        col.legend(
            [
                Patch(facecolor=to_rgba(c, 0.18), edgecolor=c, hatch="///", linewidth=1.6)
                for _, c in key.presence
            ],
            [t for t, _ in key.presence],
            "Claimed presence",
        )


def _colour_bar(col: _Column, title: str, norm: Normalize) -> None:
    fig = col.fig
    label = fig.text(col.x, col.y, title, ha="left", va="top", fontsize=8.5, fontweight="bold")
    col.y -= _height(fig, col.renderer, label) + 0.01
    cax = fig.add_axes((col.x, col.y - 0.02, min(col.width, 0.2), 0.02))
    bar = fig.colorbar(
        ScalarMappable(norm=norm, cmap=shade_cmap()), cax=cax, orientation="horizontal"
    )
    bar.ax.tick_params(labelsize=7)
    bar.ax.xaxis.set_major_locator(MaxNLocator(nbins=5, integer=True))
    bar.outline.set_linewidth(0.4)
    col.y = cax.get_tightbbox(col.renderer).y0 / fig.bbox.height - 0.025


def _province_table(col: _Column, provinces: pd.DataFrame, bottom: float) -> None:
    """Top provinces by killed: name, incidents, killed (known), incidents with unknown killed."""
    fig = col.fig
    row_h = _FONT * 1.55 / 72 / fig.get_figheight()
    title = fig.text(
        col.x,
        col.y,
        "Top provinces by killed",
        ha="left",
        va="top",
        fontsize=8.5,
        fontweight="bold",
        color=_INK,
    )
    col.y -= _height(fig, col.renderer, title) + 0.008
    fits = int((col.y - bottom) / row_h) - 1
    rows = provinces.head(max(0, fits))
    if rows.empty:
        return
    w = col.width
    cells = [
        [
            _clip(_province_name(r["name"]), 24),
            f"{r['incidents']:,}",
            format_count(r["killed"]),
            f"{r['killed_unknown']:,}",
        ]
        for _, r in rows.iterrows()
    ]
    # One multi-line text per column (same font and spacing, so rows line up).
    # Number columns are laid right to left, each as wide as its widest entry.
    low = col.y
    right = col.x + w
    gap = 10 / fig.bbox.width
    heads = ("Province", "Incidents", "Killed", "Unknown")
    for j in (3, 2, 1, 0):
        ha = "left" if j == 0 else "right"
        x = col.x if j == 0 else right
        if j == 0:  # names get what the numbers leave, clipped to fit
            room = _chars_in((right - col.x) * fig.get_figwidth(), _FONT, 0.6)
            for row in cells:
                row[0] = _clip(row[0], max(6, int(room)))
        head = fig.text(x, col.y, heads[j], ha=ha, va="top", fontsize=7.5, color=_MUTED)
        body = fig.text(
            x,
            col.y - row_h,
            "\n".join(row[j] for row in cells),
            ha=ha,
            va="top",
            multialignment=ha,
            fontsize=_FONT,
            color=_INK,
            linespacing=1.45,
        )
        boxes = [head.get_window_extent(col.renderer), body.get_window_extent(col.renderer)]
        right -= max(b.width for b in boxes) / fig.bbox.width + gap
        low = min(low, boxes[1].y0 / fig.bbox.height)
    col.y = low
    note = fig.text(
        col.x,
        col.y - 0.004,
        _wrap(
            "Killed: sum of known counts. Unknown: incidents without a known count.",
            fig.get_figwidth() * w,
            7,
        ),
        ha="left",
        va="top",
        fontsize=7,
        color=_MUTED,
    )
    col.y -= _height(fig, col.renderer, note) + 0.018


def _province_name(name: Any) -> str:
    text = str(name)
    return "Province not known" if text in ("(unknown)", "", "nan", "None") else text


def _clip(text: str, n: int) -> str:
    return text if len(text) <= n else text[: n - 1] + "…"
