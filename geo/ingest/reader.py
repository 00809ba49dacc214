"""Bytes of an uploaded CSV → a table of text, with every bad row accounted for.

This module knows nothing about incidents: it turns the bytes of a file into
a :class:`pandas.DataFrame` of the file's own columns, all values text, plus
a ``_line`` column (the line in the file where each row starts, header = 1).
Files that cannot be used at all raise :class:`~geo.report.FileRefused` with
one sentence for the analyst; rows that cannot be read are listed in
:attr:`ReadResult.errors` while every other row is kept. Decoding and the
refusal of files that are not CSV at all live in :mod:`geo.ingest.decoding`;
regular files are parsed by :mod:`geo.ingest.arrowcsv`, the rest by :mod:`csv` here.

Decisions
---------
* **Encoding.** A byte-order mark wins (UTF-8, UTF-16 LE/BE, UTF-32). Without
  one, UTF-16 is recognised by its pattern of zero bytes; otherwise strict
  UTF-8 is tried first and Windows-1252 (cp1252, Excel's "CSV" on Windows)
  second. A file that is UTF-8 apart from a few stray bytes (a Windows
  apostrophe pasted into a note) stays UTF-8, so its Pashto, Dari or Urdu
  names are kept; each stray byte is read as Windows-1252 and every value
  that held one gets a warning naming its line and column. Likewise a
  Windows-1252 (or Latin-1) file with a few bytes that code page leaves
  undefined is read, each such byte shown as U+FFFD and warned about with its
  line and column; only a file where such bytes are common is refused.
* **Delimiter.** Counted outside quotes on the header line only: the most
  frequent of ``,`` ``;`` TAB ``|`` (ties in that order). An Excel
  ``sep=;`` first line is honoured. :class:`csv.Sniffer` is never used.
* **Rows.** Parsed with :mod:`csv` over the decoded text, tracking the line
  where each record starts (quoted fields may span lines). Blank lines and
  rows whose fields are all empty are skipped. A row with fewer fields than
  the header, or more fields that are not all empty, is rejected with its
  line; extra *empty* trailing fields (``a,b,c,,``) are dropped silently.
* **Unterminated quote.** A quoted field still open at the end of the file
  swallows the rest of it; that row is rejected, naming the lines it covers.
* **NUL bytes.** Many of them (over 1 % of the file) mean a binary file and it
  is refused; a few stray ones reject just the rows that contain them.
* **Empty header names** get ``column_<n>``; such a column is dropped when
  all its values are empty. Duplicate header names refuse the file.
"""

from __future__ import annotations

import codecs
import csv
import io
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa

from geo.config import get_settings
from geo.ingest import arrowcsv
from geo.ingest.decoding import (
    decode,
    mend_fields,
    refuse_by_content,
    refuse_by_magic,
    stray_warnings,
    unstray,
    utf8_head,
)
from geo.ingest.header import DELIMITERS, clean_header, header_start, pick_delimiter
from geo.ingest.limits import check_size
from geo.report import FileRefused, Issue

__all__ = [
    "DELIMITERS",
    "LINE_COLUMN",
    "ReadResult",
    "clean_header",
    "read_csv_bytes",
    "with_lines",
]

#: Name of the column holding the file line where each row starts.
LINE_COLUMN = "_line"

_UTF8 = ("utf-8", "utf-8-sig")  # codecs whose text is the file's bytes (see _utf8_body)
_HEADER_WITHIN = 65_536  # characters: where header_start looks first
#: Bytes of a large UTF-8 file decoded to find its header: at least the header's
#: 65,536 characters and the million after it that the delimiter count may read
_HEAD_BYTES = 4 * (_HEADER_WITHIN + 1_000_000)


@dataclass
class ReadResult:
    """A file read into text columns.

    Attributes
    ----------
    frame : pandas.DataFrame
        The file's own (stripped) header names, values as ``str`` or ``None``
        (empty), and ``_line``: the file line where the row starts (header = 1).
    encoding : str
        Python codec name the text was decoded with, e.g. ``"utf-8-sig"``.
    delimiter : str
        The field separator taken from the header line.
    errors : list of Issue
        One error per row that could not be read (bad field count, NUL bytes,
        unterminated quote), with its line.
    header_line : int
        Line of the header (1 unless blank or ``sep=`` lines come first).
    warnings : list of Issue
        Values that were read but may not be what the file meant (stray
        bytes in a UTF-8 file), with line and column.
    sheet : str or None
        For a workbook (:mod:`geo.ingest.workbook`), the sheet read; its
        ``encoding`` is then the workbook kind and ``delimiter`` is empty.
    """

    frame: pd.DataFrame
    encoding: str
    delimiter: str
    errors: list[Issue] = field(default_factory=list)
    header_line: int = 1
    warnings: list[Issue] = field(default_factory=list)
    sheet: str | None = None


