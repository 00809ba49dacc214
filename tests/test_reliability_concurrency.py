"""Several analysts at once: four ``python -m geo ingest`` processes write different
files into one store while other processes read it in a loop.

Afterwards every row of every file is present exactly once with the content of
its file and the upload that wrote it, the seed went in once although the
store was created by racing readers, every upload is in the history, and no
process showed the user an error: every writer exits 0 with a clean stderr,
every reader call succeeded. Readers also check that an upload is never seen
half-written: in every read, a file's rows are either all there or none.

To be sure the writers really contend, the test itself holds the write lock
(``BEGIN IMMEDIATE``, as a fifth analyst's long upload would) until all four
writers have reached their commit and are waiting for it: a writer opens the
SQLite file only to commit, which ``/proc/<pid>/fd`` shows. Then it lets go.

On PostgreSQL the same test runs on an empty database (PostGIS installed,
no tables: the readers race to migrate and seed it); the test holds the
store's advisory writer lock, and ``pg_locks`` shows the four writers' backends
waiting for it (``application_name`` names each client's pid) and who holds it.

The counters go to ``var/reliability.json`` (sections ``concurrency`` and
``concurrency_postgresql``).
"""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
WRITERS = 4
READERS = 3
ROWS_PER_FILE = int(os.environ.get("ATLAS_CONCURRENCY_ROWS", "1000"))

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc and fcntl locks"),
]

READER_SCRIPT = r"""
import json, re, sys, time
from pathlib import Path

db, stop, sizes = sys.argv[1], Path(sys.argv[2]), json.loads(sys.argv[3])
from geo.ingest.seed import open_store

store = open_store(db)
reads, errors, partial, totals = 0, [], [], set()
while True:
    done = stop.exists()
    try:
        df = store.incidents()
        reads += 1
        totals.add(len(df))
        prefix = df["incident_id"].astype(str).str.extract(r"^(W\d)-", expand=False)
        counts = prefix.value_counts().to_dict()
        for name, n in counts.items():
            if n != sizes[name]:
                partial.append({"file": name, "seen": int(n), "size": sizes[name]})
    except Exception as exc:  # every failure a user would have seen is counted
        errors.append(f"{type(exc).__name__}: {exc}"[:300])
    if done:
        break
    time.sleep(0.01)
print(json.dumps({"reads": reads, "errors": errors, "partial": partial,
                  "distinct_totals": sorted(totals)}))
"""


def _env() -> dict[str, str]:
    env = {**os.environ, "ATLAS_ONLINE_GEOCODING": "0"}
    env.pop("ATLAS_DB", None)
    return env


def _write_lock_holders(db: Path, stop: threading.Event, seen: list[int]) -> None:
    """Note every process seen holding SQLite's WAL write lock (byte 120 of -shm).

    The -shm file is opened once and kept open: closing any descriptor of a file
    drops every POSIX lock this process holds on it, the test's own lock included.
    """
    import fcntl
    import struct

    fd = None
    while fd is None and not stop.is_set():
        try:
            fd = os.open(f"{db}-shm", os.O_RDONLY)
        except FileNotFoundError:
            time.sleep(0.005)
    try:
        while not stop.is_set():
            probe = struct.pack("hhqqi", fcntl.F_WRLCK, os.SEEK_SET, 120, 1, 0)
            kind, _, _, _, pid = struct.unpack("hhqqi", fcntl.fcntl(fd, fcntl.F_GETLK, probe))
            if kind != fcntl.F_UNLCK and (not seen or seen[-1] != pid):
                seen.append(pid)
            time.sleep(0.002)
    finally:
        if fd is not None:
            os.close(fd)


def _hold_write_lock(db: Path) -> sqlite3.Connection:
    """Take the store's write lock (``BEGIN IMMEDIATE``) once the store exists."""
    deadline = time.monotonic() + 300
    while True:
        if db.exists():
            con = sqlite3.connect(f"file:{db}?mode=rw", uri=True, timeout=60, isolation_level=None)
            try:
                if con.execute("SELECT count(*) FROM uploads").fetchone()[0] >= 1:  # seeded
                    con.execute("BEGIN IMMEDIATE")
                    return con
            except sqlite3.OperationalError:  # tables not created yet
                pass
            con.close()
        if time.monotonic() > deadline:
            raise AssertionError("the readers never created the store")
        time.sleep(0.05)


def alive_pids(procs: dict[str, subprocess.Popen]) -> set[int]:
    return {p.pid for p in procs.values() if p.poll() is None}


