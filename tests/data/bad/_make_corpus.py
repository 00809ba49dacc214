"""Write the bad-file corpus and its manifest EXPECTED.json.

Run ``python tests/data/bad/_make_corpus.py`` to regenerate the files after
changing this script. Each entry states the outcome expected of the whole
pipeline (read → formats → validate → ...):

* ``outcome``: "refused" (the file is refused; ``message_contains`` is a
  fragment of the refusal, compared case-insensitively) or "read".
* ``rejected_lines``: file lines (header = 1) of the rows that must be rejected.
* ``warning_columns``: columns that must carry at least one warning.
* ``accepted``: rows that pass validation (later stages may add warnings, never
  rejections, for these files).
"""

from __future__ import annotations

import gzip
import io
import json
import random
import zipfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
CANON = "incident_id,event_date,location,admin1,latitude,longitude,killed,injured,event_type,notes"
CORPUS: list[dict] = []


def add(name: str, data: bytes | str, outcome: str, about: str, **expected: object) -> None:
    """Write one file and record what must happen to it."""
    raw = data.encode("utf-8") if isinstance(data, str) else data
    (HERE / name).write_bytes(raw)
    entry = {
        "file": name,
        "outcome": outcome,
        "message_contains": expected.get("message_contains"),
        "rejected_lines": expected.get("rejected_lines", []),
        "warning_columns": expected.get("warning_columns", []),
        "accepted": expected.get("accepted", 0),
        "about": about,
    }
    CORPUS.append(entry)


