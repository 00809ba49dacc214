"""A large upload's rows as Arrow columns, and their bulk write into SQLite.

Python's ``sqlite3`` binds every value of every row through the interpreter: for
a million incidents, the parameter tuples and ``executemany`` took about nine
seconds. Here the rows go as whole columns instead:

1. :func:`storage_table` turns the store's column lists into one Arrow table (the
   row hashes of :mod:`geo.store.rowhash` are computed from it too);
2. :func:`insert_staged` writes the rows to insert into new SQLite files outside
   the store with ADBC (the Arrow project's database driver, which binds Arrow
   arrays in C), a part of the rows per file on a second thread, attaches each
   file to the store's connection and copies its rows with one ``INSERT …
   SELECT``, inside the upload's transaction: the store gets all of them or,
   when anything fails, none;
3. :func:`detach_staged` detaches and deletes the files once the transaction has
   ended (SQLite cannot detach a database a transaction has read).

The staging files hold only a copy of rows already in memory: losing them loses
nothing. They live in the system's temporary folder (``TMPDIR``), about 300 bytes
per row, in a folder of :mod:`geo.store.scratch`: one left by a killed process is
deleted by the next bulk write.

ADBC's driver carries its own copy of the SQLite library. Two copies of SQLite in
one process must never open the same file (closing one copy's descriptor drops
the other's POSIX locks), so the driver only ever opens the staging files, and
closes each before the store's connection attaches it; the store's file is opened
by Python's ``sqlite3`` alone.
"""

from __future__ import annotations

import contextlib
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from functools import cached_property
from itertools import pairwise
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from geo.schema import FLOAT_COLUMNS, INT_COLUMNS
from geo.store import scratch
from geo.store.rowhash import arrow_columns, arrow_type, hash_rows, hash_table
from geo.store.storage import WRITTEN, storage_columns

__all__ = [
    "BULK_FROM",
    "StoredRows",
    "detach_staged",
    "frame_table",
    "insert_staged",
    "storage_table",
    "stored_rows",
    "with_table",
]

#: Below this many rows ``executemany`` is as quick and needs no staging file.
BULK_FROM = 20_000
#: Rows per staging file: ADBC writes the next file while the store copies one.
PART_ROWS = 250_000
_MAX_PARTS = 8

_SCHEMA = "atlas_rows"
_KEY = "atlas_staged"  # in Connection.info: (folder, lock) to release after the transaction


class StoredRows:
    """One upload's rows as the store writes them.

    ``cols`` are :func:`~geo.store.storage.storage_columns`, ``hashes`` their
    row hashes (a list, or the Arrow array of :func:`~geo.store.rowhash.hash_table`
    made a list only if asked), and ``table`` the same columns as Arrow
    (:func:`storage_table`) when the upload is large enough to be written in
    bulk, else None. Made from a frame with a table, the lists are built only if
    something asks for them (the ``executemany`` and PostgreSQL paths): a bulk
    write needs only the ids.
    A large frame's rows are held in ``incident_id`` order (``order``: the frame's
    row at each position), the order they are written in, so that a first upload
    is written without reordering a copy of every column.
    """

    def __init__(
        self,
        cols: dict[str, list[Any]] | None,
        hashes: list[str] | Any,
        table: Any = None,
        *,
        frame: pd.DataFrame | None = None,
        order: np.ndarray | None = None,
    ) -> None:
        if cols is None and frame is None:
            raise ValueError("StoredRows needs the column lists or the frame they come from")
        self._cols, self._frame, self._order = cols, frame, order
        self.table = table
        if isinstance(hashes, list):
            self.hashes = hashes
        else:  # an Arrow array (hash_table): made into a list only if something asks
            self.hash_array = hashes
        self.size = len(hashes)

    @cached_property
    def hashes(self) -> list[str]:
        """Each row's hash (:mod:`geo.store.rowhash`)."""
        return self.hash_array.to_pylist()

    @cached_property
    def hash_array(self) -> Any:
        """The hashes as an Arrow text array, for the bulk write."""
        import pyarrow as pa

        return pa.array(self.hashes, pa.string())

    @cached_property
    def cols(self) -> dict[str, list[Any]]:
        if self._cols is None:
            frame = self._frame if self._order is None else self._frame.take(self._order)
            self._cols = storage_columns(frame)
        return self._cols

    def in_file_order(self) -> Sequence[int]:
        """The positions of the rows in the order the frame (the file) had them."""
        if self._order is None:
            return range(self.size)
        return np.argsort(self._order).tolist()

    @cached_property
    def ids(self) -> list[Any]:
        """Each row's ``incident_id``."""
        if self._cols is None and self.table is not None:
            return self.table.column("incident_id").to_pylist()
        return self.cols["incident_id"]


