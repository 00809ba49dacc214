"""The plain peer script of the benchmarks (benchmarks/peer.py) does the work it claims."""

from __future__ import annotations

import sqlite3
import sys
from pathlib import Path

import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "benchmarks"))
from generate import generate
from peer import run_peer
from report_table import _peer_rows


def test_peer_stores_every_row_with_coordinates_and_its_province(tmp_path):
    df = generate(600, seed=5)
    csv = tmp_path / "acled.csv"
    df.to_csv(csv, index=False)
    result = run_peer(csv, tmp_path / "peer.sqlite")

    with_coords = int((df["latitude"] != "").sum())
    assert result["rows"] == with_coords < len(df)
    assert set(result["steps"]) == {"read_csv", "sjoin", "to_sql"}
    with sqlite3.connect(tmp_path / "peer.sqlite") as con:
        stored = pd.read_sql("SELECT event_id_cnty, province FROM incidents", con)
    assert len(stored) == result["stored"] >= with_coords
    assert set(stored["event_id_cnty"]) == set(df.loc[df["latitude"] != "", "event_id_cnty"])
    # points clustered around towns of the region fall inside a province almost always
    assert stored["province"].notna().mean() > 0.9


def test_peer_table_gives_the_ratio_of_the_cli_to_the_peer():
    r = {
        "peer:1000": {"wall": 2.0, "cpu": 1.0, "rss_mb": 100.0, "steps": {"read_csv": 0.1}},
        "cli:1000": {"wall": 5.0, "cpu": 4.0},
    }
    text = "\n".join(_peer_rows(r, [1000]))
    assert "2.50×" in text and "4.00×" in text
    assert _peer_rows({}, [1000]) == []


def test_the_targets_table_holds_issue_19s_limits():
    from report_table import _target_rows

    runs = {
        "cli:1000000": {"wall": 22.0, "rss_mb": 1_410.0},
        "peer:1000000": {"wall": 30.0},
        "cli:100000": {"wall": 4.5},
    }
    rows = {line.split(" | ")[0].lstrip("| "): line for line in _target_rows(runs)}
    assert "not met" in rows["Issue 19: 1M rows, whole CLI"]
    assert rows["Issue 19: 1M rows, peak memory (1.5 GB)"].endswith("| met |")
    assert "not met" in rows["Issue 19: 1M rows, at most half the plain peer's time"]
    assert "3.0× the limit" in rows["Issue 19: 100k rows, whole CLI"]
    assert "| 1,431 MB | 1,410 MB |" in rows["Issue 19: 1M rows, peak memory (1.5 GB)"]
