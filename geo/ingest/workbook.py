"""Bytes of an Excel workbook → the same table of text a CSV gives.

:func:`read_workbook_bytes` returns a :class:`geo.ingest.reader.ReadResult`, so the
rest of the pipeline (formats → validate → geocode → store) does not know
the file was a workbook: the file's own header names, every value as text
or ``None``, and ``_line``, which here is the spreadsheet row (as Excel shows
it, header row included). Cells are read by python-calamine (Rust; it reads
.xlsx, .xlsm and old .xls, and was about eight times quicker than openpyxl
on a 100,000-row workbook: ``benchmarks/bench_workbook.py``).

Decisions
---------
* **Which files.** Recognised by content (:func:`geo.ingest.decoding.workbook_kind`),
  not by name: .xlsx/.xlsm and .xls. OpenDocument (.ods) and binary .xlsb
  workbooks are refused with a request to save them as .xlsx or CSV.
* **Limits before reading.** The upload limit (``ATLAS_MAX_UPLOAD_MB``) applies
  to the file. An .xlsx is a zip: it is refused when its parts would unpack
  to over eight times that limit, when a part fails its CRC check, or when the
  chosen sheet's cells span more than :data:`MAX_CELLS` cells (rows × columns
  of the grid the reader lays out), all measured by :mod:`geo.ingest.xlsxcheck`
  before a cell is read. A sheet with more data rows than ``ATLAS_MAX_ROWS``
  is refused once read.
* **Sheet.** ``sheet=`` names it (case and surrounding spaces aside). Without
  a name, the one visible worksheet holding data is read; with several, the
  file is refused with their names, and the analyst picks one (``--sheet`` on
  the command line, a list on the Data page). Hidden sheets are read only
  when named.
* **Header.** The first of the top 30 rows whose filled cells are all text,
  at least two, and at least half as many as the fullest of those rows: a
  title, a note or a blank row above the table is skipped (and said so in a
  file-level warning). Columns left of the table, with nothing in them,
  are not part of it.
* **Values.** Text as typed; whole numbers without ``.0`` (an id stored as a
  number stays ``197001010002``, never ``1.97E+11``); other numbers in their
  shortest exact decimal form, never in exponent form; dates as ISO
  ``YYYY-MM-DD`` (with `` HH:MM:SS`` when the cell holds a time of day too);
  times as ``HH:MM`` (``HH:MM:SS`` with seconds); booleans as ``TRUE`` /
  ``FALSE``. Cells holding an error (``#N/A``) are empty, as the reader gives
  them. Empty rows are skipped like blank CSV lines; columns with neither a
  header nor a value are dropped.
* **Merged cells** below the header hold their value in the top-left cell
  only; it is copied into every cell of the merged block (that is what the
  sheet shows), with one warning per block.
"""

from __future__ import annotations

import datetime as dt
import io
from itertools import islice
from typing import Any

import numpy as np
import pandas as pd

from geo.config import get_settings
from geo.ingest.decoding import workbook_kind
from geo.ingest.limits import check_size
from geo.ingest.reader import LINE_COLUMN, ReadResult, clean_header, with_lines
from geo.ingest.xlsxcheck import SheetExtent, check_xlsx
from geo.report import FileRefused, Issue

__all__ = [
    "MAX_CELLS",
    "WORKBOOK_KINDS",
    "is_workbook",
    "read_workbook_bytes",
    "sheet_names",
]

#: The workbook kinds read here (see :func:`geo.ingest.decoding.workbook_kind`).
WORKBOOK_KINDS: tuple[str, ...] = ("xlsx", "xls")

#: Largest sheet grid (rows × columns) read: about 1.3 GB inside the reader.
MAX_CELLS = 40_000_000

_HEADER_SEARCH = 30
_BLOCK = 20_000
_MIDNIGHT = dt.time(0, 0)
_UNSEEN = object()
# an .xlsx saved with a password is an OLE2 container holding this stream (UTF-16 name)
_ENCRYPTED_PACKAGE = "EncryptedPackage".encode("utf-16-le")


def is_workbook(data: bytes) -> bool:
    """Whether the bytes are a workbook this module reads (.xlsx, .xlsm or .xls).

    Examples
    --------
    >>> is_workbook(b"event_date,location\\n2025-01-05,Quetta\\n")
    False
    """
    return workbook_kind(data) in WORKBOOK_KINDS


def sheet_names(data: bytes, *, max_bytes: int | None = None) -> list[str]:
    """The visible worksheets that hold data, in workbook order.

    What the Data page offers to choose from. Refuses the file like
    :func:`read_workbook_bytes` would (too big, damaged, not a workbook).
    """
    _, max_bytes = _limits(max_bytes, None)
    with _Workbook(data, max_bytes) as book:
        return book.filled_visible()


