"""Time static snapshots of large synthetic views (not a test).

Usage::

    .venv/bin/python benchmarks/bench_snapshot.py [--rows 100000 1000000] [--formats png]

Incidents come from ``benchmarks/generate.py`` (clustered around Afghan and
Pakistani towns, long-tailed fatalities, some blank) mapped straight to the
canonical columns the snapshot reads. The boundaries are loaded and projected
once before timing (a running app holds them), so each figure is the cost of
one export: projecting and drawing the incidents, the labels and the key,
and encoding the file. Targets: a few seconds for 100,000; ≤ 5 s for 1,000,000.
CPU time is printed too: on a busy machine it is the fairer figure.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent))

from generate import generate

from geo.schema import normalise_dtypes
from geo.views import cartography
from geo.views.snapshot import render_snapshot


def synthetic(rows: int, seed: int = 7) -> pd.DataFrame:
    """``rows`` canonical incidents, all with coordinates."""
    raw = generate(rows, seed=seed, names_only=0.0)
    rng = np.random.default_rng(seed)
    frame = pd.DataFrame(
        {
            "incident_id": raw["event_id_cnty"],
            "event_date": raw["event_date"],
            "event_type": raw["event_type"],
            "latitude": pd.to_numeric(raw["latitude"], errors="coerce"),
            "longitude": pd.to_numeric(raw["longitude"], errors="coerce"),
            "geo_precision": rng.choice([1, 2, 3, 4], rows, p=[0.6, 0.25, 0.12, 0.03]),
            "killed": pd.to_numeric(raw["fatalities"], errors="coerce"),
            "source": raw["source"],
            "admin1": raw["admin1"],
        }
    )
    return normalise_dtypes(frame)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rows", type=int, nargs="+", default=[100_000, 1_000_000])
    ap.add_argument("--formats", nargs="+", default=["png"], choices=["png", "pdf", "svg"])
    ap.add_argument("--repeat", type=int, default=2, help="timed runs per size (best is shown)")
    args = ap.parse_args(argv)

    t = time.perf_counter()
    cartography.default_basemap()
    print(f"boundaries loaded and projected: {time.perf_counter() - t:.2f} s (once per process)")
    for rows in args.rows:
        t = time.perf_counter()
        df = synthetic(rows)
        print(f"\n{rows:,} incidents generated in {time.perf_counter() - t:.1f} s")
        for fmt in args.formats:
            times, cpu, size = [], [], 0
            for _ in range(args.repeat):
                t, c = time.perf_counter(), time.process_time()
                size = len(render_snapshot(df, None, fmt, choropleth="incidents"))
                times.append(time.perf_counter() - t)
                cpu.append(time.process_time() - c)
            runs = ", ".join(f"{s:.2f}" for s in times)
            print(
                f"  {fmt}: best {min(times):.2f} s wall (runs: {runs}), "
                f"best {min(cpu):.2f} s CPU, {size / 1e6:.1f} MB"
            )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
