"""geo.layers_incidents: points, approximate circles, hexagons and density on the deck."""

from __future__ import annotations

import numpy as np
import pandas as pd

from geo import layers_incidents as li
from geo.cells import add_h3
from geo.schema import normalise_dtypes


def _frame(n: int, *, killed=None, precision: int = 1) -> pd.DataFrame:
    rng = np.random.default_rng(7)
    return normalise_dtypes(
        pd.DataFrame(
            {
                "incident_id": [f"I{i}" for i in range(n)],
                "event_date": "2025-01-01",
                "event_type": "Battles",
                "latitude": rng.uniform(33, 35, n),
                "longitude": rng.uniform(69, 72, n),
                "geo_precision": precision,
                "killed": killed if killed is not None else rng.integers(0, 5, n),
            }
        )
    )


def test_radius_grows_with_the_root_of_killed_and_unknown_is_a_ring():
    r = li.radius_px(pd.array([0, 4, 16, 10_000, None], dtype="Int64"))
    assert r[0] == 3.0 and r[1] < r[2] and r[3] == 30.0 and r[4] == 6.0


def test_muted_context_is_grey_small_and_not_pickable():
    (layer,) = li.incident_layers(_frame(5), layer_id="context", muted=True)
    assert layer.id == "context" and layer.pickable is False
    assert all(rec["f"][:3] == [150, 150, 150] and rec["r"] == 2.5 for rec in layer.data)
    assert "tip" not in layer.data[0]


def test_hexagons_say_unknown_when_no_toll_is_known():
    df = add_h3(_frame(30, killed=[None] * 30))
    (hexes,) = li.incident_layers(df, point_limit=10)
    assert hexes.id == "incidents-hex" and hexes.type == "H3HexagonLayer"
    assert sum(int(r["tip"].split(" ")[0].replace(",", "")) for r in hexes.data) == 30
    assert all("killed unknown (known)" in r["tip"] for r in hexes.data)


def test_density_counts_every_placed_incident():
    df = _frame(40)
    df.loc[df.index[:5], "latitude"] = np.nan
    layer = li.density_layer(df)
    assert sum(int(r["tip"].split(" ")[0]) for r in layer.data) == 35
    assert li.density_layer(df.iloc[0:0]) is None


def test_coarse_incidents_are_circles_in_metres_never_dots():
    (circles,) = li.incident_layers(_frame(3, precision=4))
    assert circles.id == "incidents-approx" and "meters" in str(circles.radius_units)
    assert all(r["tip"].startswith("APPROXIMATE LOCATION") for r in circles.data)
