"""The map under the data: the basemap, the province choropleth, and the incidents' tooltips.

Part of the pydeck layers (:mod:`geo.views.layers` re-exports the public names):
this module draws what is not an incident marker (countries, provinces,
their names, the AFG–PAK border, the choropleth) and writes the one tooltip
text each incident carries. Colours come from :mod:`geo.views.palette`, H3 cells
from :mod:`geo.views.cells`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd
import pydeck as pdk

from geo.schema import GEO_PRECISION_LABELS
from geo.views.geojson import feature_collection, plain_geometry
from geo.views.palette import BORDER_RGB, EVENT_RGB, OTHER_RGB, seq_colour
from geo.views.summaries import format_count, format_counts

__all__ = [
    "CAPITALS",
    "basemap_layers",
    "choropleth_key",
    "choropleth_layer",
    "country_points",
    "feature_collection",
    "tooltip_texts",
    "type_rgb",
]


_NEIGHBOUR_BOX = (50.0, 20.0, 84.0, 44.0)  # lon/lat box kept of neighbouring countries


#: Capitals (lon, lat): where governments' accusations start and end, and the
#: fallback point of countries outside the stored boundaries.
CAPITALS: dict[str, tuple[float, float]] = {
    "RUS": (37.62, 55.75),
    "USA": (-77.04, 38.90),
    "GBR": (-0.13, 51.51),
    "CHN": (116.40, 39.90),
    "IRN": (51.39, 35.69),
    "IND": (77.21, 28.61),
    "UZB": (69.28, 41.31),
    "TJK": (68.78, 38.56),
    "TKM": (58.38, 37.95),
    "AFG": (69.18, 34.53),
    "PAK": (73.05, 33.68),
    "SAU": (46.68, 24.71),
    "QAT": (51.53, 25.29),
    "TUR": (32.85, 39.93),
    "ARE": (54.37, 24.45),
    "KAZ": (71.45, 51.17),
    "KGZ": (74.59, 42.87),
}


def basemap_layers(
    adm0: Any, adm1: Any, border: Any = None, *, labels: bool = True
) -> list[pdk.Layer]:
    """Countries, provinces, province labels and the emphasised AFG–PAK border.

    Parameters
    ----------
    adm0, adm1 : GeoDataFrame or GeoJSON mapping
        Simplified boundaries (``country_code``; ``admin1``, ``rep_lat``, ``rep_lon``).
    border : GeoSeries, shapely geometry or GeoJSON mapping, optional
        The AFG–PAK boundary line.
    labels : bool
        Draw province names (:func:`geo.views.layers_labels.province_label_layer`),
        without the collision filter: these layers also go into the offline
        HTML export, whose deck.gl bundle lacks it. The app's maps draw
        :func:`geo.views.layers_labels.label_layer` instead.

    Returns
    -------
    list of pydeck.Layer
        Ids ``base-countries``, ``base-provinces``, then (when given)
        ``base-border-halo``, ``base-border`` and ``base-labels``.
    """
    layers = [_countries_layer(adm0), _provinces_layer(adm1)]
    if border is not None:
        layers += _border_layers(border)
    if labels:
        from geo.views.layers_labels import province_label_layer  # it reads feature_collection here

        names = province_label_layer(adm1, collide=False)
        layers += [names] if names is not None else []
    return layers


def _countries_layer(adm0: Any) -> pdk.Layer:
    """AFG and PAK filled warm; neighbours pale, clipped to the frontier and simplified."""
    countries = feature_collection(adm0, keep=("country_code", "country"))
    for f in countries["features"]:
        focus = f["properties"].get("country_code") in ("AFG", "PAK")
        f["properties"]["fill"] = [244, 240, 232, 255] if focus else [252, 252, 252, 255]
        if not focus:  # neighbours: only the part near the frontier, drawn coarser
            f["geometry"] = _clip(f["geometry"], _NEIGHBOUR_BOX, tolerance=0.02)
    return pdk.Layer(
        "GeoJsonLayer",
        countries,
        id="base-countries",
        stroked=True,
        filled=True,
        get_fill_color="properties.fill",
        get_line_color=[140, 140, 140, 255],
        line_width_min_pixels=1,
        pickable=False,
    )


def _provinces_layer(adm1: Any) -> pdk.Layer:
    """Province outlines, unfilled."""
    return pdk.Layer(
        "GeoJsonLayer",
        feature_collection(adm1, keep=("admin1", "admin1_code")),
        id="base-provinces",
        stroked=True,
        filled=False,
        get_line_color=[160, 160, 160, 200],
        line_width_min_pixels=0.6,
        pickable=False,
    )


def _border_layers(border: Any) -> list[pdk.Layer]:
    """The AFG–PAK border: a white halo under a thick dark-red line."""
    lines = feature_collection(border)
    return [
        pdk.Layer(
            "GeoJsonLayer",
            lines,
            id=layer_id,
            stroked=True,
            filled=False,
            get_line_color=colour,
            line_width_min_pixels=width,
            pickable=False,
        )
        for layer_id, colour, width in (
            ("base-border-halo", [255, 255, 255, 230], 7),
            ("base-border", [*BORDER_RGB, 255], 3.5),
        )
    ]


def country_points(adm0: Any = None) -> dict[str, tuple[float, float]]:
    """ISO3 → (lon, lat): a point inside each country of ``adm0``, capitals for others."""
    out = dict(CAPITALS)
    if adm0 is None:
        return out
    try:
        import geopandas as gpd

        gdf = (
            adm0
            if isinstance(adm0, gpd.GeoDataFrame)
            else gpd.GeoDataFrame.from_features(
                feature_collection(adm0)["features"], crs="EPSG:4326"
            )
        )
        pts = gdf.geometry.representative_point()
        for code, p in zip(gdf["country_code"], pts, strict=True):
            if isinstance(code, str):
                out[code] = (round(p.x, 4), round(p.y, 4))
    except Exception:
        pass
    return out


def choropleth_key(vmax: float, steps: int = 5) -> list[tuple[str, tuple[int, int, int]]]:
    """(value label, RGB) pairs explaining :func:`choropleth_layer`'s shading up to ``vmax``."""
    if not vmax or vmax <= 0:
        return []
    values = sorted({max(1, round(vmax * (i / steps) ** 2)) for i in range(1, steps + 1)})
    colours = seq_colour(np.sqrt(np.array(values, dtype=float) / vmax), alpha=255)
    return [(f"{v:,}", (c[0], c[1], c[2])) for v, c in zip(values, colours, strict=True)]


