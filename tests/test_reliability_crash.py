"""Crash safety: ``python -m geo ingest`` killed with SIGKILL never damages the store.

A large ACLED-layout upload (new incidents and new versions of stored ones) is
started against a store holding the seed, an earlier upload and its versions.
The process is killed with SIGKILL at moments drawn from a seeded generator,
spread over start-up, reading, validation, the write transaction and the
checkpoint that follows it. After every kill the store must

* pass ``PRAGMA integrity_check``,
* hold every table exactly as before the upload (incidents, versions, uploads,
  claims, meta: compared row for row), or, when the kill came after the commit,
  exactly what an uninterrupted run of the same upload produces,
* have lost no stored incident and no stored earlier version.

The staging folders that killed uploads leave in their ``TMPDIR`` are deleted by
the next upload that writes in bulk: after the trials one more run leaves none.

Where the process was at the moment of the kill is read without touching it:
SQLite's WAL write lock is a POSIX lock on byte 120 of the ``-shm`` file (the
checkpoint lock is byte 121), and ``F_GETLK`` names the process holding it. A
kill while the child holds the write lock is a kill inside the upload's
``BEGIN IMMEDIATE`` transaction.

``ATLAS_CRASH_ROWS`` (rows in the upload) and ``ATLAS_CRASH_TRIALS`` tune it.
The counters go to ``var/reliability.json`` (section ``crash``).
"""

from __future__ import annotations

import fcntl
import json
import os
import random
import shutil
import signal
import sqlite3
import struct
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parent.parent
SEED = 20261121
ROWS = int(os.environ.get("ATLAS_CRASH_ROWS", "20000"))
TRIALS = int(os.environ.get("ATLAS_CRASH_TRIALS", "20"))
PRE_ROWS = 1500

#: Byte offsets of SQLite's WAL locks in the -shm file (unix VFS): write, checkpoint.
_WRITE_LOCK = 120
_CKPT_LOCK = 121

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not sys.platform.startswith("linux"), reason="fcntl lock probe: Linux"),
]


# --------------------------------------------------------------------------- helpers


def _lock_holder(db: Path, offset: int) -> int:
    """Pid of the process holding SQLite's WAL lock at ``offset`` of ``db-shm`` (0: none)."""
    try:
        fd = os.open(f"{db}-shm", os.O_RDONLY)
    except FileNotFoundError:
        return 0
    try:
        probe = struct.pack("hhqqi", fcntl.F_WRLCK, os.SEEK_SET, offset, 1, 0)
        kind, _, _, _, pid = struct.unpack("hhqqi", fcntl.fcntl(fd, fcntl.F_GETLK, probe))
        return 0 if kind == fcntl.F_UNLCK else pid
    finally:
        os.close(fd)


Snapshot = dict[str, list[tuple[Any, ...]]]


def _snapshot(db: Path) -> Snapshot:
    """Every table of the store, rows sorted; after ``PRAGMA integrity_check`` passed."""
    con = sqlite3.connect(db, timeout=30)
    try:
        check = con.execute("PRAGMA integrity_check").fetchall()
        assert check == [("ok",)], f"integrity_check: {check[:5]}"
        tables = [
            r[0]
            for r in con.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name"
            )
        ]
        out: Snapshot = {}
        for table in tables:
            n = len(con.execute(f'SELECT * FROM "{table}" LIMIT 0').description)
            order = ", ".join(str(i + 1) for i in range(n))
            out[table] = con.execute(f'SELECT * FROM "{table}" ORDER BY {order}').fetchall()
        return out
    finally:
        con.close()


def _columns(db: Path, table: str) -> list[str]:
    con = sqlite3.connect(db, timeout=30)
    try:
        return [r[1] for r in con.execute(f'PRAGMA table_info("{table}")')]
    finally:
        con.close()


