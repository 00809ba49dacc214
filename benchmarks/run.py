"""Timed runs of the ingest pipeline, the map page, the snapshot and a plain baseline.

Not a test: nothing is asserted. Prints one markdown table (wall and CPU seconds,
peak memory, rows per second) and the speed of our code as a ratio to a plain
baseline written here (row-by-row geocoding, a point-in-polygon loop, one
INSERT per row).

usage: python benchmarks/run.py [--sizes 10k,100k,1M] [--quick] [--sample 2000] [--repeat 3]
                                [--skip cli,peer,stages,geocode,map,app,snapshot,firstview,baseline,pg]
                                [--out FILE]

Each measurement runs in its own child process (``--worker``), so the peak
memory reported (``ru_maxrss``) belongs to that measurement alone. The whole-CLI
ingest runs ``--repeat`` times per size (the median run is reported, with the
range), because one run on a shared machine can be 10% off. Input files
come from ``benchmarks/generate.py`` and are cached under ``benchmarks/out/``.
A million ACLED rows is about 240 MB, over the default upload limit of 200 MB:
the runs set ``ATLAS_MAX_UPLOAD_MB=1024``.

The ``pg`` part runs the same whole-CLI ingest into PostgreSQL + PostGIS (a
server started from Debian's packages in a temporary folder, as the tests
do; a new database per run) and the map page's work on what it stored: the
median of ``--repeat`` runs up to 100k rows, one run above.

The ``firstview`` part (``benchmarks/bench_firstview.py``) opens every page in
headless Chromium and times its first meaningful content: on a new seed store,
and on the CLI's store of each size up to 100k.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
OUT = HERE / "out"
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))  # pgserver: the throw-away PostgreSQL server

ENV = {**os.environ, "ATLAS_MAX_UPLOAD_MB": "1024", "ATLAS_ONLINE_GEOCODING": "0"}
os.environ.update({k: ENV[k] for k in ("ATLAS_MAX_UPLOAD_MB", "ATLAS_ONLINE_GEOCODING")})


# --------------------------------------------------------------------------- helpers


def _size(text: str) -> int:
    text = text.strip().lower().replace("_", "")
    mult = {"k": 1_000, "m": 1_000_000}.get(text[-1:], 1)
    return int(float(text.rstrip("km")) * mult)


def _label(n: int) -> str:
    return f"{n // 1_000_000}M" if n >= 1_000_000 else f"{n // 1000}k" if n >= 1000 else str(n)


def _rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


class _Clock:
    """Wall and CPU seconds of named steps."""

    def __init__(self) -> None:
        self.steps: dict[str, dict[str, float]] = {}

    def __call__(self, name: str, fn: Callable[[], Any]) -> Any:
        w, c = time.perf_counter(), time.process_time()
        out = fn()
        self.steps[name] = {
            "wall": time.perf_counter() - w,
            "cpu": time.process_time() - c,
            "rss_mb": _rss_mb(),
        }
        return out


def acled_file(rows: int, names_only: float = 0.10) -> Path:
    """The cached synthetic ACLED file of ``rows`` rows (generated on first use)."""
    from generate import write

    tag = "" if names_only == 0.10 else f"_names{int(names_only * 100)}"
    path = OUT / f"acled_{rows}{tag}.csv"
    if not path.exists():
        print(f"generating {path.name} …", file=sys.stderr, flush=True)
        write(rows, path, names_only=names_only)
    return path


# --------------------------------------------------------------------------- workers


def _w_stages(args: argparse.Namespace) -> dict[str, Any]:
    """Each ingest stage in turn, in this process, into a new store."""
    import gc

    from geo.ingest.formats import to_canonical
    from geo.ingest.pipeline import _join, default_gazetteer
    from geo.ingest.reader import read_csv_bytes
    from geo.ingest.validate import validate
    from geo.places.boundaries import _border, _index
    from geo.places.geocode import geocode_rows
    from geo.store.core import Store

    gc.disable()  # as geo.ingest.pipeline.prepare and commit run (see geo.ingest.upload.gc_paused)
    clock = _Clock()
    clock("load boundaries + gazetteer", lambda: (_index(), _border(), default_gazetteer()))
    data = Path(args.file).read_bytes()
    read = clock("read", lambda: read_csv_bytes(data))
    canonical, _ = clock("canonical", lambda r=read: to_canonical(r.frame, "acled"))
    del read
    checked = clock("validate", lambda c=canonical: validate(c))
    del canonical
    placed, _ = clock("geocode", lambda c=checked: geocode_rows(c.valid, default_gazetteer()))
    del checked
    placed = placed.dropna(subset=["latitude", "longitude"]).reset_index(drop=True)
    joined, _ = clock("join", lambda p=placed: _join(p))
    del placed
    store = Store(Path(args.db), seed=False)
    store.version()
    clock("store", lambda: store.commit(joined, file="bench.csv", sha256="0" * 64, fmt="acled"))
    return {"steps": clock.steps, "rows": len(joined), "rss_mb": _rss_mb()}


def _w_geocode(args: argparse.Namespace) -> dict[str, Any]:
    """geocode_rows on rows with place names only (the gazetteer loaded first)."""
    from geo.ingest.formats import to_canonical
    from geo.ingest.reader import read_csv_bytes
    from geo.ingest.validate import validate
    from geo.places.gazetteer import Gazetteer
    from geo.places.geocode import geocode_rows

    clock = _Clock()
    valid = validate(to_canonical(read_csv_bytes(Path(args.file).read_bytes()).frame)[0]).valid
    gaz = clock("gazetteer load", Gazetteer.load)
    out, _ = clock("geocode_rows", lambda: geocode_rows(valid, gaz))
    names = int(valid["location"].nunique())
    return {
        "steps": clock.steps,
        "rows": len(valid),
        "names": names,
        "placed": int(out["latitude"].notna().sum()),
    }


def _map_frame(db: str) -> Any:
    """The stored incidents as the app caches them (ui.cache._incidents)."""
    from geo.store.core import Store
    from geo.views.view import stored_incidents

    return stored_incidents(Store(db, seed=False))


def _page_work(df: Any, filters: Any, basemap: list[Any]) -> tuple[Any, int]:
    """What a filter change costs the map page: the View (ui.cache.current_view), then
    the page's figures and layers; returns the view's incidents and the deck's JSON size."""
    from geo.views import summaries
    from geo.views.view import View

    view = View.build(df, None, filters).incidents
    summaries.headline(view)
    shade = summaries.breakdown(view, "province")
    return view, _deck_size(view, shade, basemap)