def read_workbook_bytes(
    data: bytes,
    *,
    sheet: str | None = None,
    max_bytes: int | None = None,
    max_rows: int | None = None,
) -> ReadResult:
    """Read one sheet of a workbook into a table of text.

    Parameters
    ----------
    data : bytes
        The whole file as uploaded.
    sheet : str, optional
        The sheet to read; needed when several visible sheets hold data.
    max_bytes, max_rows : int, optional
        Default to ``ATLAS_MAX_UPLOAD_MB`` and ``ATLAS_MAX_ROWS``.

    Returns
    -------
    ReadResult
        ``encoding`` is the workbook kind (``"xlsx"`` or ``"xls"``),
        ``delimiter`` is empty, ``header_line`` is the header's row and
        ``sheet`` the sheet read.

    Raises
    ------
    FileRefused
        The file cannot be used: over a limit, damaged, encrypted, no such
        sheet, several sheets and none named, an empty sheet, no header.
    """
    max_rows, max_bytes = _limits(max_bytes, max_rows)
    with _Workbook(data, max_bytes) as book:
        name = book.choose(sheet)
        book.check_extent(name)
        cells = book.sheet(name)
        return _read_sheet(cells, name, book.kind, max_rows)


# --------------------------------------------------------------------------- the workbook


def _limits(max_bytes: int | None, max_rows: int | None) -> tuple[int, int]:
    settings = get_settings()
    return (
        settings.max_rows if max_rows is None else max_rows,
        settings.max_upload_bytes if max_bytes is None else max_bytes,
    )


class _Workbook:
    """An open workbook: its checks, its sheets, and the refusals that name them."""

    def __init__(self, data: bytes, max_bytes: int) -> None:
        import python_calamine

        self._calamine = python_calamine
        data = bytes(data)
        check_size(len(data), max_bytes)
        kind = workbook_kind(data)
        if kind not in WORKBOOK_KINDS:
            raise FileRefused(
                "This is not an Excel workbook (.xlsx or .xls): upload it as CSV, or "
                "save it from the spreadsheet as .xlsx."
            )
        if kind == "xls" and _ENCRYPTED_PACKAGE in data:
            raise _password_protected()
        self.kind = kind
        self.extents: dict[str, SheetExtent] | None = None
        if kind == "xlsx":
            self.extents = check_xlsx(data, max_bytes)
        try:
            self._book = python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(data))
        except Exception as exc:  # calamine's errors, from a damaged or unusual file
            raise _unreadable(kind, exc) from None
        self._meta = [
            m
            for m in self._book.sheets_metadata
            if m.typ == python_calamine.SheetTypeEnum.WorkSheet
        ]

    def __enter__(self) -> _Workbook:
        return self

    def __exit__(self, *exc: object) -> None:
        self._book.close()

    def visible(self) -> list[str]:
        shown = self._calamine.SheetVisibleEnum.Visible
        return [m.name for m in self._meta if m.visible == shown]

    def filled_visible(self) -> list[str]:
        return [name for name in self.visible() if self._has_data(name)]

    def _has_data(self, name: str) -> bool:
        if self.extents is not None and name in self.extents:
            return self.extents[name].has_values
        return any(_filled(row) for row in self.sheet(name).iter_rows())

    def choose(self, sheet: str | None) -> str:
        """The sheet to read: the one named, or the only visible one holding data."""
        names = [m.name for m in self._meta]
        if sheet is not None:
            if sheet in names:
                return sheet
            close = [n for n in names if n.strip().casefold() == sheet.strip().casefold()]
            if len(close) == 1:
                return close[0]
            raise FileRefused(
                f"The workbook has no sheet named {sheet!r}; its sheets are {_listed(names)}."
            )
        filled = self.filled_visible()
        if len(filled) == 1:
            return filled[0]
        if not filled:
            hidden = [m.name for m in self._meta if m.name not in self.visible()]
            if any(self._has_data(name) for name in hidden):
                raise FileRefused(
                    "No visible sheet of this workbook holds data; its hidden sheets are "
                    f"{_listed(hidden)}: name the one to read (--sheet NAME) or unhide it."
                )
            raise FileRefused("Every sheet of this workbook is empty: there is nothing to import.")
        raise FileRefused(
            f"This workbook has {len(filled)} sheets with data ({_listed(filled)}): choose "
            "one (--sheet NAME on the command line, or the sheet list on the Data page)."
        )

    def check_extent(self, name: str) -> None:
        """Refuse a sheet too large to lay out, before the reader does.

        (The row limit is checked on the rows read: formatted empty rows
        count in the sheet's XML but are no data.)
        """
        extent = None if self.extents is None else self.extents.get(name)
        if extent is None:
            return  # .xls: at most 65,536 × 256 cells, about 0.5 GB at worst
        if extent.cells > MAX_CELLS:
            raise FileRefused(
                f"The sheet {name!r} spans {extent.rows:,} rows × {extent.columns:,} columns, "
                f"over the {MAX_CELLS:,} cells read from one sheet (a stray value far from the "
                "table makes the span large): delete what lies outside the table, or save "
                "the sheet as CSV."
            )

    def sheet(self, name: str) -> Any:
        try:
            return self._book.get_sheet_by_name(name)
        except Exception as exc:  # calamine's errors, from a damaged sheet
            raise _unreadable(self.kind, exc) from None


