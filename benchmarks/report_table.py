"""The markdown table printed by benchmarks/run.py."""

from __future__ import annotations

import os
import platform
from typing import Any

STAGES = ["read", "canonical", "validate", "geocode", "join", "store"]


def _label(n: int) -> str:
    return f"{n // 1_000_000}M" if n >= 1_000_000 else f"{n // 1000}k" if n >= 1000 else str(n)


def _s(x: float | None) -> str:
    return "–" if x is None else f"{x:.2f}"


def _mb(x: float | None) -> str:
    return "–" if x is None else f"{x:,.0f}"


def _kb(n: int | None) -> str:
    return "–" if n is None else f"{n / 1024:,.0f} KB" if n < 1024 * 1024 else f"{n / 2**20:.1f} MB"


def machine() -> str:
    """One line: CPU model, cores, memory, Python."""
    model = "unknown CPU"
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as fh:
            model = next(ln.split(":", 1)[1].strip() for ln in fh if ln.startswith("model name"))
    except (OSError, StopIteration):
        pass
    mem = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    return f"{model}, {os.cpu_count()} cores, {mem:.0f} GB RAM, Python {platform.python_version()}"


def render_table(r: dict[str, Any]) -> str:
    """Markdown for the results gathered by benchmarks/run.py."""
    sizes: list[int] = r["sizes"]
    la, lb = r["load"], r.get("load_after", r["load"])
    out = [
        f"Machine: {machine()}. Load average (1/5/15 min) at start "
        f"{la[0]:.1f}/{la[1]:.1f}/{la[2]:.1f}, at end {lb[0]:.1f}/{lb[1]:.1f}/{lb[2]:.1f}.",
        "Times are seconds: wall clock, then CPU (user + system; the steadier figure "
        "on a shared machine).",
        *_target_rows(r),
        "",
        "### Ingest: the whole CLI (`python -m geo ingest FILE --db NEW`)",
        "",
        "The median of the runs (all runs' wall times in the last column).",
        "",
        "| rows | wall s | CPU s | peak RSS MB | rows/s (wall) | accepted | rejected | runs, wall s |",
        "|---:|---:|---:|---:|---:|---:|---:|---|",
    ]
    for n in sizes:
        c = r.get(f"cli:{n}")
        if c:
            walls = ", ".join(_s(w) for w in c.get("walls", [c["wall"]]))
            out.append(
                f"| {_label(n)} | {_s(c['wall'])} | {_s(c['cpu'])} | {_mb(c['rss_mb'])} | "
                f"{n / c['wall']:,.0f} | {c.get('accepted')} | {c.get('rejected')} | {walls} |"
            )
    staged = [n for n in sizes if r.get(f"stages:{n}", {}).get("steps")]
    if staged:
        out += [
            "",
            "### Ingest stages, in one process (wall / CPU s)",
            "",
            "| stage | " + " | ".join(_label(n) for n in staged) + " |",
            "|---|" + "---:|" * len(staged),
        ]
        first = "load boundaries + gazetteer"
        for stage in [first, *STAGES]:
            cells = []
            for n in staged:
                st = r[f"stages:{n}"]["steps"].get(stage)
                cells.append(f"{_s(st['wall'])} / {_s(st['cpu'])}" if st else "–")
            out.append(f"| {stage} | " + " | ".join(cells) + " |")
        cells = []
        for n in staged:
            steps = r[f"stages:{n}"]["steps"]
            wall = sum(steps[s]["wall"] for s in STAGES if s in steps)
            cpu = sum(steps[s]["cpu"] for s in STAGES if s in steps)
            cells.append(f"**{_s(wall)} / {_s(cpu)}**")
        out.append("| sum of stages | " + " | ".join(cells) + " |")
        cells = [_mb(r[f"stages:{n}"].get("rss_mb")) for n in staged]
        out.append("| peak RSS MB | " + " | ".join(cells) + " |")
    g = r.get("geocode")
    if g and g.get("steps"):
        gl, gr = g["steps"]["gazetteer load"], g["steps"]["geocode_rows"]
        out += [
            "",
            f"### Geocoding {g['rows']:,} rows with place names only "
            f"({g['names']:,} distinct names; {g['placed']:,} placed)",
            "",
            "| step | wall s | CPU s |",
            "|---|---:|---:|",
            f"| Gazetteer.load() (once per process) | {_s(gl['wall'])} | {_s(gl['cpu'])} |",
            f"| geocode_rows | {_s(gr['wall'])} | {_s(gr['cpu'])} |",
        ]
    mapped = [n for n in sizes if r.get(f"map:{n}", {}).get("steps")]
    if mapped:
        out += [
            "",
            "### Map page after a filter change (query.apply + summaries + layers + deck JSON)",
            "",
            "| stored incidents | load + compact (cached per store version) s | "
            "filter change wall s | CPU s | rows after filter | JSON to browser |",
            "|---:|---:|---:|---:|---:|---:|",
        ]
        for n in mapped:
            m = r[f"map:{n}"]
            ld, fc = m["steps"]["load store (cached per version)"], m["steps"]["filter change"]
            out.append(
                f"| {m['rows']:,} | {_s(ld['wall'])} | {_s(fc['wall'])} | {_s(fc['cpu'])} | "
                f"{m['filtered']:,} | {_kb(m['payload']['all'])} |"
            )
        sizes_seen: dict[str, int] = {}
        for n in mapped:
            for k, v in r[f"map:{n}"]["payload"].items():
                if k != "all":
                    sizes_seen[k] = v
        if sizes_seen:
            shown = ", ".join(f"{k} incidents: {_kb(v)}" for k, v in sizes_seen.items())
            out += ["", f"JSON of the deck for the first N stored incidents: {shown}."]
        steps = [
            f"{r[f'map:{n}']['rows']:,} stored: {_s(st['wall'])} s, "
            f"{_kb(r[f'map:{n}'].get('window_payload', 0))}"
            for n in mapped
            if (st := r[f"map:{n}"]["steps"].get("window step (play)"))
        ]
        if steps:
            out += [
                "",
                "One step of the time slider or of play (the latest month of the filtered "
                "view, masked from the cached view; layers and deck JSON): "
                + "; ".join(steps)
                + ".",
            ]
    out += _app_rows(r, sizes)
    out += _postgresql_rows(r, sizes)
    snaps = [n for n in sizes if r.get(f"snapshot:{n}", {}).get("steps")]
    if snaps:
        out += [
            "",
            "### Snapshot (PNG 1920×1080 of every stored incident)",
            "",
            "| incidents | wall s | CPU s | peak RSS MB | PNG |",
            "|---:|---:|---:|---:|---:|",
        ]
        for n in snaps:
            s = r[f"snapshot:{n}"]
            st = s["steps"]["snapshot png"]
            out.append(
                f"| {s['rows']:,} | {_s(st['wall'])} | {_s(st['cpu'])} | "
                f"{_mb(s['rss_mb'])} | {_kb(s['bytes'])} |"
            )
    out += _firstview_rows(r, sizes)
    out += _peer_rows(r, sizes)
    b = r.get("baseline")
    if b and "geocode" in b:
        out += _baseline_rows(r, b, sizes)
    return "\n".join(out)


