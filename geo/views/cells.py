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

from geo.schema import as_floats

__all__ = ["H3_RES", "add_h3", "cell_codes", "cell_column", "coarsen", "hex_area_km2"]

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


def cell_codes(df: pd.DataFrame, rows: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """The cells of ``df`` (at ``rows``, a bool mask) factorized: each row's code, the cells.

    An ``h3`` column held as a category (:func:`geo.views.query.compact`) is
    factorized already: its codes are used, keeping only the cells these rows
    use, with no hashing of the rows. Otherwise ``pandas.factorize``.

    Examples
    --------
    >>> df = pd.DataFrame({"h3": pd.Series([7, 5, 7, 9], dtype="uint64").astype("category")})
    >>> codes, cells = cell_codes(df, np.array([True, True, True, False]))
    >>> codes.tolist(), cells.tolist()
    ([1, 0, 1], [5, 7])
    """
    column = df["h3"] if "h3" in df.columns else None
    if column is not None and isinstance(column.dtype, pd.CategoricalDtype):
        codes = column.cat.codes.to_numpy()
        codes = codes if rows is None else codes[rows]
        if not len(codes) or codes.min() >= 0:
            n = len(column.cat.categories)
            used = np.flatnonzero(np.bincount(codes, minlength=n))
            remap = np.zeros(n, dtype=np.int64)
            remap[used] = np.arange(len(used))
            cells = column.cat.categories.to_numpy(dtype=np.uint64)[used]
            return remap[codes], cells
    cells = cell_column(df)
    return pd.factorize(cells if rows is None else cells[rows])


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
    lat = as_floats(df["latitude"])
    lon = as_floats(df["longitude"])
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