def _deck_size(view: Any, shade: Any, basemap: list[Any]) -> int:
    """The Map page's deck (basemap, names, choropleth, claimed presence of the curated
    ledger, incidents, scale bar) as JSON bytes; every layer on, as the heaviest page."""
    from geo.config import DATA_DIR
    from geo.ingest.seed import read_curated_claims
    from geo.places.boundaries import adm0_simplified, adm1_simplified
    from geo.views import layers
    from geo.views.layers_presence import presence_layer
    from geo.views.mapview import FRONTIER
    from geo.views.presence import presence_states

    states = presence_states(read_curated_claims(DATA_DIR / "claims.csv"))
    chosen = [
        *basemap,
        layers.choropleth_layer(adm1_simplified(), shade, "incidents"),
        presence_layer(adm0_simplified(), adm1_simplified(), states),
        *layers.incident_layers(view),
        *layers.scale_bar_layers(FRONTIER),
    ]
    return len(layers.deck(chosen, view=FRONTIER, zoom_buttons=True).to_json())


def _window_step(base: Any, window: Any, basemap: list[Any]) -> int:
    """One step of the time slider (or of play): the cached view of the other filters
    masked to the window (ui.cache._windowed), then the page's layers; the deck's JSON size."""
    from geo.views import summaries
    from geo.views.timewindow import in_window
    from geo.views.view import View

    kept = base.incidents[in_window(base.incidents["event_date"], window)]
    view = View.build(kept, None, base.filters.with_(window=window), filtered=True).incidents
    return _deck_size(view, summaries.breakdown(view, "province"), basemap)


def _w_map(args: argparse.Namespace) -> dict[str, Any]:
    """The map page's work after a filter change, on a store of N incidents."""
    from geo.ingest.pipeline import default_gazetteer
    from geo.places.boundaries import adm0_simplified, adm1_simplified, border_line
    from geo.views import layers
    from geo.views.query import Filters

    clock = _Clock()
    df = clock("load store (cached per version)", lambda: _map_frame(args.db))
    names = layers.label_layer(adm1_simplified(), layers.place_table(default_gazetteer().places()))
    basemap = [
        *layers.basemap_layers(adm0_simplified(), adm1_simplified(), border_line(), labels=False),
        names,
    ]
    _page_work(df.head(100), Filters(), basemap)  # warm imports and caches
    out: dict[str, Any] = {"rows": len(df)}
    import datetime as dt

    from geo.views.timewindow import TimeWindow
    from geo.views.view import View

    filters = Filters(countries=("AFG", "PAK"), date_from=dt.date(2018, 1, 1))
    view, size = clock("filter change", lambda: _page_work(df, filters, basemap))
    out["filtered"] = len(view)
    out["payload"] = {"all": size}
    base = View.build(df, None, filters)  # cached by the app per filters
    days = base.incidents["event_date"].dropna()
    if len(days):
        month = TimeWindow.containing(days.max().date(), "month")
        out["window_payload"] = clock(
            "window step (play)", lambda: _window_step(base, month, basemap)
        )
    for n in (1_000, 100_000):
        if len(df) >= n:
            _, out["payload"][_label(n)] = _page_work(df.head(n), Filters(), basemap)
    out["steps"] = clock.steps
    return out


