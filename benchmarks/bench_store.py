"""Time the store on both back ends: one commit, the full read, and filtered reads.

Usage::

    .venv/bin/python benchmarks/bench_store.py [--rows 100000] [--pg-url URL] [--repeat 3]

The rows are the benchmark's synthetic ACLED file (``benchmarks/generate.py``)
run through the ingest pipeline once (``geo.ingest.pipeline.prepare``, not timed). Then,
for SQLite (a new file) and PostgreSQL (a new database on a server this script
starts from Debian's packages, as the tests do, unless ``--pg-url`` names an
empty database): ``Store.commit`` of all rows, ``Store.incidents()`` (the full
read), and for each filter the read with the filter run as SQL
(``Store.incidents(StoreFilter)``) against the full read followed by
``StoreFilter.apply``. Each timing is the median of ``--repeat`` runs; nothing
is asserted. Prints one markdown table.
"""

from __future__ import annotations

import argparse
import datetime as dt
import gc
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent))
sys.path.insert(0, str(HERE.parent / "tests"))

from geo.store.storefilter import StoreFilter  # noqa: E402

FILTERS: dict[str, StoreFilter] = {
    "one province, one year (narrow)": StoreFilter(
        admin1=("PK-KP",), date_from=dt.date(2022, 1, 1), date_to=dt.date(2022, 12, 31)
    ),
    "a box around Peshawar (narrow)": StoreFilter(bbox=(71.0, 33.5, 72.0, 34.5)),
    "Pakistan": StoreFilter(countries=("PAK",)),
    "both countries since 2018": StoreFilter(
        countries=("AFG", "PAK"), date_from=dt.date(2018, 1, 1)
    ),
}


def _median(fn: Callable[[], Any], repeat: int) -> tuple[float, Any]:
    times, out = [], None
    for _ in range(repeat):
        gc.collect()
        start = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times), out


def _prepared(rows: int) -> Any:
    from run import acled_file

    from geo.ingest.pipeline import prepare

    path = acled_file(rows)
    prepared = prepare(path.read_bytes(), path.name, fmt="acled")
    return prepared.frame.drop(columns="_line", errors="ignore")


def bench(url: str, frame: Any, repeat: int) -> dict[str, Any]:
    """Commit ``frame`` into the empty store at ``url``, then time the reads."""
    from geo.store.core import Store

    store = Store(url, seed=False)
    store.version()  # tables made outside the timing
    gc.disable()
    start = time.perf_counter()
    store.commit(frame, file="bench.csv", sha256="0" * 64, fmt="acled")
    commit_s = time.perf_counter() - start
    gc.enable()
    out: dict[str, Any] = {"commit": commit_s}
    out["read all"], everything = _median(store.incidents, repeat)
    out["rows"] = len(everything)
    for name, where in FILTERS.items():
        sql_s, got = _median(lambda w=where: store.incidents(w), repeat)
        load_s, _ = _median(lambda w=where: w.apply(store.incidents()), repeat)
        out[name] = (sql_s, load_s, len(got))
    store.engine.dispose()
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rows", type=int, default=100_000)
    ap.add_argument("--pg-url", help="an empty PostgreSQL database (default: start a server)")
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--skip-sqlite", action="store_true")
    args = ap.parse_args()

    frame = _prepared(args.rows)
    results: dict[str, dict[str, Any]] = {}
    if not args.skip_sqlite:
        with tempfile.TemporaryDirectory() as tmp:
            results["SQLite"] = bench(str(Path(tmp) / "bench.sqlite"), frame, args.repeat)
    server = None
    url = args.pg_url
    if url is None:
        from pgserver import PgServer, find_bindir

        bindir = find_bindir()
        if bindir is not None:
            server = PgServer(bindir).init().start()
            server.make_template()
            url = server.new_database("bench")
    try:
        if url is not None:
            results["PostgreSQL"] = bench(url, frame, args.repeat)
    finally:
        if server is not None:
            server.remove()
    print(_table(results, len(frame)))


def _table(results: dict[str, dict[str, Any]], n: int) -> str:
    names = list(results)
    lines = [
        f"Store, {n:,} prepared rows (median s)",
        "",
        "| step | " + " | ".join(names) + " |",
        "|---|" + "---:|" * len(names),
    ]
    for step in ("commit", "read all"):
        lines.append(f"| {step} | " + " | ".join(f"{results[b][step]:.2f}" for b in names) + " |")
    for name in FILTERS:
        cells = []
        for b in names:
            sql_s, load_s, kept = results[b][name]
            cells.append(f"{sql_s:.2f} SQL / {load_s:.2f} load+filter ({kept:,} rows)")
        lines.append(f"| {name} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


if __name__ == "__main__":
    main()