def read_csv_bytes(
    data: bytes, *, max_bytes: int | None = None, max_rows: int | None = None
) -> ReadResult:
    """Read the bytes of a CSV file into a table of text.

    Parameters
    ----------
    data : bytes
        The whole file as uploaded.
    max_bytes : int, optional
        Larger files are refused. Defaults to ``ATLAS_MAX_UPLOAD_MB``.
    max_rows : int, optional
        Files with more data rows are refused. Defaults to ``ATLAS_MAX_ROWS``.

    Returns
    -------
    ReadResult

    Raises
    ------
    FileRefused
        The file cannot be used at all (empty, binary, a workbook, a web page,
        JSON, one column, duplicate headers, over a limit ...).
    """
    data = bytes(data)
    if max_bytes is None or max_rows is None:
        settings = get_settings()
        max_bytes = settings.max_upload_bytes if max_bytes is None else max_bytes
        max_rows = settings.max_rows if max_rows is None else max_rows
    check_size(len(data), max_bytes)
    if not data or data.isspace():
        raise FileRefused("The file is empty: there is nothing to import.")
    refuse_by_magic(data)
    fast = _read_large_utf8(data, max_rows)
    if fast is not None:
        return fast
    text, encoding, stray = decode(data)
    if not stray:
        refuse_by_content(text)
        return _parse(text, encoding, max_rows, raw=data if encoding in _UTF8 else None)
    try:
        refuse_by_content(text)
        return _parse(text, encoding, max_rows, stray=True)
    except FileRefused as exc:  # its message may quote the file: no stray bytes in it
        raise FileRefused(unstray(str(exc))) from None


# --------------------------------------------------------------------------- parsing


def _ensure_field_limit(n: int) -> None:
    needed = min(max(n + 1, 131072), 2**31 - 1)
    if csv.field_size_limit() < needed:
        csv.field_size_limit(needed)


def _row_text(fields: list[str], delimiter: str) -> str:
    return delimiter.join(fields)[:200]


def _is_blank(fields: list[str]) -> bool:
    """A record with no field, or only empty and blank ones: skipped, not an error."""
    return not fields or not "".join(fields).strip()


def _fit_record(
    fields: list[str], width: int, delimiter: str, line: int
) -> tuple[list[str], Issue | None]:
    """The record cut to the header's width (extra *empty* trailing fields go), or its error."""
    if len(fields) > width and all(not f.strip() for f in fields[width:]):
        fields = fields[:width]
    if len(fields) != width:
        return fields, Issue(
            line,
            None,
            _row_text(fields, delimiter),
            f"The row has {len(fields)} fields but the header has {width} "
            f"(a missing value or an unquoted {_delimiter_name(delimiter)}?).",
        )
    return fields, None


def _too_many_rows(n_records: int, max_rows: int) -> FileRefused:
    return FileRefused(
        f"The file has {n_records:,} rows; the limit is {max_rows:,}: split it into smaller files."
    )


def _parse(
    text: str, encoding: str, max_rows: int, *, stray: bool = False, raw: bytes | None = None
) -> ReadResult:
    """The records of ``text``; ``raw``, when given, is the UTF-8 file it was decoded from."""
    start, header_line, forced = header_start(text)
    if start >= len(text):
        raise FileRefused("The file has no header line: there is nothing to import.")
    delimiter = pick_delimiter(text, start, forced)
    _ensure_field_limit(len(text))
    if not stray:
        data = _utf8_body(raw, text, start) if raw is not None else text[start:].encode("utf-8")
        if arrowcsv.applicable(data, delimiter):
            end = text.find("\n", start)
            first = text[start : len(text) if end < 0 else end]
            fast = _collect_arrow(first, data, encoding, delimiter, header_line, max_rows)
            if fast is not None:
                return fast
        del data
    body = text[start:]
    reader = csv.reader(io.StringIO(body, newline=""), delimiter=delimiter, strict=False)
    offset = header_line - 1
    try:
        return _collect(
            reader, text, body, encoding, delimiter, offset, header_line, max_rows, stray
        )
    except csv.Error as exc:  # not expected with strict=False; kept as a clear refusal
        raise FileRefused(
            f"The file could not be read as CSV near line {reader.line_num + offset} ({exc})."
        ) from None


