"""The map's key, decided once for a view: what every legend lists.

The legend under the app's map, the side panel of the snapshot (PNG, PDF, SVG
and the slide) and the panel of the offline HTML map are all drawn from one
:class:`MapLegend`, so they agree: the same event types in the same colours,
the same killed size classes, the same presence states, and only what the
view contains. The symbols' *sizes* belong to each renderer (pixels on
screen, points on paper); the classes and their meaning live here.

Examples
--------
>>> import pandas as pd
>>> df = pd.DataFrame({"event_type": ["Battles", "Riots", None],
...     "killed": pd.array([3, 40, None], dtype="Int64"), "geo_precision": [1, 1, 3]})
>>> key = map_legend(df, presence=["contested"])
>>> key.classes()["event_type"]
['Battles', 'Riots', 'Other or not given']
>>> key.sizes, key.unknown_toll, key.approximate
((1, 5, 10, 25), True, True)
>>> key.classes()["presence"]
['contested (asserted and denied)']
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from geo.schema import as_floats
from geo.views.palette import EVENT_COLOURS, OTHER_COLOUR

__all__ = [
    "LEGEND_COLUMNS",
    "OTHER_LABEL",
    "PRESENCE_COLOURS",
    "PRESENCE_LABELS",
    "SIZE_STEPS",
    "MapLegend",
    "event_type_items",
    "map_legend",
    "presence_items",
    "size_classes",
]

#: The label of incidents whose event type is missing or not one of the palette's.
OTHER_LABEL = "Other or not given"
#: Killed counts a size key may show; a view gets at most four of them, none above its largest.
SIZE_STEPS: tuple[int, ...] = (1, 5, 10, 25, 50, 100, 250)
_MAX_SIZES = 4

#: Presence state -> fill/outline colour (asserted red, denied blue, contested purple).
PRESENCE_COLOURS: dict[str, str] = {
    "asserted": "#D62728",
    "denied": "#1F77B4",
    "contested": "#9467BD",
}
#: Presence state -> what the legend says.
PRESENCE_LABELS: dict[str, str] = {
    "asserted": "presence asserted",
    "denied": "presence denied",
    "contested": "contested (asserted and denied)",
}


@dataclass(frozen=True)
class MapLegend:
    """What a map of one view shows, as legend entries.

    Attributes
    ----------
    event_types : tuple of (str, str)
        (label, hex colour) of each event type drawn, palette order, then
        :data:`OTHER_LABEL` when some incident has another or no type.
    sizes : tuple of int
        Killed counts of the size key (empty when no toll is known).
    unknown_toll : bool
        Some incident's killed count is unknown (drawn hollow).
    approximate : bool
        Some incident is located only to a province or country.
    presence : tuple of (str, str)
        (label, hex colour) of each presence state drawn (empty: no presence layer).
    """

    event_types: tuple[tuple[str, str], ...] = ()
    sizes: tuple[int, ...] = ()
    unknown_toll: bool = False
    approximate: bool = False
    presence: tuple[tuple[str, str], ...] = ()

    def describe(self) -> str:
        """The legend as one plain sentence (alt text of a picture, speaker notes).

        >>> MapLegend((("Battles", "#EE7733"),), (1, 5), unknown_toll=True).describe()
        'Event type: Battles. Killed per incident (marker area): 1, 5. Hollow: killed unknown.'
        """
        parts = []
        if self.event_types:
            parts.append("Event type: " + ", ".join(t for t, _ in self.event_types) + ".")
        if self.sizes:
            sizes = ", ".join(f"{v:,}" for v in self.sizes)
            parts.append(f"Killed per incident (marker area): {sizes}.")
        if self.unknown_toll:
            parts.append("Hollow: killed unknown.")
        if self.approximate:
            parts.append("Dashed ring: location approximate (province or country level).")
        if self.presence:
            parts.append("Claimed presence: " + ", ".join(t for t, _ in self.presence) + ".")
        return " ".join(parts) or "No incidents."

    def classes(self) -> dict[str, list[Any]]:
        """The legend's classes as plain lists (what any two outputs must agree on)."""
        return {
            "event_type": [label for label, _ in self.event_types],
            "killed": list(self.sizes),
            "unknown_toll": [self.unknown_toll],
            "approximate": [self.approximate],
            "presence": [label for label, _ in self.presence],
        }


