"""What an .xlsx workbook would cost to read, found before anything reads it.

An .xlsx file is a zip of XML parts. Two things make a small file expensive:
parts that expand far beyond the file (a zip bomb), and a sheet whose cells
sit far apart (one in A1, one in XFD1048576), which the reader lays out as a
dense grid of every cell in between. :func:`check_xlsx` opens the zip with
:mod:`zipfile`, refuses it when the parts would expand past a limit, then
streams every part once (so a zip whose headers understate the sizes fails
its CRC check here, not later in memory) and measures each worksheet's
extent: the rows and columns its cells span and whether any cell holds a
value. The worksheets are named from ``xl/workbook.xml`` and its
relationships, so the caller can look a sheet up by the name a person sees.
"""

from __future__ import annotations

import posixpath
import re
import zipfile
from dataclasses import dataclass
from io import BytesIO
from xml.etree import ElementTree

from geo.ingest.limits import format_size
from geo.report import FileRefused

__all__ = ["EXPANSION", "SheetExtent", "check_xlsx", "column_number"]

#: How many times the upload limit (``ATLAS_MAX_UPLOAD_MB``) an .xlsx may unpack to.
EXPANSION = 8

_CHUNK = 1 << 22
#: A single row element longer than this is not a table row anyone typed.
_MAX_ROW_XML = 64 << 20
_ROW_RE = re.compile(rb'<row r="(\d+)"')
_REF3_RE = re.compile(rb'<c r="([A-Z]{3})\d')
_REF2_RE = re.compile(rb'<c r="([A-Z]{2})\d')
# a cell whose position is not its first attribute, or is left implicit
_ODD_CELL_RE = re.compile(rb'<c(?:>|/>|\s(?!r="))')
_ODD_ROW_RE = re.compile(rb'<row(?:>|/>|\s(?!r="))')
_ANY_REF_RE = re.compile(rb'<c\b[^>]*?\br="([A-Z]{1,3})\d')
_ANY_ROW_RE = re.compile(rb'<row\b[^>]*?\br="(\d+)"')
_CELL_TAG_RE = re.compile(rb"<c[\s>/]")
_ROW_TAG_RE = re.compile(rb"<row[\s>/]")
_VALUE_RE = re.compile(rb"<(?:v|is)[\s>]")
_NS_MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_NS_REL = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
_NS_PKG = "{http://schemas.openxmlformats.org/package/2006/relationships}"


def column_number(letters: str) -> int:
    """The 1-based number of a spreadsheet column.

    Examples
    --------
    >>> column_number("A"), column_number("AE"), column_number("XFD")
    (1, 31, 16384)
    """
    n = 0
    for ch in letters:
        n = n * 26 + ord(ch) - 64
    return n


@dataclass
class SheetExtent:
    """How far one worksheet's cells reach (an upper bound, from its XML).

    Attributes
    ----------
    rows, columns : int
        The last row and column any cell (or row element) names, counting
        from 1; where the XML leaves positions implicit, the count of elements.
    has_values : bool
        Whether any cell holds a value (formatted empty cells do not count).
    """

    rows: int = 0
    columns: int = 0
    has_values: bool = False

    @property
    def cells(self) -> int:
        """The dense grid a reader lays out: rows × columns."""
        return self.rows * self.columns


class _Scanner:
    """Feeds on a worksheet's XML in chunks and keeps its :class:`SheetExtent`.

    Chunks are cut back to the last ``<row`` so each pass sees whole rows
    (cells without an ``r`` attribute are then counted per row).
    """

    def __init__(self) -> None:
        self.extent = SheetExtent()
        self._tail = b""
        self._max_row = self._max_column = 0
        self._unnumbered_rows = self._unnumbered_cells = 0

    def feed(self, chunk: bytes, final: bool = False) -> None:
        data = self._tail + chunk
        cut = len(data) if final else data.rfind(b"<row")
        if cut <= 0:
            if len(data) > _MAX_ROW_XML:
                raise FileRefused(
                    "One row of this Excel workbook holds over 64 MB of cells: it is not a "
                    "table of incidents (or it is damaged); save the sheet as CSV and upload again."
                )
            self._tail = data
            return
        data, self._tail = data[:cut], data[cut:]
        ext = self.extent
        # each row or cell without a number sits at most one past the one before it,
        # so the extent is bounded by the largest number plus the count of such elements
        if _ODD_ROW_RE.search(data):  # rare: the slow, general reading
            self._max_row = max(self._max_row, _max_number(_ANY_ROW_RE.findall(data)))
            self._unnumbered_rows += len(_ROW_TAG_RE.findall(data)) - len(_ANY_ROW_RE.findall(data))
        else:
            self._max_row = max(self._max_row, _max_number(_ROW_RE.findall(data)))
        ext.rows = self._max_row + self._unnumbered_rows
        if _ODD_CELL_RE.search(data):  # rare: the slow, general reading
            refs = _ANY_REF_RE.findall(data)
            per_row = max(len(_CELL_TAG_RE.findall(seg)) for seg in data.split(b"<row"))
            self._unnumbered_cells = max(self._unnumbered_cells, per_row)
        else:  # every cell starts <c r="..": only the widest names need reading
            refs = _REF3_RE.findall(data) or _REF2_RE.findall(data)
            if not refs and b"<c " in data:
                self._max_column = max(self._max_column, 26)  # one letter: at most Z
        if refs:
            widest = max(set(refs), key=lambda r: (len(r), r)).decode("ascii")
            self._max_column = max(self._max_column, column_number(widest))
        ext.columns = self._max_column + self._unnumbered_cells
        if not ext.has_values:
            ext.has_values = _VALUE_RE.search(data) is not None