def _read_large_utf8(data: bytes, max_rows: int) -> ReadResult | None:
    """:func:`_parse` of a large UTF-8 file from its first few megabytes of text.

    Arrow reads such a file from its bytes; the text is needed only to find the
    header and its delimiter, so only the beginning (:data:`_HEAD_BYTES`) is
    decoded: at a million rows the whole text would add 240–960 MB at the moment
    the file is parsed. The beginning gives the same answers as the whole text
    (:func:`~geo.ingest.header.header_start` looks at the first 65,536 characters, the delimiter
    count at most a million past the header). None when the beginning cannot
    decide (a header further down, a long first line, a file that may be JSON) or
    Arrow cannot read the file: then :func:`read_csv_bytes` decodes it whole.
    """
    head = utf8_head(data, _HEAD_BYTES)
    if head is None:
        return None
    text, encoding = head
    if text.isspace() or text.lstrip()[:1] in ("{", "["):
        return None
    refuse_by_content(text)
    start, header_line, forced = header_start(text)
    end = text.find("\n", start)
    if start >= _HEADER_WITHIN or end < 0:
        return None
    delimiter = pick_delimiter(text, start, forced)
    _ensure_field_limit(len(data))
    body = _utf8_body(data, text, start)
    if not arrowcsv.applicable(body, delimiter):
        return None
    return _collect_arrow(text[start:end], body, encoding, delimiter, header_line, max_rows)


def _collect(
    reader: object,
    text: str,
    body: str,
    encoding: str,
    delimiter: str,
    offset: int,
    header_line: int,
    max_rows: int,
    stray: bool = False,
) -> ReadResult:
    """Walk the records after the header, keeping good rows and noting bad ones.

    With ``stray``, the text holds bytes that were not UTF-8 as lone surrogates:
    each field is mended (:func:`unstray`) before anything else sees it.
    """
    header = next(reader)  # type: ignore[call-overload]
    if stray:
        header = [unstray(h) for h in header]
    names = clean_header(header)
    found: list[tuple[int, str, str, str]] = []
    width = len(names)
    rows: list[list[str | None]] = []
    lines: list[int] = []
    errors: list[Issue] = []
    last_end = reader.line_num  # type: ignore[attr-defined]
    n_records = 0
    last_start = None
    has_nul = "\x00" in body
    for fields in reader:  # type: ignore[attr-defined]
        row_start = last_end + 1 + offset
        last_end = reader.line_num  # type: ignore[attr-defined]
        last_start = row_start
        if _is_blank(fields):
            continue
        n_records += 1
        if n_records > max_rows:
            continue
        if stray:
            fields = mend_fields(fields, names, row_start, found)
        if has_nul and any("\x00" in f for f in fields):
            errors.append(
                Issue(
                    row_start,
                    None,
                    _row_text(fields, delimiter).replace("\x00", "\\0"),
                    "The row contains NUL characters (the file may be damaged); it was not read.",
                )
            )
            continue
        fitted, error = _fit_record(fields, width, delimiter, row_start)
        if error is not None:
            errors.append(error)
            continue
        rows.append([f or None for f in fitted])
        lines.append(row_start)
    if n_records > max_rows:
        raise _too_many_rows(n_records, max_rows)
    _check_unterminated(body, delimiter, last_start, offset, last_end, rows, lines, errors)
    warnings: list[Issue] = []
    if stray:
        for issue in errors:
            issue.value = None if issue.value is None else unstray(issue.value)
        kept = set(lines)
        warnings = stray_warnings([f for f in found if f[0] in kept], codec=encoding)
    frame = pd.DataFrame(rows, columns=names, dtype=object)
    frame = with_lines(_drop_empty_unnamed(frame, header), lines)
    return ReadResult(frame, encoding, delimiter, errors, header_line, warnings)


def _utf8_body(raw: bytes, text: str, start: int) -> bytes:
    r"""``text[start:]`` encoded as UTF-8, cut from ``raw`` rather than encoded again.

    ``text`` is ``raw`` decoded as UTF-8 without its leading byte order marks
    (:func:`~geo.ingest.decoding.decode`), so the body is the tail of ``raw``
    after those marks and the header's prefix; a file whose header is on its
    first line is returned as it is, without a copy.

    Examples
    --------
    >>> raw = codecs.BOM_UTF8 + "\nnamé,b\n1,2\n".encode()
    >>> _utf8_body(raw, raw.decode("utf-8-sig"), 1) == "namé,b\n1,2\n".encode()
    True
    """
    lead = 0
    while raw.startswith(codecs.BOM_UTF8, lead):
        lead += len(codecs.BOM_UTF8)
    cut = lead + len(text[:start].encode("utf-8"))
    return raw if cut == 0 else raw[cut:]