def _password_protected() -> FileRefused:
    return FileRefused(
        "This Excel workbook is protected by a password: save a copy without one "
        "(or as CSV) and upload again."
    )


def _unreadable(kind: str, exc: Exception) -> FileRefused:
    detail = str(exc).strip().splitlines()[0][:160] if str(exc).strip() else type(exc).__name__
    if "password" in detail.lower() or "encrypt" in detail.lower():
        return _password_protected()
    what = "an Excel workbook (.xlsx)" if kind == "xlsx" else "an old-style Excel workbook (.xls)"
    return FileRefused(
        f"This looks like {what}, but it cannot be read ({detail}): open it in Excel and "
        "save it again, or save it as CSV, and upload again."
    )


def _too_many_rows(name: str, n_rows: int, max_rows: int) -> FileRefused:
    return FileRefused(
        f"The sheet {name!r} has {n_rows:,} rows; the limit is {max_rows:,} "
        "(ATLAS_MAX_ROWS): split it into smaller files."
    )


def _listed(names: list[str]) -> str:
    return ", ".join(repr(n) for n in names[:10]) + (" …" if len(names) > 10 else "")


# --------------------------------------------------------------------------- one sheet


def _filled(row: list[Any]) -> int:
    """How many cells of a row hold something (the reader gives ``""`` for empty)."""
    return sum(1 for v in row if v != "" and v is not None)


def _read_sheet(cells: Any, name: str, kind: str, max_rows: int) -> ReadResult:
    """Header → values as text → merged blocks → the ReadResult."""
    start_row, start_col = cells.start or (0, 0)
    rows = cells.iter_rows()  # from the sheet's first row; columns from start_col
    head = list(islice(rows, start_row + _HEADER_SEARCH))[start_row:]
    if not any(_filled(r) for r in head):
        raise FileRefused(f"The sheet {name!r} is empty: there is nothing to import.")
    at = _header_index(head)
    header_row = start_row + at  # 0-based sheet row of the header
    header = [_text(v) or "" for v in head[at]]
    width = len(header)
    names = clean_header(header)
    warnings = _skipped_above(head[:at], start_row, name)

    columns: list[list[str | None]] = [[] for _ in range(width)]
    memos: list[dict[Any, str | None]] = [{} for _ in range(width)]
    _convert(head[at + 1 :], columns, memos)
    while block := list(islice(rows, _BLOCK)):
        _convert(block, columns, memos)
    warnings += _fill_merged(cells, columns, names, header_row, start_col)

    frame = pd.DataFrame(dict(zip(names, columns, strict=True)), dtype=object, copy=False)
    frame = with_lines(frame, np.arange(header_row + 2, header_row + 2 + len(frame)))
    frame = frame[frame.drop(columns=LINE_COLUMN).notna().any(axis=1)].reset_index(drop=True)
    if len(frame) > max_rows:
        raise _too_many_rows(name, len(frame), max_rows)
    unnamed = [n for n, raw in zip(names, header, strict=True) if not raw.strip()]
    frame = frame.drop(columns=[n for n in unnamed if frame[n].isna().all()])
    return ReadResult(
        frame, kind, "", [], header_line=header_row + 1, warnings=warnings, sheet=name
    )


def _header_index(head: list[list[Any]]) -> int:
    """The header among the top rows: all text, at least two cells, half the fullest row."""
    fullest = max(_filled(r) for r in head)
    for i, row in enumerate(head):
        filled = [v for v in row if v != "" and v is not None]
        if len(filled) >= max(2, fullest / 2) and all(isinstance(v, str) for v in filled):
            return i
    return next(i for i, r in enumerate(head) if _filled(r))  # clean_header says what is wrong


