"""Run the reliability tests and write their figures into RELIABILITY.md.

The tests count what they do (inputs tried, kills, rows lost, readers, lock
errors …) into ``var/reliability.json``; this script runs them (unless
``--no-run``), then replaces the block between the ``figures`` markers in
RELIABILITY.md with a table built from that file, dated.

usage: python scripts/reliability_figures.py [--no-run] [--examples N]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FIGURES = ROOT / "var" / "reliability.json"
DOC = ROOT / "RELIABILITY.md"
START, END = "<!-- figures:start -->", "<!-- figures:end -->"
TESTS = [
    "tests/test_reliability_pipeline.py",
    "tests/test_reliability_crash.py",
    "tests/test_reliability_crash_pg.py",
    "tests/test_reliability_concurrency.py",
    "tests/test_limits.py",
]


def run_tests(examples: int | None) -> int:
    """Run the reliability tests; their counters land in var/reliability.json."""
    FIGURES.unlink(missing_ok=True)
    env = dict(os.environ)
    if examples:
        env["ATLAS_HYPOTHESIS_EXAMPLES"] = str(examples)
    cmd = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", *TESTS]
    return subprocess.run(cmd, cwd=ROOT, env=env, check=False).returncode


def render(figures: dict) -> str:
    """The markdown block of figures."""
    p = figures.get("pipeline", {})
    c = figures.get("crash", {})
    k = figures.get("concurrency", {})
    pc = figures.get("crash_postgresql", {})
    pk = figures.get("concurrency_postgresql", {})
    cal = c.get("calibration_s", {})
    pcal = pc.get("calibration_s", {})
    dates = sorted(s["run_at"] for s in (p, c, k, pc, pk) if "run_at" in s)
    rows = [
        ("Pipeline inputs tried (hypothesis, dry run + store)", p.get("inputs_tried")),
        (
            "… of which well-formed / damaged / random bytes / random text",
            f"{p.get('well_formed_files')} / {p.get('damaged_files')} / "
            f"{p.get('random_bytes')} / {p.get('random_text')}",
        ),
        ("… ended in a report / a refusal", f"{p.get('reports')} / {p.get('refused')}"),
        ("… rows whose outcome was checked line by line", p.get("rows_checked_exactly")),
        ("… same file twice into a store, nothing changed", p.get("store_round_trips")),
        ("Uncaught exceptions", p.get("uncaught_exceptions")),
        ("**SQLite**", ""),
        ("Kill trials (SIGKILL)", c.get("trials")),
        ("… kills before the store was opened", c.get("kills_before_store_opened")),
        ("… kills inside the write transaction (rolled back)", c.get("kills_during_write_transaction")),
        ("… of them while its pages went into the -wal (the commit)", c.get("kills_while_writing_wal_frames")),
        ("… kills after the commit (upload complete)", c.get("kills_after_commit")),
        ("… `PRAGMA integrity_check` = ok after a trial", c.get("integrity_checks_passed")),
        ("Rows lost after kills", c.get("rows_lost")),
        (
            "Upload killed / rows already stored",
            f"{c.get('rows_in_upload')} / {c.get('rows_in_store_before')}",
        ),
        (
            "One uninterrupted upload: s until the write lock / holding it / after",
            f"{cal.get('until_write_lock')} / {cal.get('write_lock_held')} / "
            f"{cal.get('after_commit')}",
        ),
        ("Concurrent writers (running at once / held at the lock at once / seen holding it)",
         f"{k.get('writers_running_at_once')} / {k.get('writers_waiting_for_the_lock_at_once')} / "
         f"{k.get('writers_seen_holding_the_write_lock')}"),
        ("Readers / reads in the run", f"{k.get('readers')} / {k.get('reads')}"),
        ("Half-written uploads seen by readers", k.get("partial_uploads_seen")),
        ("Lock errors seen / writer failures / reader errors",
         f"{k.get('lock_errors_seen')} / {k.get('writer_failures')} / {k.get('reader_errors')}"),
        ("Rows lost with concurrent writers", k.get("rows_lost")),
        ("**PostgreSQL + PostGIS**", ""),
        ("Client kills (SIGKILL of `python -m geo ingest`)", f"{pc.get('client_kills')} of {pc.get('client_trials')} trials"),
        ("… inside the write transaction (rolled back) / after the commit (complete)",
         f"{pc.get('client_kills_during_write_transaction')} / {pc.get('client_kills_after_commit')}"),
        ("Server kills (SIGKILL of the postmaster and every backend, then a restart)", pc.get("server_kills")),
        ("… inside the write transaction (rolled back) / after the commit (kept)",
         f"{pc.get('server_kills_during_write_transaction')} / {pc.get('server_kills_after_commit')}"),
        ("… amcheck (`bt_index_check`, heapallindexed) passed after a trial", pc.get("index_checks_passed")),
        ("Rows lost after kills (PostgreSQL)", pc.get("rows_lost")),
        ("One uninterrupted upload into PostgreSQL: s until the writer lock / holding it / after",
         f"{pcal.get('until_write_lock')} / {pcal.get('write_lock_held')} / {pcal.get('after_commit')}"),
        ("Concurrent writers on PostgreSQL (running at once / waiting for the lock at once / seen holding it)",
         f"{pk.get('writers_running_at_once')} / {pk.get('writers_waiting_for_the_lock_at_once')} / "
         f"{pk.get('writers_seen_holding_the_write_lock')}"),
        ("Readers / reads in the run (PostgreSQL)", f"{pk.get('readers')} / {pk.get('reads')}"),
        ("Half-written uploads seen / lock errors / writer failures / reader errors (PostgreSQL)",
         f"{pk.get('partial_uploads_seen')} / {pk.get('lock_errors_seen')} / "
         f"{pk.get('writer_failures')} / {pk.get('reader_errors')}"),
        ("Rows lost with concurrent writers (PostgreSQL)", pk.get("rows_lost")),
    ]  # fmt: skip
    lines = [
        START,
        f"Last run: {dates[-1] if dates else 'never'} (UTC), "
        f"`ATLAS_HYPOTHESIS_EXAMPLES={p.get('examples_setting')}`.",
        "",
        "| figure | value |",
        "|---|---|",
        *[f"| {name} | {value} |" for name, value in rows],
        END,
    ]
    return "\n".join(lines)


def update_doc(block: str) -> None:
    text = DOC.read_text(encoding="utf-8")
    head, rest = text.split(START, 1)
    _, tail = rest.split(END, 1)
    DOC.write_text(head + block + tail, encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--no-run", action="store_true", help="only render var/reliability.json")
    ap.add_argument("--examples", type=int, help="ATLAS_HYPOTHESIS_EXAMPLES for this run")
    args = ap.parse_args(argv)
    code = 0 if args.no_run else run_tests(args.examples)
    figures = json.loads(FIGURES.read_text(encoding="utf-8"))
    update_doc(render(figures))
    print(render(figures))
    return code


if __name__ == "__main__":
    sys.exit(main())
