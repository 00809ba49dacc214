"""geo.layers_arcs: origin → incident arcs and accusations between governments."""

from __future__ import annotations

import pandas as pd

from geo import layers_arcs
from geo.layers_base import CAPITALS
from geo.schema import normalise_dtypes

POINTS = {**CAPITALS, "AFG": (66.0, 33.9), "PAK": (69.3, 30.4)}


def _cross_border(n: int) -> pd.DataFrame:
    return normalise_dtypes(
        pd.DataFrame(
            {
                "incident_id": [f"X{i}" for i in range(n)],
                "event_date": "2025-01-01",
                "latitude": [34.0 + 0.0001 * i for i in range(n)],
                "longitude": [71.5] * n,
                "cross_border": [True] * n,
                "origin_country_code": ["AFG"] * (n - 1) + ["ZZZ"],  # ZZZ: nowhere to start
                "source": "Dawn",  # no geo_precision: unknown, and no reason to fail
            }
        )
    )


def test_one_arc_per_incident_from_a_known_origin():
    arcs = layers_arcs.origin_arcs(_cross_border(4), POINTS)
    assert len(arcs.data) == 3 and {tuple(a["s"]) for a in arcs.data} == {POINTS["AFG"]}
    assert all(a["tip"].startswith("Origin given as AFG") for a in arcs.data)


def test_many_arcs_are_grouped_per_origin_and_cell():
    arcs = layers_arcs.origin_arcs(_cross_border(50), POINTS, limit=10)
    assert len(arcs.data) < 10 and sum(a["n"] for a in arcs.data) == 49


def test_accusations_between_known_governments_only():
    flows = pd.DataFrame(
        {
            "claimant_country_code": ["PAK", "AFG", "ZZZ"],
            "accused_country_code": ["AFG", "PAK", "PAK"],
            "statements": [1, 4, 2],
            "groups": ["TTP", "", "ISKP"],
        }
    )
    arcs = layers_arcs.accusation_arcs(flows, POINTS)
    tips = sorted(a["tip"] for a in arcs.data)
    assert tips == ["AFG → PAK: 4 statements", "PAK → AFG: 1 statement\nGroups named: TTP"]
    assert layers_arcs.accusation_arcs(flows.iloc[0:0], POINTS) is None
