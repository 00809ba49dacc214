"""The claimed-presence layer: territories shaded by the state of the claims.

Each territory of the claims ledger (an ISO3 country or an ISO 3166-2
province) is drawn as its polygon from :mod:`geo.places.boundaries`, never as a
point, filled by the state :func:`geo.views.presence.presence_states` gives it for
the chosen group(s): asserted, denied or contested. The fill is light and the
outline strong so incidents drawn on top stay readable. Like every layer,
each feature carries one plain-text ``tip`` (the deck's ``{tip}`` tooltip).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import pandas as pd
import pydeck as pdk

from geo.groups import canonical_group
from geo.views.geojson import feature_collection

__all__ = [
    "PRESENCE_RGB",
    "presence_features",
    "presence_key",
    "presence_layer",
    "territory_shape",
]

#: State -> colour (asserted: red, denied: blue, contested: purple).
PRESENCE_RGB: dict[str, tuple[int, int, int]] = {
    "asserted": (214, 39, 40),
    "denied": (31, 119, 180),
    "contested": (148, 103, 189),
}

_FILL_ALPHA = 60
_LINE_ALPHA = 230


def presence_key() -> list[tuple[str, tuple[int, int, int]]]:
    """Legend items: (label, rgb) for each presence state (app constants only)."""
    labels = {
        "asserted": "presence asserted",
        "denied": "presence denied",
        "contested": "contested (asserted and denied)",
    }
    return [(labels[s], rgb) for s, rgb in PRESENCE_RGB.items()]


def _fold(rows: pd.DataFrame) -> tuple[str, int, int]:
    n_assert, n_deny = int(rows["n_assert"].sum()), int(rows["n_deny"].sum())
    state = "contested" if n_assert and n_deny else ("asserted" if n_assert else "denied")
    return state, n_assert, n_deny


def _tip(name: str, code: str, rows: pd.DataFrame) -> str:
    lines = [f"{name} ({code}): claimed presence"]
    for r in rows.itertuples(index=False):
        n = int(r.n_statements)
        lines.append(
            f"{r.group}: {r.state}, {n} statement{'s' * (n != 1)} "
            f"({int(r.n_assert)} asserting, {int(r.n_deny)} denying)"
        )
    return "\n".join(lines)


def territory_shape(code: str, adm0: Any, adm1: Any) -> tuple[Any, str, str]:
    """The polygon rows of a claims territory, with their code and name columns.

    An ISO 3166-2 code (``PK-KP``) is a province of ``adm1``, else a country of ``adm0``;
    the rows are empty for a territory the boundaries do not hold.
    """
    if "-" in code:
        return adm1[adm1["admin1_code"] == code], "admin1_code", "admin1"
    return adm0[adm0["country_code"] == code], "country_code", "country"


def presence_features(
    adm0: Any, adm1: Any, states: pd.DataFrame, groups: Iterable[str] | None = None
) -> dict[str, Any]:
    """A FeatureCollection of the claimed territories with their state.

    Parameters
    ----------
    adm0, adm1 : geopandas.GeoDataFrame
        Countries (``country_code``) and provinces (``admin1_code``).
    states : pandas.DataFrame
        From :func:`geo.views.presence.presence_states`.
    groups : iterable of str, optional
        Only these groups (any alias); all when None or empty.

    Returns
    -------
    dict
        One feature per claimed territory found in the boundaries, with
        properties ``territory_code``, ``name``, ``state``, ``n_statements``,
        ``fill``, ``line`` and ``tip``. Territories with no polygon are left
        out (they are listed, not guessed, by the page).
    """
    wanted = {canonical_group(g) for g in groups or []} - {None}
    sel = states[states["group"].isin(wanted)] if wanted else states
    feats: list[dict[str, Any]] = []
    for code, rows in sel.groupby("territory_code", sort=True):
        code = str(code)
        shape, column, label = territory_shape(code, adm0, adm1)
        if shape.empty:
            continue
        fc = feature_collection(shape, keep=(column, label))
        state, n_assert, n_deny = _fold(rows)
        rgb = PRESENCE_RGB[state]
        name = str(shape.iloc[0][label])
        for f in fc["features"]:
            f["properties"] = {
                "territory_code": code,
                "name": name,
                "state": state,
                "n_statements": n_assert + n_deny,
                "fill": [*rgb, _FILL_ALPHA],
                "line": [*rgb, _LINE_ALPHA],
                "tip": _tip(name, code, rows),
            }
            feats.append(f)
    return {"type": "FeatureCollection", "features": feats}


def presence_layer(
    adm0: Any,
    adm1: Any,
    states: pd.DataFrame,
    groups: Iterable[str] | None = None,
    *,
    layer_id: str = "presence",
) -> pdk.Layer:
    """The presence GeoJsonLayer: light fill, strong dashed-looking outline, pickable."""
    return pdk.Layer(
        "GeoJsonLayer",
        presence_features(adm0, adm1, states, groups),
        id=layer_id,
        stroked=True,
        filled=True,
        get_fill_color="properties.fill",
        get_line_color="properties.line",
        line_width_min_pixels=3,
        pickable=True,
        auto_highlight=True,
    )
