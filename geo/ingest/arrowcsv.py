"""The fast path of :mod:`geo.ingest.reader`: pyarrow's multithreaded CSV parser.

:mod:`geo.ingest.reader` parses with Python's :mod:`csv` module, which is the
reference: it tracks the file line of every record, rejects ragged rows and
copes with any quoting. That costs about 10 s for a million ACLED rows. Most
real files are regular (every record on one physical line, quotes only
around fields), and for those Arrow's C++ parser gives the same fields in a
tenth of the time. This module decides whether a file is that regular
(:func:`applicable`) and parses it (:func:`parse`); everything irregular is
handed back to the reader, which keeps every decision about what a row means.

A differential test (``tests/test_arrowcsv.py``) feeds generated files to both
parsers and requires identical results.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pcsv

__all__ = ["ArrowRows", "applicable", "parse"]

# Characters for which str.isspace() is true: a field made only of these counts as empty.
_PY_SPACE = (
    "\t\n\x0b\x0c\r\x1c\x1d\x1e\x1f \x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005"
    "\u2006\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000"
)
_BLANK_RE = "^[" + "".join(f"\\x{{{ord(c):x}}}" for c in _PY_SPACE) + "]*$"
_QUOTE, _LF, _CR = ord('"'), ord("\n"), ord("\r")


@dataclass
class ArrowRows:
    """Records of a regular file.

    Attributes
    ----------
    columns : list of numpy.ndarray
        One ``object`` array per header field: ``str`` values, ``None`` for
        empty ones. Rows whose fields are all empty or blank are left out.
    lines : numpy.ndarray
        ``int64``: the body line of each row (the header is line 1 of the body).
    odd : list of (int, str)
        Rows whose field count differs from the header's: body line and the
        raw text, for the reader to judge.
    """

    columns: list[np.ndarray]
    lines: np.ndarray
    odd: list[tuple[int, str]] = field(default_factory=list)


def applicable(data: bytes, delimiter: str) -> bool:
    """Whether Arrow would read ``data`` (UTF-8, header line first) as :mod:`csv` does.

    True when every record is one physical line and all quoting is regular:
    no NUL, no carriage return outside CRLF, and on each line quotes that
    pair up as whole quoted fields. Counting a line's quotes from 0, an even
    one opens a field and must follow a delimiter, the line's start or a
    closing quote (a doubled ``""``); an odd one closes it and must precede a
    delimiter, the line's end or an opening quote. ``ab"c``, ``"ab"c`` and a
    quote left open fail, and such files go to the reference parser.
    """
    if b"\x00" in data or (b"\r" in data and data.count(b"\r") != data.count(b"\r\n")):
        return False
    if b'"' not in data:
        return True
    raw = np.frombuffer(data, dtype=np.uint8)
    quotes = np.flatnonzero(raw == _QUOTE)
    line = np.searchsorted(np.flatnonzero(raw == _LF), quotes)
    first = np.searchsorted(line, line)  # index of the first quote on the same line
    opening = (np.arange(len(quotes)) - first) % 2 == 0
    last = np.concatenate((line[1:] != line[:-1], [True]))  # last quote of its line
    if (opening & last).any():  # odd count on a line: a record over several lines
        return False
    prev = np.where(quotes > 0, raw[np.maximum(quotes - 1, 0)], _LF)
    nxt = np.where(quotes + 1 < len(raw), raw[np.minimum(quotes + 1, len(raw) - 1)], _LF)
    d = ord(delimiter)
    opens_well = (prev == d) | (prev == _LF) | (prev == _QUOTE)
    closes_well = (nxt == d) | (nxt == _LF) | (nxt == _CR) | (nxt == _QUOTE)
    return bool(np.where(opening, opens_well, closes_well).all())


def parse(data: bytes, delimiter: str, width: int) -> ArrowRows:
    """Parse what :func:`applicable` accepted.

    Parameters
    ----------
    data : bytes
        The file from the header line to the end, as UTF-8.
    delimiter : str
        The field separator.
    width : int
        Number of fields in the header.

    Returns
    -------
    ArrowRows

    Raises
    ------
    pyarrow.ArrowInvalid
        Arrow could not read it (a line longer than its block, say): the
        caller falls back to the reference parser.
    """
    table, numbered = _read(data, delimiter, width, threads=True)
    if numbered:  # only a single thread numbers the odd rows; they are rare, read again
        table, numbered = _read(data, delimiter, width, threads=False)
    lines = _consecutive_lines(data, table.num_rows) if not numbered else None
    if lines is None:
        lines, starts, ends = _record_lines(data)
    odd = [_odd_row(n, text, data, lines, starts, ends) for n, text in numbered]
    if odd:
        lines = lines[~np.isin(lines, np.array([line for line, _ in odd], dtype=np.int64))]
    if len(lines) != table.num_rows:  # not expected: the caller falls back
        raise pa.ArrowInvalid(f"{table.num_rows} rows parsed for {len(lines)} record lines")
    keep = _not_blank(table)
    if keep is not None:
        table = table.filter(pa.array(keep))
        lines = lines[keep]
    pending = table.columns
    del table  # its columns are let go one by one below
    return ArrowRows(_columns_to_objects(pending), lines, odd)


def _columns_to_objects(pending: list[pa.ChunkedArray]) -> list[np.ndarray]:
    """:func:`_to_objects` of each column, emptying ``pending`` as it goes: each Arrow
    column is freed once converted, so the table and its Python copy are never both
    whole in memory."""
    out = []
    for i in range(len(pending)):
        out.append(_to_objects(pending[i]))
        pending[i] = None
    return out


def _to_objects(column: pa.ChunkedArray) -> np.ndarray:
    """An ``object`` array of ``str`` and ``None``; repeated values share one ``str``.

    Incident files repeat most of their values (event types, actors, places,
    sources): made from the column's dictionary, a million cells of a few
    thousand distinct values cost a few thousand strings, not a million, which
    saves about 1 GB on a million ACLED rows and speeds every later lookup.
    """
    encoded = pc.dictionary_encode(column).combine_chunks()
    if len(encoded.dictionary) * 2 > len(encoded):  # mostly distinct: convert directly
        return np.asarray(column.to_numpy(zero_copy_only=False), dtype=object)
    words = np.empty(len(encoded.dictionary) + 1, dtype=object)  # the last one is None
    words[:-1] = encoded.dictionary.to_numpy(zero_copy_only=False)
    index = pc.fill_null(encoded.indices, len(encoded.dictionary)).to_numpy()
    return words[index]


def _read(
    data: bytes, delimiter: str, width: int, *, threads: bool
) -> tuple[pa.Table, list[tuple[int, str]]]:
    odd: list[tuple[int, str]] = []

    def handler(row: pcsv.InvalidRow) -> str:
        odd.append((-1 if row.number is None else int(row.number), row.text))
        return "skip"

    names = [f"f{i}" for i in range(width)]
    table = pcsv.read_csv(
        pa.py_buffer(data),
        read_options=pcsv.ReadOptions(
            use_threads=threads, column_names=names, skip_rows=1, block_size=1 << 24
        ),
        parse_options=pcsv.ParseOptions(
            delimiter=delimiter,
            quote_char='"',
            double_quote=True,
            escape_char=False,
            newlines_in_values=False,
            ignore_empty_lines=True,
            invalid_row_handler=handler,
        ),
        convert_options=pcsv.ConvertOptions(
            column_types=dict.fromkeys(names, pa.string()),
            null_values=[""],
            strings_can_be_null=True,
            quoted_strings_can_be_null=True,
        ),
    )
    return table, odd


def _record_lines(data: bytes) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The non-empty lines after the header: body line (header = 1), byte start and end."""
    raw = np.frombuffer(data, dtype=np.uint8)
    newlines = np.flatnonzero(raw == _LF)
    starts = np.concatenate(([0], newlines + 1))
    ends = np.concatenate((newlines, [len(raw)]))
    ends = ends - ((ends > starts) & (raw[np.maximum(ends - 1, 0)] == _CR))  # CRLF
    numbers = np.arange(1, len(starts) + 1, dtype=np.int64)
    keep = np.flatnonzero(ends > starts)
    keep = keep[keep > 0]
    return numbers[keep], starts[keep], ends[keep]


