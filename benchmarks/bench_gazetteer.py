"""Benchmark of the offline gazetteer and of row geocoding (not a test).

Run: ``.venv/bin/python benchmarks/bench_gazetteer.py [--seed N]``

Prints:

* the time of ``Gazetteer.load()`` (first call in the process, which includes
  reading GeoNames and the boundaries, and a second call);
* 10,000 look-ups of 1,000 distinct names on a freshly loaded gazetteer
  (target: under 1 s). The names are a deterministic mix drawn from the
  gazetteer itself: about half main names, a quarter alternate spellings
  rewritten the way files write them (diacritics dropped, hyphens/spaces
  changed, "e"/"i" connectors swapped), 15% misspelt (a letter dropped,
  doubled or swapped) and 10% names that exist nowhere;
* ``geocode_rows`` on 100,000 rows with no coordinates naming about 2,000
  distinct (location, admin1) pairs (half the named rows also give the
  place's province), some rows with only a province or nothing usable
  (target: 3 s or less, issue 9).
"""

from __future__ import annotations

import argparse
import random
import time

import numpy as np
import pandas as pd
from anyascii import anyascii

from geo.places.gazetteer import Gazetteer
from geo.places.geocode import geocode_rows


def _misspell(name: str, rng: random.Random) -> str:
    if len(name) < 5:
        return name + name[-1]
    i = rng.randrange(1, len(name) - 1)
    op = rng.choice(["drop", "double", "swap"])
    if op == "drop":
        return name[:i] + name[i + 1 :]
    if op == "double":
        return name[:i] + name[i] + name[i:]
    return name[: i - 1] + name[i] + name[i - 1] + name[i + 1 :]


def _variant(name: str, rng: random.Random) -> str:
    text = anyascii(name)
    swaps = [("-e ", " i "), ("-e-", "-i-"), (" ", "-"), ("-", " "), ("ee", "i"), ("i", "ee")]
    old, new = rng.choice(swaps)
    return text.replace(old, new, 1)


def _unknown(rng: random.Random) -> str:
    syll = ["ka", "zo", "ri", "mun", "tal", "qex", "vor", "bly", "gup", "sna"]
    return " ".join("".join(rng.choice(syll) for _ in range(3)).title() for _ in range(2))


def distinct_names(gaz: Gazetteer, n: int = 1000, seed: int = 7) -> list[str]:
    """A deterministic, realistic mix of ``n`` distinct query names."""
    rng = random.Random(seed)
    recs = [r for r in gaz._recs if r.name.isascii() or anyascii(r.name)]
    rng.shuffle(recs)
    out: list[str] = []
    i = 0
    while len(out) < n:
        rec = recs[i % len(recs)]
        i += 1
        roll = rng.random()
        if roll < 0.5:
            name = anyascii(rec.name)
        elif roll < 0.75:
            alts = [a for a in rec.names if a.isascii() or rng.random() < 0.2]
            name = _variant(rng.choice(alts or rec.names), rng)
        elif roll < 0.9:
            name = _misspell(anyascii(rec.name), rng)
        else:
            name = _unknown(rng)
        if name and name not in out:
            out.append(name)
    return out


def bench_lookups(names: list[str], total: int = 10_000, seed: int = 7) -> dict[str, float]:
    rng = np.random.default_rng(seed)
    weights = 1.0 / np.arange(1, len(names) + 1)
    queries = rng.choice(names, size=total, p=weights / weights.sum())
    queries[: len(names)] = names  # every distinct name is asked at least once
    gaz = Gazetteer.load()  # fresh instance: empty look-up cache
    t = time.perf_counter()
    found = sum(1 for q in queries if gaz.lookup(str(q)))
    elapsed = time.perf_counter() - t
    return {"seconds": elapsed, "queries": float(total), "found": float(found)}


def bench_rows(gaz: Gazetteer, names: list[str], n_rows: int = 100_000, seed: int = 7) -> dict:
    """Rows naming ``names``; half of them also give the place's province (as
    files usually do), a few give only a province or nothing at all."""
    rng = np.random.default_rng(seed)
    keys: list[tuple[str | None, str | None]] = []
    for i, nm in enumerate(names):
        top = gaz.lookup(nm)
        keys.append((nm, top[0].admin1 if top and i % 2 else None))
    provinces = ["Balkh", "Kunduz", "NWFP", "Baluchistan", "Nangarhar", "Sind"]
    keys += [(None, p) for p in provinces] + [(None, None)]
    pick = rng.integers(0, len(keys), size=n_rows)
    df = pd.DataFrame(
        {
            "location": [keys[k][0] for k in pick],
            "admin2": None,
            "admin1": [keys[k][1] for k in pick],
            "country": None,
            "country_code": None,
            "latitude": np.nan,
            "longitude": np.nan,
            "geo_precision": pd.array([pd.NA] * n_rows, dtype="Int64"),
            "geocode_source": None,
            "qa_flags": None,
            "_line": np.arange(2, n_rows + 2),
        }
    )
    distinct = len(set(keys))
    t = time.perf_counter()
    out, issues = geocode_rows(df, gaz, online=False)
    elapsed = time.perf_counter() - t
    return {
        "seconds": elapsed,
        "rows": n_rows,
        "distinct": distinct,
        "placed": int(out["latitude"].notna().sum()),
        "issues": len(issues),
        "by_source": out["geocode_source"].value_counts(dropna=False).to_dict(),
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seed", type=int, default=7)
    args = ap.parse_args()

    t = time.perf_counter()
    gaz = Gazetteer.load()
    first = time.perf_counter() - t
    t = time.perf_counter()
    Gazetteer.load()
    second = time.perf_counter() - t
    print(f"Gazetteer.load(): first {first:.2f} s, again {second:.2f} s; {len(gaz)} places")
    print("  places by source:", gaz.counts())

    names = distinct_names(gaz, 1000, args.seed)
    r = bench_lookups(names, 10_000, args.seed)
    print(
        f"10,000 look-ups of 1,000 distinct names: {r['seconds']:.3f} s "
        f"({r['found']:.0f} answered; target < 1 s)"
    )
    rows = bench_rows(gaz, distinct_names(gaz, 1990, args.seed + 1), 100_000, args.seed)
    print(
        f"geocode_rows, {rows['rows']:,} rows / {rows['distinct']} distinct places: "
        f"{rows['seconds']:.3f} s (target <= 3 s); placed {rows['placed']:,}, "
        f"{rows['issues']:,} issues"
    )
    print("  geocode_source:", rows["by_source"])


if __name__ == "__main__":
    main()
