"""Probe: how close would preparing a large file in two processes come to 20 s?

An experiment behind a decision recorded in BENCHMARKS.md, not part of the app.
It splits an ACLED file at a row boundary into two halves (each with the
header), prepares each half in its own forked process with
:func:`geo.ingest.pipeline.prepare`, turns the rows into stored values and row hashes,
and writes them into a private staging SQLite file: the work a two-process
ingest would do in parallel. The parent then copies both staging tables into a
new store in one transaction (``INSERT … SELECT``), the part that stays serial.

The sum it prints is a lower bound for such an ingest: it leaves out merging
the halves' reports, checking for incident ids repeated across the halves and
printing the report.

usage: python benchmarks/probe_parallel.py [--rows 1000000]
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import sqlite3
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from run import acled_file  # sets ATLAS_MAX_UPLOAD_MB for the 1M file


def _halves(data: bytes) -> list[bytes]:
    """The file cut at a line end past its middle and outside quotes; the header starts both."""
    header = data[: data.index(b"\n") + 1]
    middle = data.index(b"\n", len(data) // 2)
    while data.count(b'"', 0, middle) % 2:  # inside a quoted field: the next line end
        middle = data.index(b"\n", middle + 1)
    return [data[: middle + 1], header + data[middle + 1 :]]


def _prepare_and_stage(job: tuple[bytes, str]) -> dict[str, Any]:
    from geo.ingest.pipeline import prepare
    from geo.store.storage import (
        COLS_SQL,
        INSERT_CHUNK,
        hash_rows,
        incident_insert,
        storage_columns,
    )

    part, stage = job
    times: dict[str, float] = {}
    t = time.perf_counter()
    prepared = prepare(part, "half.csv")
    times["prepare"] = time.perf_counter() - t
    t = time.perf_counter()
    cols = storage_columns(prepared.frame)
    hashes = hash_rows(cols)
    times["stored values + row hashes"] = time.perf_counter() - t
    t = time.perf_counter()
    with sqlite3.connect(stage) as conn:  # a bare table, inserted into as the store does
        conn.execute("PRAGMA journal_mode = OFF")
        conn.execute(f"CREATE TABLE incidents ({COLS_SQL})")
        for start in range(0, len(hashes), INSERT_CHUNK):
            part = list(range(start, min(start + INSERT_CHUNK, len(hashes))))
            conn.executemany(*incident_insert(cols, hashes, part, "probe"))
    conn.close()
    times["staging table (the store's inserts)"] = time.perf_counter() - t
    return {"rows": len(prepared.frame), "times": times}


def _copy_into_store(db: Path, stages: list[str]) -> int:
    """Both staging tables into a new store's incidents, in one transaction."""
    from geo.store.core import Store
    from geo.store.storage import COLS_SQL

    Store(db, seed=False).version()  # creates the tables
    conn = sqlite3.connect(db, isolation_level=None)
    conn.execute("PRAGMA synchronous = FULL")
    conn.execute("BEGIN IMMEDIATE")
    conn.execute(
        "INSERT INTO uploads (upload_id, created_at) VALUES ('probe', '2026-01-01T00:00:00Z')"
    )
    for i, stage in enumerate(stages):
        conn.execute(f"ATTACH DATABASE ? AS s{i}", (stage,))
    union = " UNION ALL ".join(f"SELECT * FROM s{i}.incidents" for i in range(len(stages)))
    copied = conn.execute(
        f"INSERT INTO incidents ({COLS_SQL}) SELECT {COLS_SQL} FROM ({union}) ORDER BY incident_id"
    ).rowcount
    conn.execute("COMMIT")
    conn.close()
    return copied


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rows", type=int, default=1_000_000)
    args = ap.parse_args(argv)

    start = time.perf_counter()
    from geo.ingest.pipeline import default_gazetteer
    from geo.places.boundaries import _border, _index

    _index(), _border(), default_gazetteer()  # loaded once, shared by both forks
    parts = _halves(acled_file(args.rows).read_bytes())
    setup = time.perf_counter() - start
    with tempfile.TemporaryDirectory() as tmp:
        stages = [str(Path(tmp) / f"stage{i}.sqlite") for i in range(len(parts))]
        t = time.perf_counter()
        with mp.get_context("fork").Pool(len(parts)) as pool:
            halves = pool.map(_prepare_and_stage, list(zip(parts, stages, strict=True)))
        parallel = time.perf_counter() - t
        t = time.perf_counter()
        copied = _copy_into_store(Path(tmp) / "store.sqlite", stages)
        tail = time.perf_counter() - t

    print(f"{args.rows:,} rows in two halves; {copied:,} rows stored")
    print(f"start-up, reading the file, boundaries and gazetteer: {setup:6.2f} s")
    for i, half in enumerate(halves, 1):
        steps = ", ".join(f"{k} {v:.2f} s" for k, v in half["times"].items())
        print(f"  half {i} ({half['rows']:,} rows): {steps}")
    print(f"both halves, in parallel (wall):                      {parallel:6.2f} s")
    print(f"copying both staging tables into the store, commit:   {tail:6.2f} s")
    print(f"sum (a lower bound for a two-process ingest):         {setup + parallel + tail:6.2f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