def choropleth_layer(
    adm1: Any, by_province: pd.DataFrame, metric: str = "incidents", *, layer_id: str = "choropleth"
) -> pdk.Layer:
    """Provinces filled by ``metric`` (``incidents`` or ``killed``) from :func:`geo.views.summaries.breakdown`.

    Provinces with no incidents stay unfilled; killed totals state how many
    incidents had an unknown toll.
    """
    fc = feature_collection(adm1, keep=("admin1", "admin1_code", "country_code"))
    table = by_province.set_index("key") if "key" in by_province else by_province
    values = pd.to_numeric(table.get(metric, pd.Series(dtype=float)), errors="coerce")
    vmax = float(values.max()) if values.notna().any() else 0.0
    for f in fc["features"]:
        p = f["properties"]
        code = p.get("admin1_code")
        row = table.loc[code] if code in table.index else None
        value = None if row is None or pd.isna(row.get(metric)) else float(row[metric])
        if value is None or value <= 0 or vmax <= 0:
            p["fill"] = [0, 0, 0, 0]
        else:
            p["fill"] = seq_colour(np.array([np.sqrt(value / vmax)]), alpha=170)[0]
        p["tip"] = _province_tip(p, row)
    return pdk.Layer(
        "GeoJsonLayer",
        fc,
        id=layer_id,
        stroked=True,
        filled=True,
        get_fill_color="properties.fill",
        get_line_color=[120, 120, 120, 160],
        line_width_min_pixels=0.8,
        pickable=True,
        auto_highlight=True,
    )