def _w_snapshot(args: argparse.Namespace) -> dict[str, Any]:
    """A PNG snapshot of every stored incident, rendered from its View (as the CLI does)."""
    from geo.store.core import Store
    from geo.views import cartography, outputs
    from geo.views.view import View

    clock = _Clock()
    store = Store(args.db, seed=False)
    cartography.default_basemap()
    view = clock("view", lambda: View.from_store(store))
    png = clock("snapshot png", lambda: outputs.render(view, "png"))
    return {"steps": clock.steps, "rows": len(view.incidents), "bytes": len(png)}


def _w_baseline(args: argparse.Namespace) -> dict[str, Any]:
    from baseline import run_baseline

    return run_baseline(Path(args.file), args.sample, Path(args.db))


def _w_peer(args: argparse.Namespace) -> dict[str, Any]:
    """The plain pandas + geopandas.sjoin + to_sql script (benchmarks/peer.py)."""
    from peer import run_peer

    return run_peer(Path(args.file), Path(args.db))


def _w_app(args: argparse.Namespace) -> dict[str, Any]:
    """The Map page's script runs through the app's caches (benchmarks/bench_app.py)."""
    from bench_app import run_app

    return run_app(Path(args.db))


def _w_firstview(args: argparse.Namespace) -> dict[str, Any]:
    """Every page's first meaningful content in Chromium (benchmarks/bench_firstview.py)."""
    from bench_firstview import run_firstview

    return run_firstview(Path(args.db), repeat=min(max(args.repeat, 1), 3))


WORKERS = {
    "app": _w_app,
    "firstview": _w_firstview,
    "peer": _w_peer,
    "stages": _w_stages,
    "geocode": _w_geocode,
    "map": _w_map,
    "snapshot": _w_snapshot,
    "baseline": _w_baseline,
}


