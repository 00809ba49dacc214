"""geo.ingest.workbook: Excel sheets read into the same table of text as a CSV, line = sheet row.

The .xlsx fixtures are built here with xlsxwriter (invented rows in the style of an
ACLED and a GTD export), so the suite tests them on a plain clone; the one .xls
fixture is in tests/data/workbooks/ (see its _make_workbooks.py).
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
import xlsxwriter

from geo.ingest import workbook
from geo.ingest.pipeline import prepare
from geo.ingest.reader import read_csv_bytes
from geo.ingest.workbook import is_workbook, read_workbook_bytes, sheet_names
from geo.report import FileRefused

XLS = Path(__file__).resolve().parent / "data" / "workbooks" / "gtd_style.xls"


def _book(build: Callable[[xlsxwriter.Workbook], None], **options: Any) -> bytes:
    buf = io.BytesIO()
    book = xlsxwriter.Workbook(buf, {"in_memory": True, **options})
    build(book)
    book.close()
    return buf.getvalue()


# --------------------------------------------------------------------------- ACLED style

ACLED_HEADER = [
    "event_id_cnty", "event_date", "year", "time_precision", "event_type", "sub_event_type",
    "actor1", "actor2", "country", "admin1", "location", "latitude", "longitude",
    "geo_precision", "source", "notes", "fatalities",
]  # fmt: skip
# event_date: a real Excel date, text as ACLED writes it, a date-time cell, ISO text,
# and one impossible text date (that row must be rejected with its sheet row)
ACLED_ROWS = [
    ("PAK7001", dt.date(2020, 5, 9), "Explosions/Remote violence", "Remote explosive/landmine/IED",
     "Khyber Pakhtunkhwa", "Peshawar", 34.0151, 71.5249, 2.0),
    ("AFG7002", "11 May 2020", "Battles", "Armed clash", "Kunduz", "Kunduz", 36.728, 68.8681, None),
    ("PAK7003", dt.datetime(2020, 5, 12), "Violence against civilians", "Attack", "Balochistan",
     "Quetta", 30.1798, 66.975, 0.0),
    ("PAK7004", "2020-05-13", "Battles", "Armed clash", "Khyber Pakhtunkhwa", "Bannu", 32.9889,
     70.6056, 5.0),
    ("PAK7005", "31 February 2020", "Battles", "Armed clash", "Khyber Pakhtunkhwa", "Bannu",
     32.9889, 70.6056, 1.0),
]  # fmt: skip
ACLED_FIRST_ROW = 4  # a merged title on row 1, a blank row 2, the header on row 3


def acled_workbook() -> bytes:
    """A 'Read me' sheet, then 'Data' with a merged title row above the header."""

    def build(book: xlsxwriter.Workbook) -> None:
        notes = book.add_worksheet("Read me")
        notes.write(0, 0, "Export of invented events in the ACLED layout.")
        notes.write(1, 0, "Dates are Excel dates where the tool wrote them so.")
        sheet = book.add_worksheet("Data")
        dates = book.add_format({"num_format": "d mmmm yyyy"})
        stamps = book.add_format({"num_format": "yyyy-mm-dd hh:mm"})
        sheet.merge_range(0, 0, 0, 6, "ACLED events, Afghanistan and Pakistan (invented)")
        sheet.write_row(2, 0, ACLED_HEADER)
        for r, (eid, date, etype, sub, admin1, place, lat, lon, dead) in enumerate(
            ACLED_ROWS, start=ACLED_FIRST_ROW - 1
        ):
            country = "Afghanistan" if eid.startswith("AFG") else "Pakistan"
            sheet.write_string(r, 0, eid)
            if isinstance(date, dt.datetime):
                sheet.write_datetime(r, 1, date, stamps)
            elif isinstance(date, dt.date):
                sheet.write_datetime(r, 1, dt.datetime.combine(date, dt.time()), dates)
            else:
                sheet.write_string(r, 1, date)
            sheet.write_number(r, 2, 2020.0)
            sheet.write_number(r, 3, 1.0)
            sheet.write_row(r, 4, [etype, sub, "Unidentified Armed Group", "Civilians", country])
            sheet.write_row(r, 9, [admin1, place])
            sheet.write_number(r, 11, lat)
            sheet.write_number(r, 12, lon)
            sheet.write_number(r, 13, 1.0)
            sheet.write_row(r, 14, ["Dawn", f"Invented note for {eid}."])
            if dead is not None:
                sheet.write_number(r, 16, dead)
            sheet.write_formula(r, 18, '=""', None, "")  # an empty column beyond the table
        blank = book.add_format({"bg_color": "#FFFF00"})
        for r in range(ACLED_FIRST_ROW - 1 + len(ACLED_ROWS), 40):  # formatted empty rows
            sheet.write_blank(r, 0, None, blank)
            sheet.write_string(r, 5, "")

    return _book(build)


def test_acled_sheet_goes_through_the_pipeline_with_sheet_rows_as_lines() -> None:
    prepared = prepare(acled_workbook(), "acled.xlsx", sheet="Data")
    report = prepared.report
    assert (prepared.format, report.sheet) == ("acled", "Data")
    assert (report.rows_read, report.accepted, report.rejected) == (5, 4, 1)
    (error,) = [e for e in report.errors if e.column == "event_date"]
    assert error.line == ACLED_FIRST_ROW + 4 and error.value == "31 February 2020"
    frame = prepared.frame.set_index("incident_id")
    dates = pd.to_datetime(frame["event_date"]).dt.strftime("%Y-%m-%d")
    assert dates.to_dict() == {
        "PAK7001": "2020-05-09",
        "AFG7002": "2020-05-11",
        "PAK7003": "2020-05-12",
        "PAK7004": "2020-05-13",
    }
    assert frame["_line"].to_dict() == {"PAK7001": 4, "AFG7002": 5, "PAK7003": 6, "PAK7004": 7}
    killed = frame["killed"]
    assert (killed["PAK7001"], killed["PAK7003"], killed["PAK7004"]) == (2, 0, 5)
    assert pd.isna(killed["AFG7002"])  # an empty cell is unknown, never 0
    assert frame.loc["PAK7001", "latitude"] == pytest.approx(34.0151)
    assert any("row 1 was above the header" in w.message for w in report.warnings)


def test_the_reader_gives_text_like_a_csv() -> None:
    read = read_workbook_bytes(acled_workbook(), sheet="Data")
    assert list(read.frame.columns) == [*ACLED_HEADER, "_line"]  # the empty column is gone
    assert (read.encoding, read.delimiter, read.header_line) == ("xlsx", "", 3)
    first = read.frame.iloc[0]
    assert (first["year"], first["time_precision"], first["fatalities"]) == ("2020", "1", "2")
    assert read.frame["event_date"].tolist()[:3] == ["2020-05-09", "11 May 2020", "2020-05-12"]
    assert all(
        v is None or isinstance(v, str) for v in read.frame.drop(columns="_line").values.ravel()
    )


# --------------------------------------------------------------------------- GTD style

GTD_HEADER = [
    "eventid", "iyear", "imonth", "iday", "country_txt", "provstate", "city", "latitude",
    "longitude", "specificity", "attacktype1_txt", "targtype1_txt", "gname", "nkill",
    "nwound", "summary", "scite1",
]  # fmt: skip


def gtd_workbook() -> bytes:
    """Header on row 1; ids and counts as numbers; one group name merged over two rows."""

    def build(book: xlsxwriter.Workbook) -> None:
        sheet = book.add_worksheet("Data")
        sheet.write_row(0, 0, GTD_HEADER)
        rows = [
            (197001010002, 1970, 1, 1, "Khyber Pakhtunkhwa", "Peshawar", 34.0151, 71.5249, 1.0, 2.0),
            (197001020001, 1970, 1, 2, "Khyber Pakhtunkhwa", "Bannu", 32.9889, 70.6056, None, 0.0),
            (199512190004, 1995, 12, 0, "Balochistan", "Quetta", 30.1798, 66.975, 4.0, 11.0),
        ]  # fmt: skip
        for r, (eid, y, m, d, prov, city, lat, lon, dead, hurt) in enumerate(rows, start=1):
            sheet.write_row(r, 0, [float(eid), float(y), float(m), float(d)])
            sheet.write_row(r, 4, ["Pakistan", prov, city, lat, lon, 1.0])
            sheet.write_row(r, 10, ["Bombing/Explosion", "Police"])
            if dead is not None:
                sheet.write_number(r, 13, dead)
            sheet.write_number(r, 14, hurt)
            sheet.write_row(r, 15, ["An invented summary, café included.", "Invented source"])
        sheet.merge_range(1, 12, 2, 12, "Tehrik-i-Taliban Pakistan (TTP)")
        sheet.write(3, 12, "Unknown")
        codes = book.add_worksheet("Codebook")
        codes.write(0, 0, "attacktype1_txt: the main kind of attack")
        codes.hide()

    return _book(build)


def test_gtd_ids_stored_as_numbers_keep_their_digits() -> None:
    prepared = prepare(gtd_workbook(), "gtd.xlsx")  # the hidden codebook needs no choosing
    assert prepared.format == "gtd" and prepared.report.rejected == 0
    frame = prepared.frame.set_index("_line")
    assert frame["incident_id"].to_dict() == {
        2: "GTD-197001010002",
        3: "GTD-197001020001",
        4: "GTD-199512190004",
    }
    assert frame["date_precision"][4] == "month"  # iday 0: the day is unknown
    assert (frame["killed"][2], frame["injured"][2], frame["injured"][3]) == (1, 2, 0)
    assert pd.isna(frame["killed"][3])


def test_a_merged_block_is_copied_into_each_of_its_rows_with_a_warning() -> None:
    read = read_workbook_bytes(gtd_workbook())
    assert read.frame["gname"].tolist() == [
        "Tehrik-i-Taliban Pakistan (TTP)",
        "Tehrik-i-Taliban Pakistan (TTP)",
        "Unknown",
    ]
    (warning,) = read.warnings
    assert (warning.line, warning.column, warning.level) == (2, "gname", "warning")
    assert "M2:M3" in warning.message


# --------------------------------------------------------------------------- values


def typed_cells(**options: Any) -> bytes:
    def build(book: xlsxwriter.Workbook) -> None:
        sheet = book.add_worksheet("S")
        day = book.add_format({"num_format": "dd/mm/yyyy"})
        clock = book.add_format({"num_format": "hh:mm"})
        stamp = book.add_format({"num_format": "yyyy-mm-dd hh:mm:ss"})
        sheet.write_row(0, 0, ["date", "stamp", "time", "whole", "real", "tiny", "big", "flag"])
        sheet.write_datetime(1, 0, dt.datetime(2004, 6, 18), day)
        sheet.write_datetime(1, 1, dt.datetime(2004, 6, 18, 14, 30, 5), stamp)
        sheet.write_datetime(1, 2, dt.datetime(1899, 12, 31, 14, 30), clock)
        sheet.write_row(1, 3, [3.0, 34.5553, 1e-05, 1e20])
        sheet.write_boolean(1, 7, True)
        sheet.write_formula(2, 0, "=1/0", None, "#DIV/0!")  # an error: read as empty
        sheet.write_string(2, 1, "Friday, June 18, 2004")  # text stays text
        sheet.write_number(2, 3, -7.0)

    return _book(build, **options)


@pytest.mark.parametrize("options", [{}, {"date_1904": True}], ids=["1900", "1904"])
def test_cells_read_as_a_person_sees_them(options: dict[str, Any]) -> None:
    frame = read_workbook_bytes(typed_cells(**options)).frame
    assert frame.iloc[0].drop("_line").tolist() == [
        "2004-06-18",
        "2004-06-18 14:30:05",
        "14:30",
        "3",
        "34.5553",
        "0.00001",
        "100000000000000000000",
        "TRUE",
    ]
    assert frame.iloc[1].drop("_line").tolist()[:4] == [None, "Friday, June 18, 2004", None, "-7"]


def test_a_table_away_from_a1_keeps_its_sheet_rows() -> None:
    def build(book: xlsxwriter.Workbook) -> None:
        sheet = book.add_worksheet("S")
        sheet.write(1, 3, "Incidents typed by hand")  # D2: a title
        sheet.write(2, 3, "Source: our own notes")  # D3: a note
        sheet.write_row(4, 2, ["Date", "City", "Killed"])  # C5: the header
        sheet.write_row(5, 2, ["2023-01-05", "Quetta", 2.0])
        sheet.write_row(8, 2, ["2023-01-09", "Bannu", 1.0])  # after two empty rows

    read = read_workbook_bytes(_book(build))
    assert read.header_line == 5
    assert read.frame.to_dict("list") == {
        "Date": ["2023-01-05", "2023-01-09"],
        "City": ["Quetta", "Bannu"],
        "Killed": ["2", "1"],
        "_line": [6, 9],
    }
    assert "rows 2–3 were above the header" in read.warnings[0].message


# --------------------------------------------------------------------------- sheets


def two_sheets(second: str = "Kunduz") -> bytes:
    def build(book: xlsxwriter.Workbook) -> None:
        for name, city in (("Peshawar 2023", "Peshawar"), ("Kunduz 2023", second)):
            sheet = book.add_worksheet(name)
            sheet.write_row(0, 0, ["date", "location", "latitude", "longitude"])
            sheet.write_row(1, 0, ["2023-03-01", city, 34.0, 71.5])
        book.add_worksheet("Empty")

    return _book(build)


def test_several_sheets_with_data_need_a_choice() -> None:
    data = two_sheets()
    assert sheet_names(data) == ["Peshawar 2023", "Kunduz 2023"]  # the empty one is left out
    with pytest.raises(FileRefused, match=r"2 sheets with data \('Peshawar 2023', 'Kunduz 2023'\)"):
        read_workbook_bytes(data)
    read = read_workbook_bytes(data, sheet=" kunduz 2023")  # case and spaces aside
    assert read.sheet == "Kunduz 2023" and read.frame["location"].tolist() == ["Kunduz"]
    with pytest.raises(FileRefused, match=r"no sheet named 'Herat'.*'Empty'"):
        read_workbook_bytes(data, sheet="Herat")
    with pytest.raises(FileRefused, match="'Empty' is empty"):
        read_workbook_bytes(data, sheet="Empty")


def test_a_hidden_sheet_is_read_only_when_named() -> None:
    data = gtd_workbook()
    assert sheet_names(data) == ["Data"]
    assert read_workbook_bytes(data, sheet="Codebook").frame.empty


def test_data_only_on_a_hidden_sheet_is_said_so() -> None:
    def build(book: xlsxwriter.Workbook) -> None:
        book.add_worksheet("Cover")
        hidden = book.add_worksheet("Raw")
        hidden.write_row(0, 0, ["date", "location"])
        hidden.write_row(1, 0, ["2023-01-05", "Quetta"])
        hidden.hide()

    data = _book(build)
    with pytest.raises(FileRefused, match=r"hidden sheets are 'Raw': name the one"):
        read_workbook_bytes(data)
    assert read_workbook_bytes(data, sheet="Raw").frame["location"].tolist() == ["Quetta"]


def test_an_empty_workbook_is_refused() -> None:
    with pytest.raises(FileRefused, match="Every sheet of this workbook is empty"):
        read_workbook_bytes(_book(lambda book: book.add_worksheet("Sheet1")))


def test_old_xls_workbooks_are_read_too() -> None:
    data = XLS.read_bytes()
    assert is_workbook(data) and sheet_names(data) == ["Data", "Notes"]
    read = read_workbook_bytes(data, sheet="Data")
    assert read.encoding == "xls" and read.frame["_line"].tolist() == [2, 3, 4]
    assert read.frame["eventid"].tolist()[0] == "201405170031"
    assert read.frame["resolution"].tolist() == ["2014-05-19", None, None]
    prepared = prepare(data, XLS.name, sheet="Data")
    assert prepared.format == "gtd" and prepared.report.accepted == 3
    assert prepared.frame["incident_id"].tolist()[0] == "GTD-201405170031"


# --------------------------------------------------------------------------- limits and refusals


def test_size_and_row_limits_apply_to_workbooks() -> None:
    data = acled_workbook()
    with pytest.raises(FileRefused, match="over the upload limit"):
        read_workbook_bytes(data, sheet="Data", max_bytes=len(data) - 1)
    with pytest.raises(FileRefused, match="limit is 3"):
        read_workbook_bytes(data, sheet="Data", max_rows=3)
    assert len(read_workbook_bytes(data, sheet="Data", max_rows=5).frame) == 5


def test_limits_come_from_the_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ATLAS_MAX_ROWS", "2")
    with pytest.raises(FileRefused, match="ATLAS_MAX_ROWS"):
        prepare(gtd_workbook(), "gtd.xlsx")


def test_a_workbook_that_unpacks_far_past_the_limit_is_refused() -> None:
    def build(book: xlsxwriter.Workbook) -> None:
        sheet = book.add_worksheet("S")
        sheet.write_row(0, 0, ["date", "location", "notes"])
        for r in range(1, 5000):
            sheet.write_row(r, 0, ["2023-01-05", "Quetta", "the same words " * 8])

    data = _book(build)  # the same cells row after row: the zip is small, the XML is not
    with pytest.raises(FileRefused, match=r"unpacks to .* over the limit .* ATLAS_MAX_UPLOAD_MB"):
        read_workbook_bytes(data, max_bytes=len(data) + 1)  # the file itself is within it
    assert len(read_workbook_bytes(data, max_bytes=len(data) * 100).frame) == 4999


def test_a_sheet_spanning_too_many_cells_is_refused_before_reading(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def build(book: xlsxwriter.Workbook) -> None:
        sheet = book.add_worksheet("S")
        sheet.write_row(0, 0, ["date", "location"])
        sheet.write(5000, 300, "a stray note far away")

    monkeypatch.setattr(workbook, "MAX_CELLS", 1_000_000)
    with pytest.raises(FileRefused, match=r"spans 5,001 rows × 301 columns"):
        read_workbook_bytes(_book(build))


@pytest.mark.parametrize(
    ("data", "fragment"),
    [
        (two_sheets()[:-200], "damaged or cut short"),
        (b"PK\x03\x04" + b"xl/workbook.xml" + bytes(300), "damaged or cut short"),
        (XLS.read_bytes()[:1024], "cannot be read"),
        ((XLS.parent / "password_protected.xlsx").read_bytes(), "protected by a password"),
        (b"event_date,location\n2025-01-05,Quetta\n", "not an Excel workbook"),
    ],
    ids=["cut-short xlsx", "not a zip", "cut-short xls", "password", "a CSV"],
)
def test_unreadable_workbooks_are_refused_in_one_sentence(data: bytes, fragment: str) -> None:
    with pytest.raises(FileRefused, match=fragment) as info:
        read_workbook_bytes(data)
    message = str(info.value)
    assert message[0].isupper() and message.endswith(".") and "\n" not in message


# --------------------------------------------------------------------------- the ingest's choice


def test_the_ingest_reads_workbooks_by_content_and_csv_as_before() -> None:
    assert prepare(gtd_workbook(), "renamed.csv").format == "gtd"
    csv = b"date,location,latitude,longitude\n2023-03-01,Peshawar,34.0,71.5\n"
    assert read_csv_bytes(csv).sheet is None
    prepared = prepare(csv, "plain.csv", sheet="Data")
    assert prepared.report.accepted == 1 and prepared.report.sheet is None
    assert any("not a workbook" in w.message for w in prepared.report.warnings)


NUMERIC = {"year", "time_precision", "inter1", "inter2", "interaction", "iso", "latitude",
           "longitude", "geo_precision", "fatalities", "timestamp"}  # fmt: skip


def test_a_workbook_gives_the_same_incidents_as_the_same_rows_in_csv(acled_rows) -> None:
    """Dates as Excel dates and numbers as floats come out as the CSV's text does."""
    frame = acled_rows(300, 11)
    csv_bytes = frame.to_csv(index=False).encode()

    def build(book: xlsxwriter.Workbook) -> None:
        sheet = book.add_worksheet("Data")
        dates = book.add_format({"num_format": "dd-mmm-yy"})
        sheet.write_row(0, 0, list(frame.columns))
        for r, row in enumerate(frame.itertuples(index=False), start=1):
            for c, (name, value) in enumerate(zip(frame.columns, row, strict=True)):
                if value == "":
                    continue
                if name == "event_date":
                    sheet.write_datetime(r, c, dt.datetime.fromisoformat(value), dates)
                elif name in NUMERIC:
                    sheet.write_number(r, c, float(value))
                else:
                    sheet.write_string(r, c, value)

    from_csv = prepare(csv_bytes, "rows.csv")
    from_xlsx = prepare(_book(build), "rows.xlsx")
    assert from_xlsx.report.accepted == from_csv.report.accepted > 250
    assert [e.to_dict() for e in from_xlsx.report.errors] == [
        e.to_dict() for e in from_csv.report.errors
    ]
    pd.testing.assert_frame_equal(from_xlsx.frame, from_csv.frame)