def _app_rows(r: dict[str, Any], sizes: list[int]) -> list[str]:
    """The Map page's script runs in the app (benchmarks/bench_app.py)."""
    shown = [n for n in sizes if "new filter" in r.get(f"app:{n}", {})]
    if not shown:
        return []
    out = [
        "",
        "### Map page in the app (AppTest: the frame and the page, through the app's caches)",
        "",
        "| stored | first run s | rerun, nothing changed s | new filter s, cache filling | "
        "new filter s, cache full | new filter runs, s | filter seen before s | peak RSS MB |",
        "|---:|---:|---:|---:|---:|---|---:|---:|",
    ]
    for n in shown:
        a = r[f"app:{n}"]
        runs = ", ".join(_s(w) for w in a["new filter runs"])
        out.append(
            f"| {_label(n)} | {_s(a['first run'])} | {_s(a['rerun, nothing changed'])} | "
            f"{_s(a['new filter'])} | {_s(a.get('new filter, cache full'))} | {runs} | "
            f"{_s(a['filter seen before'])} | "
            f"{_mb(a['rss_mb'])} |"
        )
    return out


def _firstview_rows(r: dict[str, Any], sizes: list[int]) -> list[str]:
    """Each page's first meaningful content in Chromium (benchmarks/bench_firstview.py)."""
    labels = {"seed": "seed", **{n: _label(n) for n in sizes}}
    found = {lab: r[f"firstview:{k}"] for k, lab in labels.items() if f"firstview:{k}" in r}
    if not found:
        return []
    from bench_firstview import markdown

    return ["", "### First view of every page (headless Chromium)", "", markdown(found)]


