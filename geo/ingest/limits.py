"""The size limit of an upload, checked before a byte of it is parsed.

:func:`check_size` refuses a file over ``ATLAS_MAX_UPLOAD_MB`` with both sizes
in the message (:func:`format_size`); :func:`read_upload_file` applies it to a
file named on the command line before reading it. The readers
(:mod:`geo.ingest.reader`, :mod:`geo.ingest.workbook`) call it first.
"""

from __future__ import annotations

from pathlib import Path

from geo.config import get_settings
from geo.report import FileRefused

__all__ = ["check_size", "format_size", "read_upload_file"]


def format_size(n_bytes: float) -> str:
    """A file size for a message: ``"200 MB"``, ``"1.5 MB"``, ``"10.2 KB"`` or ``"300 bytes"``.

    One decimal at most, and none when it would be ``.0``.

    Examples
    --------
    >>> format_size(200 * 1024 * 1024), format_size(10_485), format_size(12)
    ('200 MB', '10.2 KB', '12 bytes')
    """
    for unit, size in (("MB", 1024 * 1024), ("KB", 1024)):
        if n_bytes >= size:
            return f"{n_bytes / size:.1f}".removesuffix(".0") + f" {unit}"
    return f"{int(n_bytes)} bytes"


def check_size(n_bytes: int, limit: int) -> None:
    """Refuse a file of ``n_bytes`` over the ``limit`` (``ATLAS_MAX_UPLOAD_MB``).

    Raises
    ------
    FileRefused
        With both sizes in units that show the difference.
    """
    if n_bytes > limit:
        raise FileRefused(
            f"The file is {format_size(n_bytes)}, over the upload limit of "
            f"{format_size(limit)} (ATLAS_MAX_UPLOAD_MB): split it into smaller files "
            "and upload them one by one."
        )


def read_upload_file(path: str | Path) -> bytes:
    """The bytes of a file given on the command line, refused before reading when absent
    or over ``ATLAS_MAX_UPLOAD_MB``.

    Raises
    ------
    FileRefused
        No such file, or it is too big.
    """
    path = Path(path)
    if not path.is_file():
        raise FileRefused(f"There is no file at {path}: check the path and try again.")
    check_size(path.stat().st_size, get_settings().max_upload_bytes)
    return path.read_bytes()