def _first_difference(a: Snapshot, b: Snapshot, db: Path) -> str:
    """The first differing row of the first differing table, column by column."""
    for table in sorted(set(a) | set(b)):
        rows_a, rows_b = a.get(table, []), b.get(table, [])
        if rows_a == rows_b:
            continue
        cols = _columns(db, table)
        for x, y in zip(rows_a, rows_b, strict=False):
            if x != y:
                diffs = [
                    f"{c}: {u!r:.80} != {v!r:.80}"
                    for c, u, v in zip(cols, x, y, strict=False)
                    if u != v
                ]
                return f"{table}: {'; '.join(diffs)}"
        return f"{table}: {len(rows_a)} rows != {len(rows_b)} rows"
    return "no difference"


def _new_upload_ids(before: Snapshot, after: Snapshot) -> list[str]:
    old = {row[1] for row in before["uploads"]}
    return [row[1] for row in after["uploads"] if row[1] not in old]


def _normalised(snap: Snapshot, new_id: str, time_cols: dict[str, set[int]]) -> Snapshot:
    """The snapshot with the new upload's id and timestamps made run-independent."""
    out: Snapshot = {}
    for table, rows in snap.items():
        norm = []
        for row in rows:
            values = [v.replace(new_id, "<new>") if isinstance(v, str) else v for v in row]
            if any(isinstance(v, str) and "<new>" in v for v in values):
                for i in time_cols.get(table, ()):
                    values[i] = "<time>"
            norm.append(tuple(values))
        out[table] = sorted(norm, key=repr)
    return out


def _content_keys(snap: Snapshot, id_pos: dict[str, int], hash_pos: dict[str, int]) -> set:
    """(incident_id, row_hash) of every current incident and every stored earlier version."""
    keys = set()
    for table in ("incidents", "incident_versions"):
        for row in snap.get(table, []):
            keys.add((row[id_pos[table]], row[hash_pos[table]]))
    return keys


def _spawn(upload: Path, db: Path, tmpdir: Path) -> subprocess.Popen:
    """Start the CLI; its stdout/stderr go to files beside the store (a full pipe
    would stall a child nobody reads from while the test watches its locks), its
    staging folders to ``tmpdir``."""
    env = {
        **os.environ,
        "ATLAS_ONLINE_GEOCODING": "0",
        "PYTHONUNBUFFERED": "1",
        "TMPDIR": str(tmpdir),
    }
    env.pop("ATLAS_DB", None)
    with open(f"{db}.out", "wb") as out, open(f"{db}.err", "wb") as err:
        return subprocess.Popen(
            [sys.executable, "-m", "geo", "ingest", str(upload), "--db", str(db)],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=err,
        )


def _finish(proc: subprocess.Popen, db: Path, timeout: float) -> tuple[bytes, bytes]:
    """Wait for the child; its stdout and stderr."""
    proc.wait(timeout=timeout)
    return Path(f"{db}.out").read_bytes(), Path(f"{db}.err").read_bytes()


