"""pydeck layers and decks for the Map, Overview and Cross-border pages (the public face).

The basemap is drawn from the simplified boundaries (no tiles unless
``ATLAS_ONLINE_TILES`` is on). Incidents follow DESIGN.md §6:

- a filled dot sized by killed (square-root scale), coloured by event type;
- a hollow ring of fixed size when the death toll is unknown;
- precision 2 (near a town / district) drawn softer, without outline;
- precision 3–4 (province or country only) never as a dot: a large faint
  circle around the representative point, so no one reads it as a place.

Above :data:`POINT_LIMIT` incidents (or when the points would exceed
:data:`PAYLOAD_BUDGET` bytes) the precise incidents are counted into H3
hexagons on the server, so what the browser receives stays small at any size.

The layers are built in five modules, by job: :mod:`geo.views.layers_base` (the
basemap, provinces, tooltips), :mod:`geo.views.layers_labels` (place names that do
not collide), :mod:`geo.views.layers_scale` (the scale bar),
:mod:`geo.views.layers_incidents` (points, circles, hexagons, density) and
:mod:`geo.views.layers_arcs` (origins). This module assembles them into a deck,
holds the map's legends, and re-exports their public names, so callers only
ever import ``geo.views.layers``.

Offline, a deck asked for ``zoom_buttons`` carries a blank map style given
inline (no tiles, no request): Streamlit draws its + and − zoom buttons over
a deck only when it has a map style.

Every pickable object carries one ``tip`` text (the deck's tooltip is
``{tip}``): one placeholder means Streamlit's escaping covers it whole and no
file value can be mistaken for another placeholder.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from typing import Any

import pydeck as pdk
from pydeck.bindings.json_tools import default_serialize

from geo.schema import GEO_PRECISION_LABELS
from geo.views.cells import H3_RES, add_h3
from geo.views.layers_arcs import ARC_KINDS, arc_origins, origin_arcs
from geo.views.layers_base import (
    CAPITALS,
    basemap_layers,
    choropleth_key,
    choropleth_layer,
    country_points,
)
from geo.views.layers_incidents import (
    DENSITY_COLUMNS,
    HEX_RES,
    MAX_CELLS,
    PAYLOAD_BUDGET,
    POINT_LIMIT,
    density_layer,
    incident_layers,
    radius_px,
    same_place,
)
from geo.views.layers_labels import label_layer, place_table, province_label_layer
from geo.views.layers_scale import SCALE_LAYER_IDS, scale_bar_layers
from geo.views.mapview import FRONTIER, MapView
from geo.views.palette import ARC_RGB, BORDER_RGB, EVENT_RGB, OTHER_RGB

__all__ = [
    "ARC_KINDS",
    "BORDER_RGB",
    "CAPITALS",
    "DENSITY_COLUMNS",
    "EVENT_RGB",
    "FRONTIER_VIEW",
    "H3_RES",
    "HEX_RES",
    "MAX_CELLS",
    "OFFLINE_STYLE",
    "OTHER_RGB",
    "PAYLOAD_BUDGET",
    "POINT_LIMIT",
    "AtlasDeck",
    "add_h3",
    "arc_key",
    "arc_origins",
    "basemap_layers",
    "choropleth_key",
    "choropleth_layer",
    "country_points",
    "deck",
    "density_layer",
    "incident_layers",
    "label_layer",
    "mark_key",
    "origin_arcs",
    "payload_bytes",
    "place_table",
    "precision_key",
    "province_label_layer",
    "radius_px",
    "same_place",
    "scale_bar_layers",
    "size_key",
]

#: Initial view over the frontier.
FRONTIER_VIEW = pdk.ViewState(latitude=33.0, longitude=69.0, zoom=5, pitch=0, bearing=0)

#: A map style with nothing to fetch: a plain background under the deck's own basemap.
OFFLINE_STYLE: dict[str, Any] = {
    "version": 8,
    "name": "atlas-offline",
    "sources": {},
    "layers": [
        {"id": "background", "type": "background", "paint": {"background-color": "#fbfbfb"}}
    ],
}
#: Layers drawn above the data whatever their place in the list: the border, names, scale.
_ON_TOP = ("base-border-halo", "base-border", "base-labels", *SCALE_LAYER_IDS)

_TIP_STYLE = {
    "whiteSpace": "pre-line",
    "maxWidth": "360px",
    "fontSize": "12px",
    "backgroundColor": "rgba(33,33,33,0.92)",
    "color": "#fafafa",
}


class AtlasDeck(pdk.Deck):
    """A ``pydeck.Deck`` whose JSON is compact (pydeck indents it, doubling its size)."""

    def to_json(self) -> str:
        return json.dumps(self, sort_keys=True, default=default_serialize, separators=(",", ":"))


# ---------------------------------------------------------------------- keys and legends
def size_key(values: Sequence[int]) -> list[tuple[int, float]]:
    """(killed, radius in px) pairs for the size key (classes: :func:`geo.views.legend.size_classes`).

    >>> size_key((1, 100))
    [(1, 5.2), (100, 25.0)]
    """
    return [(int(v), float(r)) for v, r in zip(values, radius_px(list(values)), strict=True)]


def arc_key(
    kinds: Iterable[str] | None = None,
) -> list[tuple[str, tuple[int, int, int], tuple[int, int, int]]]:
    """(meaning, start RGB, end RGB) of each kind of origin arc drawn (all kinds if ``None``).

    >>> arc_key(["crossing"])[0][0]
    'from the nearest border crossing (the source names only the origin country)'
    """
    present = None if kinds is None else set(kinds)
    end = EVENT_RGB["Battles"]
    return [(t, ARC_RGB[k], end) for k, t in ARC_KINDS.items() if present is None or k in present]


def mark_key() -> list[tuple[str, str]]:
    """(mark, meaning) of the map's marks that are not incidents: count badges, the scale bar."""
    return [
        (
            "3",
            "that many incidents share one point: click the point or the number to list them all",
        ),
        ("0 ▬▭▬▭ 100 km", "scale bar, drawn on the map: it stays true as you zoom"),
    ]


