"""H3 cells of incidents: one cell id per incident, computed once, coarsened on demand.

The app caches every incident with its resolution-:data:`H3_RES` cell
(:func:`add_h3`), so the density layer, the hexagons drawn instead of a
million points, and the grouping of arcs are plain group-bys on an integer
column. Cell ids are ``uint64`` (h3's integer API); 0 means "no coordinates".
"""

from __future__ import annotations

import h3.api.numpy_int as h3i
import numpy as np
import pandas as pd

__all__ = ["H3_RES", "add_h3", "cell_column", "coarsen", "hex_area_km2"]

#: Resolution of the H3 cell stored per incident by :func:`add_h3` (≈ 36 km² cells).
H3_RES = 6


def add_h3(df: pd.DataFrame, res: int = H3_RES) -> pd.DataFrame:
    """Return ``df`` with an ``h3`` column (uint64 cell id, 0 where no coordinates).

    Computed once per distinct coordinate pair, so a cached table pays for it
    once and every later aggregation is a plain group-by.

    >>> df = pd.DataFrame({"latitude": [34.5, None], "longitude": [69.2, 70.0]})
    >>> cells = add_h3(df)["h3"]
    >>> bool(cells.iloc[0] > 0), int(cells.iloc[1])
    (True, 0)
    """
    out = df.copy(deep=False)
    out["h3"] = _cells(df, res)
    return out


def cell_column(df: pd.DataFrame) -> np.ndarray:
    """The incidents' resolution-:data:`H3_RES` cells: the ``h3`` column, or computed."""
    if "h3" in df.columns:
        return df["h3"].to_numpy(dtype=np.uint64)
    return _cells(df, H3_RES)


def coarsen(cells: np.ndarray, res: int) -> np.ndarray:
    """The parent cells at resolution ``res`` (0 stays 0), one h3 call per distinct cell."""
    if res >= H3_RES:
        return cells
    inverse, uniq = pd.factorize(cells)
    parents = np.array(
        [h3i.cell_to_parent(int(c), res) if c else 0 for c in uniq.tolist()], dtype=np.uint64
    )
    return parents[inverse]


def hex_area_km2(res: int) -> int:
    """Average area of an H3 cell at ``res``, in whole km² (``hex_area_km2(4)`` is 1770)."""
    return round(h3i.average_hexagon_area(res, unit="km^2"))


def _cells(df: pd.DataFrame, res: int) -> np.ndarray:
    lat = pd.to_numeric(df["latitude"], errors="coerce").to_numpy(dtype=float, na_value=np.nan)
    lon = pd.to_numeric(df["longitude"], errors="coerce").to_numpy(dtype=float, na_value=np.nan)
    ok = ~np.isnan(lat) & ~np.isnan(lon) & (np.abs(lat) <= 90) & (np.abs(lon) <= 180)
    out = np.zeros(len(df), dtype=np.uint64)
    if not ok.any():
        return out
    lat_i = np.round(lat[ok] * 1e4).astype(np.int64)  # one h3 call per 1e-4° position
    lon_i = np.round(lon[ok] * 1e4).astype(np.int64)
    key = lat_i * 4_000_000 + lon_i
    _, first, inverse = np.unique(key, return_index=True, return_inverse=True)
    la, lo = lat[ok][first], lon[ok][first]
    cells = np.fromiter(
        (h3i.latlng_to_cell(a, b, res) for a, b in zip(la.tolist(), lo.tolist(), strict=True)),
        dtype=np.uint64,
        count=len(first),
    )
    out[ok] = cells[inverse]
    return out