def stored_rows(df: pd.DataFrame) -> StoredRows:
    """:class:`StoredRows` of a canonical, typed incidents frame.

    Examples
    --------
    >>> from geo.schema import normalise_dtypes
    >>> rows = stored_rows(normalise_dtypes(pd.DataFrame({"incident_id": ["X-1"]})))
    >>> len(rows.hashes[0]), rows.table is None
    (40, True)
    """
    large = len(df) >= BULK_FROM
    order = _id_order(df) if large else None
    if large and (table := frame_table(df, order)) is not None:
        hashes = hash_table(table)
        if hashes is not None:
            return StoredRows(None, hashes, table, frame=df, order=order)
    cols = storage_columns(df)
    table = storage_table(cols) if large else None
    return StoredRows(cols, hash_rows(cols, table=table), table)


def with_table(cols: dict[str, list[Any]], hashes: list[str]) -> StoredRows:
    """:class:`StoredRows` of column lists whose hashes are known (rows read back for a redo)."""
    large = len(hashes) >= BULK_FROM
    return StoredRows(cols, hashes, storage_table(cols) if large else None)


def frame_table(df: pd.DataFrame, order: np.ndarray | None = None) -> Any | None:
    """``storage_table(storage_columns(df))``, converted from the frame's arrays directly.

    The same values and types as going through the Python lists (the tests
    compare the two), without making a Python object per cell. None when a
    column cannot be converted so (text with other values in it, text that is
    not UTF-8): then go through the lists. With ``order``, the rows come in that
    order, each column reordered as it is made (never two copies of the table).
    """
    try:
        import pyarrow as pa
    except ImportError:  # pragma: no cover - pyarrow is a dependency
        return None
    n = len(df)
    arrays: list[Any] = []
    positions = None if order is None else pa.array(order, type=pa.int64())

    def put(array: Any) -> None:  # each column reordered as it is made
        arrays.append(array if positions is None else array.take(positions))

    for col in WRITTEN:
        typ = arrow_type(col)
        if col not in df.columns:
            put(pa.nulls(n, typ))
            continue
        s = df[col]
        try:
            if col in INT_COLUMNS:
                put(pa.array(pd.array(s, dtype="Int64"), type=typ))
            elif col in FLOAT_COLUMNS:
                values = pd.to_numeric(s, errors="coerce").to_numpy(dtype="float64")
                put(pa.array(values, type=typ, from_pandas=True))  # NaN → null
            elif col == "event_date":
                put(_date_array(pd.to_datetime(s, errors="coerce").to_numpy(dtype="datetime64[D]")))
            elif col == "cross_border":
                flags = pd.array(s, dtype="boolean").astype("Int64")
                put(pa.array(flags, type=typ))
            else:
                text = _text_array(s.to_numpy(dtype=object), distinct=col == "incident_id")
                if text is None:
                    return None  # numbers or other objects in a text column
                put(text)
        except (pa.ArrowInvalid, pa.ArrowTypeError, UnicodeEncodeError):
            return None
    return pa.table(arrays, names=WRITTEN)