def _consecutive_lines(data: bytes, n_rows: int) -> np.ndarray | None:
    r"""Body lines 2 … ``n_rows + 1`` when every line after the header became a row.

    :func:`applicable` has made sure that each record is one physical line, so a
    row per line means no line was empty: counting the newlines (fast, in C)
    replaces locating each of them (:func:`_record_lines`). None otherwise.

    Examples
    --------
    >>> _consecutive_lines(b"a,b\n1,2\n3,4", 2).tolist(), _consecutive_lines(b"a\n\n1\n", 1)
    ([2, 3], None)
    """
    n_lines = data.count(b"\n") + (0 if data.endswith(b"\n") else 1)
    return np.arange(2, n_rows + 2, dtype=np.int64) if n_lines - 1 == n_rows else None


def _odd_row(
    number: int, text: str, data: bytes, lines: np.ndarray, starts: np.ndarray, ends: np.ndarray
) -> tuple[int, str]:
    """Body line of an odd row from Arrow's number: its place among non-empty lines
    (header = 1). Checked against the line's text; a mismatch makes the caller fall back."""
    k = number - 2
    if not 0 <= k < len(lines) or data[starts[k] : ends[k]].decode("utf-8") != text:
        raise pa.ArrowInvalid(f"odd row {number} does not match its line")
    return int(lines[k]), text


def _not_blank(table: pa.Table) -> np.ndarray | None:
    """Mask of the rows with a field that is not empty or blank; None when no row is blank.

    Column by column over the rows still blank so far, which are few after the
    first column of a real file.
    """
    candidates = np.arange(table.num_rows)
    for column in table.columns:
        if not len(candidates):
            return None
        values = column.take(pa.array(candidates))
        empty = pc.fill_null(pc.match_substring_regex(values, _BLANK_RE), True)
        candidates = candidates[np.asarray(empty, dtype=bool)]
    if not len(candidates):
        return None
    keep = np.ones(table.num_rows, dtype=bool)
    keep[candidates] = False
    return keep