def _has_open(pid: int, db: Path) -> bool:
    """Whether process ``pid`` has the SQLite file open (Linux /proc)."""
    try:
        return any(
            os.readlink(f"/proc/{pid}/fd/{fd}") == str(db) for fd in os.listdir(f"/proc/{pid}/fd")
        )
    except (FileNotFoundError, ProcessLookupError, PermissionError):
        return False


# --------------------------------------------------------------------------- PostgreSQL


def _pg_probe(url: str):
    import psycopg
    import sqlalchemy as sa

    parsed = sa.engine.make_url(url)
    return psycopg.connect(
        host=parsed.query["host"], user=parsed.username, dbname=parsed.database, autocommit=True
    )


def _pg_lock_pids(probe, *, granted: bool) -> list[int]:
    """Client pids of the backends holding (or waiting for) the store's writer lock."""
    from geo.store.backend_pg import WRITER_LOCK

    rows = probe.execute(
        "SELECT a.application_name FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid "
        "WHERE l.locktype = 'advisory' AND l.granted = %s AND l.database = "
        "(SELECT oid FROM pg_database WHERE datname = current_database()) "
        "AND l.classid = %s AND l.objid = %s",
        (granted, WRITER_LOCK >> 32, WRITER_LOCK & 0xFFFFFFFF),
    ).fetchall()
    return [int(r[0].split(":", 1)[1]) for r in rows if str(r[0]).startswith("incident-atlas:")]


def _pg_lock_holders(url: str, stop: threading.Event, seen: list[int]) -> None:
    probe = _pg_probe(url)
    try:
        while not stop.is_set():
            for pid in _pg_lock_pids(probe, granted=True):
                if not seen or seen[-1] != pid:
                    seen.append(pid)
            time.sleep(0.002)
    finally:
        probe.close()


class _PgBlocker:
    """The writer lock held from the test's own connection once the store is seeded."""

    def __init__(self, url: str) -> None:
        self.conn = _pg_probe(url)
        deadline = time.monotonic() + 300
        while True:
            ready = self.conn.execute("SELECT to_regclass('uploads') IS NOT NULL").fetchone()[0]
            if ready and self.conn.execute("SELECT count(*) FROM uploads").fetchone()[0] >= 1:
                break
            if time.monotonic() > deadline:
                raise AssertionError("the readers never created the store")
            time.sleep(0.05)
        from geo.store.backend_pg import WRITER_LOCK

        self.conn.autocommit = False
        self.conn.execute(f"SELECT pg_advisory_xact_lock({WRITER_LOCK})")

    def rollback(self) -> None:
        self.conn.rollback()

    def close(self) -> None:
        self.conn.close()


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgresql)])
def shared_store(request, tmp_path: Path):
    """Where the analysts' store will be: a SQLite path that does not exist yet, or an
    empty PostgreSQL database; the readers race to create and seed it."""
    if request.param == "sqlite":
        db = tmp_path / "shared" / "atlas.sqlite"
        db.parent.mkdir()
        yield "sqlite", str(db)
        return
    server = request.getfixturevalue("pg_server")
    url = server.new_database("shared")
    yield "postgresql", url
    server.drop_database(url)