def _text_array(values: np.ndarray, *, distinct: bool) -> Any | None:
    """A text column as Arrow, None and NaN as null; None when it holds anything but text.

    Most columns of an upload repeat a few values (event types, actors, places,
    sources): they become dictionary arrays, a code per row and each text once,
    which at a million rows holds about 250 MB less than a copy of every row's
    text. The store receives the same text either way (ADBC writes the values, and
    DuckDB hashes them). A column of mostly distinct values is converted as it is.

    Examples
    --------
    >>> a = _text_array(np.array(["a", None, "a", float("nan")], dtype=object), distinct=False)
    >>> str(a.type), a.to_pylist()
    ('dictionary<values=string, indices=int32, ordered=0>', ['a', None, 'a', None])
    >>> _text_array(np.array(["a", 1], dtype=object), distinct=False) is None
    True
    """
    import pyarrow as pa

    if distinct:
        return pa.array(values, type=pa.string(), from_pandas=True) if _all_text(values) else None
    codes, uniques = pd.factorize(values)
    if not _all_text(uniques):  # the distinct values say it as well as every row
        return None
    if len(uniques) * 2 > len(values):  # mostly distinct: codes would only add to it
        return pa.array(values, type=pa.string(), from_pandas=True)
    indices = pa.array(codes.astype(np.int32), mask=codes < 0)
    return pa.DictionaryArray.from_arrays(indices, pa.array(uniques, type=pa.string()))


def _all_text(values: np.ndarray) -> bool:
    """Whether ``values`` holds only text (None and NaN aside)."""
    return pd.api.types.infer_dtype(values, skipna=True) in ("string", "empty")


def _date_array(days: np.ndarray) -> Any:
    """``YYYY-MM-DD`` text of each day (NaT as null), as a dictionary of the distinct days.

    A million incidents fall on a few thousand days: writing each distinct day once
    takes 0.1 s where formatting every row took about 2 s.

    Examples
    --------
    >>> days = np.array(["2024-05-01", "NaT", "2024-05-01"], dtype="datetime64[D]")
    >>> _date_array(days).to_pylist()
    ['2024-05-01', None, '2024-05-01']
    """
    import pyarrow as pa

    codes, uniques = pd.factorize(days)
    text = pa.array(np.datetime_as_string(np.asarray(uniques, dtype="datetime64[D]")), pa.string())
    return pa.DictionaryArray.from_arrays(pa.array(codes.astype(np.int32), mask=codes < 0), text)


def storage_table(cols: dict[str, list[Any]]) -> Any | None:
    """The written columns of :func:`~geo.store.storage.storage_columns` as an Arrow table.

    Integers (and ``cross_border``) as int64, coordinates and distances as
    float64, everything else as UTF-8 text, None as null: the values SQLite
    stores. None when pyarrow is missing or a text holds what UTF-8 cannot (a
    lone surrogate); then the caller keeps to the lists.

    Examples
    --------
    >>> cols = {c: [None] for c in WRITTEN}
    >>> cols.update(incident_id=["X-1"], killed=[3])
    >>> table = storage_table(cols)
    >>> str(table.schema.field("killed").type), table.column("incident_id").to_pylist()
    ('int64', ['X-1'])
    """
    return arrow_columns(cols, WRITTEN, len(cols["incident_id"]))


def insert_staged(conn: Any, rows: StoredRows, take: list[int], upload_id: str) -> bool:
    """Insert ``rows`` at ``take`` (in that order) through staging files.

    The rows are staged in parts of :data:`PART_ROWS` (:func:`_parts`): a thread
    writes each part's file with ADBC (which lets go of the GIL) while this one
    attaches the part before it and copies its rows, so the two cores share the
    write. ADBC has closed a file before it is attached, and never opens the store.

    Parameters
    ----------
    conn : sqlalchemy.engine.Connection
        The store's connection, inside the upload's write transaction.
    rows : StoredRows
        With its Arrow ``table``.
    take : list of int
        The rows to insert.
    upload_id : str

    Returns
    -------
    bool
        False when the rows have no Arrow table or ADBC's SQLite driver is not
        installed: nothing was written and the caller inserts the rows itself.
    """
    if rows.table is None:
        return False
    try:
        import adbc_driver_sqlite.dbapi  # noqa: F401  (only whether it is installed)
        import pyarrow as pa
    except ImportError:
        return False
    picked, hashes = rows.table, rows.hash_array
    if not _every_row_in_order(take, picked.num_rows):  # else a copy of every column for nothing
        positions = pa.array(take, type=pa.int64())
        picked, hashes = picked.take(positions), hashes.take(positions)
    picked = picked.append_column(
        "upload_id", pa.repeat(pa.scalar(upload_id, pa.string()), len(take))
    )
    picked = picked.append_column("row_hash", hashes)
    folder, held = scratch.new_folder()
    conn.info[_KEY] = (folder, held)
    raw = conn.connection.dbapi_connection
    for schema in _attached(raw):  # left by a transaction whose clean-up failed
        raw.execute(f"DETACH DATABASE {schema}")
    names = ", ".join(f'"{c}"' for c in picked.column_names)
    # one part written by ADBC on the other core while the one before is copied
    parts = _parts(picked.num_rows)
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="atlas-stage") as pool:
        written = [
            pool.submit(_write_part, picked.slice(start, stop - start), folder / f"rows{i}.sqlite")
            for i, (start, stop) in enumerate(parts)
        ]
        try:
            for i, part in enumerate(written):
                schema = f"{_SCHEMA}{i}"
                raw.execute(f"ATTACH DATABASE ? AS {schema}", (str(part.result()),))
                raw.execute(
                    f"INSERT INTO incidents ({names}) "
                    f"SELECT {names} FROM {schema}.rows ORDER BY rowid"
                )
        except BaseException:
            for part in written:
                part.cancel()
            raise
    return True