def event_type_items(event_types: Iterable[Any] | None) -> list[tuple[str, str]]:
    """(label, hex colour) for the event types given (every palette type when ``None``).

    >>> event_type_items(["Protests", "Looting", "Battles"])
    [('Battles', '#EE7733'), ('Protests', '#0077BB'), ('Other or not given', '#666666')]
    """
    if event_types is None:
        return [*EVENT_COLOURS.items(), (OTHER_LABEL, OTHER_COLOUR)]
    values = list(event_types)
    present = {str(t) for t in values if t is not None and not pd.isna(t)}
    items = [(t, c) for t, c in EVENT_COLOURS.items() if t in present]
    if present - set(EVENT_COLOURS) or _any_missing(values):
        items.append((OTHER_LABEL, OTHER_COLOUR))
    return items


def _any_missing(values: list[Any]) -> bool:
    return any(v is None or pd.isna(v) for v in values)


def size_classes(killed: Any) -> tuple[int, ...]:
    """The killed counts of the size key: steps up to the largest known count, at most four.

    >>> size_classes([2, 300]), size_classes([None]), size_classes([0])
    ((1, 10, 50, 250), (), (1,))
    """
    k = as_floats(killed)  # a column converts as it is (fast); a list may mix None and numbers
    if np.isnan(k).all():
        return ()
    top = max(float(np.nanmax(k)), 1.0)
    values = [v for v in SIZE_STEPS if v <= top]
    if len(values) > _MAX_SIZES:
        idx = np.linspace(0, len(values) - 1, _MAX_SIZES).round().astype(int)
        values = [values[i] for i in idx]
    return tuple(values)


def presence_items(states: Iterable[str] | None) -> list[tuple[str, str]]:
    """(label, hex colour) of the presence states given, in a fixed order (all when ``None``).

    >>> [label for label, _ in presence_items(["denied"])]
    ['presence denied']
    """
    present = set(PRESENCE_COLOURS) if states is None else set(states)
    return [(PRESENCE_LABELS[s], c) for s, c in PRESENCE_COLOURS.items() if s in present]


def _states(presence: Iterable[str] | None) -> list[str]:
    return [] if presence is None else [str(s) for s in presence]


#: The columns :func:`map_legend` reads.
LEGEND_COLUMNS: tuple[str, ...] = ("event_type", "killed", "geo_precision")


def map_legend(incidents: pd.DataFrame, presence: Iterable[str] | None = None) -> MapLegend:
    """The legend of a map of ``incidents``, with the presence states drawn (if any).

    Parameters
    ----------
    incidents : pandas.DataFrame
        The view's incidents (``event_type``, ``killed``, ``geo_precision``).
    presence : iterable of str, optional
        The states of the presence territories drawn; ``None`` or empty when
        the presence layer is off or shades nothing.

    Returns
    -------
    MapLegend
    """
    if incidents.empty:
        return MapLegend(presence=tuple(presence_items(_states(presence))))
    killed = as_floats(incidents["killed"])
    approximate = False
    if "geo_precision" in incidents:
        approximate = bool((as_floats(incidents["geo_precision"]) >= 3).any())
    # the distinct types first (on a categorical column: over its codes), then as objects
    types = pd.unique(incidents["event_type"]) if "event_type" in incidents else [None]
    return MapLegend(
        event_types=tuple(event_type_items(np.asarray(types, dtype=object))),
        sizes=size_classes(killed),
        unknown_toll=bool(np.isnan(killed).any()),
        approximate=approximate,
        presence=tuple(presence_items(_states(presence))),
    )
