"""The claims ledger as data files: a formula-safe CSV and a GeoJSON of claimed territories.

The GeoJSON has one feature per territory the statements name (a country or
a province, as its polygon, never a point) with the state of each group there
(asserted, denied or contested) and the statements behind it, so a GIS user
can map claimed presence without the app. A territory the boundaries do not
hold is kept with a null geometry rather than dropped.
"""

from __future__ import annotations

import json
from typing import Any

import pandas as pd

from geo.schema import CLAIM_COLUMNS
from geo.views.geojson import feature_collection
from geo.views.layers_presence import territory_shape
from geo.views.presence import presence_states

__all__ = ["claims_csv", "claims_geojson", "territory_features"]


def claims_csv(claims: pd.DataFrame) -> bytes:
    """The ledger's columns as UTF-8 CSV (with a byte-order mark, as the incidents' CSV, so a
    spreadsheet reads Pashto and Urdu names right), formula text neutralised.

    >>> text = claims_csv(pd.DataFrame({"claim_id": ["C1"], "quote": ["=HYPERLINK(1)"]}))
    >>> text.decode("utf-8-sig").splitlines()[1]
    "C1,,,,,,,,,,,,'=HYPERLINK(1),,,"
    """
    from geo.views.export import safe_csv

    return b"\xef\xbb\xbf" + safe_csv(claims.reindex(columns=CLAIM_COLUMNS).astype(object))


def territory_features(claims: pd.DataFrame, adm0: Any, adm1: Any) -> list[dict[str, Any]]:
    """One GeoJSON feature per claimed territory, with each group's state and counts.

    Parameters
    ----------
    claims : pandas.DataFrame
        Ledger rows.
    adm0, adm1 : geopandas.GeoDataFrame
        Countries (``country_code``, ``country``) and provinces (``admin1_code``, ``admin1``).
    """
    states = presence_states(claims)
    feats: list[dict[str, Any]] = []
    for code, rows in states.groupby("territory_code", sort=True):
        code = str(code)
        shape, _, label = territory_shape(code, adm0, adm1)
        geometry = None
        name = code
        if not shape.empty:
            geometry = feature_collection(shape.iloc[:1])["features"][0]["geometry"]
            name = str(shape.iloc[0][label])
        groups = [
            {
                "group": str(r.group),
                "state": str(r.state),
                "n_assert": int(r.n_assert),
                "n_deny": int(r.n_deny),
                "claim_ids": str(r.claim_ids).split(";"),
            }
            for r in rows.itertuples(index=False)
        ]
        feats.append(
            {
                "type": "Feature",
                "geometry": geometry,
                "properties": {
                    "territory_code": code,
                    "name": name,
                    "n_statements": int(rows["n_statements"].sum()),
                    "groups": groups,
                },
            }
        )
    return feats


def claims_geojson(claims: pd.DataFrame) -> bytes:
    """The claimed territories as an RFC 7946 FeatureCollection (UTF-8, keys sorted)."""
    from geo.places import boundaries

    feats = territory_features(claims, boundaries.adm0_simplified(), boundaries.adm1_simplified())
    text = json.dumps(
        {"type": "FeatureCollection", "features": feats}, ensure_ascii=False, sort_keys=True
    )
    return text.encode("utf-8")
