"""GeoJSON as plain dicts for the map layers: JSON arrays, rounded coordinates, no NaN.

pydeck serialises its layers' data as JSON; a GeoDataFrame's ``__geo_interface__``
holds tuples and NaN, which this module turns into what JSON and deck.gl read.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from functools import lru_cache
from typing import Any

import numpy as np
import pandas as pd

__all__ = ["feature_collection", "plain_geometry"]


def feature_collection(obj: Any, keep: Sequence[str] | None = None) -> dict[str, Any]:
    """A plain GeoJSON FeatureCollection dict from a GeoDataFrame, geometry or mapping.

    Properties are kept (only those named in *keep*, when given), NaN becomes
    null and coordinates are rounded to 5 decimals (about a metre). The geometry
    of a GeoDataFrame's row is converted once per distinct shape and shared
    between the collections made of it (the map redraws the same provinces on
    every filter change): treat the geometry dicts as read-only.

    Examples
    --------
    >>> from shapely.geometry import Point
    >>> fc = feature_collection(Point(71.123456, 34.0))
    >>> fc["features"][0]["geometry"]
    {'type': 'Point', 'coordinates': [71.12346, 34.0]}
    """
    if isinstance(obj, pd.DataFrame) and hasattr(obj, "geometry"):
        return _frame_features(obj, keep)
    gj = dict(obj) if isinstance(obj, Mapping) else obj.__geo_interface__
    if gj.get("type") == "FeatureCollection":
        feats = gj["features"]
    elif gj.get("type") == "Feature":
        feats = [gj]
    else:
        feats = [{"type": "Feature", "properties": {}, "geometry": gj}]
    out = []
    for f in feats:
        props = dict(f.get("properties") or {})
        if keep is not None:
            props = {k: props.get(k) for k in keep if k in props}
        props = {k: (None if isinstance(v, float) and np.isnan(v) else v) for k, v in props.items()}
        out.append(
            {"type": "Feature", "properties": props, "geometry": plain_geometry(f.get("geometry"))}
        )
    return {"type": "FeatureCollection", "features": out}


def _frame_features(frame: Any, keep: Sequence[str] | None) -> dict[str, Any]:
    """:func:`feature_collection` of a GeoDataFrame, with its shapes converted once."""
    geometry = frame.geometry.name
    names = [c for c in frame.columns if c != geometry]
    if keep is not None:
        names = [c for c in keep if c in names]
    props = frame[names].astype(object)
    props = props.where(props.notna(), None)
    out = []
    for values, geom in zip(props.itertuples(index=False), frame.geometry, strict=True):
        out.append(
            {
                "type": "Feature",
                "properties": dict(zip(names, values, strict=True)),
                "geometry": None if geom is None else _plain_shape(geom),
            }
        )
    return {"type": "FeatureCollection", "features": out}


@lru_cache(maxsize=2048)
def _plain_shape(geom: Any) -> Any:
    """:func:`plain_geometry` of a shapely geometry, kept per shape (shapely's are hashable)."""
    return plain_geometry(geom.__geo_interface__)


def plain_geometry(geom: Any) -> Any:
    """Tuples → lists (JSON arrays), coordinates rounded to 5 decimals.

    >>> plain_geometry({"type": "Point", "coordinates": (1.0000049, 2.0)})
    {'type': 'Point', 'coordinates': [1.0, 2.0]}
    """
    if isinstance(geom, Mapping):
        return {k: plain_geometry(v) for k, v in geom.items()}
    if isinstance(geom, list | tuple):
        return [plain_geometry(v) for v in geom]
    if isinstance(geom, float):
        return round(geom, 5)
    return geom
