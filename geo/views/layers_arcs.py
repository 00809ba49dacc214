"""Arcs on the pydeck map: from where a cross-border incident is said to have come, to it.

The stored incidents name only the origin *country* (``origin_country_code``).
Drawing an arc from that country's middle would read as if the middle (Ghor,
for Afghanistan) were the origin, so each arc starts where the border would
have been crossed, and says so in its tooltip:

- ``crossing``: between Afghanistan and Pakistan, the nearest known border
  crossing to the incident (the gazetteer's crossings);
- ``border``: otherwise the point of the origin country's border nearest to
  the incident (Tajikistan into Pakistan: the Wakhan side);
- ``capital``: a country beyond the stored boundaries starts at its capital.

Governments' accusations are not drawn on the map (between Kabul and
Islamabad they covered the incidents in between); the Cross-border page
shows them beside it. Import the public names from :mod:`geo.views.layers`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import h3.api.numpy_int as h3i
import numpy as np
import pandas as pd
import pydeck as pdk

from geo.views.cells import cell_column, coarsen
from geo.views.layers_base import tooltip_texts
from geo.views.palette import ARC_RGB, EVENT_RGB
from geo.views.rows import Rows

__all__ = ["ARC_KINDS", "arc_origins", "origin_arcs"]

#: How an arc's start was found, and what its tooltip says about it.
ARC_KINDS: dict[str, str] = {
    "crossing": "from the nearest border crossing (the source names only the origin country)",
    "border": "from the nearest point of the origin country's border (no crossing known)",
    "capital": "from the origin country's capital (it lies beyond the map's boundaries)",
}
_PAIR = {"AFG": "PAK", "PAK": "AFG"}  # the countries whose crossings the gazetteer holds


def arc_origins(
    df: pd.DataFrame,
    points: Mapping[str, tuple[float, float]],
    *,
    crossings: pd.DataFrame | None = None,
    countries: Any = None,
) -> pd.DataFrame:
    """Where each cross-border incident's arc starts (see the module docstring).

    Parameters
    ----------
    df : pandas.DataFrame
        Incidents (``cross_border``, ``origin_country_code``, ``country_code``,
        ``latitude``, ``longitude``).
    points : mapping
        ISO3 → (lon, lat), the start of last resort (:func:`geo.views.layers.country_points`).
    crossings : pandas.DataFrame, optional
        Afghanistan–Pakistan crossings: ``name``, ``latitude``, ``longitude``
        and optionally ``country_code`` (a crossing listed on both sides
        starts on the origin's side).
    countries : GeoDataFrame, optional
        Country polygons with ``country_code`` (the simplified boundaries).

    Returns
    -------
    pandas.DataFrame
        Indexed like the incidents that get an arc: ``origin``, ``kind`` (an
        :data:`ARC_KINDS` key), ``via`` (the crossing's name or ``""``),
        ``s_lon``, ``s_lat``. An incident whose origin is its own country, or
        an origin with nowhere to start, gets none.
    """
    cols = ["origin", "kind", "via", "s_lon", "s_lat"]
    sub = _cross_border(df)
    if sub.empty:
        return pd.DataFrame(columns=cols)
    origin = sub["origin_country_code"].astype(str).str.upper()
    here = _text(sub, "country_code")
    keep = (origin != here).to_numpy()
    sub, origin, here = sub[keep], origin[keep], here[keep]
    out = pd.DataFrame(
        {"origin": origin, "kind": None, "via": "", "s_lon": np.nan, "s_lat": np.nan},
        index=sub.index,
    )
    lon = sub["longitude"].astype(float).to_numpy()
    lat = sub["latitude"].astype(float).to_numpy()
    polygons = _polygons(countries)
    for (o, h), rows in pd.Series(np.arange(len(sub))).groupby(
        [origin.to_numpy(), here.to_numpy()]
    ):
        at = rows.to_numpy()
        kind, via, s_lon, s_lat = _starts(o, h, lon[at], lat[at], points, crossings, polygons)
        if kind is not None:
            out.iloc[at, out.columns.get_indexer(["kind", "via", "s_lon", "s_lat"])] = (
                np.column_stack([np.full(len(at), kind, dtype=object), via, s_lon, s_lat])
            )
    out = out.dropna(subset=["kind"])
    return out.astype({"s_lon": float, "s_lat": float})[cols]


def origin_arcs(
    incidents: pd.DataFrame | Rows,
    points: Mapping[str, tuple[float, float]],
    *,
    crossings: pd.DataFrame | None = None,
    countries: Any = None,
    limit: int = 3_000,
    layer_id: str = "arcs-origin",
) -> pdk.Layer | None:
    """Arcs from where each cross-border incident is said to come from, to the incident.

    Parameters are those of :func:`arc_origins` (``incidents`` may be a view's
    :class:`~geo.views.rows.Rows`: the cross-border ones alone are then read whole);
    above ``limit`` arcs,
    incidents are grouped per start and H3 res-4 cell. The start is
    coloured by its kind (:data:`geo.views.palette.ARC_RGB`; each record's
    ``kind``), the end as an event; every tooltip says how the start was chosen.
    """
    df = incidents if isinstance(incidents, pd.DataFrame) else _cross_border_rows(incidents)
    starts = arc_origins(df, points, crossings=crossings, countries=countries)
    if starts.empty:
        return None
    sub = df.loc[starts.index]
    if len(sub) > limit:
        records = _grouped(sub, starts)
    else:
        tips = tooltip_texts(sub)
        records = [
            {
                "s": [round(s_lon, 4), round(s_lat, 4)],
                "t": [round(lon, 4), round(lat, 4)],
                "c": [*ARC_RGB[kind], 220],
                "kind": kind,
                "n": 1,
                "tip": f"{_says(o, kind, via)}\n{tip}",
            }
            for o, kind, via, s_lon, s_lat, lon, lat, tip in zip(
                starts["origin"], starts["kind"], starts["via"], starts["s_lon"],
                starts["s_lat"], sub["longitude"].astype(float), sub["latitude"].astype(float),
                tips, strict=True,
            )
        ]  # fmt: skip
    return pdk.Layer(
        "ArcLayer",
        records,
        id=layer_id,
        get_source_position="s",
        get_target_position="t",
        get_source_color="c",
        get_target_color=[*EVENT_RGB["Battles"], 230],
        get_width="n",
        width_min_pixels=1.5,
        width_max_pixels=12,
        width_units="'pixels'",
        get_height=0.4,
        get_tilt=12,
        pickable=True,
        auto_highlight=True,
    )


# ---------------------------------------------------------------------- private
def _cross_border_rows(rows: Rows) -> pd.DataFrame:
    """The incidents of ``rows`` said to have crossed the border, every column.

    Of the others only the flag is read (a view's rows: see :mod:`geo.views.rows`).
    """
    flag = rows.frame(["cross_border"])
    if "cross_border" not in flag:
        return rows.narrow(np.zeros(len(rows), dtype=bool)).frame()
    return rows.narrow(flag["cross_border"].astype("boolean").fillna(False).to_numpy(bool)).frame()


def _cross_border(df: pd.DataFrame) -> pd.DataFrame:
    if "cross_border" not in df or "origin_country_code" not in df:
        return df.iloc[0:0]
    cb = df["cross_border"].astype("boolean").fillna(False).to_numpy(bool)
    sub = df[cb]
    return sub[
        sub["origin_country_code"].notna() & sub["latitude"].notna() & sub["longitude"].notna()
    ]


def _text(df: pd.DataFrame, col: str) -> pd.Series:
    if col not in df:
        return pd.Series("", index=df.index, dtype=object)
    s = df[col].astype(object)
    return s.where(s.notna(), "").astype(str).str.upper()


def _polygons(countries: Any) -> dict[str, Any]:
    if countries is None:
        return {}
    return {
        str(code): geom
        for code, geom in zip(countries["country_code"], countries.geometry, strict=True)
        if isinstance(code, str) and geom is not None and not geom.is_empty
    }


def _starts(
    origin: str,
    here: str,
    lon: np.ndarray,
    lat: np.ndarray,
    points: Mapping[str, tuple[float, float]],
    crossings: pd.DataFrame | None,
    polygons: Mapping[str, Any],
) -> tuple[str | None, np.ndarray, np.ndarray, np.ndarray]:
    """(kind, crossing names, start lons, start lats) of the arcs of one origin and country."""
    n = len(lon)
    none = np.full(n, "", dtype=object)
    if crossings is not None and not crossings.empty and _PAIR.get(origin) in (here, ""):
        if "country_code" in crossings:  # a crossing listed on both sides: the origin's side
            own = (crossings["country_code"] != origin).to_numpy()
            crossings = crossings.iloc[np.argsort(own, kind="stable")].drop_duplicates("name")
        c_lat = crossings["latitude"].to_numpy(float)
        c_lon = crossings["longitude"].to_numpy(float)
        best = np.argmin(_km(lat[:, None], lon[:, None], c_lat[None, :], c_lon[None, :]), axis=1)
        names = crossings["name"].astype(str).to_numpy(dtype=object)
        return "crossing", names[best], c_lon[best], c_lat[best]
    if origin in polygons:
        import shapely

        lines = shapely.shortest_line(polygons[origin].boundary, shapely.points(lon, lat))
        first = shapely.get_point(lines, 0)
        return "border", none, shapely.get_x(first), shapely.get_y(first)
    if origin in points:
        x, y = points[origin]
        return "capital", none, np.full(n, float(x)), np.full(n, float(y))
    return None, none, np.full(n, np.nan), np.full(n, np.nan)


def _km(lat: Any, lon: Any, lats: Any, lons: Any) -> np.ndarray:
    """Great-circle distances in km (broadcasting)."""
    p1, p2 = np.radians(lat), np.radians(lats)
    a = (
        np.sin((p2 - p1) / 2) ** 2
        + np.cos(p1) * np.cos(p2) * np.sin(np.radians(lons - lon) / 2) ** 2
    )
    return 2 * 6371.0088 * np.arcsin(np.sqrt(np.clip(a, 0, 1)))


def _says(origin: str, kind: str, via: str) -> str:
    start = f"{ARC_KINDS[kind]}"
    if kind == "crossing" and via:
        start = (
            f"from the nearest border crossing, {via} (the source names only the origin country)"
        )
    return f"Origin given as {origin}; the arc starts {start}"


def _grouped(sub: pd.DataFrame, starts: pd.DataFrame) -> list[dict[str, Any]]:
    """One arc per (start, H3 res-4 cell) with its count, for many incidents."""
    cells = coarsen(cell_column(sub), 4)
    work = starts.assign(cell=cells)
    g = work.groupby(["origin", "kind", "via", "s_lon", "s_lat", "cell"], sort=False).size()
    records = []
    for (o, kind, via, s_lon, s_lat, cell), n in g.items():
        lat, lon = h3i.cell_to_latlng(int(cell))
        records.append(
            {
                "s": [round(s_lon, 4), round(s_lat, 4)],
                "t": [round(lon, 4), round(lat, 4)],
                "c": [*ARC_RGB[kind], 220],
                "kind": kind,
                "n": int(n),
                "tip": f"{n:,} cross-border incidents here.\n{_says(o, kind, via)}",
            }
        )
    return records
