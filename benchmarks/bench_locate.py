"""Time :func:`geo.places.boundaries.locate` on a million points around the frontier.

Not a test: prints wall and CPU times (CPU time is the steadier figure on a
shared machine). Two inputs of ``N`` points (default 1,000,000):

- ``uniform``: distinct random points in lon 60–75°E, lat 24–38°N, 1% NaN;
- ``sites``: the same number of rows drawn from 20,000 distinct sites, the way
  incident files repeat the coordinates of geocoded towns.

usage: python benchmarks/bench_locate.py [N]
"""

from __future__ import annotations

import sys
import time

import numpy as np


def _timed(label: str, func, *args) -> object:
    t0, c0 = time.perf_counter(), time.process_time()
    result = func(*args)
    wall, cpu = time.perf_counter() - t0, time.process_time() - c0
    print(f"{label:34s} {wall:7.3f} s wall {cpu:7.3f} s CPU")
    return result


def main(n: int = 1_000_000) -> None:
    """Run the benchmark on ``n`` points and print the timings."""
    from geo.places import boundaries

    _timed("first call (load + prepare)", boundaries.locate, [34.0], [71.5])

    rng = np.random.default_rng(42)
    lat = rng.uniform(24.0, 38.0, n)
    lon = rng.uniform(60.0, 75.0, n)
    lat[rng.random(n) < 0.01] = np.nan
    out = _timed(f"locate, {n:,} uniform points", boundaries.locate, lat, lon)
    _timed(f"border_distance_km, {n:,} points", boundaries.border_distance_km, lat, lon)
    print(
        f"  in one of the 8 countries {out['country_code'].notna().mean():.1%}, "
        f"in an AF/PK province {out['admin1_code'].notna().mean():.1%}"
    )

    site = rng.integers(0, 20_000, n)
    site_lat = np.round(rng.uniform(29.0, 37.0, 20_000), 4)
    site_lon = np.round(rng.uniform(62.0, 74.0, 20_000), 4)
    _timed(f"locate, {n:,} rows at 20,000 sites", boundaries.locate, site_lat[site], site_lon[site])


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000)
