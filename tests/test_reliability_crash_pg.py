"""Crash safety on PostgreSQL: the client or the whole database server killed during an ingest.

The same upload as ``tests/test_reliability_crash.py`` (20,000 ACLED rows into a
store holding the seed, 1,500 incidents and 200 newer versions) into a
PostgreSQL store, killed two ways: SIGKILL of the client (``python -m geo
ingest``) and SIGKILL of the whole server (postmaster and every backend, as the
OOM killer or a power cut would) followed by a restart and crash recovery.
Where the client is gets read from the server without disturbing it:
``pg_locks`` names the backend holding the store's writer lock (an advisory
lock) and ``pg_stat_activity`` its ``application_name``
(``incident-atlas:<client pid>``). After every kill the database must equal,
table by table and row by row, the state before the upload, or (the kill came
after the commit) what an uninterrupted run leaves; every B-tree index must
pass amcheck's ``bt_index_check`` with ``heapallindexed``; no stored incident
or earlier version may be lost.

``ATLAS_CRASH_PG_TRIALS`` (client kills) and ``ATLAS_CRASH_PG_SERVER_TRIALS``
(server kills) tune it. The counters go to ``var/reliability.json`` (section
``crash_postgresql``).
"""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
from test_reliability_crash import (
    PRE_ROWS,
    ROOT,
    ROWS,
    SEED,
    Snapshot,
    _content_keys,
    _new_upload_ids,
    _normalised,
    _wait_for,
)

pytestmark = [
    pytest.mark.slow,
    pytest.mark.postgresql,
    pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc"),
]

PG_TRIALS = int(os.environ.get("ATLAS_CRASH_PG_TRIALS", "12"))
PG_SERVER_TRIALS = int(os.environ.get("ATLAS_CRASH_PG_SERVER_TRIALS", "6"))


def _pg_holder(probe: Any, database: str) -> int:
    """Client pid of the process whose backend holds the writer lock in ``database`` (0: none)."""
    from geo.store.backend_pg import WRITER_LOCK

    row = probe.execute(
        "SELECT a.application_name FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid "
        "JOIN pg_database d ON d.oid = l.database "
        "WHERE l.locktype = 'advisory' AND l.granted AND d.datname = %s "
        "AND l.classid = %s AND l.objid = %s",
        (database, WRITER_LOCK >> 32, WRITER_LOCK & 0xFFFFFFFF),
    ).fetchone()
    if not row or not str(row[0]).startswith("incident-atlas:"):
        return 0
    return int(str(row[0]).split(":", 1)[1])


#: Tables whose first column comes from a sequence (compared by rank, see _pg_snapshot).
_SERIAL = {"uploads", "incident_versions", "audit_log"}


def _pg_snapshot(url: str) -> Snapshot:
    """Every table (PostGIS's own aside), rows sorted, after amcheck passed on every
    B-tree index of the store.

    PostgreSQL logs a sequence 32 values ahead, so after a crash the next
    ``seq`` or ``version_id`` can skip numbers; what the store relies on is their
    order (the history's order, the order an undo restores versions in), so
    those columns are replaced by their rank.
    """
    import sqlalchemy as sa

    engine = sa.create_engine(url)
    try:
        with engine.begin() as conn:
            conn.exec_driver_sql("CREATE EXTENSION IF NOT EXISTS amcheck")
            indexes = conn.exec_driver_sql(
                "SELECT c.oid::regclass::text FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid "
                "JOIN pg_am a ON a.oid = c.relam JOIN pg_namespace n ON n.oid = c.relnamespace "
                "WHERE a.amname = 'btree' AND n.nspname = 'public'"
            ).fetchall()
            for (index,) in indexes:
                conn.exec_driver_sql(f"SELECT bt_index_check('{index}'::regclass, true)")
            tables = sorted(set(sa.inspect(conn).get_table_names()) - {"spatial_ref_sys"})
            out: Snapshot = {}
            for table in tables:
                rows = [tuple(r) for r in conn.exec_driver_sql(f'SELECT * FROM "{table}"')]
                if table in _SERIAL:  # a sequence may skip numbers after a crash: keep the order
                    rows = [(rank, *r[1:]) for rank, r in enumerate(sorted(rows), start=1)]
                out[table] = sorted(rows, key=repr)
            return out
    finally:
        engine.dispose()


