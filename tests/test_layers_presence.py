"""Tests for geo.views.layers_presence: claimed territories shaded by presence state."""

from pathlib import Path

import pandas as pd
import pytest

from geo.places import boundaries
from geo.views.layers_presence import PRESENCE_RGB, presence_features, presence_layer
from geo.views.legend import presence_items
from geo.views.presence import presence_states, territory_statements

SEED = Path(__file__).resolve().parents[1] / "data" / "claims.csv"


@pytest.fixture(scope="module")
def bnd():
    return boundaries.adm0_simplified(), boundaries.adm1_simplified()


@pytest.fixture(scope="module")
def seed():
    return pd.read_csv(SEED, dtype=str, keep_default_na=False)


def _by_code(fc):
    return {f["properties"]["territory_code"]: f for f in fc["features"]}


def test_seed_afghanistan_contested_for_iskp_as_a_polygon(bnd, seed):
    fc = presence_features(*bnd, presence_states(seed), ["ISIS-K"])  # alias of IS-KP
    afg = _by_code(fc)["AFG"]
    assert afg["properties"]["state"] == "contested"
    assert afg["geometry"]["type"] in {"Polygon", "MultiPolygon"}  # never a point
    assert afg["properties"]["fill"][:3] == list(PRESENCE_RGB["contested"])
    assert "IS-KP: contested" in afg["properties"]["tip"]
    n = afg["properties"]["n_statements"]
    assert n == len(territory_statements(seed, "AFG", ["IS-KP"])) and n >= 6


def test_province_code_shades_the_province(bnd):
    claims = pd.DataFrame(
        [("C1", "2024-01-10", "accuses", "TTP", "PK-BA")],
        columns=["claim_id", "statement_date", "stance", "groups", "territory_code"],
    )
    fc = presence_features(*bnd, presence_states(claims))
    feat = _by_code(fc)["PK-BA"]
    assert feat["properties"]["state"] == "asserted"
    assert feat["properties"]["name"] == "Balochistan"
    assert "PAK" not in _by_code(fc)


def test_group_filter_and_unknown_territory_left_out(bnd):
    claims = pd.DataFrame(
        [
            ("C1", "2025-01-01", "denies_presence", "TTP", "AFG"),
            ("C2", "2025-01-01", "asserts_presence", "ISKP", "PAK"),
            ("C3", "2025-01-01", "asserts_presence", "ISKP", "ZZZ"),
        ],
        columns=["claim_id", "statement_date", "stance", "groups", "territory_code"],
    )
    states = presence_states(claims)
    assert set(_by_code(presence_features(*bnd, states))) == {"AFG", "PAK"}
    only = _by_code(presence_features(*bnd, states, ["Tehreek-e-Taliban Pakistan"]))
    assert set(only) == {"AFG"} and only["AFG"]["properties"]["state"] == "denied"


def test_file_text_stays_plain_in_the_tip(bnd):
    claims = pd.DataFrame(
        [("C1", "2025-01-01", "asserts_presence", "<script>alert(1)</script>", "AFG")],
        columns=["claim_id", "statement_date", "stance", "groups", "territory_code"],
    )
    tip = _by_code(presence_features(*bnd, presence_states(claims)))["AFG"]["properties"]["tip"]
    # an unknown group is kept as written; the tip is plain text for the deck's {tip},
    # which Streamlit escapes (geo.views.layers); no HTML is built from it here
    assert "<script>alert(1)</script>: asserted" in tip


def test_layer_and_key():
    layer = presence_layer(
        boundaries.adm0_simplified(), boundaries.adm1_simplified(), presence_states(pd.DataFrame())
    )
    assert layer.id == "presence" and layer.pickable
    assert [label for label, _ in presence_items(None)][2].startswith("contested")


def test_territory_statements_newest_first(seed):
    rows = territory_statements(seed, "afg", ["ISKP"])
    dates = pd.to_datetime(rows["statement_date"])
    assert dates.is_monotonic_decreasing
    assert "Taliban administration" in " ".join(rows["claimant_role"])
    assert set(rows["territory_code"]) == {"AFG"}