def _postgresql_rows(r: dict[str, Any], sizes: list[int]) -> list[str]:
    """The whole-CLI ingest into PostgreSQL next to SQLite, and the map page from it."""
    shown = [n for n in sizes if r.get(f"pgcli:{n}")]
    if not shown:
        return []
    out = [
        "",
        "### PostgreSQL + PostGIS next to SQLite (whole CLI ingest, then the map page)",
        "",
        "| rows | SQLite wall s | PostgreSQL wall s | PostgreSQL ÷ SQLite | PostgreSQL CPU s "
        "(client) | PostgreSQL runs, wall s | load + compact from PostgreSQL s | "
        "filter change s |",
        "|---:|---:|---:|---:|---:|---|---:|---:|",
    ]
    for n in shown:
        p, lite = r[f"pgcli:{n}"], r.get(f"cli:{n}")
        ratio = f"{p['wall'] / lite['wall']:.2f}×" if lite else "–"
        m = r.get(f"pgmap:{n}", {}).get("steps")
        load = _s(m["load store (cached per version)"]["wall"]) if m else "–"
        change = _s(m["filter change"]["wall"]) if m else "–"
        walls = ", ".join(_s(w) for w in p.get("walls", [p["wall"]]))
        out.append(
            f"| {_label(n)} | {_s(lite['wall']) if lite else '–'} | {_s(p['wall'])} | {ratio} | "
            f"{_s(p['cpu'])} | {walls} | {load} | {change} |"
        )
    return out


def _target_rows(r: dict[str, Any]) -> list[str]:
    """The targets of issue 9: each measured figure, and met or the gap."""
    big = 1_000_000
    found: list[tuple[str, float, float, str]] = []  # what, limit, measured, unit
    cli = r.get(f"cli:{big}")
    if cli:
        what = "Ingest of 1M ACLED rows with coordinates (whole CLI, median run)"
        found.append((what, 20, cli["wall"], "s"))
        found.append(("… its peak memory", 3 * 1024, cli["rss_mb"], "MB"))
    found += _issue19_targets(r)
    geo = r.get("geocode", {}).get("steps")
    if geo:
        found.append(
            ("Geocoding 100k rows with place names only", 3, geo["geocode_rows"]["wall"], "s")
        )
    mp = r.get(f"map:{big}", {}).get("steps")
    if mp:
        found.append(
            (
                "Map page's work after a filter change, 1M stored",
                1,
                mp["filter change"]["wall"],
                "s",
            )
        )
    pg, lite = r.get("pgcli:100000"), r.get("cli:100000")
    if pg and lite:
        what = "Ingest of 100k rows into PostgreSQL, against 2× the SQLite time"
        found.append((what, 2 * lite["wall"], pg["wall"], "s"))
    pgmap = r.get(f"pgmap:{big}", {}).get("steps")
    if pgmap:
        what = "Map page's work after a filter change, 1M stored in PostgreSQL"
        found.append((what, 1, pgmap["filter change"]["wall"], "s"))
    payloads = [
        v for k, m in r.items() if k.startswith("map:") for v in m.get("payload", {}).values()
    ]
    if payloads:
        found.append(("Map data sent to the browser, any size", 5, max(payloads) / 2**20, "MB"))
    snap = r.get(f"snapshot:{big}", {}).get("steps")
    if snap:
        found.append(("Snapshot (PNG) of 1M incidents", 5, snap["snapshot png"]["wall"], "s"))
    if not found:
        return []
    out = ["", "### Targets", "", "| target | limit | measured | |", "|---|---:|---:|---|"]
    for what, limit, value, unit in found:
        verdict = "met" if value <= limit else f"**not met**: {value / limit:.1f}× the limit"
        fmt = (lambda v: f"{v:,.0f}") if unit == "MB" and limit > 100 else _s
        out.append(f"| {what} | {fmt(limit)} {unit} | {fmt(value)} {unit} | {verdict} |")
    return out