def _pg_columns(url: str) -> dict[str, list[str]]:
    import sqlalchemy as sa

    engine = sa.create_engine(url)
    try:
        with engine.connect() as conn:
            inspector = sa.inspect(conn)
            return {
                t: [c["name"] for c in inspector.get_columns(t)]
                for t in inspector.get_table_names()
                if t != "spatial_ref_sys"
            }
    finally:
        engine.dispose()


def _spawn_url(upload: Path, url: str, log: Path) -> subprocess.Popen:
    env = {**os.environ, "ATLAS_ONLINE_GEOCODING": "0", "PYTHONUNBUFFERED": "1"}
    env.pop("ATLAS_DB", None)
    with open(f"{log}.out", "wb") as out, open(f"{log}.err", "wb") as err:
        return subprocess.Popen(
            [sys.executable, "-m", "geo", "ingest", str(upload), "--db", url],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=err,
        )


def _pg_lock_intervals(proc: subprocess.Popen, probe: Any, database: str) -> list[tuple]:
    intervals, since = [], None
    while True:
        now = time.monotonic()
        held = _pg_holder(probe, database) == proc.pid
        if held and since is None:
            since = now
        elif not held and since is not None:
            intervals.append((since, now))
            since = None
        if proc.poll() is not None:
            if since is not None:
                intervals.append((since, now))
            return intervals
        time.sleep(0.002)