def tooltip_texts(df: pd.DataFrame) -> list[str]:
    """One tooltip text per incident: date, place, type, actors, casualties, source."""

    def t(col: str, n: int) -> pd.Series:
        if col not in df.columns:
            return pd.Series([""] * len(df), index=df.index, dtype=object)
        s = df[col].astype(object)
        s = s.where(s.notna(), "").astype(str)
        return s.str.slice(0, n)

    date = pd.to_datetime(df["event_date"], errors="coerce").dt.strftime("%Y-%m-%d").astype(object)
    date = date.where(date.notna(), "date unknown")
    prec = t("date_precision", 10)
    date = date + np.where((prec != "") & (prec != "day"), " (" + prec + ")", "")
    place = t("location", 60)
    where = t("admin1", 40) + np.where(t("country", 30) != "", ", " + t("country", 30), "")
    place = np.where(place != "", place + " — " + where, where)
    kind = t("event_type", 40) + np.where(
        t("sub_event_type", 40) != "", ": " + t("sub_event_type", 40), ""
    )
    a1, a2, cb = t("actor1", 70), t("actor2", 70), t("claimed_by", 60)
    actors = (
        a1 + np.where(a2 != "", " vs " + a2, "") + np.where(cb != "", " · claimed by " + cb, "")
    )
    killed = format_counts(df["killed"] if "killed" in df else pd.Series(pd.NA, index=df.index))
    injured = format_counts(df["injured"] if "injured" in df else pd.Series(pd.NA, index=df.index))
    note = t("casualty_note", 40)
    cas = "killed " + killed + " · injured " + injured + np.where(note != "", " (" + note + ")", "")
    lvl = pd.to_numeric(df["geo_precision"], errors="coerce")
    loc_note = np.where(
        (lvl >= 3).fillna(False).to_numpy(bool),  # an unknown precision is not called approximate
        "\nLocation approximate: "
        + lvl.map(lambda v: GEO_PRECISION_LABELS.get(int(v), "") if pd.notna(v) else "").astype(
            str
        ),
        "",
    )
    src = "Source: " + t("source", 80)
    out = (
        date
        + " · "
        + pd.Series(place, index=df.index)
        + "\n"
        + kind
        + "\n"
        + actors
        + "\n"
        + cas
        + loc_note
        + "\n"
        + src
    )
    return out.tolist()


def type_rgb(types: pd.Series) -> np.ndarray:
    """One RGB row per value: the event type's colour, grey for others and missing."""
    codes, uniques = pd.factorize(pd.Series(types).astype(object), use_na_sentinel=True)
    palette = np.array([EVENT_RGB.get(str(u), OTHER_RGB) for u in uniques] + [OTHER_RGB], dtype=int)
    return palette[np.where(codes < 0, len(uniques), codes)].copy()


def _clip(geom: Any, box: tuple[float, float, float, float], *, tolerance: float) -> Any:
    import shapely
    from shapely.geometry import mapping, shape

    shp = shapely.clip_by_rect(shape(geom), *box).simplify(tolerance, preserve_topology=True)
    return plain_geometry(mapping(shp)) if not shp.is_empty else None


def _province_tip(props: Mapping[str, Any], row: pd.Series | None) -> str:
    name = f"{props.get('admin1') or '?'} ({props.get('admin1_code') or '?'})"
    if row is None:
        return f"{name}\nno incidents under the current filters"
    n = int(row.get("incidents", 0))
    k = format_count(row.get("killed"))
    unknown = int(row.get("killed_unknown", 0))
    return (
        f"{name}\n{n:,} incident{'s' * (n != 1)}\nkilled {k} (known); toll unknown for {unknown:,}"
    )
