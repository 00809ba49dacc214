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
lock nobody holds. A folder without a lock file (being made at this instant, or
left by a version of the app before this one) is left alone until it is an hour
old. Where ``fcntl`` does not exist (Windows) folders are made and deleted as
before and nothing is swept.

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
_UNLOCKED_AFTER_S = 3600.0  # a folder with no lock file is abandoned after this long


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
        if folder.is_dir() and _abandoned(folder, now):
            shutil.rmtree(folder, ignore_errors=True)
            gone.append(folder)
    return gone


def _hold(folder: Path) -> int | None:
    """Lock a new file in ``folder`` and only then give it the name ``lock``: a sweep
    never sees the lock file unheld while its process is alive."""
    if fcntl is None:  # pragma: no cover - Windows
        return None
    claim = folder / f".{_LOCK}-new"
    fd = os.open(claim, os.O_RDWR | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        os.replace(claim, folder / _LOCK)  # the same file: the lock goes with it
    except OSError:
        os.close(fd)
        raise
    return fd


def _abandoned(folder: Path, now: float) -> bool:
    try:
        fd = os.open(folder / _LOCK, os.O_RDONLY)
    except FileNotFoundError:
        try:
            return now - folder.stat().st_mtime > _UNLOCKED_AFTER_S
        except OSError:
            return False
    except OSError:  # another user's folder, say: not ours to judge
        return False
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)  # taken only if nobody holds it
    except OSError:
        return False
    finally:
        os.close(fd)  # and let go at once
    return True
