"""The colours the app uses, once: the deck layers, the static snapshots and the pages' charts.

Event types use Paul Tol's "vibrant" scheme, which stays distinguishable for
colour-blind readers; the claims' stances reuse it. Hex strings serve
matplotlib and Altair; the RGB tuples serve pydeck. Counts are shaded on a
light-to-dark yellow-orange-red scale (:func:`seq_colour`).

>>> EVENT_RGB["Battles"]
(238, 119, 51)
>>> seq_colour(log_frac([1, 10, 100]), alpha=255)[-1]
[189, 0, 38, 255]
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

__all__ = [
    "ARC_RGB",
    "BORDER_COLOUR",
    "BORDER_RGB",
    "EVENT_COLOURS",
    "EVENT_RGB",
    "KILLED_COLOUR",
    "OTHER_COLOUR",
    "OTHER_RGB",
    "SEQUENTIAL_RGB",
    "STANCE_COLOURS",
    "UNKNOWN_COLOUR",
    "log_frac",
    "rgb",
    "seq_colour",
]

EVENT_COLOURS: dict[str, str] = {
    "Battles": "#EE7733",
    "Explosions/Remote violence": "#CC3311",
    "Violence against civilians": "#EE3377",
    "Strategic developments": "#009988",
    "Protests": "#0077BB",
    "Riots": "#33BBEE",
}
OTHER_COLOUR = "#666666"
BORDER_COLOUR = "#7F1D1D"

#: Bars of known killed (Casualties page).
KILLED_COLOUR = "#B5462F"
#: Bars of incidents whose toll is unknown: grey, never the colour of a number.
UNKNOWN_COLOUR = "#888888"
#: The four stances of the claims ledger (Claims page timeline).
STANCE_COLOURS: dict[str, str] = {
    "asserts_presence": "#CC3311",
    "denies_presence": "#0077BB",
    "accuses": "#EE7733",
    "rejects_accusation": "#33BBEE",
}

#: The start of an origin arc, by how it was found (geo.views.layers_arcs.ARC_KINDS); arcs end orange.
ARC_RGB: dict[str, tuple[int, int, int]] = {
    "crossing": (0, 68, 136),
    "border": (119, 119, 119),
    "capital": (136, 34, 85),
}

#: Light → dark sequential colours (YlOrRd-like), for counts.
SEQUENTIAL_RGB: np.ndarray = np.array(
    [[255, 237, 160], [254, 217, 118], [254, 178, 76], [253, 141, 60], [240, 59, 32], [189, 0, 38]]
)


def rgb(hex_colour: str) -> tuple[int, int, int]:
    """``"#RRGGBB"`` as an (r, g, b) tuple, as pydeck and the app's HTML swatches take it.

    >>> rgb("#D62728")
    (214, 39, 40)
    """
    return tuple(int(hex_colour[i : i + 2], 16) for i in (1, 3, 5))  # type: ignore[return-value]


EVENT_RGB: dict[str, tuple[int, int, int]] = {k: rgb(v) for k, v in EVENT_COLOURS.items()}
OTHER_RGB: tuple[int, int, int] = rgb(OTHER_COLOUR)
BORDER_RGB: tuple[int, int, int] = rgb(BORDER_COLOUR)


def log_frac(n: Sequence[float] | np.ndarray) -> np.ndarray:
    """Counts scaled to 0–1 by ``log(1 + n) / log(1 + max)`` (all 0 when every count is 0)."""
    n = np.asarray(n, dtype=float)
    top = np.log1p(n.max()) if len(n) else 1.0
    return np.log1p(n) / top if top > 0 else np.zeros_like(n)


def seq_colour(frac: Sequence[float] | np.ndarray, *, alpha: int) -> list[list[int]]:
    """RGBA of :data:`SEQUENTIAL_RGB` for fractions 0–1 (nearest of the six steps)."""
    steps = len(SEQUENTIAL_RGB) - 1
    idx = np.clip(np.round(np.asarray(frac) * steps).astype(int), 0, steps)
    return [[*map(int, SEQUENTIAL_RGB[i]), alpha] for i in idx]
