"""Staging folders for bulk writes: made, held while in use, swept once abandoned.

A bulk upload (:mod:`geo.store.bulk`) writes its rows to a scratch SQLite file in a
folder of the system's temporary directory and deletes the folder when its
transaction ends. A process killed inside that transaction (a crash, ``kill -9``,
the machine losing power) never reaches the deletion, and the file, about 300
bytes per row, would stay until the next reboot: a quarter of a gigabyte for a
killed upload of a million rows.

So each folder holds a file ``lock`` that its process keeps locked
(``flock``) for as long as it uses the folder; the kernel drops the lock when the
process ends, however it ends. :func:`new_folder` first sweeps the folders whose
lock nobody holds. The lock is taken on a file ``.lock-new`` and only then renamed
``lock``, and rows are written only after that, so a process killed while making
its folder leaves it empty or with an unheld ``.lock-new``: both are swept too. A
maker that finds its folder swept from under it in that instant starts again with
a new one. A folder with rows but no lock file (left by a version of the app before
this one) is deleted once it is an hour old. Where ``fcntl`` does not exist
(Windows) folders are made and deleted as before and nothing is swept.

Examples
--------
>>> import tempfile
>>> from pathlib import Path
>>> base = Path(tempfile.mkdtemp())
>>> folder, held = new_folder(base)
>>> folder.name.startswith(PREFIX), sweep(base)  # in use: kept
(True, [])
>>> release(folder, held)
>>> folder.exists()
False
>>> base.rmdir()
"""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
import time
from pathlib import Path

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows
    fcntl = None  # type: ignore[assignment]

__all__ = ["PREFIX", "new_folder", "release", "sweep"]

#: The name of every staging folder starts with this.
PREFIX = "atlas-rows-"

_LOCK = "lock"
_CLAIM = ".lock-new"  # the lock file before it is held
_UNLOCKED_AFTER_S = 3600.0  # a folder with rows and no lock file: abandoned after this
_ATTEMPTS = 3
_HELD = object()  # _take: the lock is someone else's


def new_folder(base: Path | None = None) -> tuple[Path, int | None]:
    """Sweep abandoned staging folders, then make a new one, held by this process.

    Parameters
    ----------
    base : pathlib.Path, optional
        Where to make it; the system's temporary directory (``TMPDIR``) by default.

    Returns
    -------
    (pathlib.Path, int or None)
        The folder and the descriptor holding its lock (None without ``fcntl``), to
        be given back to :func:`release`.
    """
    base = Path(tempfile.gettempdir()) if base is None else base
    sweep(base)
    for _ in range(_ATTEMPTS - 1):
        with contextlib.suppress(OSError):  # swept by another process before the lock
            return _made(base)
    return _made(base)  # the last attempt's error is the caller's


def _made(base: Path) -> tuple[Path, int | None]:
    """A new folder in ``base`` and the descriptor holding its lock; nothing left
    behind when the lock cannot be taken."""
    folder = Path(tempfile.mkdtemp(prefix=PREFIX, dir=base))
    try:
        return folder, _hold(folder)
    except OSError:
        shutil.rmtree(folder, ignore_errors=True)
        raise


def release(folder: Path, held: int | None) -> None:
    """Delete ``folder`` and let go of its lock; never raises."""
    shutil.rmtree(folder, ignore_errors=True)
    if held is not None:
        with contextlib.suppress(OSError):
            os.close(held)


def sweep(base: Path, *, now: float | None = None) -> list[Path]:
    """Delete the staging folders in ``base`` that no living process holds.

    Returns
    -------
    list of pathlib.Path
        The folders deleted.
    """
    if fcntl is None:  # pragma: no cover - Windows
        return []
    now = time.time() if now is None else now
    gone = []
    for folder in sorted(base.glob(f"{PREFIX}*")):
        if not folder.is_dir():
            continue
        taken = _take(folder)
        if taken is _HELD:
            continue
        if taken is None:  # no lock file: killed before it took one, or an old version's
            if _remove_if_empty(folder):
                gone.append(folder)
            elif _age(folder, now) > _UNLOCKED_AFTER_S:
                shutil.rmtree(folder, ignore_errors=True)
                gone.append(folder)
            continue
        try:  # deleted with its lock held: a maker in that instant fails to take it
            shutil.rmtree(folder, ignore_errors=True)
        finally:
            os.close(taken)
        gone.append(folder)
    return gone


def _hold(folder: Path) -> int | None:
    """Lock a new file in ``folder`` and only then give it the name ``lock``. A sweep
    that catches the file in the instant before it is locked holds it while deleting
    the folder: the lock or the rename then fails here and :func:`new_folder` starts
    again."""
    if fcntl is None:  # pragma: no cover - Windows
        return None
    claim = folder / _CLAIM
    fd = os.open(claim, os.O_RDWR | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        os.replace(claim, folder / _LOCK)  # the same file: the lock goes with it
    except OSError:
        os.close(fd)
        raise
    return fd


def _take(folder: Path) -> int | object | None:
    """A descriptor holding the lock of ``folder``'s lock file when nobody else held it;
    :data:`_HELD` when a process does (or it cannot be told); None without a lock file."""
    for name in (_LOCK, _CLAIM):
        try:
            fd = os.open(folder / name, os.O_RDONLY)
        except FileNotFoundError:
            continue
        except OSError:  # another user's folder, say: not ours to judge
            return _HELD
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)  # taken only if nobody holds it
        except OSError:
            os.close(fd)
            return _HELD
        return fd
    return None


def _remove_if_empty(folder: Path) -> bool:
    try:
        folder.rmdir()  # fails unless empty: a maker about to lock finds it gone and retries
    except OSError:
        return False
    return True


def _age(folder: Path, now: float) -> float:
    try:
        return now - folder.stat().st_mtime
    except OSError:
        return 0.0
