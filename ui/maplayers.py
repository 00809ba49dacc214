"""The Map page's layers and their toggles, listed once.

:data:`MAP_LAYERS` is the one place a layer of the Map page is named: its
toggle, its own options (the choropleth's metric), how it is built from the
view, and what it adds below the map (a legend, a note). The page draws the
toggles (:func:`toggles`), builds the chosen layers (:func:`build`) and their
notes (:func:`notes`) without knowing any of them, so a new layer (claimed
presence, issue 16) is one more entry here.

Layers are listed bottom first; the border, province names and scale bar are
put on top by :func:`geo.views.layers.deck` whatever their place.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import pydeck as pdk
import streamlit as st

from geo.views import layers
from geo.views.view import View
from ui import cache, presence, widgets

__all__ = ["MAP_LAYERS", "MapLayer", "build", "notes", "toggles"]


@dataclass(frozen=True)
class MapLayer:
    """One layer of the Map page.

    Attributes
    ----------
    key : str
        Names its toggle (``map_<key>``).
    label : str
        The toggle's label.
    default : bool
        On when the page opens.
    build : callable
        ``build(view, options) -> layers``: the pydeck layers (``None`` entries skipped).
    options : callable, optional
        ``options(on) -> value``: draws the layer's own controls under its
        toggle (while it is on) and returns their value, passed to ``build``.
    note : callable, optional
        ``note(view, options, drawn)``: drawn below the map while the layer is
        on; ``drawn`` is every layer the map drew.
    help : str, optional
    """

    key: str
    label: str
    default: bool
    build: Callable[[View, Any], Sequence[pdk.Layer | None]]
    options: Callable[[bool], Any] | None = None
    note: Callable[[View, Any, Sequence[pdk.Layer]], None] | None = None
    help: str | None = None


# ---------------------------------------------------------------------- the layers
def _shade_by(on: bool) -> str:
    if not on:  # drawn only while the choropleth is on, so the row stays short
        return "incidents"
    return st.radio(
        "Shade provinces by",
        ["incidents", "killed"],
        horizontal=True,
        key="map_metric",
        format_func={"incidents": "incidents", "killed": "killed (known)"}.get,
    )


def _choropleth(view: View, metric: str) -> list[pdk.Layer | None]:
    by_province = cache.figure(view, "breakdown", "province")
    return [layers.choropleth_layer(cache.boundaries().adm1, by_province, metric)]


def _choropleth_note(view: View, metric: str, drawn: Sequence[pdk.Layer]) -> None:
    by_province = cache.figure(view, "breakdown", "province")
    widgets.choropleth_legend(f"Provinces by {metric}", by_province[metric].max())


def _incidents_note(view: View, _: Any, drawn: Sequence[pdk.Layer]) -> None:
    if any(layer.id.endswith("-hex") for layer in drawn):
        st.info(
            f"{view.facts.incidents:,} incidents are too many to draw one by one: precise incidents "
            "are counted in hexagons, darker for more (hover for counts). Narrow the filters to "
            "see single incidents.",
            icon=":material/hexagon:",
        )


#: The Map page's layers, bottom first.
MAP_LAYERS: tuple[MapLayer, ...] = (
    MapLayer(
        "choropleth",
        "Province choropleth",
        False,
        _choropleth,
        options=_shade_by,
        note=_choropleth_note,
    ),
    MapLayer(
        "presence",
        "Claimed presence",
        False,
        presence.build,
        options=presence.options,
        note=presence.note,
        help="Territories shaded by what the claims ledger says (asserted, denied, contested).",
    ),
    MapLayer(
        "density",
        "Density (hexagons)",
        False,
        lambda v, _: [layers.density_layer(v.table(layers.DENSITY_COLUMNS))],
    ),
    MapLayer(
        "names",
        "Place names",
        True,
        lambda v, _: cache.place_names(),
        help="Provinces first; cities, towns and crossings appear as you zoom in.",
    ),
    MapLayer(
        "incidents",
        "Incidents",
        True,
        lambda v, _: cache.incident_layers(v),
        note=_incidents_note,
    ),
)


# ---------------------------------------------------------------------- drawing
def toggles(specs: Sequence[MapLayer] = MAP_LAYERS) -> dict[str, Any]:
    """Draw one toggle per layer (top layer first); return ``{key: options}`` of those on."""
    shown = list(reversed(specs))
    chosen: dict[str, Any] = {}
    for col, spec in zip(st.columns(len(shown)), shown, strict=True):
        with col:
            on = st.toggle(spec.label, value=spec.default, key=f"map_{spec.key}", help=spec.help)
            value = spec.options(on) if spec.options else None
        if on:
            chosen[spec.key] = value
    return chosen


def build(
    view: View, chosen: dict[str, Any], specs: Sequence[MapLayer] = MAP_LAYERS
) -> list[pdk.Layer | None]:
    """The chosen layers, bottom first."""
    return [x for s in specs if s.key in chosen for x in s.build(view, chosen[s.key])]


def notes(
    view: View,
    chosen: dict[str, Any],
    drawn: Sequence[pdk.Layer | None],
    specs: Sequence[MapLayer] = MAP_LAYERS,
) -> None:
    """What the chosen layers say below the map (``drawn``: the layers the map drew)."""
    shown = [x for x in drawn if x is not None]
    for s in specs:
        if s.key in chosen and s.note is not None:
            s.note(view, chosen[s.key], shown)
