"""``row_hash``: the SHA-1 that tells a changed incident from a repeated one.

The hashed text of a row is its content columns (:data:`CONTENT_COLUMNS`) in
order, joined by ``\\x1f``; a missing value is ``\\x00``, a number is written as
Python's ``str`` writes it. The columns of :data:`geo.schema.ADDED_COLUMNS`
follow as ``\\x1ename=value`` only where the row has a value, so a row without
them hashes as it did before they existed. Stored hashes depend on this text
byte for byte: changing it would make every re-upload look like an update.

Two implementations give the same hashes:

- :func:`hash_rows` builds the text and the SHA-1 of whole columns in DuckDB
  (Arrow arrays in, on every core), about a third of the time of the loop below
  at a million rows;
- :func:`hash_rows_python`, the reference, one Python string per row. It is
  used when DuckDB is not installed, and for text that Arrow cannot hold (a lone
  surrogate, which is not UTF-8); the tests compare the two on generated rows.
"""

from __future__ import annotations

import hashlib
from typing import Any

from geo.schema import ADDED_COLUMNS, DERIVED_COLUMNS, FLOAT_COLUMNS, INCIDENT_COLUMNS, INT_COLUMNS

__all__ = [
    "CONTENT_COLUMNS",
    "arrow_columns",
    "arrow_type",
    "hash_rows",
    "hash_rows_python",
    "hash_table",
]

#: Columns that define an incident's content (what ``row_hash`` covers).
CONTENT_COLUMNS: list[str] = [c for c in INCIDENT_COLUMNS if c not in DERIVED_COLUMNS]

#: Columns written as numbers (``str(value)``) rather than as text.
_NUMERIC = {*INT_COLUMNS, *FLOAT_COLUMNS, "cross_border"}

#: Below this many rows the Python loop is quicker than starting DuckDB's query.
_COLUMNAR_FROM = 2_000


def hash_rows(cols: dict[str, list[Any]], *, table: Any = None) -> list[str]:
    """SHA-1 (hex) of each row's content columns, from :func:`~geo.store.storage.storage_columns`.

    Parameters
    ----------
    cols : dict of str to list
        Plain values per column (None for missing), as the store writes them;
        every content column present, all of one length.
    table : pyarrow.Table, optional
        The same columns as Arrow (:func:`geo.store.bulk.storage_table`), when
        the caller has them: then they are not converted again.

    Returns
    -------
    list of str
        One 40-character hex digest per row, equal to :func:`hash_rows_python`.

    Examples
    --------
    >>> cols = {c: [None] for c in CONTENT_COLUMNS}
    >>> cols["incident_id"] = ["X-1"]
    >>> hash_rows(cols) == hash_rows_python(cols)
    True
    """
    n = len(cols["incident_id"])
    digests = _hash_columnar(cols, n, table) if n >= _COLUMNAR_FROM else None
    return hash_rows_python(cols) if digests is None else digests


def hash_table(table: Any) -> Any | None:
    """:func:`hash_rows` of an Arrow table holding every content column by name,
    as an Arrow text array (a bulk write needs no Python string per digest).

    None when DuckDB is not installed (then hash the column lists).
    """
    return _digests(table)


def hash_rows_python(cols: dict[str, list[Any]]) -> list[str]:
    """The reference :func:`hash_rows`: the text of each row built and hashed in Python.

    Examples
    --------
    >>> cols = {c: [None] for c in CONTENT_COLUMNS}
    >>> cols.update(incident_id=["X-1"], killed=[3], latitude=[34.5])
    >>> len(hash_rows_python(cols)[0])
    40
    """
    parts = []
    for col in CONTENT_COLUMNS:
        if col in ADDED_COLUMNS:
            continue
        values = cols[col]
        if col in _NUMERIC:
            parts.append(["\x00" if v is None else str(v) for v in values])
        else:
            parts.append(["\x00" if v is None else v for v in values])
    texts = list(map("\x1f".join, zip(*parts, strict=True)))
    for col in ADDED_COLUMNS:
        values = cols.get(col)
        if values is None or values.count(None) == len(values):
            continue
        texts = [
            t if v is None else f"{t}\x1e{col}={v}" for t, v in zip(texts, values, strict=True)
        ]
    sha1 = hashlib.sha1
    return [sha1(text.encode("utf-8", "surrogatepass")).hexdigest() for text in texts]


