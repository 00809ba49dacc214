"""geo.ingest.xlsxcheck: an .xlsx file's zip and sheet extents, measured before any cell is read."""

from __future__ import annotations

import io
import struct
import zipfile

import pytest

from geo.ingest.xlsxcheck import SheetExtent, check_xlsx, column_number
from geo.report import FileRefused

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
RELS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PKG = "http://schemas.openxmlformats.org/package/2006/relationships"


def _member(name: str, compression: int) -> zipfile.ZipInfo:
    """A zip entry with a fixed timestamp: these bytes name parametrized tests, and the
    two test workers must collect the same names (the clock differs between them)."""
    info = zipfile.ZipInfo(name, date_time=(2020, 1, 1, 0, 0, 0))
    info.compress_type = compression
    return info


def _xlsx(sheets: dict[str, str], *, compression: int = zipfile.ZIP_DEFLATED) -> bytes:
    """A bare .xlsx: workbook.xml, its relationships and one XML part per sheet."""
    book = "".join(
        f'<sheet name="{name}" sheetId="{i}" r:id="rId{i}"/>'
        for i, name in enumerate(sheets, start=1)
    )
    rels = "".join(
        f'<Relationship Id="rId{i}" Type="{RELS}/worksheet" Target="worksheets/sheet{i}.xml"/>'
        for i in range(1, len(sheets) + 1)
    )
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression) as zf:
        zf.writestr(
            _member("xl/workbook.xml", compression),
            f'<workbook xmlns="{MAIN}" xmlns:r="{RELS}"><sheets>{book}</sheets></workbook>',
        )
        zf.writestr(
            _member("xl/_rels/workbook.xml.rels", compression),
            f'<Relationships xmlns="{PKG}">{rels}</Relationships>',
        )
        for i, body in enumerate(sheets.values(), start=1):
            zf.writestr(
                _member(f"xl/worksheets/sheet{i}.xml", compression),
                f'<worksheet xmlns="{MAIN}"><sheetData>{body}</sheetData></worksheet>',
            )
    return buf.getvalue()


def test_column_numbers() -> None:
    letters = ("A", "Z", "AA", "AE", "ZZ", "AAA", "XFD")
    assert [column_number(c) for c in letters] == [1, 26, 27, 31, 702, 703, 16384]


def test_extents_of_ordinary_sheets_by_name() -> None:
    data = _xlsx(
        {
            "Data": '<row r="1"><c r="A1" t="s"><v>0</v></c><c r="AE1"><v>3</v></c></row>'
            '<row r="250"><c r="B250"><v>1</v></c></row>',
            "Empty": "",
            "Formatted only": '<row r="9"><c r="C9" s="1"/></row>',
        }
    )
    extents = check_xlsx(data, 10**9)
    assert list(extents) == ["Data", "Empty", "Formatted only"]
    assert extents["Data"] == SheetExtent(rows=250, columns=31, has_values=True)
    assert extents["Data"].cells == 250 * 31
    assert extents["Empty"] == SheetExtent(0, 0, False)
    assert not extents["Formatted only"].has_values  # a formatted empty cell is no data


def test_a_far_away_cell_makes_the_extent_large() -> None:
    data = _xlsx({"S": '<row r="1"><c r="A1"><v>1</v></c></row><row r="1048576">'
                        '<c r="XFD1048576"><v>2</v></c></row>'})  # fmt: skip
    assert check_xlsx(data, 10**9)["S"].cells == 1_048_576 * 16_384


def test_cells_and_rows_without_positions_are_still_bounded() -> None:
    """Without ``r`` attributes a reader counts the elements: so does the check."""
    row = "<row>" + "<c><v>1</v></c>" * 40 + "</row>"
    extent = check_xlsx(_xlsx({"S": row * 300}), 10**9)["S"]
    assert extent.rows >= 300 and extent.columns >= 40


def test_a_position_that_is_not_the_first_attribute_is_found() -> None:
    body = '<row r="1"><c s="2" r="ZZ7" t="n"><v>1</v></c></row><row spans="1:2" r="5000"/>'
    extent = check_xlsx(_xlsx({"S": body}), 10**9)["S"]
    assert extent.columns >= 702 and extent.rows >= 5000


def test_parts_that_expand_past_the_limit_are_refused() -> None:
    cell = '<c r="A{n}" t="inlineStr"><is><t>the same text again and again</t></is></c>'
    body = "".join(f'<row r="{n}">{cell.format(n=n)}</row>' for n in range(1, 20_001))
    data = _xlsx({"S": body})
    assert len(data) < 200_000  # it compresses well...
    with pytest.raises(FileRefused, match=r"unpacks to 1\.8 MB, over the limit of 1\.5 MB"):
        check_xlsx(data, 200_000)  # ...but unpacks to over eight times the upload limit
    assert check_xlsx(data, 400_000)["S"].rows == 20_000


def _understate_size(data: bytes, member: str, size: int) -> bytes:
    """The zip with ``member``'s uncompressed size rewritten in both of its headers."""
    out = bytearray(data)
    name = member.encode()
    local = out.find(b"PK\x03\x04")
    while local >= 0:
        n_len = struct.unpack_from("<H", out, local + 26)[0]
        if out[local + 30 : local + 30 + n_len] == name:
            struct.pack_into("<I", out, local + 22, size)
        local = out.find(b"PK\x03\x04", local + 4)
    central = out.find(b"PK\x01\x02")
    while central >= 0:
        n_len = struct.unpack_from("<H", out, central + 28)[0]
        if out[central + 46 : central + 46 + n_len] == name:
            struct.pack_into("<I", out, central + 24, size)
        central = out.find(b"PK\x01\x02", central + 4)
    return bytes(out)


def test_a_part_whose_headers_understate_its_size_is_refused_as_damaged() -> None:
    body = '<row r="1"><c r="A1"><v>1</v></c></row>' * 2000
    data = _understate_size(_xlsx({"S": body}), "xl/worksheets/sheet1.xml", 100)
    with zipfile.ZipFile(io.BytesIO(data)) as zf:  # the zip still opens and says "100 bytes"
        assert zf.getinfo("xl/worksheets/sheet1.xml").file_size == 100
    with pytest.raises(FileRefused, match="damaged"):
        check_xlsx(data, 10**9)


@pytest.mark.parametrize(
    ("data", "fragment"),
    [
        (b"PK\x03\x04 not really a zip", "cannot be opened as a zip"),
        (_xlsx({"S": ""})[:-40], "cannot be opened as a zip"),  # cut short: no directory
    ],
)
def test_damaged_zips_are_refused_in_one_sentence(data: bytes, fragment: str) -> None:
    with pytest.raises(FileRefused, match=fragment) as info:
        check_xlsx(data, 10**9)
    assert "\n" not in str(info.value) and str(info.value).endswith(".")


def test_a_zip_without_a_workbook_part_is_refused() -> None:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("xl/worksheets/sheet1.xml", "<worksheet/>")
    with pytest.raises(FileRefused, match=r"no xl/workbook\.xml"):
        check_xlsx(buf.getvalue(), 10**9)
