"""Time the read side with and without its columnar copy (issue 19).

Usage::

    .venv/bin/python benchmarks/bench_columnar.py [--rows 1000000] [--upload 10000]

The benchmark's synthetic ACLED file (``benchmarks/generate.py``) goes through the
ingest pipeline once (not timed). All but the last ``--upload`` rows are committed
to a new SQLite store; then, in this process:

* the views' table read from SQL (``stored_incidents`` without a copy: what the
  app did after every upload before the copy);
* the first load, which reads SQL and then writes the copy (in a thread, as the app
  does; the write is timed on its own);
* a load with the copy current (the app's cold start);
* after committing the last ``--upload`` rows: the load that extends the table
  the app holds (:class:`geo.views.columnar.Memo`; a new process would extend the
  copy read from its file), then the unfiltered view built from it (together, the
  app ready again after an upload);
* after undoing that upload: the load that trims it.

Each load is checked equal to a fresh read from SQL (outside the timing). Prints
one markdown table; nothing is asserted.
"""

from __future__ import annotations

import argparse
import gc
import os
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent))


def _timed(fn):
    gc.collect()
    start = time.perf_counter()
    out = fn()
    return time.perf_counter() - start, out


def main() -> None:
    import pandas as pd
    from bench_store import _prepared

    from geo.store.core import Store
    from geo.views import columnar
    from geo.views.view import View, _read_all, _views_form

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rows", type=int, default=100_000)
    ap.add_argument("--upload", type=int, default=10_000)
    args = ap.parse_args()

    frame = _prepared(args.rows)
    base, upload = frame.iloc[: -args.upload], frame.iloc[-args.upload :]
    results: list[tuple[str, float, int]] = []
    with tempfile.TemporaryDirectory() as tmp:
        store = Store(str(Path(tmp) / "bench.sqlite"), seed=False)
        store.commit(base, file="base.csv", sha256="0" * 64, fmt="acled")

        writers: list = []
        memo = columnar.Memo()  # the app's: the table it loaded last, extended in memory

        def load() -> pd.DataFrame:
            """As the app loads: the copy is written in a thread after the frame is back."""
            return columnar.load(store, _read_all, _views_form, run=_behind, memo=memo)

        def load_file() -> pd.DataFrame:
            """As a new process loads: from the copy's file."""
            return columnar.load(store, _read_all, _views_form, run=_behind)

        def _behind(job) -> None:
            writers.append(columnar.in_background(job))

        def written() -> float:
            start = time.perf_counter()
            while writers:
                writers.pop().join()
            return time.perf_counter() - start

        def check(got: pd.DataFrame) -> int:
            pd.testing.assert_frame_equal(got, _read_all(store), check_exact=True)
            return len(got)

        s, got = _timed(lambda: _read_all(store))
        results.append(("read from SQL, no copy", s, len(got)))

        last: list[pd.DataFrame] = []

        def got_last() -> pd.DataFrame:
            return last[-1]

        def step(name: str) -> None:
            s, got = _timed(load)
            last.append(got)
            w = written()  # before the check, which reads SQL again
            results.append((name, s, check(got)))
            results.append(("… then writing the copy, in the background", w, len(got)))

        step("first load: read from SQL")
        s, got = _timed(load_file)
        results.append(("cold start: the copy is current", s, check(got)))
        uid = store.commit(upload, file="up.csv", sha256="1" * 64, fmt="acled").upload_id
        step(f"after an upload of {len(upload):,} rows: extend the table held (the app)")
        s, view = _timed(lambda: View.build(got_last(), store.claims()))
        results.append(("… then the view the pages draw from (no filter)", s, len(view.incidents)))
        store.undo(uid)
        step("after undoing it: trim the table held")
        size = os.path.getsize(columnar.copy_path(store))
    print(f"{args.rows:,} rows generated; copy {size / 1e6:.1f} MB (Parquet, LZ4)\n")
    print("| step | wall s | incidents |")
    print("|---|---:|---:|")
    for name, s, n in results:
        print(f"| {name} | {s:.2f} | {n:,} |")


if __name__ == "__main__":
    main()
