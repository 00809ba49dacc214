"""The Map page as the app runs it: every script run timed through Streamlit's AppTest.

Usage::

    .venv/bin/python benchmarks/bench_app.py STORE [--changes 14]

``benchmarks/run.py`` calls :func:`run_app` in its ``app`` part, on the CLI's store
of each size. Unlike the ``map`` part (the page's work called directly), this is
the whole run a browser waits for after it sends a change: the frame (sidebar,
filters, store line) and the Map page with its default layers, through the
app's own caches. Measured, in one process, one new session:

* the first runs of a new session, the default page and then the Map page (the
  store read and everything built once);
* a rerun with nothing changed (a click or a toggle that leaves the filters);
* a new filter, the date range's first day moved one day on, ``--changes``
  times (each a view not seen before). The first ``ui.cache.VIEWS_KEPT`` fill the
  app's cache of views, and the process grows into memory it has not used; after
  that each new view replaces the oldest, in memory just freed. The median of
  each phase is reported, with all runs;
* going back to a filter already seen (the views cached);
* an event-type filter (all types but one, a different one each time, up to four
  times): a mask over the rows rather than a date range, which the incidents'
  date order turns into a slice of rows.

No browser: the deck's JSON is made, not drawn (the ``firstview`` part times
Chromium). Prints JSON; nothing is asserted.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import statistics
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]


def _timed_run(at: Any) -> float:
    start = time.perf_counter()
    at.run()
    wall = time.perf_counter() - start
    if at.exception:
        raise RuntimeError(f"the app failed: {[e.message for e in at.exception]}")
    return wall


def run_app(store: Path, *, changes: int = 14) -> dict[str, Any]:
    """Time the Map page's runs on ``store`` (see the module docstring)."""
    os.environ["ATLAS_DB"] = str(store)
    os.environ.setdefault("ATLAS_ONLINE_TILES", "0")
    sys.path.insert(0, str(ROOT))
    from streamlit.testing.v1 import AppTest

    from ui.cache import VIEWS_KEPT

    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=900)
    start = time.perf_counter()
    at.run()  # the frame and the default page: a new session opens there
    at.switch_page("pages/map.py")
    _timed_run(at)
    first = time.perf_counter() - start
    unchanged = min(_timed_run(at) for _ in range(3))
    lo, hi = at.sidebar.date_input[0].value
    news: list[float] = []
    for i in range(1, changes + 1):
        at.sidebar.date_input[0].set_value((lo + dt.timedelta(days=i), hi))
        news.append(_timed_run(at))
    at.sidebar.date_input[0].set_value((lo + dt.timedelta(days=1), hi))
    seen = _timed_run(at)
    types = next(m for m in at.sidebar.multiselect if m.label == "Event types")
    others: list[float] = []
    for left_out in types.options[: min(4, len(types.options) - 1)]:  # all types but one
        types.set_value([t for t in types.options if t != left_out])
        others.append(_timed_run(at))
        types = next(m for m in at.sidebar.multiselect if m.label == "Event types")
    return {
        "first run": first,
        "rerun, nothing changed": unchanged,
        "new filter": statistics.median(news[:VIEWS_KEPT]),
        "new filter, cache full": statistics.median(news[VIEWS_KEPT:] or [float("nan")]),
        "new filter runs": news,
        "views kept": VIEWS_KEPT,
        "filter seen before": seen,
        "event-type filter": statistics.median(others) if others else float("nan"),
        "event-type filter runs": others,
        "shown": at.caption[0].value if len(at.caption) else "",
    }


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("store", type=Path)
    ap.add_argument("--changes", type=int, default=14)
    args = ap.parse_args(argv)
    print(json.dumps(run_app(args.store, changes=args.changes)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