def _wait_for(proc: subprocess.Popen, cond, timeout: float) -> float | None:
    """Poll ``cond()`` every 2 ms; the monotonic time it first held, None if the child ended."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if cond():
            return time.monotonic()
        if proc.poll() is not None:
            return None
        time.sleep(0.002)
    raise AssertionError("the ingest did not reach the expected stage in time")


def _wait_for_commit_lock(
    proc: subprocess.Popen, db: Path, min_hold: float, timeout: float = 600
) -> float | None:
    """Wait until ``proc`` has held the write lock for ``min_hold`` s without a break.

    The store also takes the write lock for a moment when it opens (creating any
    missing table); only the upload's own transaction holds it this long.
    Returns the monotonic time that transaction was first seen, None if the child
    ended first.
    """
    deadline = time.monotonic() + timeout
    since = None
    while time.monotonic() < deadline:
        now = time.monotonic()
        if _lock_holder(db, _WRITE_LOCK) == proc.pid:
            since = since or now
            if now - since >= min_hold:
                return since
        else:
            since = None
            if proc.poll() is not None:
                return None
        time.sleep(0.001)
    raise AssertionError("the ingest did not reach its write transaction in time")


def _lock_intervals(proc: subprocess.Popen, db: Path) -> list[tuple[float, float]]:
    """Sample the write lock until ``proc`` ends: the intervals it held it."""
    intervals, since = [], None
    while True:
        now = time.monotonic()
        held = _lock_holder(db, _WRITE_LOCK) == proc.pid
        if held and since is None:
            since = now
        elif not held and since is not None:
            intervals.append((since, now))
            since = None
        if proc.poll() is not None:
            if since is not None:
                intervals.append((since, now))
            return intervals
        time.sleep(0.001)


# --------------------------------------------------------------------------- fixture


@pytest.fixture(scope="module")
def crash_setup(
    tmp_path_factory: pytest.TempPathFactory, acled_rows: Callable[[int, int], Any]
) -> dict[str, Any]:
    """A pristine store (seed + an earlier upload), the big upload, and a calibrated run."""
    from geo.ingest.pipeline import ingest_path
    from geo.ingest.seed import open_store

    base = tmp_path_factory.mktemp("crash")
    earlier = base / "earlier.csv"
    acled_rows(PRE_ROWS, seed=11).to_csv(earlier, index=False)
    upload = base / "big_upload.csv"
    acled_rows(ROWS, seed=12).to_csv(upload, index=False)

    pristine = base / "pristine.sqlite"
    store = open_store(pristine)
    first = ingest_path(earlier, store)
    assert first.accepted == PRE_ROWS
    # a second, changed version of a few stored incidents: the store has history
    frame = acled_rows(PRE_ROWS, seed=11).head(200)
    frame["notes"] = "Revised synthetic event."
    revised = base / "revised.csv"
    frame.to_csv(revised, index=False)
    assert ingest_path(revised, store).updated == 200
    store.engine.dispose()
    for suffix in ("-wal", "-shm"):
        assert not Path(f"{pristine}{suffix}").exists(), "the store was not closed cleanly"
    before = _snapshot(pristine)

    # calibration: one uninterrupted run gives the stage times and the reference result
    ref_dir = base / "reference"
    ref_dir.mkdir()
    ref_db = ref_dir / "atlas.sqlite"
    shutil.copyfile(pristine, ref_db)
    scratch_dir = base / "tmp"  # the children's TMPDIR: their staging folders
    scratch_dir.mkdir()
    t0 = time.monotonic()
    proc = _spawn(upload, ref_db, scratch_dir)
    intervals = _lock_intervals(proc, ref_db)
    out, err = _finish(proc, ref_db, 600)
    t_exit = time.monotonic()
    assert proc.returncode == 0, err.decode()
    assert intervals, "the calibration run never took the write lock"
    assert not list(scratch_dir.iterdir()), "an upload left its staging folder"
    t_lock, t_unlock = max(intervals, key=lambda iv: iv[1] - iv[0])  # the upload's transaction
    assert t_unlock - t_lock >= 0.05, (
        f"the write transaction lasted {t_unlock - t_lock:.3f} s: too short to aim at; "
        "raise ATLAS_CRASH_ROWS"
    )
    report = json.loads(out)
    assert report["rejected"] == 0 and report["accepted"] == ROWS
    after = _snapshot(ref_db)
    new_ids = _new_upload_ids(before, after)
    assert new_ids == [report["upload_id"]]

    time_cols = {
        table: {i for i, c in enumerate(_columns(ref_db, table)) if c == "at" or c.endswith("_at")}
        for table in after
    }
    id_pos = {
        t: _columns(ref_db, t).index("incident_id") for t in ("incidents", "incident_versions")
    }
    hash_pos = {
        t: _columns(ref_db, t).index("row_hash") for t in ("incidents", "incident_versions")
    }
    # an uninterrupted upload keeps every earlier content (as current or as a version)
    assert _content_keys(before, id_pos, hash_pos) <= _content_keys(after, id_pos, hash_pos)
    assert report["updated"] > 0, "the upload should also replace stored versions"
    return {
        "upload": upload,
        "pristine": pristine,
        "scratch": scratch_dir,
        "before": before,
        "after": _normalised(after, new_ids[0], time_cols),
        "time_cols": time_cols,
        "id_pos": id_pos,
        "hash_pos": hash_pos,
        "t_lock": t_lock - t0,
        "t_hold": t_unlock - t_lock,
        "t_after": t_exit - t_unlock,
        "lock_intervals": len(intervals),
        "t_total": t_exit - t0,
        "report": report,
    }


# --------------------------------------------------------------------------- the test


def _plan(trials: int) -> list[str]:
    """Kill targets, shuffled with a fixed seed.

    ``early``: a random moment before the upload's transaction (start-up, reading,
    validation, geocoding, spatial join); ``write``: a random moment inside it;
    ``wal``: the moment its pages start going to the -wal file (the commit
    itself); ``late``: a random moment after the commit (checkpoint, report).
    """
    n_wal = max(trials * 3 // 20, 1)
    n_late = max(trials * 3 // 20, 1)
    n_write = max(trials * 8 // 20, 1)
    n_early = trials - n_write - n_wal - n_late
    plan = ["early"] * n_early + ["write"] * n_write + ["wal"] * n_wal + ["late"] * n_late
    random.Random(SEED).shuffle(plan)
    return plan


def _trial(setup: dict[str, Any], n: int, target: str, fraction: float, db: Path) -> dict:
    """Run one upload into a copy of the pristine store, SIGKILL it, check the store."""
    shutil.copyfile(setup["pristine"], db)
    t0 = time.monotonic()
    proc = _spawn(setup["upload"], db, setup["scratch"])

    def holds_write() -> bool:
        return _lock_holder(db, _WRITE_LOCK) == proc.pid

    def wal_size() -> int:
        return os.path.getsize(f"{db}-wal") if os.path.exists(f"{db}-wal") else 0

    min_hold = min(0.02, setup["t_hold"] / 4)
    if target == "early":
        delay = fraction * 0.97 * setup["t_lock"]
        _wait_for(proc, lambda: time.monotonic() - t0 >= delay, 600)
    elif target == "write":
        since = _wait_for_commit_lock(proc, db, min_hold)
        if since is not None:
            time.sleep(max(0.0, since + fraction * setup["t_hold"] - time.monotonic()))
    elif target == "wal":
        if _wait_for_commit_lock(proc, db, min_hold) is not None:
            _wait_for(proc, lambda: wal_size() > 0 or not holds_write(), 600)
    elif _wait_for_commit_lock(proc, db, min_hold) is not None:  # late: after the commit
        _wait_for(proc, lambda: not holds_write(), 600)
        time.sleep(fraction * 0.8 * setup["t_after"])

    store_opened = os.path.exists(f"{db}-shm")
    holding_write = holds_write()
    holding_ckpt = _lock_holder(db, _CKPT_LOCK) == proc.pid
    wal_bytes = wal_size()
    killed_at = time.monotonic() - t0
    killed = proc.poll() is None
    if killed:
        os.kill(proc.pid, signal.SIGKILL)
    _, err = _finish(proc, db, 60)
    if killed and proc.returncode == 0:
        # it was exiting when the signal was sent and finished first: a completed run
        killed = False
    if killed:
        assert proc.returncode == -signal.SIGKILL
    else:
        assert proc.returncode == 0, err.decode()

    snap = _snapshot(db)  # asserts PRAGMA integrity_check == ok
    new_ids = _new_upload_ids(setup["before"], snap)
    before_keys = _content_keys(setup["before"], setup["id_pos"], setup["hash_pos"])
    lost = len(before_keys - _content_keys(snap, setup["id_pos"], setup["hash_pos"]))
    if new_ids:
        outcome = "committed"
        assert len(new_ids) == 1
        normal = _normalised(snap, new_ids[0], setup["time_cols"])
        same = normal == setup["after"]  # outside the assert: pytest would diff the whole store
        assert same, (
            f"trial {n}: a committed upload differs from a clean run: "
            + _first_difference(normal, setup["after"], db)
        )
    else:
        outcome = "rolled_back"
        unchanged = snap == setup["before"]
        assert unchanged, (
            f"trial {n}: the store changed without an upload row: "
            + _first_difference(snap, setup["before"], db)
        )
    assert lost == 0
    return {
        "trial": n,
        "target": target,
        "killed": killed,
        "killed_at_s": round(killed_at, 3),
        "store_opened": store_opened,
        "in_write_transaction": killed and holding_write,
        "in_checkpoint": killed and holding_ckpt,
        "wal_bytes_at_kill": wal_bytes,
        "outcome": outcome,
        "rows_lost": lost,
    }


def test_sigkill_during_ingest_never_damages_the_store(
    record_figures, crash_setup: dict[str, Any], tmp_path: Path
) -> None:
    setup = crash_setup
    rng = random.Random(SEED)
    plan = [(n, target, rng.random()) for n, target in enumerate(_plan(TRIALS))]
    # two trials at a time (each on its own copy of the store): the machine has two cores
    with ThreadPoolExecutor(max_workers=2) as pool:
        futures = [
            pool.submit(_trial, setup, n, target, fraction, tmp_path / f"trial{n:02d}.sqlite")
            for n, target, fraction in plan
        ]
        trials = [f.result() for f in futures]
    # the staging folders killed uploads left; the next upload that writes in bulk
    # deletes them (geo.store.scratch) and its own
    left_by_kills = len(list(setup["scratch"].glob("atlas-rows-*")))
    after_db = tmp_path / "after_the_kills.sqlite"
    shutil.copyfile(setup["pristine"], after_db)
    proc = _spawn(setup["upload"], after_db, setup["scratch"])
    _out, err = _finish(proc, after_db, 600)
    assert proc.returncode == 0, err.decode()
    left_after = sorted(p.name for p in setup["scratch"].iterdir())

    kills = [t for t in trials if t["killed"]]
    # inside the upload's own transaction: aimed at it, lock still held, and rolled back
    in_write = [
        t
        for t in kills
        if t["target"] in ("write", "wal")
        and t["in_write_transaction"]
        and t["outcome"] == "rolled_back"
    ]
    early = [t for t in kills if t["target"] == "early"]
    figures = {
        "rows_in_upload": ROWS,
        "rows_in_store_before": len(setup["before"]["incidents"]),
        "trials": len(trials),
        "kills": len(kills),
        "kills_before_store_opened": len([t for t in early if not t["store_opened"]]),
        "kills_during_write_transaction": len(in_write),
        "kills_while_writing_wal_frames": len([t for t in in_write if t["wal_bytes_at_kill"]]),
        "kills_during_checkpoint": len([t for t in kills if t["in_checkpoint"]]),
        "targets": dict(Counter(t["target"] for t in trials)),
        "kills_after_commit": len([t for t in kills if t["outcome"] == "committed"]),
        "rolled_back": len([t for t in trials if t["outcome"] == "rolled_back"]),
        "committed": len([t for t in trials if t["outcome"] == "committed"]),
        "rows_lost": sum(t["rows_lost"] for t in trials),
        "integrity_checks_passed": len(trials),  # _snapshot asserts "ok" after every trial
        "calibration_s": {
            "until_write_lock": round(setup["t_lock"], 2),
            "write_lock_held": round(setup["t_hold"], 2),
            "after_commit": round(setup["t_after"], 2),
            "total": round(setup["t_total"], 2),
            "write_lock_intervals": setup["lock_intervals"],
        },
        "kill_times_s": sorted(t["killed_at_s"] for t in kills),
        "staging_folders_left_by_kills": left_by_kills,
        "staging_folders_after_the_next_upload": len(left_after),
    }
    record_figures("crash", figures)

    assert len(trials) >= min(TRIALS, 20)
    assert len(kills) >= 0.8 * len(trials), figures
    # the kills really reach the write: several land inside the upload's transaction
    assert len(in_write) >= max(3, len(trials) // 4), figures
    # and several land before the store is touched (start-up, reading, validation)
    assert figures["kills_before_store_opened"] >= max(3, len(trials) // 6), figures
    assert left_after == [], figures  # no killed upload's scratch file outlives the next