def _run_child(cmd: list[str]) -> tuple[bytes, bytes, Any, int, float]:
    """Run ``cmd``; return stdout, stderr, its own rusage (os.wait4), exit code, wall s."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        w = time.perf_counter()
        proc = subprocess.Popen(cmd, stdout=out, stderr=err, env=ENV, cwd=ROOT)
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - w
        proc.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        return out.read(), err.read(), usage, proc.returncode, wall


def _spawn(kind: str, **kw: Any) -> dict[str, Any]:
    """Run one worker in a child process; add its peak RSS and CPU from wait4."""
    cmd = [sys.executable, str(Path(__file__)), "--worker", kind]
    for k, v in kw.items():
        cmd += [f"--{k}", str(v)]
    out, err, usage, code, wall = _run_child(cmd)
    result: dict[str, Any] = {
        "wall": wall,
        "cpu": usage.ru_utime + usage.ru_stime,
        "rss_mb": usage.ru_maxrss / 1024,
        "exit": code,
    }
    try:
        result.update(json.loads(out.decode().strip().splitlines()[-1]))
    except (ValueError, IndexError):
        result["error"] = err.decode()[-2000:]
        print(f"worker {kind} failed:\n{result['error']}", file=sys.stderr)
    return result


def _cli(path: Path, db: Path | str) -> dict[str, Any]:
    """``python -m geo ingest FILE --db NEW`` with its peak RSS and CPU (os.wait4)."""
    cmd = [sys.executable, "-m", "geo", "ingest", str(path), "--db", str(db)]
    out, err, usage, code, wall = _run_child(cmd)
    try:
        report = json.loads(out or b"{}")
    except ValueError:
        report = {}
    if code:
        print(f"CLI ingest exited {code}:\n{err.decode()[-2000:]}", file=sys.stderr)
    return {
        "wall": wall,
        "cpu": usage.ru_utime + usage.ru_stime,
        "rss_mb": usage.ru_maxrss / 1024,
        "exit": code,
        "accepted": report.get("accepted"),
        "rejected": report.get("rejected"),
    }


# --------------------------------------------------------------------------- table

from report_table import render_table  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", default="10k,100k,1M")
    ap.add_argument("--quick", action="store_true", help="10k and 100k only")
    ap.add_argument("--sample", type=int, default=2000, help="rows for the plain baseline")
    ap.add_argument("--skip", default="", help="comma-separated parts to skip")
    ap.add_argument("--out", type=Path, help="also write the table (markdown) here")
    ap.add_argument(
        "--repeat", type=int, default=3, help="CLI ingests per size; the median run is reported"
    )
    ap.add_argument("--worker", choices=sorted(WORKERS), help=argparse.SUPPRESS)
    ap.add_argument("--file", help=argparse.SUPPRESS)
    ap.add_argument("--db", help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.worker:
        print(json.dumps(WORKERS[args.worker](args)))
        return 0

    sizes = [_size(s) for s in args.sizes.split(",") if s.strip()]
    if args.quick:
        sizes = [s for s in sizes if s <= 100_000] or [10_000, 100_000]
    skip = {s.strip() for s in args.skip.split(",") if s.strip()}
    results: dict[str, Any] = {"sizes": sizes, "load": os.getloadavg()}
    tmp = Path(tempfile.mkdtemp(prefix="atlas-bench-"))
    for n in sizes:
        path = acled_file(n)
        label = _label(n)
        db = tmp / f"cli_{n}.sqlite"
        if "cli" not in skip:
            runs = []
            for i in range(max(args.repeat, 1)):
                _progress(f"CLI ingest {label}, run {i + 1} of {max(args.repeat, 1)}")
                db.unlink(missing_ok=True)
                runs.append(_cli(path, db))
            results[f"cli:{n}"] = _median_run(runs)
        if "peer" not in skip:
            _progress(f"plain peer script {label}")
            results[f"peer:{n}"] = _spawn("peer", file=path, db=tmp / f"peer_{n}.sqlite")
        if "stages" not in skip:
            _progress(f"stages {label}")
            results[f"stages:{n}"] = _spawn("stages", file=path, db=tmp / f"st_{n}.sqlite")
        if db.exists() and "map" not in skip:
            _progress(f"map page {label}")
            results[f"map:{n}"] = _spawn("map", db=db)
        if db.exists() and "app" not in skip:
            _progress(f"map page in the app, {label} stored")
            results[f"app:{n}"] = _spawn("app", db=db)
        if db.exists() and "snapshot" not in skip:
            _progress(f"snapshot {label}")
            results[f"snapshot:{n}"] = _spawn("snapshot", db=db)
        if db.exists() and "firstview" not in skip and n <= 100_000:
            _progress(f"first view of every page, {label} stored")
            results[f"firstview:{n}"] = _spawn("firstview", db=db, repeat=args.repeat)
    if "firstview" not in skip:
        from bench_firstview import seed_store

        _progress("first view of every page, seed store")
        seeded = seed_store(tmp / "seed.sqlite")
        results["firstview:seed"] = _spawn("firstview", db=seeded, repeat=args.repeat)
    if "geocode" not in skip:
        _progress("geocode 100k names-only rows")
        results["geocode"] = _spawn("geocode", file=acled_file(100_000, names_only=1.0))
    if "baseline" not in skip:
        _progress(f"plain baseline on {args.sample:,} rows")
        results["baseline"] = _spawn(
            "baseline", file=acled_file(sizes[0]), db=tmp / "base.sqlite", sample=args.sample
        )
    if "pg" not in skip:
        _pg_part(args, sizes, skip, results)
    results["load_after"] = os.getloadavg()
    table = render_table(results)
    print(table)
    if args.out:
        args.out.write_text(table + "\n", encoding="utf-8")
    return 0


def _pg_part(
    args: argparse.Namespace, sizes: list[int], skip: set[str], results: dict[str, Any]
) -> None:
    """The CLI ingest into PostgreSQL and the map page's work on what it stored."""
    from pgserver import PgServer, find_bindir

    bindir = find_bindir()
    if bindir is None:
        print("no PostgreSQL with PostGIS here: the pg part is skipped", file=sys.stderr)
        return
    server = PgServer(bindir).init().start()
    try:
        server.make_template()
        for n in sizes:
            path, label = acled_file(n), _label(n)
            runs, url = [], None
            repeat = max(args.repeat, 1) if n <= 100_000 else 1
            for i in range(repeat):
                _progress(f"CLI ingest {label} into PostgreSQL, run {i + 1} of {repeat}")
                if url is not None:
                    server.drop_database(url)
                url = server.new_database(f"cli{n}")
                runs.append(_cli(path, url))
            results[f"pgcli:{n}"] = _median_run(runs)
            if "map" not in skip and url is not None:
                _progress(f"map page {label} from PostgreSQL")
                results[f"pgmap:{n}"] = _spawn("map", db=url)
            if url is not None:
                server.drop_database(url)
    finally:
        server.remove()


def _median_run(runs: list[dict[str, Any]]) -> dict[str, Any]:
    """The run with the median wall time, with every run's wall time under ``walls``."""
    ordered = sorted(runs, key=lambda run: run["wall"])
    return {**ordered[(len(ordered) - 1) // 2], "walls": [run["wall"] for run in ordered]}


def _progress(text: str) -> None:
    print(f"… {text}  (load {os.getloadavg()[0]:.1f})", file=sys.stderr, flush=True)


if __name__ == "__main__":
    sys.exit(main())
