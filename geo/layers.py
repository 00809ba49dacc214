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

The layers are built in three modules, by job: :mod:`geo.layers_base` (the
basemap, provinces, tooltips), :mod:`geo.layers_incidents` (points, circles,
hexagons, density) and :mod:`geo.layers_arcs` (origins, accusations). This
module assembles them into a deck, holds the map's legends, and re-exports
their public names, so callers only ever import ``geo.layers``.

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

from geo.cells import H3_RES, add_h3
from geo.layers_arcs import accusation_arcs, origin_arcs
from geo.layers_base import (
    CAPITALS,
    basemap_layers,
    choropleth_key,
    choropleth_layer,
    country_points,
)
from geo.layers_incidents import (
    HEX_RES,
    MAX_CELLS,
    PAYLOAD_BUDGET,
    POINT_LIMIT,
    density_layer,
    incident_layers,
    radius_px,
)
from geo.palette import BORDER_RGB, EVENT_RGB, OTHER_RGB
from geo.schema import GEO_PRECISION_LABELS

__all__ = [
    "BORDER_RGB",
    "CAPITALS",
    "EVENT_RGB",
    "FRONTIER_VIEW",
    "H3_RES",
    "HEX_RES",
    "MAX_CELLS",
    "OTHER_RGB",
    "PAYLOAD_BUDGET",
    "POINT_LIMIT",
    "AtlasDeck",
    "accusation_arcs",
    "add_h3",
    "basemap_layers",
    "choropleth_key",
    "choropleth_layer",
    "country_points",
    "deck",
    "density_layer",
    "incident_layers",
    "legend",
    "origin_arcs",
    "payload_bytes",
    "precision_key",
    "radius_px",
    "size_key",
]

#: Initial view over the frontier.
FRONTIER_VIEW = pdk.ViewState(latitude=33.0, longitude=69.0, zoom=5, pitch=0, bearing=0)

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
def legend(event_types: Iterable[str] | None = None) -> list[tuple[str, tuple[int, int, int]]]:
    """(label, RGB) for each event type present (all known types if ``None``), then "Other".

    >>> legend(["Battles", "Something else"])
    [('Battles', (238, 119, 51)), ('Other / not given', (102, 102, 102))]"""
    present = None if event_types is None else {str(t) for t in event_types if t is not None}
    items = [(t, c) for t, c in EVENT_RGB.items() if present is None or t in present]
    if present is None or present - set(EVENT_RGB):
        items.append(("Other / not given", OTHER_RGB))
    return items


def size_key(values: Sequence[int] = (1, 10, 50, 150)) -> list[tuple[int, float]]:
    """(killed, radius in px) pairs for the size key.

    >>> size_key((1, 100))
    [(1, 5.2), (100, 25.0)]
    """
    return [(int(v), float(r)) for v, r in zip(values, radius_px(list(values)), strict=True)]


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
    view: pdk.ViewState | None = None,
    zoom: float | None = None,
    online_tiles: bool | None = None,
) -> AtlasDeck:
    """A deck over the frontier with the ``{tip}`` tooltip; no tiles unless opted in.

    Parameters
    ----------
    layers : sequence of pydeck.Layer (``None`` entries are skipped)
    view : pydeck.ViewState, optional
        Defaults to :data:`FRONTIER_VIEW`.
    zoom : float, optional
        Zoom of the default view (smaller maps want less than 5).
    online_tiles : bool, optional
        ``None`` reads ``ATLAS_ONLINE_TILES`` from the settings.
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
    # the border and the place names stay readable above the data
    on_top = [x for x in drawn if x.id in ("base-border-halo", "base-border", "base-labels")]
    return AtlasDeck(
        layers=[x for x in drawn if x not in on_top] + on_top,
        initial_view_state=view
        or pdk.ViewState(latitude=33.0, longitude=69.0, zoom=zoom or FRONTIER_VIEW.zoom),
        tooltip={"html": "{tip}", "style": _TIP_STYLE},
        **kwargs,
    )


def payload_bytes(d: pdk.Deck) -> int:
    """Size in bytes of the JSON the browser receives for ``d``."""
    return len(d.to_json().encode("utf-8"))