def _hash_columnar(cols: dict[str, list[Any]], n: int, table: Any = None) -> list[str] | None:
    """:func:`hash_rows` in DuckDB; None when DuckDB is missing or the text is not UTF-8."""
    duckdb = _duckdb()
    if duckdb is None:
        return None
    if table is None:
        table = arrow_columns(cols, CONTENT_COLUMNS, n)
        if table is None:  # a lone surrogate: not UTF-8 text
            return None
    digests = _digests(table)
    return None if digests is None else digests.to_pylist()


def _digests(table: Any) -> Any | None:
    """The SHA-1 of each row's text of ``table`` in DuckDB, as one Arrow array."""
    duckdb = _duckdb()
    if duckdb is None:
        return None
    with duckdb.connect() as con:
        con.register("content", table)
        digests = con.sql(f"SELECT sha1({_text_sql()}) FROM content").to_arrow_table()
    return digests.column(0).combine_chunks()


def _duckdb() -> Any:
    """The duckdb module, or None when it is not installed."""
    try:
        import duckdb
    except ImportError:
        return None
    return duckdb


def arrow_type(col: str) -> Any:
    """The Arrow type of a stored column: int64 for counts, precision and
    ``cross_border``, float64 for coordinates and distances, text otherwise."""
    import pyarrow as pa

    if col in INT_COLUMNS or col == "cross_border":
        return pa.int64()
    if col in FLOAT_COLUMNS:
        return pa.float64()
    return pa.string()


def arrow_columns(cols: dict[str, list[Any]], names: list[str], n: int) -> Any | None:
    """The store's column lists of ``names`` as one Arrow table (absent columns as nulls).

    None when pyarrow is missing or a text holds what UTF-8 cannot (a lone
    surrogate); then the caller keeps to the lists.

    Examples
    --------
    >>> table = arrow_columns({"incident_id": ["X-1"], "killed": [3]}, ["incident_id", "killed", "notes"], 1)
    >>> [str(t) for t in table.schema.types], table.column("notes").to_pylist()
    (['string', 'int64', 'string'], [None])
    """
    try:
        import pyarrow as pa
    except ImportError:  # pragma: no cover - pyarrow is a dependency
        return None
    arrays = []
    for col in names:
        values, typ = cols.get(col), arrow_type(col)
        if values is None or (values[0] is None and values.count(None) == n):
            arrays.append(pa.nulls(n, typ))
            continue
        try:
            arrays.append(pa.array(values, type=typ))
        except (pa.ArrowInvalid, UnicodeEncodeError):
            return None
    return pa.table(arrays, names=names)


def _text_sql() -> str:
    """DuckDB's expression for the hashed text of a row of a table of the content columns.

    DuckDB writes a DOUBLE as Python's ``str`` does (shortest round-trip digits,
    ``1.0``, ``1e-05``, ``1e+16``) and a BIGINT in decimal, so the text is the
    reference's byte for byte.
    """
    base = [
        f'coalesce(CAST("{col}" AS VARCHAR), chr(0))'
        for col in CONTENT_COLUMNS
        if col not in ADDED_COLUMNS
    ]
    added = [
        f"CASE WHEN \"{col}\" IS NULL THEN '' "
        f"ELSE concat(chr(30), '{col}=', CAST(\"{col}\" AS VARCHAR)) END"
        for col in ADDED_COLUMNS
    ]
    return f"concat(concat_ws(chr(31), {', '.join(base)}), {', '.join(added)})"
