"""A scale bar drawn on the pydeck map itself, so it stays true at any zoom.

``st.pydeck_chart`` offers no scale widget, and the server does not learn
the browser's zoom, so a scale printed beside the map would be wrong after
the first scroll. This bar is drawn *in* the map: a ruler of a round number
of kilometres along the parallel of its left end, in alternating black and
white quarters, with its lengths written under it. It grows and shrinks with
the map, like everything else on it, so what it says stays true; it is
placed in the lower left corner of the view the app last set (see
:mod:`geo.views.mapview`), and "Reset view" or "Fit to data" bring it back there.
Part of the pydeck layers (:mod:`geo.views.layers` re-exports the public names).

>>> nice_length_km(180.0)
100
>>> nice_length_km(7.0)
5
"""

from __future__ import annotations

import math
from typing import Any

import pydeck as pdk

from geo.views.mapview import MAP_SIZE, MapView, bounds, metres_per_pixel

__all__ = ["SCALE_LAYER_IDS", "nice_length_km", "scale_bar_layers"]

#: Ids of the scale bar's layers (drawn above the data).
SCALE_LAYER_IDS = ("scale-bar-halo", "scale-bar", "scale-bar-text")
_NICE = (1, 2, 5)
_TARGET_PX = 150.0  # about how long the bar is at the view it is placed for
_INSET_PX = (70.0, 34.0)  # from the left and bottom (the map may be narrower than assumed)
_KM_PER_DEG_LAT = 111.32


def nice_length_km(km: float) -> int:
    """The largest 1, 2 or 5 × 10ⁿ km not longer than ``km`` (at least 1)."""
    if km <= 1:
        return 1
    exp = 10 ** math.floor(math.log10(km))
    return int(max(n * exp for n in _NICE if n * exp <= km))


def scale_bar_layers(view: MapView, size: tuple[int, int] = MAP_SIZE) -> list[pdk.Layer]:
    """The ruler for ``view``: halo, quarters and labels (ids :data:`SCALE_LAYER_IDS`).

    Parameters
    ----------
    view : MapView
        Where the app set the map; the ruler sits in its lower left corner
        and is about 150 px long there.
    size : (int, int)
        The map's size in px (:data:`geo.views.mapview.MAP_SIZE`).
    """
    west, south, east, north = bounds(view, size)
    lon0 = west + (east - west) * _INSET_PX[0] / size[0]
    lat0 = south + (north - south) * _INSET_PX[1] / size[1]
    km = nice_length_km(_TARGET_PX * metres_per_pixel(lat0, view.zoom) / 1000.0)
    deg_per_km = 1.0 / (_KM_PER_DEG_LAT * math.cos(math.radians(lat0)))
    ends = [lon0 + km * deg_per_km * q / 4 for q in range(5)]
    quarters = [
        {
            "path": [[ends[i], lat0], [ends[i + 1], lat0]],
            "c": [[30, 30, 30], [255, 255, 255]][i % 2],
        }
        for i in range(4)
    ]
    halo = {"path": [[ends[0], lat0], [ends[-1], lat0]]}
    text = [
        {"p": [ends[0], lat0], "t": "0", "a": "middle"},
        {"p": [ends[2], lat0], "t": _km_text(km / 2), "a": "middle"},
        {"p": [ends[4], lat0], "t": f"{km:,} km", "a": "start"},
    ]
    common: dict[str, Any] = {"get_path": "path", "width_units": "'pixels'", "pickable": False}
    return [
        pdk.Layer(
            "PathLayer",
            [halo],
            id=SCALE_LAYER_IDS[0],
            get_color=[30, 30, 30],
            get_width=7,
            **common,
        ),
        pdk.Layer(
            "PathLayer", quarters, id=SCALE_LAYER_IDS[1], get_color="c", get_width=4, **common
        ),
        pdk.Layer(
            "TextLayer",
            text,
            id=SCALE_LAYER_IDS[2],
            get_position="p",
            get_text="t",
            get_text_anchor="a",
            get_alignment_baseline="'top'",
            get_pixel_offset=[0, 7],
            get_size=11,
            get_color=[30, 30, 30, 255],
            font_family="'Helvetica Neue, Helvetica, Arial, sans-serif'",
            pickable=False,
        ),
    ]


def _km_text(km: float) -> str:
    return f"{km:g}"
