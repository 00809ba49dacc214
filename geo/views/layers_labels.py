"""Place names on the pydeck map that do not collide and appear as you zoom in.

Part of the pydeck layers (:mod:`geo.views.layers` re-exports the public names).
Every name is one object of a single ``TextLayer`` with deck.gl's
``CollisionFilterExtension``: where two names would overlap, the one with
the higher priority is drawn and the other fades out, again at every zoom,
in the browser. Province names have the highest priority (larger provinces
first), then cities, towns and crossings, then villages, by population.
(One layer, because the extension tells objects apart by their index in
their layer: objects of two layers can mistake each other for themselves.)
A province's name is centred on its point; a town's starts just right of
its point, so the incidents drawn there stay in sight.

Zoom gates
----------
Towns should not crowd the country-wide view, and deck.gl layers have no
minimum zoom. So each town has a *gate*: an invisible object in the same
layer, :data:`GATE_TEXT` blanks wide, placed a fixed distance south of the
town with a priority above the town's. A distance on the ground grows in
pixels as you zoom in while the gate does not, so further out than the
town's zoom (:data:`TIERS`) the gate covers the town's anchor and hides its
name, and from that zoom on it has moved away and the name shows.
:func:`gate_metres` is that distance. The collision test samples a few
pixels around each anchor, so names fade in over about a zoom level rather
than pop.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
import pydeck as pdk
from anyascii import anyascii

from geo.views.geojson import feature_collection

__all__ = [
    "COLLISION_GROUP",
    "GATE_OFFSET_PX",
    "GATE_TEXT",
    "TIERS",
    "Tier",
    "gate_metres",
    "label_layer",
    "place_table",
    "province_label_layer",
]

#: The collision group of the names.
COLLISION_GROUP = "atlas-labels"
#: A gate's text: blanks, whose (transparent) background box is what it covers.
GATE_TEXT = " " * 4
#: How far (px) a gate is from its town at the town's zoom: the name is whole there.
GATE_OFFSET_PX = 42.0
_GATE_SIZE = 28.0
_GATE_LATITUDE = 32.0  # where gate_metres is quoted by default (the frontier's middle)
_COLLISION = [{"@@type": "CollisionFilterExtension"}]
_FONT = "'Helvetica Neue, Helvetica, Arial, sans-serif'"
_PROVINCE_STYLE = (12.0, [95, 95, 95, 235])
_PLACE_COLOUR = [45, 45, 45, 235]
_PROVINCE_PRIORITY = 900
_UNLABELLED = {"province", "neighbourhood"}
_TOWN_OFFSET_PX = 7  # a town's name starts this far right of its point (its marker stays clear)


@dataclass(frozen=True)
class Tier:
    """A class of places: which, from what zoom, how large, at what priority.

    Attributes
    ----------
    name : str
    min_zoom : float
        Labels show from about this zoom.
    size : float
        Text size in pixels.
    priority : int
        Base collision priority (population adds up to 99).
    """

    name: str
    min_zoom: float
    size: float
    priority: int


#: Place tiers, most prominent first: cities (100,000 people or more), towns
#: (20,000 or more) and border crossings and districts, then the rest.
TIERS: dict[str, Tier] = {
    "city": Tier("city", 6.0, 12.0, 700),
    "town": Tier("town", 7.3, 11.0, 500),
    "crossing": Tier("crossing", 7.3, 11.0, 500),
    "small": Tier("small", 8.6, 10.0, 300),
}


def gate_metres(min_zoom: float, latitude: float = _GATE_LATITUDE) -> float:
    """How far south of its place a gate sits so the name is whole from ``min_zoom`` on.

    >>> round(gate_metres(6.0))
    43561
    """
    from geo.views.mapview import metres_per_pixel

    return GATE_OFFSET_PX * metres_per_pixel(latitude, min_zoom)


def label_layer(
    adm1: Any = None,
    places: pd.DataFrame | None = None,
    *,
    layer_id: str = "base-labels",
    collide: bool = True,
) -> pdk.Layer | None:
    """Province names, and (with ``places``) town names with their gates, in one layer.

    Parameters
    ----------
    adm1 : GeoDataFrame or GeoJSON mapping, optional
        Provinces with ``admin1``, ``admin1_code``, ``rep_lat``, ``rep_lon``
        (and a geometry, for the area).
    places : pandas.DataFrame, optional
        From :func:`place_table`.
    layer_id : str
        ``base-labels`` is drawn above the data by :func:`geo.views.layers.deck`.
    collide : bool
        Use the collision filter. pydeck's offline HTML bundle (the HTML
        export) has no ``CollisionFilterExtension``: without it, towns (which
        need their gates) are left out and province names are drawn as they are.

    Returns
    -------
    pydeck.Layer or None
        ``None`` when there is no name to draw.
    """
    rows = (_province_rows(adm1) if adm1 is not None else []) + (
        _place_rows(places) if collide else []
    )
    if not rows:
        return None
    collision: dict[str, Any] = {
        "extensions": _COLLISION,
        "get_collision_priority": "pr",
        "collision_group": f"'{COLLISION_GROUP}'",
        # what the collision test sees: names twice their size, with a margin, so names
        # keep about a name's size apart (the test itself only samples each anchor)
        "collision_test_props": {
            "sizeScale": 2,
            "backgroundPadding": [_TOWN_OFFSET_PX + 16, 6, 6, 6],
        },
    }
    return pdk.Layer(
        "TextLayer",
        rows,
        id=layer_id,
        get_position="p",
        get_text="t",
        get_size="s",
        get_color="c",
        get_text_anchor="a",
        get_pixel_offset="o",
        get_alignment_baseline="'center'",
        font_family=_FONT,
        font_weight=500,
        # a transparent box: the whole name (not only its strokes) is what collides; it
        # reaches back over a town's point, which the collision test samples
        background=True,
        get_background_color=[255, 255, 255, 0],
        background_padding=[_TOWN_OFFSET_PX + 5, 2, 2, 2],
        pickable=False,
        **(collision if collide else {}),
    )


def province_label_layer(adm1: Any, *, collide: bool = True) -> pdk.Layer | None:
    """:func:`label_layer` of the provinces alone (id ``base-labels``)."""
    return label_layer(adm1, collide=collide)


def place_table(places: Iterable[Any]) -> pd.DataFrame:
    """The places to label, one row each, from gazetteer places.

    Parameters
    ----------
    places : iterable of geo.places.place.Place (or objects with the same attributes)
        Typically :meth:`geo.places.gazetteer.Gazetteer.places`; provinces (they
        have their own labels) and neighbourhoods (inside a labelled city) are
        left out.

    Returns
    -------
    pandas.DataFrame
        ``name`` (in Latin letters without diacritics: ``Mazar-e Sharif``),
        ``latitude``, ``longitude``, ``tier`` (a :data:`TIERS` key) and
        ``priority``; one row per name and point.
    """
    rows = []
    for p in places:
        feature = getattr(p, "feature", None) or ""
        if feature in _UNLABELLED or not getattr(p, "name", None):
            continue
        pop = int(getattr(p, "population", 0) or 0)
        if feature == "crossing" or feature == "district":
            tier = "crossing"
        elif pop >= 100_000:
            tier = "city"
        elif pop >= 20_000:
            tier = "town"
        else:
            tier = "small"
        rank = min(99, int(10 * math.log10(pop + 1)))  # 1 m people → 60
        rows.append(
            {
                "name": anyascii(str(p.name)),  # the deck's font has ASCII glyphs only
                "latitude": round(float(p.latitude), 4),
                "longitude": round(float(p.longitude), 4),
                "tier": tier,
                "priority": TIERS[tier].priority + rank,
            }
        )
    cols = ["name", "latitude", "longitude", "tier", "priority"]
    table = pd.DataFrame(rows, columns=cols)
    return table.drop_duplicates(["name", "latitude", "longitude"]).reset_index(drop=True)


# ---------------------------------------------------------------------- private
#: Shorter names where the full one crowds its neighbours at the opening zoom.
_SHORT_NAMES: dict[str, str] = {"PK-IS": "Islamabad"}


def _province_rows(adm1: Any) -> list[dict[str, Any]]:
    """Province names at their representative points, the largest with the highest priority."""
    fc = feature_collection(adm1, keep=("admin1", "admin1_code", "rep_lat", "rep_lon"))
    rows, areas = [], []
    size, colour = _PROVINCE_STYLE
    for f in fc["features"]:
        p = f["properties"]
        if p.get("admin1") and p.get("rep_lat") is not None and p.get("rep_lon") is not None:
            text = _SHORT_NAMES.get(str(p.get("admin1_code")), str(p["admin1"]))
            rows.append(
                {"p": [p["rep_lon"], p["rep_lat"]], "t": text, "s": size, "c": colour, "a": "middle",
                 "o": [0, 0]}
            )  # fmt: skip
            areas.append(_area(f["geometry"]))
    for rank, i in enumerate(np.argsort([-a for a in areas], kind="stable")):
        rows[i]["pr"] = _PROVINCE_PRIORITY + 99 - min(rank, 99)
    return rows


def _place_rows(places: pd.DataFrame | None) -> list[dict[str, Any]]:
    """A gate (see the module docstring) and a name for each place, gates first."""
    if places is None or places.empty:
        return []
    gates, names = [], []
    for name, lat, lon, tier_name, pr in zip(
        places["name"], places["latitude"], places["longitude"], places["tier"],
        places["priority"], strict=True,
    ):  # fmt: skip
        tier = TIERS[tier_name]
        south = round(lat - gate_metres(tier.min_zoom, lat) / 111_320.0, 5)
        gates.append(
            {"p": [lon, south], "t": GATE_TEXT, "s": _GATE_SIZE, "c": [0, 0, 0, 0],
             "pr": tier.priority + 100, "a": "middle", "o": [0, 0]}
        )  # fmt: skip
        names.append(
            {"p": [lon, lat], "t": name, "s": tier.size, "c": _PLACE_COLOUR, "pr": int(pr),
             "a": "start", "o": [_TOWN_OFFSET_PX, 0]}
        )  # fmt: skip
    return gates + names


def _area(geometry: Any) -> float:
    """Planar area in square degrees (only compared between provinces)."""
    if not geometry:
        return 0.0
    from shapely.geometry import shape

    try:
        return float(shape(geometry).area)
    except (ValueError, TypeError, AttributeError):
        return 0.0