def precision_key() -> list[tuple[int, str, str]]:
    """(level, meaning, how it is drawn) for the legend."""
    drawn = {
        1: "solid dot",
        2: "softer dot, no outline",
        3: "large faint circle around the province's point (no dot)",
        4: "very large faint circle (country only, no dot)",
    }
    return [(lvl, GEO_PRECISION_LABELS[lvl], drawn[lvl]) for lvl in sorted(GEO_PRECISION_LABELS)]


# ---------------------------------------------------------------------- deck
def deck(
    layers: Sequence[pdk.Layer | None],
    *,
    view: MapView | pdk.ViewState | None = None,
    zoom: float | None = None,
    online_tiles: bool | None = None,
    zoom_buttons: bool = False,
) -> AtlasDeck:
    """A deck over the frontier with the ``{tip}`` tooltip; no tiles unless opted in.

    Parameters
    ----------
    layers : sequence of pydeck.Layer (``None`` entries are skipped)
    view : MapView or pydeck.ViewState, optional
        Defaults to :data:`FRONTIER_VIEW`.
    zoom : float, optional
        Zoom of the default view (smaller maps want less than 5).
    online_tiles : bool, optional
        ``None`` reads ``ATLAS_ONLINE_TILES`` from the settings.
    zoom_buttons : bool
        Offline, carry :data:`OFFLINE_STYLE` so that Streamlit draws its zoom
        buttons (with online tiles it always does). Off by default: the
        offline HTML export draws its own deck.
    """
    if online_tiles is None:
        from geo.config import get_settings

        online_tiles = get_settings().online_tiles
    # Offline: no provider and pydeck's default style sentinel, which Streamlit reads as
    # "no basemap" (``map_style=None`` would make it fetch CARTO's style from the web).
    kwargs: dict[str, Any] = (
        {"map_provider": "carto", "map_style": "light"} if online_tiles else {"map_provider": None}
    )
    drawn = [layer for layer in layers if layer is not None]
    on_top = [x for x in drawn if x.id in _ON_TOP]  # readable above the data
    if isinstance(view, MapView):
        view = view.view_state()
    d = AtlasDeck(
        layers=[x for x in drawn if x not in on_top] + on_top,
        initial_view_state=view
        or pdk.ViewState(latitude=FRONTIER.latitude, longitude=FRONTIER.longitude,
                         zoom=zoom or FRONTIER.zoom),
        tooltip={"html": "{tip}", "style": _TIP_STYLE},
        **kwargs,
    )  # fmt: skip
    if zoom_buttons and not online_tiles:
        # Streamlit hands a list's first item to the basemap as a style object
        d.map_style = [OFFLINE_STYLE]
    return d


def payload_bytes(d: pdk.Deck) -> int:
    """Size in bytes of the JSON the browser receives for ``d``."""
    return len(d.to_json().encode("utf-8"))