def _write_part(rows: Any, path: Path) -> Path:
    """``rows`` into a new SQLite file at ``path`` through ADBC, closed on return."""
    import adbc_driver_sqlite.dbapi as adbc

    with adbc.connect(str(path), autocommit=True) as staging, staging.cursor() as cur:
        cur.execute("PRAGMA journal_mode = OFF")  # a scratch copy: no journal, no fsync
        cur.execute("PRAGMA synchronous = OFF")
        cur.adbc_ingest("rows", rows, mode="create")
    return path


def _parts(n: int) -> list[tuple[int, int]]:
    """``[start, stop)`` of the parts ``n`` rows are staged in: :data:`PART_ROWS` each,
    at most :data:`_MAX_PARTS` (an attached file each; SQLite attaches ten at most).

    >>> _parts(10), _parts(PART_ROWS + 1)
    ([(0, 10)], [(0, 125000), (125000, 250001)])
    """
    count = min(max(1, -(-n // PART_ROWS)), _MAX_PARTS)
    bounds = [n * i // count for i in range(count + 1)]
    return list(pairwise(bounds))


def detach_staged(conn: Any) -> None:
    """After the transaction: detach the staging files of :func:`insert_staged`, delete them."""
    staged = conn.info.pop(_KEY, None)
    if staged is None:
        return
    # never raises: it runs while the transaction's own error, if any, propagates
    with contextlib.suppress(Exception):
        raw = conn.connection.dbapi_connection
        for schema in _attached(raw):
            raw.execute(f"DETACH DATABASE {schema}")
    scratch.release(*staged)


def _id_order(df: pd.DataFrame) -> np.ndarray | None:
    """Positions of ``df``'s rows sorted by ``incident_id`` (stable: of rows sharing an
    id, the first in the file stays first), or None when they are in order already or
    the ids are not all text.

    >>> _id_order(pd.DataFrame({"incident_id": ["B", "A", "B", "C"]})).tolist()
    [1, 0, 2, 3]
    >>> _id_order(pd.DataFrame({"incident_id": ["A", "B"]})) is None
    True
    """
    import pyarrow as pa
    import pyarrow.compute as pc

    try:
        ids = pa.array(df["incident_id"].to_numpy(dtype=object), type=pa.string())
    except (pa.ArrowInvalid, pa.ArrowTypeError):
        return None
    order = pc.sort_indices(ids).to_numpy().astype(np.int64)  # stable; nulls go last
    if (np.diff(order) > 0).all():
        return None
    return order


def _every_row_in_order(take: list[int], n: int) -> bool:
    """Whether ``take`` is 0, 1, …, n - 1 (a first upload of rows in id order).

    >>> _every_row_in_order([0, 1, 2], 3), _every_row_in_order([0, 2, 1], 3)
    (True, False)
    """
    return len(take) == n and (
        n == 0 or (take[0] == 0 and take[-1] == n - 1 and take == list(range(n)))
    )


def _attached(raw: Any) -> list[str]:
    """The staging files attached to ``raw``: their schema names."""
    return [row[1] for row in raw.execute("PRAGMA database_list") if row[1].startswith(_SCHEMA)]