def _zip(members: dict[str, str]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        for member, text in members.items():
            info = zipfile.ZipInfo(member, date_time=(2025, 1, 1, 0, 0, 0))
            zf.writestr(info, text)
    return buf.getvalue()


GOOD = f"{CANON}\nX-1,2025-01-05,Quetta,Balochistan,30.1798,66.9750,2,1,Battles,ok\n"


def refused() -> None:
    add("empty.csv", b"", "refused", "zero bytes", message_contains="empty")
    add(
        "whitespace_only.csv", "  \r\n\t\n   \n", "refused", "only blanks", message_contains="empty"
    )
    add(
        "excel_renamed.xlsx.csv",
        _zip(
            {
                "[Content_Types].xml": "<Types/>",
                "xl/workbook.xml": "<workbook/>",
                "xl/worksheets/sheet1.xml": "<worksheet/>",
            }
        ),
        "refused",
        "an .xlsx workbook renamed .csv",
        message_contains="Excel workbook",
    )
    add(
        "zip_archive.csv",
        _zip({"incidents.csv": GOOD}),
        "refused",
        "a zip holding a CSV",
        message_contains="zip archive",
    )
    add(
        "legacy_excel.xls.csv",
        b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(range(256)) * 2,
        "refused",
        "an old .xls (OLE2) workbook",
        message_contains=".xls",
    )
    add(
        "gzipped.csv",
        gzip.compress(GOOD.encode(), mtime=0),
        "refused",
        "a gzip-compressed CSV",
        message_contains="gzip",
    )
    add(
        "pdf_document.csv",
        b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\n%%EOF\n",
        "refused",
        "a PDF",
        message_contains="PDF",
    )
    add(
        "html_login_page.csv",
        "<!DOCTYPE html>\n<html><head><title>Sign in</title></head>"
        "<body><form>Password: <input type=password></form></body></html>\n",
        "refused",
        "a login page saved instead of the export",
        message_contains="web page",
    )
    add(
        "xml_spreadsheet.csv",
        '<?xml version="1.0"?>\n<Workbook xmlns="urn:schemas-microsoft-com:office:spreadsheet">'
        "</Workbook>\n",
        "refused",
        "Excel 2003 XML spreadsheet",
        message_contains="XML",
    )
    add(
        "json_array.csv",
        json.dumps([{"event_date": "2025-01-05", "location": "Quetta"}]),
        "refused",
        "JSON records",
        message_contains="JSON",
    )
    add(
        "random_bytes.csv",
        random.Random(8).randbytes(4096),
        "refused",
        "random bytes (not UTF-8, not cp1252)",
        message_contains="not readable text",
    )
    add(
        "control_noise.csv",
        bytes(random.Random(9).choices(range(32), k=2048)),
        "refused",
        "ASCII control bytes only",
        message_contains="binary",
    )
    add(
        "mostly_nul.csv",
        GOOD.encode() + b"\x00" * 500,
        "refused",
        "a CSV followed by a run of NUL bytes (more than 1% of the file)",
        message_contains="binary",
    )
    add(
        "single_column.csv",
        "Name\nPeshawar\nQuetta\n",
        "refused",
        "one column, no delimiter",
        message_contains="single column",
    )
    add(
        "no_usable_columns.csv",
        "colour,size,weight\nred,2,3\nblue,4,5\n",
        "refused",
        "a table, but not of incidents",
        message_contains="no usable columns",
    )
    add(
        "no_date_column.csv",
        "location,latitude,longitude\nPeshawar,34.0151,71.5249\n",
        "refused",
        "places but no date column",
        message_contains="no usable columns",
    )
    add(
        "duplicate_header.csv",
        "event_date,location,Location ,location\n2025-01-05,Quetta,a,b\n",
        "refused",
        "the same column name twice (after trimming)",
        message_contains="twice",
    )
    add(
        "headerless.csv",
        "2025-01-05,30.1798,66.9750,2\n2025-01-06,34.0151,71.5249,1\n",
        "refused",
        "data rows with no header",
        message_contains="not column names",
    )
    add(
        "utf16_damaged.csv",
        b"\xff\xfe" + "event_date,location\n".encode("utf-16-le") + b"\x41",
        "refused",
        "UTF-16 with a BOM, cut in the middle of a character",
        message_contains="damaged",
    )
    add(
        "undecodable_bytes.csv",
        GOOD.encode() + b"Y-2,2025-01-06,Bad\x81\x8dName,,30.1,66.9,1,,Battles,x\n",
        "refused",
        "bytes valid in neither UTF-8 nor Windows-1252",
        message_contains="not readable text",
    )


def read_structure() -> None:
    add(
        "ragged_rows.csv",
        f"{CANON}\n"
        "R-1,2025-01-05,Quetta,Balochistan,30.1798,66.9750,2,1,Battles,ok\n"
        "R-2,2025-01-05,Quetta,Balochistan,30.1798,66.9750,2,1,Battles\n"
        "R-3,2025-01-05,Quetta,Balochistan,30.1798,66.9750,2,1,Battles,a,b\n"
        "R-4,2025-01-06,Bannu,,32.9889,70.6056,0,0,Battles,ok,,,\n",
        "read",
        "one field short, one too many; extra empty trailing fields are fine",
        rejected_lines=[3, 4],
        accepted=2,
    )
    add(
        "quoted_newlines.csv",
        f"{CANON}\n"
        'Q-1,2025-01-05,Quetta,Balochistan,30.1798,66.9750,2,1,Battles,"first line\nsecond, with comma\nthird ""quoted"""\n'
        "Q-2,2025-01-05,Quetta,Balochistan,30.1798,66.9750\n"
        'Q-3,2025-01-07,Bannu,,32.9889,70.6056,1,,Battles,"two\nlines"\n'
        "Q-4,2025-01-08,Bannu,,32.9889,70.6056,1,,Battles,x,extra\n",
        "read",
        "multi-line quoted notes shift line numbers away from row numbers",
        rejected_lines=[5, 8],
        accepted=2,
    )
    add(
        "unterminated_quote.csv",
        f"{CANON}\n"
        "U-1,2025-01-05,Quetta,Balochistan,30.1798,66.9750,2,1,Battles,ok\n"
        'U-2,2025-01-06,Quetta,Balochistan,30.1798,66.9750,2,1,Battles,"never closed\n'
        "U-3,2025-01-07,Quetta,Balochistan,30.1798,66.9750,2,1,Battles,swallowed\n",
        "read",
        "a quote opened on line 3 runs to the end of the file",
        rejected_lines=[3],
        accepted=1,
    )
    add(
        "stray_nul_bytes.csv",
        f"{CANON}\n"
        "N-1,2025-01-05,Quetta,Balochistan,30.1798,66.9750,2,1,Battles,ok\n"
        "N-2,2025-01-06,Que\x00tta,Balochistan,30.1798,66.9750,2,1,Battles,ok\n"
        "N-3,2025-01-07,Quetta,Balochistan,30.1798,66.9750,2,1,Battles,ok\n",
        "read",
        "one NUL byte inside a row: only that row is rejected",
        rejected_lines=[3],
        accepted=2,
    )
    add(
        "cp1252_punctuation.csv",
        (
            f"{CANON}\n"
            "C-1,2025-01-05,Quetta – Saddar,Balochistan,30.1798,66.9750,2,1,Battles,"
            "“quoted” café report’s text\n"
        ).encode("cp1252"),
        "read",
        "Windows-1252 en dash, curly quotes and é (not valid UTF-8)",
        accepted=1,
    )
    add(
        "utf16_tab.csv",
        ("\ufeff" + GOOD.replace(",", "\t").replace("\n", "\r\n")).encode("utf-16-le"),
        "read",
        "UTF-16 LE with BOM, tab-separated, CRLF (Excel 'Unicode text')",
        accepted=1,
    )
    add(
        "utf16_no_bom.csv",
        GOOD.encode("utf-16-be"),
        "read",
        "UTF-16 BE without a byte-order mark",
        accepted=1,
    )
    add(
        "semicolon_decimal_comma.csv",
        "event_date;location;latitude;longitude;killed\n"
        "2025-01-05;Quetta;30,1798;66,9750;2\n"
        "2025-01-06;Bannu;32,9889;70,6056;1;\n",
        "read",
        "European export: ; separator, decimal commas, a trailing ;",
        accepted=2,
    )
    add(
        "pipe_delimited.csv",
        GOOD.replace(",", "|") + "X-2|2025-01-06|Bannu||32.9889|70.6056|1|0|Battles|a, b\n",
        "read",
        "| separator; commas inside values need no quotes",
        accepted=2,
    )
    add(
        "excel_sep_line.csv",
        "sep=;\r\nevent_date;location;latitude;longitude\r\n2025-01-05;Quetta;30.1798;66.9750\r\n"
        "2025-01-06;Bannu;32.9889\r\n",
        "read",
        "Excel's sep=; hint line: the header is line 2",
        rejected_lines=[4],
        accepted=1,
    )
    add(
        "bom_crlf_blank_lines.csv",
        "\ufeff"
        + "event_date,location,latitude,longitude,,\r\n"
        + "\r\n"
        + "2025-01-05,Quetta,30.1798,66.9750,,\r\n"
        + ",,,,,\r\n"
        + "\r\n"
        + "2025-01-06,Bannu,32.9889\r\n",
        "read",
        "UTF-8 BOM, CRLF, blank and all-empty rows skipped, unnamed empty columns",
        rejected_lines=[6],
        accepted=1,
    )
    add(
        "old_mac_cr.csv",
        "event_date,location,latitude,longitude\r2025-01-05,Quetta,30.1798,66.9750\r"
        "2025-01-06,Bannu\r2025-01-07,Bannu,32.9889,70.6056\r",
        "read",
        "lone CR line endings (classic Mac OS)",
        rejected_lines=[3],
        accepted=2,
    )
    add(
        "trailing_nul_padding.csv",
        GOOD.encode() + b"\x00\x00",
        "read",
        "two NUL bytes of padding after the last line",
        rejected_lines=[3],
        accepted=1,
    )
    add(
        "only_header.csv",
        f"{CANON}\n",
        "read",
        "a header and no rows",
        accepted=0,
    )
    add(
        "very_long_field.csv",
        f"{CANON}\nL-1,2025-01-05,Quetta,Balochistan,30.1798,66.9750,2,1,Battles,"
        + "long text " * 15_000
        + "\n",
        "read",
        "a 150,000-character note (beyond csv's default field limit); cut to 10,000",
        warning_columns=["notes"],
        accepted=1,
    )


def read_values() -> None:
    rows = [
        "D-1,2025-01-05,Quetta,,30.1798,66.9750,1,,Battles,ISO",
        "D-2,11 February 2025,Quetta,,30.1798,66.9750,1,,Battles,ACLED style",
        "D-3,03/04/2025,Quetta,,30.1798,66.9750,1,,Battles,ambiguous",
        "D-4,2099-01-01,Quetta,,30.1798,66.9750,1,,Battles,future",
        "D-5,31/02/2025,Quetta,,30.1798,66.9750,1,,Battles,no such day",
        "D-6,25-12-24,Quetta,,30.1798,66.9750,1,,Battles,two-digit year",
        "D-7,45678,Quetta,,30.1798,66.9750,1,,Battles,spreadsheet serial",
        "D-8,yesterday,Quetta,,30.1798,66.9750,1,,Battles,words",
        "D-9,,Quetta,,30.1798,66.9750,1,,Battles,missing",
        "D-10,25/12/2024,Quetta,,30.1798,66.9750,1,,Battles,unambiguous day first",
        "D-11,1850-06-01,Quetta,,30.1798,66.9750,1,,Battles,too early",
    ]
    add(
        "bad_dates.csv",
        CANON + "\n" + "\n".join(rows) + "\n",
        "read",
        "date forms: read with the file's day-first order (25/12/2024 decides 03/04/2025), "
        "two-digit year, serial; refused: impossible, future, words, empty, too early",
        rejected_lines=[5, 6, 9, 10, 12],
        warning_columns=["event_date"],
        accepted=6,
    )
    rows = [
        "S-1,2025-01-05,Quetta,,66.9750,30.1798,1,,Battles,swapped",
        "S-2,2025-01-05,Quetta,,95.1,66.9,1,,Battles,latitude out of range",
        "S-3,2025-01-05,Quetta,,30.1798,,1,,Battles,latitude alone",
        "S-4,2025-01-05,Quetta,,abc,66.9750,1,,Battles,not a number",
        "S-5,2025-01-05,Quetta,,30.1798,66.9750,1,,Battles,fine",
        "S-6,2025-01-05,Lagos,,6.5244,3.3792,1,,Battles,outside region but not swapped",
    ]
    add(
        "bad_coordinates.csv",
        CANON + "\n" + "\n".join(rows) + "\n",
        "read",
        "swapped, out of range, half a pair, not a number",
        rejected_lines=[2, 3, 4, 5],
        accepted=2,
    )
    add(
        "zero_zero_coordinates.csv",
        f"{CANON}\n"
        "Z-1,2025-01-05,Khost,Khost,0,0,1,,Battles,0 0 with a place\n"
        "Z-2,2025-01-05,,,0.0,0.0,1,,Battles,0 0 and nothing else\n",
        "read",
        "(0, 0) means missing: cleared with a warning; with no place left the row fails",
        rejected_lines=[3],
        warning_columns=["latitude"],
        accepted=1,
    )
    rows = [
        "K-1,2025-01-05,Quetta,,30.1798,66.9750,dozens,several,Battles,words",
        "K-2,2025-01-05,Quetta,,30.1798,66.9750,at least 12,15+,Battles,at least",
        "K-3,2025-01-05,Quetta,,30.1798,66.9750,about 30,~4,Battles,about",
        "K-4,2025-01-05,Quetta,,30.1798,66.9750,-2,,Battles,negative",
        "K-5,2025-01-05,Quetta,,30.1798,66.9750,2.5,,Battles,fraction",
        'K-6,2025-01-05,Quetta,,30.1798,66.9750,"1,200",3.0,Battles,thousands',
        "K-7,2025-01-05,Quetta,,30.1798,66.9750,10-15,,Battles,range",
        "K-8,2025-01-05,Quetta,,30.1798,66.9750,12abc,,Battles,garbled",
        "K-9,2025-01-05,Quetta,,30.1798,66.9750,unknown,n/a,Battles,explicitly unknown",
    ]
    add(
        "casualty_wording.csv",
        CANON + "\n" + "\n".join(rows) + "\n",
        "read",
        "casualty figures as analysts write them",
        rejected_lines=[5, 6, 9],
        warning_columns=["injured", "killed"],
        accepted=6,
    )
    add(
        "duplicate_ids.csv",
        f"{CANON}\n"
        "DUP,2025-01-05,Quetta,,30.1798,66.9750,1,,Battles,first\n"
        "OTHER,2025-01-05,Quetta,,30.1798,66.9750,1,,Battles,other\n"
        "DUP,2025-01-06,Quetta,,30.1798,66.9750,1,,Battles,second\n"
        "DUP,2025-01-07,Quetta,,30.1798,66.9750,1,,Battles,third\n",
        "read",
        "the first DUP row is kept; the later ones are rejected",
        rejected_lines=[4, 5],
        accepted=2,
    )
    add(
        "no_place.csv",
        f"{CANON}\n"
        ",2025-01-05,,,,,1,,Battles,nothing\n"
        ",2025-01-06,,Kunar,,,1,,Battles,province only\n"
        ",2025-01-07,Asadabad,,,,1,,Battles,place only\n",
        "read",
        "no coordinates: a location or admin1 is needed",
        rejected_lines=[2],
        accepted=2,
    )
    add(
        "control_characters.csv",
        f"{CANON}\nT-1,2025-01-05,Quetta,,30.1798,66.9750,1,,Battles,bell\x07 and escape\x1b[31m\n",
        "read",
        "BEL and ESC inside text are removed with a warning",
        warning_columns=["notes"],
        accepted=1,
    )
    add(
        "formula_like_text.csv",
        f"{CANON}\n"
        'F-1,2025-01-05,Quetta,,30.1798,66.9750,1,,Battles,"=HYPERLINK(""http://x"",""y"")"\n'
        "F-2,2025-01-06,@Quetta,,30.1798,66.9750,1,,Battles,+92 300 0000000\n",
        "read",
        "text that a spreadsheet would run is kept as written (escaped on export)",
        accepted=2,
    )
    add(
        "vocabulary_problems.csv",
        "incident_id,event_date,location,latitude,longitude,geo_precision,date_precision,"
        "event_type,cross_border,killed,killed_low,killed_high\n"
        "V-1,2025-01-05,Quetta,30.1798,66.9750,5,day,Battles,no,1,,\n"
        "V-2,2025-01-05,Quetta,30.1798,66.9750,1,fortnight,Battles,no,1,,\n"
        "V-3,2025-01-05,Quetta,30.1798,66.9750,1,day,Terror attack,maybe,1,,\n"
        "V-4,2025-01-05,Quetta,30.1798,66.9750,1,day,Battles,yes,4,5,3\n"
        "V-5,2025-01-05,Quetta,30.1798,66.9750,1,Day,battles,true,4,3,5\n",
        "read",
        "geo_precision 5, unknown date_precision, unknown event type, unreadable flag, low > high",
        rejected_lines=[2, 3, 5],
        warning_columns=["cross_border", "event_type"],
        accepted=2,
    )


def main() -> None:
    """Write every file and EXPECTED.json."""
    refused()
    read_structure()
    read_values()
    (HERE / "EXPECTED.json").write_text(json.dumps(CORPUS, indent=2, ensure_ascii=False) + "\n")


if __name__ == "__main__":
    main()
