"""Incidents on the pydeck map: points, approximate circles, hexagons, density.

Incidents follow DESIGN.md §6:

- a filled dot sized by killed (square-root scale), coloured by event type;
- a hollow ring of fixed size when the death toll is unknown;
- precision 2 (near a town / district) drawn softer, without outline;
- precision 3–4 (province or country only) never as a dot: a large faint
  circle around the representative point, so no one reads it as a place.

Above :data:`POINT_LIMIT` incidents (or when the points would exceed
:data:`PAYLOAD_BUDGET` bytes) the precise incidents are counted into H3
hexagons on the server, so what the browser receives stays small at any size.
Import the public names from :mod:`geo.views.layers`, which re-exports them.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

import h3.api.numpy_int as h3i
import numpy as np
import pandas as pd
import pydeck as pdk

from geo.schema import GEO_PRECISION_LABELS, as_floats
from geo.views.cells import cell_codes, cell_column, coarsen, hex_area_km2
from geo.views.layers_base import tooltip_texts, type_rgb
from geo.views.palette import log_frac, seq_colour
from geo.views.rows import Rows
from geo.views.summaries import format_count

__all__ = [
    "DENSITY_COLUMNS",
    "HEX_RES",
    "MAX_CELLS",
    "PAYLOAD_BUDGET",
    "POINT_LIMIT",
    "SAME_PLACE_DECIMALS",
    "density_layer",
    "incident_layers",
    "radius_px",
    "same_place",
]

#: Above this many precise incidents the map shows H3 hexagons instead of points.
POINT_LIMIT = 10_000
#: Largest layer payload (bytes of JSON) sent as single points.
PAYLOAD_BUDGET = 3_500_000
#: Resolution of the hexagons drawn instead of points (≈ 1,770 km², about 11 px at zoom 5).
HEX_RES = 4
#: Most hexagons sent at once; coarser resolutions are used until the count fits.
MAX_CELLS = 12_000
#: Precise incidents whose coordinates agree to this many decimals (about 10 m) share a point.
SAME_PLACE_DECIMALS = 4

_UNKNOWN_RADIUS_PX = 6.0
_COARSE_RADIUS_M = {3: 45_000, 4: 160_000}
#: The columns :func:`density_layer` reads.
DENSITY_COLUMNS: tuple[str, ...] = ("latitude", "longitude", "h3")

_COARSE_LIMIT = 300
_COARSE_DETAIL = 2_000  # up to this many approximate incidents carry their own tooltips
# The columns the aggregated layers read (a cheap subset to copy from a million rows).
_LIGHT_COLUMNS = (
    "latitude", "longitude", "geo_precision", "event_type", "killed", "h3", "admin1_code",
    "country_code",
)  # fmt: skip


def incident_layers(
    incidents: pd.DataFrame | Rows,
    *,
    layer_id: str = "incidents",
    muted: bool = False,
    point_limit: int = POINT_LIMIT,
    budget: int = PAYLOAD_BUDGET,
) -> list[pdk.Layer]:
    """Incidents as points (precise), faint circles (coarse) or hexagons (many).

    Parameters
    ----------
    incidents : pandas.DataFrame or geo.views.rows.Rows
        Filtered incidents. Of :class:`~geo.views.rows.Rows` (a view's
        :attr:`~geo.views.view.View.rows`) only the columns the layers need are
        copied: all of them only for the incidents drawn one by one.
    layer_id : str
        Id of the precise-points layer (``on_select`` reports objects under it;
        each carries ``id`` = incident_id). Coarse incidents use ``<id>-approx``,
        hexagons ``<id>-hex``.
    muted : bool
        Draw everything small and grey, not pickable (context behind a highlight).
    point_limit, budget : int
        Above ``point_limit`` precise incidents, or when their JSON would exceed
        ``budget`` bytes, precise incidents are aggregated into H3 hexagons.

    Returns
    -------
    list of pydeck.Layer
    """
    rows = incidents if isinstance(incidents, Rows) else Rows(incidents)
    df = rows.frame(_LIGHT_COLUMNS)
    placed = (df["latitude"].notna() & df["longitude"].notna()).to_numpy()
    prec = np.nan_to_num(as_floats(df["geo_precision"]), nan=1.0)
    coarse_mask, fine_mask = placed & (prec >= 3), placed & (prec < 3)
    layers: list[pdk.Layer] = []
    if coarse_mask.any() and not muted:  # as grey context, approximate circles only clutter
        light = coarse_mask.sum() > _COARSE_DETAIL
        coarse = df.loc[coarse_mask] if light else rows.narrow(coarse_mask).frame()
        layers.append(_coarse_layer(coarse, f"{layer_id}-approx", muted=muted))
    if fine_mask.any():
        n_fine = int(fine_mask.sum())
        fine = None if n_fine > point_limit else rows.narrow(fine_mask).frame()
        records = None if fine is None else _point_records(fine, muted=muted)
        if records is not None and _json_size(records) > budget:
            records = None
        if records is None:
            layers.append(_hex_layer(df, fine_mask, f"{layer_id}-hex", muted=muted))
        else:
            layers.append(
                pdk.Layer(
                    "ScatterplotLayer",
                    records,
                    id=layer_id,
                    get_position=["lon", "lat"],
                    get_radius="r",
                    radius_units="'pixels'",
                    get_fill_color="f",
                    get_line_color="l",
                    stroked=True,
                    filled=True,
                    line_width_units="'pixels'",
                    get_line_width="w",
                    pickable=not muted,
                    auto_highlight=not muted,
                )
            )
            if not muted:
                badges = _badge_layer(records, f"{layer_id}-here")
                layers += [badges] if badges is not None else []
                for r in records:  # what the badges needed; the browser does not
                    del r["k"], r["n"]
    return layers


def same_place(df: pd.DataFrame, ids: Sequence[str]) -> list[str]:
    """The ids of every incident drawn at the same point as one of ``ids``, in date order.

    Precise incidents whose coordinates agree to :data:`SAME_PLACE_DECIMALS`
    decimals share one point on the map (one marker, with a count): clicking
    it should list them all. The given ids come first if they are not at a
    shared point (or not found).

    >>> df = pd.DataFrame({"incident_id": ["a", "b", "c"], "latitude": [34.43, 34.43, 35.0],
    ...     "longitude": [70.45, 70.45, 70.0], "event_date": pd.to_datetime(
    ...     ["2025-01-02", "2025-01-01", "2025-01-01"])})
    >>> same_place(df, ["a"]), same_place(df, ["c"])
    (['b', 'a'], ['c'])
    """
    if not ids or df.empty:
        return list(ids)
    keys = _place_keys(df)
    chosen = df["incident_id"].astype(object).isin(list(ids)).to_numpy(bool)
    wanted = set(keys[chosen].tolist())
    hit = df[np.isin(keys, list(wanted))]
    if "event_date" in hit:
        hit = hit.sort_values("event_date", kind="stable")
    found = hit["incident_id"].astype(object).astype(str).tolist()
    return list(dict.fromkeys([*found, *(str(i) for i in ids)]))


def density_layer(df: pd.DataFrame, *, res: int = 4, layer_id: str = "density") -> pdk.Layer | None:
    """Incident density as H3 hexagons (≈ 1,770 km² at res 4), colour by count."""
    placed = (df["latitude"].notna() & df["longitude"].notna()).to_numpy()
    if not placed.any():
        return None
    codes, cells = cell_codes(df, placed)  # the categorical h3 column's codes, no hashing
    per_cell = pd.Series(np.bincount(codes, minlength=len(cells)), index=coarsen(cells, res))
    counts = per_cell.groupby(level=0, sort=False).sum()
    counts = counts[counts.index != 0].sort_values(ascending=False, kind="stable")
    frac = log_frac(counts.to_numpy())
    colours = seq_colour(frac, alpha=150)
    records = [
        {
            "h": h3i.int_to_str(int(c)),
            "c": col,
            "tip": f"{n:,} incidents in this hexagon (≈ {hex_area_km2(res):,} km²)",
        }
        for c, n, col in zip(counts.index, counts.to_numpy(), colours, strict=True)
    ]
    return pdk.Layer(
        "H3HexagonLayer",
        records,
        id=layer_id,
        get_hexagon="h",
        get_fill_color="c",
        stroked=False,
        filled=True,
        extruded=False,
        pickable=True,
        opacity=0.7,
    )


def radius_px(killed: pd.Series | np.ndarray | Sequence[float]) -> np.ndarray:
    """Dot radius in pixels: ``3 + 2.2·√killed`` capped at 30; unknown → the ring size."""
    k = as_floats(killed)
    r = np.minimum(3.0 + 2.2 * np.sqrt(np.clip(k, 0, None)), 30.0)
    return np.where(np.isnan(k), _UNKNOWN_RADIUS_PX, r)


# ---------------------------------------------------------------------- private: points
def _place_keys(df: pd.DataFrame) -> np.ndarray:
    """One integer per point, equal for coordinates that agree to SAME_PLACE_DECIMALS."""
    scale = 10**SAME_PLACE_DECIMALS
    lon = as_floats(df["longitude"])
    lat = as_floats(df["latitude"])
    x = np.nan_to_num(np.round((lon + 180) * scale), nan=-1).astype(np.int64)
    y = np.nan_to_num(np.round((lat + 90) * scale), nan=-1).astype(np.int64)
    return x * (360 * scale + 1) + y


def _point_records(df: pd.DataFrame, *, muted: bool) -> list[dict[str, Any]]:
    """One record per precise incident, largest first (so a small one lies on top, clickable)."""
    killed = as_floats(df["killed"])
    unknown = np.isnan(killed)
    prec = pd.to_numeric(df["geo_precision"], errors="coerce").fillna(1).to_numpy()
    rgb = type_rgb(df["event_type"])
    if muted:
        rgb[:] = (150, 150, 150)
    soft = prec >= 2
    alpha = np.where(soft, 140, 215) if not muted else np.full(len(df), 90)
    fill = np.column_stack([rgb, np.where(unknown, 0, alpha)])
    line = np.column_stack([(rgb * 0.7).astype(int), np.where(soft & ~unknown, 0, 235)])
    width = np.where(unknown, 2.0, 1.0)
    radius = radius_px(killed) if not muted else np.full(len(df), 2.5)
    frame = pd.DataFrame(
        {
            "id": df["incident_id"].astype(object).fillna("").to_numpy(),
            "lon": df["longitude"].round(5).to_numpy(),
            "lat": df["latitude"].round(5).to_numpy(),
            "r": radius.round(1),
            "w": width,
        }
    )
    frame["f"] = fill.tolist()
    frame["l"] = line.tolist()
    if not muted:
        keys = _place_keys(df)
        here = pd.Series(keys).map(pd.Series(keys).value_counts()).to_numpy()
        frame["n"] = here
        frame["k"] = keys
        tips = pd.Series(tooltip_texts(df))
        shared = here > 1
        tips[shared] = tips[shared] + (
            "\n— one of " + pd.Series(here[shared], index=tips.index[shared]).astype(str)
            + " incidents at this point: click to list them all"
        )  # fmt: skip
        frame["tip"] = tips.to_numpy()
    # deck.gl draws (and picks) later objects on top: the largest go first
    order = np.argsort(-frame["r"].to_numpy(), kind="stable")
    return frame.iloc[order].to_dict(orient="records")


def _badge_layer(records: list[dict[str, Any]], layer_id: str) -> pdk.Layer | None:
    """A count ("3") beside each point that several incidents share; a click lists them all."""
    shared = [r for r in records if r.get("n", 1) > 1]
    if not shared:
        return None
    groups: dict[int, dict[str, Any]] = {}
    for r in shared:
        g = groups.setdefault(
            r["k"], {"lon": r["lon"], "lat": r["lat"], "n": r["n"], "ids": [], "r": r["r"]}
        )
        g["ids"].append(r["id"])
        g["r"] = max(g["r"], r["r"])
    badges = [
        {
            "lon": g["lon"],
            "lat": g["lat"],
            "t": f"{g['n']}",
            "o": [round(g["r"] * 0.75 + 7), round(-g["r"] * 0.75 - 7)],
            "ids": g["ids"],
            "tip": f"{g['n']} incidents at this point: click to list them all",
        }
        for g in groups.values()
    ]
    return pdk.Layer(
        "TextLayer",
        badges,
        id=layer_id,
        get_position=["lon", "lat"],
        get_text="t",
        get_pixel_offset="o",
        get_size=11,
        get_color=[20, 20, 20, 255],
        font_weight=700,
        font_family="'Helvetica Neue, Helvetica, Arial, sans-serif'",
        background=True,
        get_background_color=[255, 255, 255, 235],
        get_border_color=[60, 60, 60, 255],
        get_border_width=1,
        background_padding=[4, 1],
        get_text_anchor="'middle'",
        get_alignment_baseline="'center'",
        pickable=True,
    )


def _coarse_layer(df: pd.DataFrame, layer_id: str, *, muted: bool) -> pdk.Layer:
    """Province/country-level incidents: one faint circle per location, no dot.

    Incidents sharing a location (to 0.001°) share a circle; beyond
    ``_COARSE_LIMIT`` locations they are grouped per province (precision 3) or
    country (precision 4), which is all such a location says anyway.
    """
    prec = pd.to_numeric(df["geo_precision"], errors="coerce").fillna(3).clip(3, 4).astype(int)
    lon, lat = df["longitude"].round(3).to_numpy(), df["latitude"].round(3).to_numpy()
    key = np.round(lon * 1000).astype(np.int64) * 1_000_000 + np.round(lat * 1000).astype(np.int64)
    if len(pd.unique(key)) > _COARSE_LIMIT:
        lat, lon = _area_points(df, lat, lon, prec.to_numpy())
    work = pd.DataFrame(
        {
            "lon": lon,
            "lat": lat,
            "p": prec.to_numpy(),
            "type": df["event_type"].astype(object).to_numpy(),
        },
        index=df.index,
    ).dropna(subset=["lon", "lat"])
    keys = ["lon", "lat", "p"]
    counts = work.groupby(keys, sort=False).size()
    by_type = (
        work.groupby([*keys, "type"], sort=False, dropna=False).size().sort_values(ascending=False)
    )
    main_type = (
        by_type.reset_index().drop_duplicates(keys).set_index(keys)["type"].reindex(counts.index)
    )
    rgb = np.full((len(counts), 3), 150) if muted else type_rgb(main_type)
    detail: dict[Any, tuple[str, list[str]]] = {}
    if len(df) <= _COARSE_DETAIL and not muted:
        work["tip"] = pd.Series(tooltip_texts(df), index=df.index).reindex(work.index)
        work["id"] = df["incident_id"].astype(object).reindex(work.index)
        for key, grp in work.groupby(keys, sort=False):
            more = f"\n… and {len(grp) - 3} more here" if len(grp) > 3 else ""
            detail[key] = ("\n—\n".join(grp["tip"].head(3)) + more, grp["id"].head(20).tolist())
    records = []
    for i, (key, n) in enumerate(counts.items()):
        p = int(key[2])
        head = f"APPROXIMATE LOCATION — {GEO_PRECISION_LABELS[p]}; {n:,} incident{'s' * (n != 1)}"
        text, ids = detail.get(key, (f"{n:,} incidents located only to this area", []))
        records.append(
            {
                "lon": float(key[0]),
                "lat": float(key[1]),
                "rm": _COARSE_RADIUS_M[p],
                "f": [*map(int, rgb[i]), 22],
                "l": [*map(int, rgb[i]), 120],
                "tip": f"{head}\n{text}",
                "ids": ids,
            }
        )
    return pdk.Layer(
        "ScatterplotLayer",
        records,
        id=layer_id,
        get_position=["lon", "lat"],
        get_radius="rm",
        radius_units="'meters'",
        get_fill_color="f",
        get_line_color="l",
        stroked=True,
        filled=True,
        line_width_units="'pixels'",
        get_line_width=1.5,
        radius_min_pixels=10,
        pickable=not muted,
        auto_highlight=not muted,
    )


def _hex_layer(df: pd.DataFrame, rows: np.ndarray, layer_id: str, *, muted: bool) -> pdk.Layer:
    """The precise incidents at ``rows`` counted into H3 cells (coarsened until ≤ MAX_CELLS).

    Works on the columns' arrays (two of them): no frame of the rows is made.
    """
    inverse, uniq = cell_codes(df, rows)
    res, cur = HEX_RES, coarsen(uniq, HEX_RES)
    while len(pd.unique(cur)) > MAX_CELLS and res > 0:
        res -= 1
        cur = coarsen(uniq, res)
    parents, cells = pd.factorize(cur)
    codes = parents[inverse]
    killed = as_floats(df["killed"])[rows]
    known = ~np.isnan(killed)
    n = np.bincount(codes, minlength=len(cells))
    k = np.bincount(codes[known], killed[known], len(cells))
    k_has = np.bincount(codes[known], minlength=len(cells)) > 0
    u = n - np.bincount(codes[known], minlength=len(cells))
    colours = seq_colour(log_frac(n), alpha=200)
    area = hex_area_km2(res)
    records = []
    for cell, count, total, has, unknown, col in zip(
        cells.tolist(), n.tolist(), k.tolist(), k_has.tolist(), u.tolist(), colours, strict=True
    ):
        if not cell:
            continue
        toll = format_count(round(total) if has else None)
        records.append(
            {
                "h": h3i.int_to_str(cell),
                "c": [150, 150, 150, 90] if muted else col,
                "tip": (
                    f"{count:,} incidents in this hexagon (≈ {area:,} km²)\n"
                    f"killed {toll} (known); toll unknown for {unknown:,}\n"
                    "Too many incidents to draw singly: narrow the filters to see each one."
                ),
            }
        )
    return pdk.Layer(
        "H3HexagonLayer",
        records,
        id=layer_id,
        get_hexagon="h",
        get_fill_color="c",
        stroked=True,
        get_line_color=[255, 255, 255, 120],
        line_width_min_pixels=0.5,
        filled=True,
        extruded=False,
        pickable=not muted,
        auto_highlight=not muted,
    )


# ---------------------------------------------------------------------- private: helpers
def _area_points(
    df: pd.DataFrame, lat: np.ndarray, lon: np.ndarray, prec: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """One point per province (precision 3) or country (4): the median of its incidents.

    Rows without a province or country code fall back to their H3 res-3 cell.
    """
    area = (
        df["admin1_code"].astype(object) if "admin1_code" in df else pd.Series(None, index=df.index)
    )
    country = df["country_code"].astype(object) if "country_code" in df else area
    area = np.array(area.where(prec == 3, country).to_numpy(dtype=object), dtype=object)
    missing = pd.isna(area)
    if missing.any():
        cells = coarsen(cell_column(df), 3)
        area[missing] = ["h3:" + str(c) for c in cells[missing].tolist()]
    work = pd.DataFrame({"area": area, "p": prec, "lat": lat, "lon": lon})
    med = work.groupby(["area", "p"])[["lat", "lon"]].transform("median")
    return med["lat"].round(3).to_numpy(), med["lon"].round(3).to_numpy()


def _json_size(records: list[dict[str, Any]]) -> int:
    return len(json.dumps(records, separators=(",", ":"), default=str).encode("utf-8"))
