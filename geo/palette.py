"""The colours every map uses, once: the app's deck layers and the static snapshots.

Event types use Paul Tol's "vibrant" scheme, which stays distinguishable for
colour-blind readers. Hex strings serve matplotlib; the RGB tuples serve pydeck.
"""

from __future__ import annotations

__all__ = ["BORDER_COLOUR", "BORDER_RGB", "EVENT_COLOURS", "EVENT_RGB", "OTHER_COLOUR", "OTHER_RGB"]

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


def _rgb(hex_colour: str) -> tuple[int, int, int]:
    return tuple(int(hex_colour[i : i + 2], 16) for i in (1, 3, 5))  # type: ignore[return-value]


EVENT_RGB: dict[str, tuple[int, int, int]] = {k: _rgb(v) for k, v in EVENT_COLOURS.items()}
OTHER_RGB: tuple[int, int, int] = _rgb(OTHER_COLOUR)
BORDER_RGB: tuple[int, int, int] = _rgb(BORDER_COLOUR)