def _pg_wait_for_lock(
    proc: subprocess.Popen, probe: Any, database: str, timeout: float = 600
) -> float | None:
    """The monotonic time ``proc`` was first seen holding the writer lock (None: it ended)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if _pg_holder(probe, database) == proc.pid:
            return time.monotonic()
        if proc.poll() is not None:
            return None
        time.sleep(0.002)
    raise AssertionError("the ingest did not reach its write transaction in time")


@pytest.fixture(scope="module")
def pg_crash(
    tmp_path_factory: pytest.TempPathFactory, acled_rows: Callable[[int, int], Any]
) -> Any:
    """Its own server (the tests kill it), a pristine store database, and a calibrated run."""
    import psycopg
    from pgserver import PgServer, find_bindir, in_ci

    from geo.ingest.pipeline import ingest_path
    from geo.ingest.seed import open_store

    bindir = find_bindir()
    if bindir is None:
        reason = "PostgreSQL with PostGIS is not installed (see tests/pgserver.py)"
        if in_ci():
            pytest.fail(f"CI=true and {reason}", pytrace=False)
        pytest.skip(reason)
    server = PgServer(bindir).init().start()
    try:
        server.make_template()
        base = tmp_path_factory.mktemp("crash-pg")  # pytest keeps the last few runs' only
        earlier, upload, revised = base / "earlier.csv", base / "upload.csv", base / "revised.csv"
        acled_rows(PRE_ROWS, seed=11).to_csv(earlier, index=False)
        acled_rows(ROWS, seed=12).to_csv(upload, index=False)
        frame = acled_rows(PRE_ROWS, seed=11).head(200)
        frame["notes"] = "Revised synthetic event."
        frame.to_csv(revised, index=False)

        pristine = server.new_database("pristine")
        store = open_store(pristine)
        assert ingest_path(earlier, store).accepted == PRE_ROWS
        assert ingest_path(revised, store).updated == 200
        store.engine.dispose()
        before = _pg_snapshot(pristine)
        name = sa_database(pristine)

        def copy(tag: str) -> str:
            server.sql(f"CREATE DATABASE {tag} TEMPLATE {name}")
            return server.url(tag)

        probe = psycopg.connect(host=str(server.socket), user="postgres", autocommit=True)
        ref = copy("reference")
        t0 = time.monotonic()
        proc = _spawn_url(upload, ref, base / "reference")
        intervals = _pg_lock_intervals(proc, probe, "reference")
        proc.wait(600)
        t_exit = time.monotonic()
        err = Path(f"{base / 'reference'}.err").read_text()
        assert proc.returncode == 0, err
        assert len(intervals) == 1, f"one write transaction expected, saw {intervals}"
        t_lock, t_unlock = intervals[0]
        report = json.loads(Path(f"{base / 'reference'}.out").read_text())
        assert report["accepted"] == ROWS and report["updated"] > 0
        after = _pg_snapshot(ref)
        new_ids = _new_upload_ids(before, after)
        assert new_ids == [report["upload_id"]]
        cols = _pg_columns(ref)
        time_cols = {
            t: {i for i, c in enumerate(cs) if c == "at" or c.endswith("_at")}
            for t, cs in cols.items()
        }
        id_pos = {t: cols[t].index("incident_id") for t in ("incidents", "incident_versions")}
        hash_pos = {t: cols[t].index("row_hash") for t in ("incidents", "incident_versions")}
        yield {
            "server": server,
            "probe": probe,
            "copy": copy,
            "base": base,
            "upload": upload,
            "before": before,
            "after": _normalised(after, new_ids[0], time_cols),
            "time_cols": time_cols,
            "id_pos": id_pos,
            "hash_pos": hash_pos,
            "t_lock": t_lock - t0,
            "t_hold": t_unlock - t_lock,
            "t_after": t_exit - t_unlock,
            "report": report,
        }
        probe.close()
    finally:
        server.remove()


def _diff(a: Snapshot, b: Snapshot) -> str:
    for table in sorted(set(a) | set(b)):
        if a.get(table) != b.get(table):
            pairs = [(x, y) for x, y in zip(a[table], b[table], strict=False) if x != y]
            if pairs:
                x, y = pairs[0]
                return f"{table}: {x[0]!r} vs {y[0]!r}: " + "; ".join(
                    f"{i}: {u!r:.60} != {v!r:.60}"
                    for i, (u, v) in enumerate(zip(x, y, strict=False))
                    if u != v
                )
            return f"{table}: {len(a[table])} != {len(b[table])} rows"
    return "none"


def sa_database(url: str) -> str:
    import sqlalchemy as sa

    return sa.engine.make_url(url).database


def _pg_outcome(setup: dict[str, Any], url: str, n: str) -> tuple[str, int]:
    """Check the database after a kill: ``rolled_back`` or ``committed``, and rows lost."""
    snap = _pg_snapshot(url)  # amcheck passed on every B-tree index
    new_ids = _new_upload_ids(setup["before"], snap)
    before_keys = _content_keys(setup["before"], setup["id_pos"], setup["hash_pos"])
    lost = len(before_keys - _content_keys(snap, setup["id_pos"], setup["hash_pos"]))
    if new_ids:
        assert len(new_ids) == 1
        normal = _normalised(snap, new_ids[0], setup["time_cols"])
        same = normal == setup["after"]  # outside the assert: pytest's diff of the whole
        assert same, (  # store would take minutes; _diff names the first difference
            f"trial {n}: a committed upload differs from a clean run: "
            + _diff(normal, setup["after"])
        )
        outcome = "committed"
    else:
        unchanged = snap == setup["before"]
        assert unchanged, f"trial {n}: the store changed without an upload row: " + _diff(
            snap, setup["before"]
        )
        outcome = "rolled_back"
    assert lost == 0
    return outcome, lost


def _pg_client_trial(setup: dict[str, Any], n: int, target: str, fraction: float) -> dict:
    """SIGKILL the client at ``target``; the server lives on and must have lost nothing."""
    import psycopg

    tag = f"client{n:02d}"
    url = setup["copy"](tag)
    server = setup["server"]
    probe = psycopg.connect(host=str(server.socket), user="postgres", autocommit=True)
    t0 = time.monotonic()
    proc = _spawn_url(setup["upload"], url, setup["base"] / tag)
    if target == "early":
        delay = fraction * 0.97 * setup["t_lock"]
        _wait_for(proc, lambda: time.monotonic() - t0 >= delay, 600)
    else:
        since = _pg_wait_for_lock(proc, probe, tag)
        if since is not None and target == "write":
            time.sleep(max(0.0, since + fraction * setup["t_hold"] - time.monotonic()))
        elif since is not None:  # late: after the commit
            _wait_for(proc, lambda: _pg_holder(probe, tag) != proc.pid, 600)
            time.sleep(fraction * 0.8 * setup["t_after"])
    holding = _pg_holder(probe, tag) == proc.pid
    killed = proc.poll() is None
    if killed:
        os.kill(proc.pid, signal.SIGKILL)
    proc.wait(60)
    # the server notices the dead client and rolls its transaction back
    deadline = time.monotonic() + 60
    while _pg_holder(probe, tag) == proc.pid and time.monotonic() < deadline:
        time.sleep(0.01)
    probe.close()
    outcome, lost = _pg_outcome(setup, url, f"client {n} {target}")
    return {
        "kind": "client",
        "target": target,
        "killed": killed,
        "in_write_transaction": killed and holding,
        "outcome": outcome,
        "rows_lost": lost,
    }


def _pg_server_trial(setup: dict[str, Any], n: int, target: str, fraction: float) -> dict:
    """SIGKILL the whole server at ``target`` of an upload, restart it, check the store."""
    import psycopg

    tag = f"server{n:02d}"
    url = setup["copy"](tag)
    server = setup["server"]
    proc = _spawn_url(setup["upload"], url, setup["base"] / tag)
    since = _pg_wait_for_lock(proc, setup["probe"], tag)
    if since is not None and target == "write":
        time.sleep(max(0.0, since + fraction * setup["t_hold"] - time.monotonic()))
    elif since is not None:  # late: the client was told the commit happened
        _wait_for(proc, lambda: _pg_holder(setup["probe"], tag) != proc.pid, 600)
    holding = _pg_holder(setup["probe"], tag) == proc.pid
    setup["probe"].close()
    killed = server.kill()
    proc.wait(120)
    err = Path(f"{setup['base'] / tag}.err").read_text()
    server.start()  # crash recovery replays the WAL
    setup["probe"] = psycopg.connect(host=str(server.socket), user="postgres", autocommit=True)
    outcome, lost = _pg_outcome(setup, url, f"server {n} {target}")
    if outcome == "rolled_back":
        assert proc.returncode != 0, "the client said it stored an upload that is not there"
        assert "Traceback" not in err and "store" in err.lower(), err[-2000:]
    return {
        "kind": "server",
        "target": target,
        "server_processes_killed": len(killed),
        "in_write_transaction": holding,
        "client_exit": proc.returncode,
        "outcome": outcome,
        "rows_lost": lost,
    }


@pytest.mark.postgresql
@pytest.mark.filterwarnings("ignore:Did not recognize type 'geometry'")
def test_postgresql_client_or_server_killed_during_ingest_loses_nothing(
    record_figures, pg_crash: dict[str, Any]
) -> None:
    setup = pg_crash
    rng = random.Random(SEED + 1)
    n_write = max(PG_TRIALS // 2, 1)
    n_late = max(PG_TRIALS // 6, 1)
    client_plan = ["write"] * n_write + ["late"] * n_late
    client_plan += ["early"] * (PG_TRIALS - len(client_plan))
    rng.shuffle(client_plan)
    with ThreadPoolExecutor(max_workers=2) as pool:
        futures = [
            pool.submit(_pg_client_trial, setup, n, target, rng.random())
            for n, target in enumerate(client_plan)
        ]
        clients = [f.result() for f in futures]
    server_plan = ["write"] * max(PG_SERVER_TRIALS - 2, 1) + ["late"] * 2
    servers = [
        _pg_server_trial(setup, n, target, rng.random()) for n, target in enumerate(server_plan)
    ]

    client_kills = [t for t in clients if t["killed"]]
    figures = {
        "rows_in_upload": ROWS,
        "rows_in_store_before": len(setup["before"]["incidents"]),
        "client_trials": len(clients),
        "client_kills": len(client_kills),
        "client_kills_during_write_transaction": len(
            [t for t in client_kills if t["in_write_transaction"] and t["outcome"] == "rolled_back"]
        ),
        "client_kills_after_commit": len([t for t in client_kills if t["outcome"] == "committed"]),
        "server_kills": len(servers),
        "server_kills_during_write_transaction": len(
            [t for t in servers if t["in_write_transaction"] and t["outcome"] == "rolled_back"]
        ),
        "server_kills_after_commit": len([t for t in servers if t["outcome"] == "committed"]),
        "index_checks_passed": len(clients) + len(servers),  # _pg_snapshot runs amcheck
        "rows_lost": sum(t["rows_lost"] for t in clients + servers),
        "calibration_s": {
            "until_write_lock": round(setup["t_lock"], 2),
            "write_lock_held": round(setup["t_hold"], 2),
            "after_commit": round(setup["t_after"], 2),
        },
    }
    record_figures("crash_postgresql", figures)
    assert figures["rows_lost"] == 0
    assert len(client_kills) >= 0.8 * len(clients), figures
    assert figures["client_kills_during_write_transaction"] >= max(2, PG_TRIALS // 4), figures
    assert figures["server_kills_during_write_transaction"] >= 1, figures
    assert figures["server_kills_after_commit"] >= 1, figures
