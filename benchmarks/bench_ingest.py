"""Time the ingest of synthetic ACLED rows that carry coordinates, stage by stage.

Usage::

    .venv/bin/python benchmarks/bench_ingest.py [--rows 100000] [--seed 7] [--no-total]

Stages: read (bytes → text table), canonical (ACLED → canonical columns),
validate, geocode (nothing to look up: every row has coordinates), join
(provinces, border distance), store (one commit into a new SQLite store), then
reading the store back, and the whole ``ingest_bytes`` end to end on another
new store. Prints one line per stage and the total; nothing is asserted.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from geo.ingest.formats import to_canonical
from geo.ingest.pipeline import ingest_bytes
from geo.ingest.reader import read_csv_bytes
from geo.ingest.validate import validate
from geo.places.boundaries import adm1
from geo.places.geocode import geocode_rows
from geo.places.spatial import join
from geo.store.core import Store

EVENTS = [
    ("Battles", "Armed clash"),
    ("Explosions/Remote violence", "Remote explosive/landmine/IED"),
    ("Explosions/Remote violence", "Suicide bomb"),
    ("Violence against civilians", "Attack"),
    ("Strategic developments", "Arrests"),
]


def synthetic_acled(n: int, seed: int = 7) -> bytes:
    """``n`` ACLED-layout rows at jittered province points, as CSV bytes."""
    rng = np.random.default_rng(seed)
    provinces = adm1()[["admin1", "country", "rep_lat", "rep_lon"]].reset_index(drop=True)
    pick = rng.integers(0, len(provinces), n)
    prov = provinces.iloc[pick].reset_index(drop=True)
    ev = rng.integers(0, len(EVENTS), n)
    iso3 = np.where(prov["country"] == "Afghanistan", "AFG", "PAK")
    days = pd.Timestamp("2018-01-01") + pd.to_timedelta(rng.integers(0, 2500, n), unit="D")
    fatalities = rng.integers(0, 12, n).astype(object)
    fatalities[rng.random(n) < 0.05] = ""
    frame = pd.DataFrame(
        {
            "event_id_cnty": [f"{c}{i}" for c, i in zip(iso3, range(1, n + 1), strict=True)],
            "event_date": days.strftime("%d %B %Y"),
            "year": days.year,
            "time_precision": rng.integers(1, 4, n),
            "event_type": [EVENTS[i][0] for i in ev],
            "sub_event_type": [EVENTS[i][1] for i in ev],
            "actor1": rng.choice(["Taliban", "TTP", "Islamic State (Afghanistan)", "BLA"], n),
            "actor2": rng.choice(["Civilians", "Police", "Military", ""], n),
            "iso3": iso3,
            "country": prov["country"],
            "admin1": prov["admin1"],
            "admin2": "",
            "location": [f"Village {i % 5000}" for i in range(n)],
            "latitude": (prov["rep_lat"] + rng.uniform(-0.03, 0.03, n)).round(4),
            "longitude": (prov["rep_lon"] + rng.uniform(-0.03, 0.03, n)).round(4),
            "geo_precision": rng.integers(1, 3, n),
            "source": rng.choice(["Dawn", "Pajhwok", "Tolo News", "The News"], n),
            "notes": [f"Synthetic event {i}: a short summary of what happened." for i in range(n)],
            "fatalities": fatalities,
        }
    )
    return frame.to_csv(index=False).encode("utf-8")


def _timed(label: str, fn: Callable[[], Any], times: dict[str, float]) -> Any:
    start = time.perf_counter()
    out = fn()
    times[label] = time.perf_counter() - start
    print(f"  {label:<10} {times[label]:7.2f} s", flush=True)
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rows", type=int, default=100_000)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--no-total", action="store_true", help="skip the end-to-end run")
    args = ap.parse_args()

    data = synthetic_acled(args.rows, args.seed)
    print(f"{args.rows:,} synthetic ACLED rows, {len(data) / 1e6:.1f} MB")
    adm1()  # load the boundaries outside the timings (once per process)
    times: dict[str, float] = {}
    read = _timed("read", lambda: read_csv_bytes(data), times)
    canonical, _ = _timed("canonical", lambda: to_canonical(read.frame, "acled"), times)
    checked = _timed("validate", lambda: validate(canonical), times)
    placed, _ = _timed("geocode", lambda: geocode_rows(checked.valid, None), times)
    joined, _ = _timed("join", lambda: join(placed), times)
    with tempfile.TemporaryDirectory() as tmp:
        store = Store(Path(tmp) / "bench.sqlite", seed=False)
        store.incidents()  # create the tables outside the timing
        result = _timed(
            "store",
            lambda: store.commit(joined, file="bench.csv", sha256="0" * 64, fmt="acled"),
            times,
        )
        stages = sum(times.values())
        back = _timed("read back", store.incidents, times)
    print(f"  {'stages':<10} {stages:7.2f} s  ({result.accepted:,} stored, {len(back):,} read)")
    if not args.no_total:
        with tempfile.TemporaryDirectory() as tmp:
            store = Store(Path(tmp) / "total.sqlite", seed=False)
            store.incidents()
            report = _timed(
                "total", lambda: ingest_bytes(data, "bench.csv", store, fmt="acled"), times
            )
            print(f"  accepted {report.accepted:,}, rejected {report.rejected:,}")


if __name__ == "__main__":
    main()