def _max_number(found: list[bytes]) -> int:
    return max(map(int, set(found)), default=0)


def _refuse_damaged(detail: str) -> FileRefused:
    return FileRefused(
        f"This Excel workbook (.xlsx) is damaged or cut short ({detail}): open it in "
        "Excel and save it again, or save it as CSV, and upload again."
    )


def check_xlsx(data: bytes, max_bytes: int) -> dict[str, SheetExtent]:
    """Check an .xlsx file's zip and measure its worksheets, reading no cell.

    Parameters
    ----------
    data : bytes
        The whole file.
    max_bytes : int
        The upload limit: the file is refused when its parts add up to more
        than :data:`EXPANSION` times this.

    Returns
    -------
    dict
        ``{sheet name: SheetExtent}`` for each worksheet, in workbook order.

    Raises
    ------
    FileRefused
        The zip cannot be opened, is encrypted, expands past the limit,
        or a part fails its CRC check.
    """
    try:
        archive = zipfile.ZipFile(BytesIO(data))
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise _refuse_damaged(f"it cannot be opened as a zip: {exc}") from None
    with archive:
        infos = archive.infolist()
        if any(info.flag_bits & 0x1 for info in infos):
            raise FileRefused(
                "This Excel workbook is encrypted: save a copy without a password "
                "(or as CSV) and upload again."
            )
        expanded = sum(info.file_size for info in infos)
        if expanded > EXPANSION * max_bytes:
            raise FileRefused(
                f"This Excel workbook unpacks to {format_size(expanded)}, over the limit of "
                f"{format_size(EXPANSION * max_bytes)} ({EXPANSION} times ATLAS_MAX_UPLOAD_MB): "
                "split it into smaller workbooks or save it as CSV."
            )
        paths = _sheet_paths(archive)
        extents = {path: _Scanner() for path in paths.values()}
        for info in infos:
            _stream(archive, info, extents.get(info.filename))
    return {name: extents[path].extent for name, path in paths.items()}


def _stream(archive: zipfile.ZipFile, info: zipfile.ZipInfo, scanner: _Scanner | None) -> None:
    """Read one part through (its CRC is checked at the end), feeding ``scanner``."""
    try:
        with archive.open(info) as part:
            while chunk := part.read(_CHUNK):
                if scanner is not None:
                    scanner.feed(chunk)
        if scanner is not None:
            scanner.feed(b"", final=True)
    except (zipfile.BadZipFile, OSError, EOFError, ValueError, NotImplementedError) as exc:
        raise _refuse_damaged(f"the part {info.filename} cannot be read: {exc}") from None


def _sheet_paths(archive: zipfile.ZipFile) -> dict[str, str]:
    """``{sheet name: zip path of its XML}`` from ``xl/workbook.xml`` and its rels."""
    names = set(archive.namelist())
    if "xl/workbook.xml" not in names:
        raise _refuse_damaged("it has no xl/workbook.xml")
    try:
        book = ElementTree.fromstring(archive.read("xl/workbook.xml"))
        rels_xml = (
            archive.read("xl/_rels/workbook.xml.rels")
            if "xl/_rels/workbook.xml.rels" in names
            else b"<Relationships/>"
        )
        rels = ElementTree.fromstring(rels_xml)
    except (ElementTree.ParseError, zipfile.BadZipFile, OSError, ValueError) as exc:
        raise _refuse_damaged(f"its list of sheets cannot be read: {exc}") from None
    targets = {}
    for rel in rels.iter(f"{_NS_PKG}Relationship"):
        target = rel.get("Target", "")
        path = target.lstrip("/") if target.startswith("/") else posixpath.join("xl", target)
        targets[rel.get("Id")] = posixpath.normpath(path)
    out = {}
    for sheet in book.iter(f"{_NS_MAIN}sheet"):
        path = targets.get(sheet.get(f"{_NS_REL}id"))
        if sheet.get("name") is not None and path in names:
            out[sheet.get("name")] = path
    return out