def _baseline_rows(r: dict[str, Any], b: dict[str, Any], sizes: list[int]) -> list[str]:
    big = max((n for n in sizes if r.get(f"stages:{n}", {}).get("steps")), default=None)
    ours: dict[str, tuple[float | None, str]] = {
        "geocode": (None, ""),
        "join": (None, ""),
        "store": (None, ""),
    }
    g = r.get("geocode", {}).get("steps")
    if g:
        ours["geocode"] = (r["geocode"]["rows"] / g["geocode_rows"]["cpu"], "100k names-only rows")
    if big:
        st = r[f"stages:{big}"]
        for key in ("join", "store"):
            ours[key] = (st["rows"] / st["steps"][key]["cpu"], f"{_label(big)} rows")
    lines = [
        "",
        "### Against a plain baseline (rows per CPU second)",
        "",
        "| step | plain baseline | ours | ours ÷ baseline |",
        "|---|---:|---:|---:|",
    ]
    names = {
        "geocode": "geocode (one gazetteer look-up per row, no memo)",
        "join": "join (shapely `contains` per point and polygon, distance per point)",
        "store": "store (one INSERT per row, one transaction)",
    }
    for key, label in names.items():
        base = b[key]["rows_per_s"]
        mine, where = ours[key]
        ratio = f"**{mine / base:,.0f}×**" if mine else "–"
        mine_s = f"{mine:,.0f} ({where})" if mine else "–"
        lines.append(f"| {label} | {base:,.0f} ({b[key]['rows']:,} rows) | {mine_s} | {ratio} |")
    return lines


def _issue19_targets(r: dict[str, Any]) -> list[tuple[str, float, float, str]]:
    """Issue 19's stricter targets: 1M in 10 s at twice the peer's speed, 100k in
    1.5 s, 1M within 1.5 GB (1.5 × 10^9 bytes: 1,430.5 of the table's MB, which are MiB)."""
    found: list[tuple[str, float, float, str]] = []
    big, cli, small = r.get("cli:1000000"), r.get("peer:1000000"), r.get("cli:100000")
    if big:
        found.append(("Issue 19: 1M rows, whole CLI", 10, big["wall"], "s"))
        found.append(
            ("Issue 19: 1M rows, peak memory (1.5 GB)", 1.5e9 / 2**20, big["rss_mb"], "MB")
        )
        if cli:
            half = cli["wall"] / 2
            found.append(
                ("Issue 19: 1M rows, at most half the plain peer's time", half, big["wall"], "s")
            )
    if small:
        found.append(("Issue 19: 100k rows, whole CLI", 1.5, small["wall"], "s"))
    return found


def _peer_rows(r: dict[str, Any], sizes: list[int]) -> list[str]:
    """The whole-CLI ingest next to the plain pandas/geopandas script on the same file."""
    shown = [n for n in sizes if r.get(f"peer:{n}", {}).get("steps")]
    if not shown:
        return []
    out = [
        "",
        "### Against the plain peer script (read_csv pyarrow + sjoin + to_sql, same file)",
        "",
        "| rows | peer wall s | peer CPU s | peer peak RSS MB | CLI wall s | CLI CPU s | CLI ÷ peer (wall) | CLI ÷ peer (CPU) |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for n in shown:
        p, c = r[f"peer:{n}"], r.get(f"cli:{n}", {})
        if not c.get("wall"):
            c = {"wall": float("nan"), "cpu": float("nan")}
        out.append(
            f"| {n:,} | {_s(p['wall'])} | {_s(p['cpu'])} | {_mb(p['rss_mb'])} | "
            f"{_s(c['wall'])} | {_s(c['cpu'])} | {c['wall'] / p['wall']:.2f}× | "
            f"{c['cpu'] / p['cpu']:.2f}× |"
        )
    return out