def test_four_writers_and_readers_lose_nothing_and_show_no_error(
    record_figures, acled_rows, tmp_path: Path, shared_store
) -> None:
    from geo.ingest.seed import open_store

    backend, db = shared_store
    pg = backend == "postgresql"
    files: dict[str, Path] = {}
    frames = {}
    for k in range(WRITERS):
        name = f"W{k}"
        frame = acled_rows(ROWS_PER_FILE, seed=40 + k)
        frame["event_id_cnty"] = name + "-" + frame["event_id_cnty"]
        frame["notes"] = f"Written by analyst {k}; row " + frame.index.astype(str)
        path = tmp_path / f"analyst_{k}.csv"
        frame.to_csv(path, index=False)
        files[name], frames[name] = path, frame
    sizes = {name: len(frame) for name, frame in frames.items()}

    stop_file = tmp_path / "stop"
    readers = [
        subprocess.Popen(
            [sys.executable, "-c", READER_SCRIPT, str(db), str(stop_file), json.dumps(sizes)],
            cwd=ROOT,
            env=_env(),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        for _ in range(READERS)
    ]
    stop_probe = threading.Event()
    holders: list[int] = []
    holder_probe = _pg_lock_holders if pg else _write_lock_holders
    probe = threading.Thread(target=holder_probe, args=(db, stop_probe, holders))
    probe.start()

    # a fifth analyst's long upload: hold the write lock until all four writers have
    # reached their commit and wait for it (each has the store open only from then on)
    blocker = _PgBlocker(db) if pg else _hold_write_lock(Path(db))
    waiting_probe = _pg_probe(db) if pg else None
    writers = {
        name: subprocess.Popen(
            [sys.executable, "-m", "geo", "ingest", str(path), "--db", str(db)],
            cwd=ROOT,
            env=_env(),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        for name, path in files.items()
    }
    waiting = 0
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline and any(p.poll() is None for p in writers.values()):
        if pg:
            waiting = len(set(_pg_lock_pids(waiting_probe, granted=False)) & alive_pids(writers))
        else:
            waiting = sum(_has_open(p.pid, Path(db)) for p in writers.values() if p.poll() is None)
        if waiting == WRITERS:
            break
        time.sleep(0.02)
    time.sleep(0.5)
    blocker.rollback()
    blocker.close()
    if waiting_probe is not None:
        waiting_probe.close()
    # how many writers were running at the same time (sampled until all have ended)
    most_alive = waiting
    while any(p.poll() is None for p in writers.values()):
        most_alive = max(most_alive, sum(p.poll() is None for p in writers.values()))
        time.sleep(0.01)
    results = {name: p.communicate(timeout=60) for name, p in writers.items()}
    stop_file.touch()
    reader_out = [r.communicate(timeout=120) for r in readers]
    stop_probe.set()
    probe.join()

    # -- no failure reached a user
    reports = {}
    for name, (out, err) in results.items():
        text = err.decode(errors="replace")
        assert writers[name].returncode == 0, text
        assert "Traceback" not in text and "locked" not in text.lower(), text
        reports[name] = json.loads(out)
    reader_results = []
    for r, (out, err) in zip(readers, reader_out, strict=True):
        assert r.returncode == 0, err.decode(errors="replace")
        assert "Traceback" not in err.decode(errors="replace")
        reader_results.append(json.loads(out))
    reader_errors = [e for res in reader_results for e in res["errors"]]
    partial = [p for res in reader_results for p in res["partial"]]

    # -- every row once, with its file's content and its upload
    store = open_store(db)
    incidents = store.incidents()
    uploads = store.uploads()
    assert incidents["incident_id"].is_unique
    seed_rows = incidents[~incidents["incident_id"].astype(str).str.match(r"^W\d-")]
    assert (uploads["upload_id"] == "seed").sum() == 1
    assert len(seed_rows) == int(uploads.loc[uploads["upload_id"] == "seed", "accepted"].iloc[0])
    for name, frame in frames.items():
        report = reports[name]
        assert report["accepted"] == sizes[name] and report["rejected"] == 0, report
        mine = incidents[incidents["incident_id"].astype(str).str.startswith(name + "-")]
        assert sorted(mine["incident_id"]) == sorted(frame["event_id_cnty"])
        assert set(mine["upload_id"]) == {report["upload_id"]}
        notes = dict(zip(mine["incident_id"], mine["notes"], strict=True))
        assert all(
            notes[i] == n for i, n in zip(frame["event_id_cnty"], frame["notes"], strict=True)
        )
        row = uploads[uploads["upload_id"] == report["upload_id"]]
        assert len(row) == 1 and int(row["accepted"].iloc[0]) == sizes[name]
    assert len(incidents) == len(seed_rows) + sum(sizes.values())
    assert len(uploads) == 1 + WRITERS
    if not pg:
        with store.engine.connect() as conn:
            assert conn.exec_driver_sql("PRAGMA integrity_check").scalar() == "ok"

    writer_pids = {p.pid for p in writers.values()}
    figures = {
        "writers": WRITERS,
        "rows_per_writer": ROWS_PER_FILE,
        "writers_running_at_once": most_alive,
        "writers_waiting_for_the_lock_at_once": waiting,
        "writers_seen_holding_the_write_lock": len(set(holders) & writer_pids),
        "readers": READERS,
        "reads": sum(res["reads"] for res in reader_results),
        "distinct_totals_seen_by_readers": sorted(
            {t for res in reader_results for t in res["distinct_totals"]}
        ),
        "reader_errors": len(reader_errors),
        "partial_uploads_seen": len(partial),
        "writer_failures": sum(p.returncode != 0 for p in writers.values()),
        "lock_errors_seen": sum("locked" in e.lower() for e in reader_errors),
        "rows_lost": len(seed_rows) + sum(sizes.values()) - len(incidents),
    }
    record_figures("concurrency_postgresql" if pg else "concurrency", figures)
    assert not reader_errors, reader_errors[:5]
    assert not partial, partial[:5]
    assert most_alive == WRITERS, "the writers did not overlap; the test proved nothing"
    # all four were held at the lock together, then went in one after another
    assert waiting == WRITERS, figures
    # readers kept reading while the uploads landed: they saw more than one state
    assert len(figures["distinct_totals_seen_by_readers"]) >= 2, figures
