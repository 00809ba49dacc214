"""The benchmark data generator: deterministic, ACLED layout, the intended mixture."""

from __future__ import annotations

import sys
from pathlib import Path

import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "benchmarks"))
from generate import ACLED_COLUMNS, generate


def test_same_seed_same_rows_other_seed_other_rows():
    a, b, c = generate(500, seed=1), generate(500, seed=1), generate(500, seed=2)
    pd.testing.assert_frame_equal(a, b)
    assert not a.equals(c)


def test_layout_and_mixture():
    df = generate(5000, seed=3)
    assert list(df.columns) == ACLED_COLUMNS
    assert df["event_id_cnty"].is_unique
    names_only = df["latitude"] == ""
    assert 0.07 < names_only.mean() < 0.13
    assert (df.loc[names_only, "location"] != "").all()
    lat = pd.to_numeric(df.loc[~names_only, "latitude"])
    lon = pd.to_numeric(df.loc[~names_only, "longitude"])
    assert lat.between(23, 38).mean() > 0.98 and lon.between(59, 78).mean() > 0.98
    assert set(df["iso"]) <= {"4", "586"}
