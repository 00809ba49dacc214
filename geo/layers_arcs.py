"""Arcs on the pydeck map: claimed origin → incident, and accusing → accused government.

Import the public names from :mod:`geo.layers`, which re-exports them.
"""

from __future__ import annotations

from collections.abc import Mapping

import h3.api.numpy_int as h3i
import pandas as pd
import pydeck as pdk

from geo.cells import cell_column, coarsen
from geo.layers_base import tooltip_texts
from geo.palette import BORDER_RGB, EVENT_RGB

__all__ = ["accusation_arcs", "origin_arcs"]


def origin_arcs(
    df: pd.DataFrame,
    points: Mapping[str, tuple[float, float]],
    *,
    limit: int = 3_000,
    layer_id: str = "arcs-origin",
) -> pdk.Layer | None:
    """Arcs from the claimed origin country's point to each cross-border incident.

    Above ``limit`` arcs, incidents are grouped per (origin, H3 res-4 cell).
    """
    cb = df["cross_border"].fillna(False).astype(bool).to_numpy() if "cross_border" in df else []
    sub = df[cb] if len(cb) else df.iloc[0:0]
    sub = sub[sub["origin_country_code"].notna() & sub["latitude"].notna()]
    sub = sub[sub["origin_country_code"].astype(str).isin(list(points))]
    if sub.empty:
        return None
    origin = sub["origin_country_code"].astype(str)
    if len(sub) > limit:
        cells = coarsen(cell_column(sub), 4)
        g = pd.DataFrame({"o": origin.to_numpy(), "cell": cells}).value_counts().reset_index()
        centres = [h3i.cell_to_latlng(int(c)) for c in g["cell"]]
        records = [
            {
                "s": list(points[o]),
                "t": [round(c[1], 4), round(c[0], 4)],
                "n": int(n),
                "tip": f"{n:,} cross-border incidents here with origin given as {o}",
            }
            for o, n, c in zip(g["o"], g["count"], centres, strict=True)
        ]
    else:
        tips = tooltip_texts(sub)
        records = [
            {
                "s": list(points[o]),
                "t": [round(lon, 4), round(lat, 4)],
                "n": 1,
                "tip": f"Origin given as {o}\n{tip}",
            }
            for o, lon, lat, tip in zip(
                origin, sub["longitude"].to_numpy(), sub["latitude"].to_numpy(), tips, strict=True
            )
        ]
    return pdk.Layer(
        "ArcLayer",
        records,
        id=layer_id,
        get_source_position="s",
        get_target_position="t",
        get_source_color=[60, 60, 60, 200],
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


def accusation_arcs(
    flows: pd.DataFrame, points: Mapping[str, tuple[float, float]], *, layer_id: str = "accusations"
) -> pdk.Layer | None:
    """Arcs from accusing to accused government (from :func:`geo.summaries.accusation_flows`)."""
    if flows is None or flows.empty:
        return None
    ok = flows["claimant_country_code"].isin(list(points)) & flows["accused_country_code"].isin(
        list(points)
    )
    sub = flows[ok]
    if sub.empty:
        return None
    records = []
    for row in sub.itertuples(index=False):
        n = int(row.statements)
        groups = f"\nGroups named: {str(row.groups)[:200]}" if row.groups else ""
        records.append(
            {
                "s": list(points[row.claimant_country_code]),
                "t": list(points[row.accused_country_code]),
                "n": n,
                "tip": f"{row.claimant_country_code} → {row.accused_country_code}: {n} statement{'s' * (n != 1)}{groups}",
            }
        )
    return pdk.Layer(
        "ArcLayer",
        records,
        id=layer_id,
        get_source_position="s",
        get_target_position="t",
        get_source_color=[0, 119, 187, 220],
        get_target_color=[*BORDER_RGB, 230],
        get_width="n",
        width_scale=1.5,
        width_min_pixels=2,
        width_max_pixels=9,
        width_units="'pixels'",
        get_height=0.6,
        get_tilt=15,
        pickable=True,
        auto_highlight=True,
    )