def _skipped_above(above: list[list[Any]], start_row: int, name: str) -> list[Issue]:
    lines = [start_row + i + 1 for i, row in enumerate(above) if _filled(row)]
    if not lines:
        return []
    first = next(_text(v) for v in above[lines[0] - start_row - 1] if _text(v))
    rows = f"row {lines[0]} was" if len(lines) == 1 else f"rows {lines[0]}–{lines[-1]} were"
    return [
        Issue(
            None,
            None,
            first,
            f"Sheet {name!r}: {rows} above the header (a title or a note) and not read "
            "as incidents.",
            level="warning",
        )
    ]


def _convert(
    block: list[list[Any]], columns: list[list[str | None]], memos: list[dict[Any, str | None]]
) -> None:
    """Append a block of sheet rows to ``columns`` as text, one column at a time.

    Each column's ``memo`` maps a cell value to its text, so a value repeated
    down the column is converted once and its text is one shared ``str``.
    """
    if not block:
        return
    for i, values in enumerate(islice(zip(*block, strict=True), len(columns))):
        kinds = set(map(type, values))
        if bool in kinds and kinds & {int, float}:  # True == 1 == 1.0: no shared memo
            columns[i].extend(map(_text, values))
            continue
        memo = memos[i]
        if kinds <= {str}:  # most columns: the text itself, one str per distinct value
            keep = memo.setdefault
            columns[i].extend([keep(v, v) or None for v in values])  # type: ignore[misc]
            continue
        seen = memo.get
        columns[i].extend(
            [
                text if (text := seen(v, _UNSEEN)) is not _UNSEEN else _remember(memo, v)
                for v in values
            ]
        )


def _remember(memo: dict[Any, str | None], value: Any) -> str | None:
    text = memo[value] = _text(value)
    return text


def _text(value: Any) -> str | None:
    """One cell as the text a person sees in it (see the module notes)."""
    kind = type(value)
    if kind is str:
        return value or None
    if kind is float:
        return _number(value)
    if kind is bool:
        return "TRUE" if value else "FALSE"
    if kind is int:
        return str(value)
    if kind is dt.datetime:
        if value.time() == _MIDNIGHT:
            return value.date().isoformat()
        return value.isoformat(sep=" ", timespec="seconds")
    if kind is dt.date:
        return value.isoformat()
    if kind is dt.time:
        return value.isoformat(timespec="minutes" if value.second == 0 else "seconds")
    if value is None:
        return None
    return str(value)


def _number(value: float) -> str | None:
    """A float as a person reads it: ``3``, ``34.5553``, ``197001010002``, ``0.00001``.

    Examples
    --------
    >>> _number(3.0), _number(34.5553), _number(197001010002.0), _number(1e-05)
    ('3', '34.5553', '197001010002', '0.00001')
    """
    if value != value or value in (float("inf"), float("-inf")):
        return None
    if value.is_integer() and abs(value) < 2**63:
        return str(int(value))
    text = repr(value)
    if "e" in text:
        return np.format_float_positional(value, trim="-")
    return text


def _fill_merged(
    cells: Any, columns: list[list[str | None]], names: list[str], header_row: int, start_col: int
) -> list[Issue]:
    """Copy each merged block's value (below the header) into all of its cells."""
    warnings: list[Issue] = []
    n = len(columns[0]) if columns else 0
    for (r0, c0), (r1, c1) in cells.merged_cell_ranges or []:
        if r0 <= header_row:
            continue  # a title or a header spanning columns: not data
        top, col = r0 - header_row - 1, c0 - start_col
        if not (0 <= col < len(columns)) or top >= n:
            continue
        value = columns[col][top]
        if value is None:
            continue
        for r in range(top, min(r1 - header_row, n)):
            for c in range(col, min(c1 - start_col + 1, len(columns))):
                columns[c][r] = value
        warnings.append(
            Issue(
                r0 + 1,
                names[col],
                value,
                f"Merged cells {_cell_name(r0, c0)}:{_cell_name(r1, c1)}: the value shown "
                "across the block was copied into each of its cells.",
                level="warning",
            )
        )
    return warnings


def _cell_name(row: int, col: int) -> str:
    """A1-style name of a 0-based cell position.

    Examples
    --------
    >>> _cell_name(0, 0), _cell_name(2, 12), _cell_name(9, 30)
    ('A1', 'M3', 'AE10')
    """
    letters = ""
    col += 1
    while col:
        col, rest = divmod(col - 1, 26)
        letters = chr(65 + rest) + letters
    return f"{letters}{row + 1}"
