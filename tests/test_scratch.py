"""geo.store.scratch: a staging folder is kept while its process lives and swept after."""

from __future__ import annotations

import fcntl
import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest

from geo.store import bulk, scratch
from geo.store.core import Store

pytestmark = pytest.mark.skipif(
    sys.platform == "win32", reason="folders are swept only where fcntl.flock exists"
)


def _folders(base: Path) -> list[str]:
    return sorted(p.name for p in base.iterdir())


def test_a_held_folder_is_kept_and_a_released_one_is_gone(tmp_path: Path) -> None:
    folder, held = scratch.new_folder(tmp_path)
    assert (folder / "lock").exists() and not (folder / ".lock-new").exists()
    assert scratch.sweep(tmp_path) == [] and folder.exists()
    scratch.release(folder, held)
    assert _folders(tmp_path) == []


def test_the_folder_of_a_killed_process_is_swept(tmp_path: Path) -> None:
    # a real process makes its folder, writes into it and is killed before it deletes it
    code = (
        "import sys, time; from pathlib import Path; from geo.store import scratch; "
        "folder, _ = scratch.new_folder(Path(sys.argv[1])); "
        "(folder / 'rows.sqlite').write_bytes(b'x' * 4096); print(folder, flush=True); "
        "time.sleep(60)"
    )
    child = subprocess.Popen(
        [sys.executable, "-c", code, str(tmp_path)], stdout=subprocess.PIPE, text=True
    )
    try:
        folder = Path(child.stdout.readline().strip())
        assert folder.parent == tmp_path
        assert scratch.sweep(tmp_path) == []  # alive: its lock is held
        os.kill(child.pid, signal.SIGKILL)
        child.wait(10)
    finally:
        child.kill()
        child.stdout.close()
    assert folder.exists()  # nothing deleted it on the way down
    assert scratch.sweep(tmp_path) == [folder]
    assert _folders(tmp_path) == []


def test_a_folder_without_a_lock_file_is_swept_only_once_an_hour_old(tmp_path: Path) -> None:
    old = tmp_path / f"{scratch.PREFIX}old"
    young = tmp_path / f"{scratch.PREFIX}young"
    for folder in (old, young):
        folder.mkdir()
        (folder / "rows.sqlite").write_bytes(b"")
    hour_ago = time.time() - 3601
    os.utime(old, (hour_ago, hour_ago))
    other = tmp_path / "someone-elses"  # not a staging folder: never touched
    other.mkdir()
    os.utime(other, (hour_ago, hour_ago))
    assert scratch.sweep(tmp_path) == [old]
    assert _folders(tmp_path) == [f"{scratch.PREFIX}young", "someone-elses"]


def test_a_folder_whose_maker_died_before_its_lock_is_swept_at_once(tmp_path: Path) -> None:
    empty = tmp_path / f"{scratch.PREFIX}empty"  # killed between mkdtemp and the lock
    empty.mkdir()
    claimed = tmp_path / f"{scratch.PREFIX}claimed"  # killed before the rename
    claimed.mkdir()
    (claimed / ".lock-new").write_bytes(b"")
    live = tmp_path / f"{scratch.PREFIX}live"  # alive, between its lock and the rename
    live.mkdir()
    fd = os.open(live / ".lock-new", os.O_RDWR | os.O_CREAT)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        assert scratch.sweep(tmp_path) == [claimed, empty]
        assert _folders(tmp_path) == [f"{scratch.PREFIX}live"]
    finally:
        os.close(fd)


def test_a_maker_whose_folder_is_swept_from_under_it_starts_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    real, tried = scratch._hold, []

    def swept_first(folder: Path):
        tried.append(folder)
        if len(tried) == 1:
            folder.rmdir()  # another process's sweep, in the instant before the lock
        return real(folder)

    monkeypatch.setattr(scratch, "_hold", swept_first)
    folder, held = scratch.new_folder(tmp_path)
    try:
        assert len(tried) == 2 and folder == tried[1] and not tried[0].exists()
        assert (folder / "lock").exists()
    finally:
        scratch.release(folder, held)


def test_a_bulk_upload_sweeps_what_a_killed_one_left_and_leaves_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, acled_rows, bulk_writes: list[int]
) -> None:
    from geo.ingest import pipeline

    tmp = tmp_path / "tmp"
    tmp.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(tmp))
    monkeypatch.setattr(bulk, "BULK_FROM", 50)
    left, held = scratch.new_folder(tmp)
    (left / "rows.sqlite").write_bytes(b"x" * 4096)
    os.close(held)  # as if its process had been killed: the lock is gone, the folder not
    store = Store(tmp_path / "s.sqlite", seed=False)
    upload = tmp_path / "up.csv"
    acled_rows(200, seed=5).to_csv(upload, index=False)
    assert pipeline.ingest_path(upload, store).accepted == 200
    assert bulk_writes == [200]  # the rows went through a staging folder of their own
    assert not left.exists()
    assert _folders(tmp) == []
