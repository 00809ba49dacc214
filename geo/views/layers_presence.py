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

import geopandas as gpd
import pandas as pd
import pydeck as pdk

from geo.groups import canonical_group
from geo.views.geojson import feature_collection
from geo.views.legend import PRESENCE_COLOURS
from geo.views.palette import rgb

__all__ = [
    "PRESENCE_RGB",
    "features_of",
    "presence_features",
    "presence_layer",
    "presence_layer_of",
    "presence_territories",
    "territory_shape",
]

#: State -> colour (asserted: red, denied: blue, contested: purple); :mod:`geo.views.legend`'s.
PRESENCE_RGB: dict[str, tuple[int, int, int]] = {s: rgb(c) for s, c in PRESENCE_COLOURS.items()}

_FILL_ALPHA = 60
_LINE_ALPHA = 230
_COLUMNS = ["territory_code", "name", "state", "n_assert", "n_deny", "n_statements", "tip"]


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


def presence_territories(
    adm0: Any, adm1: Any, states: pd.DataFrame, groups: Iterable[str] | None = None
) -> gpd.GeoDataFrame:
    """The claimed territories with their polygon and folded state, one row each.

    Parameters
    ----------
    adm0, adm1 : geopandas.GeoDataFrame
        Countries (``country_code``) and provinces (``admin1_code``), in any CRS
        (the result keeps it: lon/lat for the deck, metres for the snapshot).
    states : pandas.DataFrame
        From :func:`geo.views.presence.presence_states`.
    groups : iterable of str, optional
        Only these groups (any alias); all when None or empty.

    Returns
    -------
    geopandas.GeoDataFrame
        ``territory_code``, ``name``, ``state`` (asserted, denied or contested
        over the chosen groups), ``n_assert``, ``n_deny``, ``n_statements``,
        ``tip`` and the geometry. Territories the boundaries do not hold are
        left out (the pages list them, nothing is guessed).
    """
    wanted = {canonical_group(g) for g in groups or []} - {None}
    sel = states[states["group"].isin(wanted)] if wanted else states
    rows: list[dict[str, Any]] = []
    for code, claims in sel.groupby("territory_code", sort=True):
        code = str(code)
        shape, _, label = territory_shape(code, adm0, adm1)
        if shape.empty:
            continue
        state, n_assert, n_deny = _fold(claims)
        name = str(shape.iloc[0][label])
        rows.append(
            {
                "territory_code": code,
                "name": name,
                "state": state,
                "n_assert": n_assert,
                "n_deny": n_deny,
                "n_statements": n_assert + n_deny,
                "tip": _tip(name, code, claims),
                "geometry": shape.geometry.union_all(),
            }
        )
    crs = getattr(adm0, "crs", None)
    if not rows:
        return gpd.GeoDataFrame(columns=[*_COLUMNS, "geometry"], geometry="geometry", crs=crs)
    return gpd.GeoDataFrame(rows, geometry="geometry", crs=crs)


def presence_features(
    adm0: Any, adm1: Any, states: pd.DataFrame, groups: Iterable[str] | None = None
) -> dict[str, Any]:
    """A FeatureCollection of :func:`presence_territories` for the deck (see :func:`features_of`)."""
    return features_of(presence_territories(adm0, adm1, states, groups))


def features_of(territories: gpd.GeoDataFrame) -> dict[str, Any]:
    """The deck's FeatureCollection of claimed territories (lon/lat).

    Each feature's properties: ``territory_code``, ``name``, ``state``,
    ``n_statements``, ``fill``, ``line`` (RGBA) and ``tip``.
    """
    keep = ("territory_code", "name", "state", "n_statements", "tip")
    fc = feature_collection(territories, keep=keep)
    for f in fc["features"]:
        rgb = PRESENCE_RGB[f["properties"]["state"]]
        f["properties"]["n_statements"] = int(f["properties"]["n_statements"])
        f["properties"]["fill"] = [*rgb, _FILL_ALPHA]
        f["properties"]["line"] = [*rgb, _LINE_ALPHA]
    return fc


def presence_layer(
    adm0: Any,
    adm1: Any,
    states: pd.DataFrame,
    groups: Iterable[str] | None = None,
    *,
    layer_id: str = "presence",
) -> pdk.Layer:
    """The presence GeoJsonLayer of the states over these boundaries (:func:`presence_layer_of`)."""
    return presence_layer_of(presence_territories(adm0, adm1, states, groups), layer_id=layer_id)


def presence_layer_of(territories: gpd.GeoDataFrame, *, layer_id: str = "presence") -> pdk.Layer:
    """The presence GeoJsonLayer: light fill, strong outline, pickable, one ``tip`` each."""
    return pdk.Layer(
        "GeoJsonLayer",
        features_of(territories),
        id=layer_id,
        stroked=True,
        filled=True,
        get_fill_color="properties.fill",
        get_line_color="properties.line",
        line_width_min_pixels=3,
        pickable=True,
        auto_highlight=True,
    )