def _collect_arrow(
    first: str, data: bytes, encoding: str, delimiter: str, header_line: int, max_rows: int
) -> ReadResult | None:
    """:func:`_collect` through :mod:`geo.ingest.arrowcsv` (None: Arrow could not read it).

    ``data`` is the body (the header line onwards) as UTF-8; ``first`` is its first line.
    """
    header = next(csv.reader([first.rstrip("\r")], delimiter=delimiter))
    names = clean_header(header)
    width = len(names)
    try:
        parsed = arrowcsv.parse(data, delimiter, width)
    except (ValueError, pa.ArrowException):
        return None
    offset = header_line - 1
    errors: list[Issue] = []
    extra: dict[int, list[str | None]] = {}
    n_records = len(parsed.lines)
    for body_line, raw in parsed.odd:
        fields = next(csv.reader([raw], delimiter=delimiter, strict=False), [])
        if _is_blank(fields):
            continue
        n_records += 1
        fitted, error = _fit_record(fields, width, delimiter, body_line + offset)
        if error is not None:
            errors.append(error)
        else:
            extra[body_line + offset] = [f or None for f in fitted]
    if n_records > max_rows:
        raise _too_many_rows(n_records, max_rows)
    # copy=False: one block per column, not a copy of every column into one block
    frame = pd.DataFrame(dict(zip(names, parsed.columns, strict=True)), dtype=object, copy=False)
    lines = parsed.lines + offset
    if extra:
        more = pd.DataFrame(list(extra.values()), columns=names, dtype=object)
        frame = pd.concat([frame, more], ignore_index=True)
        lines = np.concatenate([lines, np.fromiter(extra, dtype=np.int64)])
        order = np.argsort(lines, kind="stable")
        frame, lines = frame.iloc[order].reset_index(drop=True), lines[order]
    frame = with_lines(_drop_empty_unnamed(frame, header), lines)
    return ReadResult(frame, encoding, delimiter, errors, header_line)


def with_lines(frame: pd.DataFrame, lines: Any) -> pd.DataFrame:
    """``frame`` with the file line of each row as its last column, :data:`LINE_COLUMN`.

    Joined rather than inserted: a frame of one block per column (built without
    a copy) would otherwise warn that it is fragmented when it has many columns.

    Examples
    --------
    >>> with_lines(pd.DataFrame({"a": ["x", "y"]}), [2, 4]).to_dict("list")
    {'a': ['x', 'y'], '_line': [2, 4]}
    """
    line = pd.Series(np.asarray(lines, dtype="int64"), index=frame.index, name=LINE_COLUMN)
    return pd.concat([frame, line], axis=1)


def _delimiter_name(delimiter: str) -> str:
    return {",": "comma", ";": "semicolon", "\t": "tab", "|": "'|'"}[delimiter]


def _check_unterminated(
    body: str,
    delimiter: str,
    last_start: int | None,
    offset: int,
    last_end: int,
    rows: list[list[str | None]],
    lines: list[int],
    errors: list[Issue],
) -> None:
    """Reject the final row when it is a quoted field left open at the end of the file."""
    if last_start is None:
        return
    if '"' not in body:
        return
    skip = last_start - 1 - offset  # body lines before the row's first line
    pos = 0
    for i, raw in enumerate(io.StringIO(body, newline="")):
        if i == skip:
            break
        pos += len(raw)
    segment = body[pos:]
    try:
        list(csv.reader(io.StringIO(segment, newline=""), delimiter=delimiter, strict=True))
        return
    except csv.Error as exc:
        if "unexpected end of data" not in str(exc):
            return
    if lines and lines[-1] == last_start:
        rows.pop()
        lines.pop()
    errors[:] = [e for e in errors if e.line != last_start]
    errors.append(
        Issue(
            last_start,
            None,
            segment[:200],
            f"A quoted value opened on line {last_start} is never closed, so lines "
            f"{last_start}–{last_end + offset} (the rest of the file) could not be read.",
        )
    )


def _drop_empty_unnamed(frame: pd.DataFrame, header: list[str]) -> pd.DataFrame:
    """Drop columns with no header name whose values are all empty (``a,b,c,,``)."""
    drop = [
        name
        for name, raw in zip(frame.columns, header, strict=False)
        if not raw.replace("\ufeff", "").strip() and frame[name].isna().all()
    ]
    return frame.drop(columns=drop) if drop else frame
