"""Time each page's first meaningful content in headless Chromium (issue 17 item 10).

Not a test: nothing is asserted. For one store, a ``streamlit run app.py`` server
on a copy of it, and Chromium with the browser tests' flags (``tests/e2e/conftest.py``):

- *warm server*: the server answers one page first (not counted), then every page
  is opened ``--repeat`` times, each in a fresh browser context (a new Streamlit
  session and an empty browser cache); the median is reported;
- *cold server* (unless ``--no-cold``): for each page a new server process whose
  very first request is that page (imports, the store's first read and the
  process-wide caches included).

What "first meaningful content" is for each page, and how the browser times it,
is in ``tests/e2e/firstview.py`` (shared with ``tests/e2e/test_e2e_firstview.py``).

usage: python benchmarks/bench_firstview.py [--db STORE] [--rows 100000] [--repeat 3] [--no-cold]

Without ``--db``: a new seed store, and with ``--rows N`` also a store of the seed
plus N generated ACLED rows (``python -m geo ingest`` of ``generate.py``'s file).
``benchmarks/run.py`` runs it as its ``firstview`` part.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
for _p in (HERE, ROOT, ROOT / "tests", ROOT / "tests" / "e2e"):
    sys.path.insert(0, str(_p))


def _e2e() -> Any:
    """tests/e2e/conftest.py (its servers and browser flags), by path: tests/conftest.py
    has the same module name."""
    spec = importlib.util.spec_from_file_location("e2e_conftest", ROOT / "tests/e2e/conftest.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


TIMEOUT_MS = 120_000  # a hang guard for the measurement, not a target
TARGETS_S = {"seed": 3.0, "100k": 5.0}  # issue 17 item 10


def _server(workdir: Path, db: Path) -> Any:
    """A started app server (tests/e2e/conftest.AppServer) on a copy of ``db``."""
    workdir.mkdir(parents=True, exist_ok=True)
    server = _e2e().AppServer(workdir.name, workdir)
    shutil.copyfile(db, server.db)
    server.start(timeout=180)
    return server


def run_firstview(db: Path, repeat: int = 3, cold: bool = True) -> dict[str, Any]:
    """Time every page on the store ``db``; see the module's docstring.

    Returns
    -------
    dict
        ``warm``: per page the medians (ms) and runs (``firstview.summarise``);
        ``cold``: per page one run as the server's first request; ``stored``: incidents.
    """
    from firstview import PAGES, open_timed, summarise
    from playwright.sync_api import sync_playwright

    from geo.store.core import Store

    stored = len(Store(str(db), seed=False).incidents())
    tmp = Path(tempfile.mkdtemp(prefix="atlas-firstview-"))
    out: dict[str, Any] = {"stored": stored, "repeat": repeat, "load": os.getloadavg()}
    try:
        with sync_playwright() as pw:
            e2e = _e2e()
            browser = pw.chromium.launch(
                executable_path=e2e.chromium_path(), args=e2e.CHROMIUM_FLAGS
            )

            def timed(url: str, spec: Any) -> Any:
                ctx = browser.new_context(viewport=e2e.VIEWPORT)
                try:
                    return open_timed(ctx, url, spec, TIMEOUT_MS)
                finally:
                    ctx.close()

            server = _server(tmp / "warm", db)
            try:
                timed(server.url, PAGES[-1])  # the server's first request: not counted
                runs = [timed(server.url, spec) for _ in range(repeat) for spec in PAGES]
            finally:
                server.stop()
            out["warm"] = summarise(runs)
            if cold:
                firsts = []
                for spec in PAGES:
                    server = _server(tmp / f"cold-{spec.path or 'overview'}", db)
                    try:
                        firsts.append(timed(server.url, spec))
                    finally:
                        server.stop()
                out["cold"] = summarise(firsts)
            browser.close()
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    out["load_after"] = os.getloadavg()
    return out


def markdown(results: dict[str, dict[str, Any]]) -> str:
    """One table per store: content shown and page settled, warm and cold (seconds)."""
    from firstview import PAGES

    what = {p.name: p.what for p in PAGES}
    lines: list[str] = []
    for label, r in results.items():
        if "warm" not in r:
            lines += [f"{label}: not measured ({r.get('error', 'no result')[-300:]})", ""]
            continue
        target = TARGETS_S.get(label)
        cold = r.get("cold", {})
        lines += [
            f"**{label}** ({r['stored']:,} incidents stored; median of {r['repeat']} fresh "
            f"sessions on a warm server; load {r['load'][0]:.1f} → {r['load_after'][0]:.1f})",
            "",
            "| page | first meaningful content | element in page s | content shown s "
            "| page settled s | cold server: content shown s | runs, content shown s |",
            "|---|---|---:|---:|---:|---:|---|",
        ]
        for name, row in r["warm"].items():
            shown = row["content_ms"] / 1000
            mark = f" **over {target:g} s**" if target is not None and shown > target else ""
            c = cold.get(name)
            cold_s = "–" if c is None else f"{c['content_ms'] / 1000:.2f}"
            runs = ", ".join(f"{x['content_ms'] / 1000:.2f}" for x in row["runs"])
            lines.append(
                f"| {name} | {what.get(name, '')} | {row['element_ms'] / 1000:.2f} | "
                f"{shown:.2f}{mark} | {row['done_ms'] / 1000:.2f} | "
                f"{cold_s} | {runs} |"
            )
        lines.append("")
    return "\n".join(lines)


def seed_store(path: Path) -> Path:
    """A new store at ``path`` seeded from data/ (as the app's first start does)."""
    from geo.ingest.seed import open_store

    open_store(str(path)).uploads()  # the seed runs on first use
    return path


def ingested_store(path: Path, rows: int) -> Path:
    """The seed plus ``rows`` generated ACLED rows, through ``python -m geo ingest``."""
    from run import ENV, acled_file

    cmd = [sys.executable, "-m", "geo", "ingest", str(acled_file(rows)), "--db", str(path)]
    subprocess.run(cmd, check=True, cwd=ROOT, env=ENV, stdout=subprocess.DEVNULL)
    return path


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--db", type=Path, help="time this store only (default: seed, then --rows)")
    ap.add_argument("--rows", type=int, default=100_000, help="generated rows (0: seed only)")
    ap.add_argument("--repeat", type=int, default=3, help="fresh sessions per page, warm server")
    ap.add_argument("--no-cold", action="store_true", help="skip the cold-server runs")
    ap.add_argument("--json", type=Path, default=HERE / "out" / "firstview.json")
    args = ap.parse_args(argv)
    from run import _label

    tmp = Path(tempfile.mkdtemp(prefix="atlas-firstview-stores-"))
    stores: dict[str, Path] = {}
    if args.db is not None:
        stores[args.db.name] = args.db
    else:
        stores["seed"] = seed_store(tmp / "seed.sqlite")
        if args.rows:
            stores[_label(args.rows)] = ingested_store(tmp / "big.sqlite", args.rows)
    results = {}
    for label, db in stores.items():
        t = time.perf_counter()
        print(f"… first view, {label} store", file=sys.stderr, flush=True)
        results[label] = run_firstview(db, args.repeat, cold=not args.no_cold)
        print(f"  {time.perf_counter() - t:.0f} s", file=sys.stderr, flush=True)
    shutil.rmtree(tmp, ignore_errors=True)
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(results, indent=1), encoding="utf-8")
    print(markdown(results))
    return 0


if __name__ == "__main__":
    sys.exit(main())
