"""Acceptance of issue 14 on real analysts' files: rows in, dates and casualties as the file says.

The files live in ``../shared/realdata/`` (see its SOURCES.md) and are never
copied into the project; without that folder every test here is skipped with
that reason. Expected values are read from the files with Python's own
``csv`` module and ``datetime.strptime`` in the provider's own columns
(ACLED ``year``, GTD ``iyear``/``imonth``/``iday``, UCDP ``date_start``/
``date_end``), not with the code under test. Provinces are engineer C's part
(geocoding and boundaries) and are not checked here.
"""

from __future__ import annotations

import csv
import datetime as dt
import functools
import io
from pathlib import Path

import pandas as pd
import pytest

from geo.ingest.pipeline import prepare

REALDATA = Path(__file__).resolve().parent.parent.parent / "shared" / "realdata"
pytestmark = pytest.mark.skipif(
    not REALDATA.is_dir(), reason="../shared/realdata/ (the real analysts' files) is absent"
)


def _records(name: str, encoding: str) -> dict[int, dict[str, str]]:
    """``{file line where the record starts: record}`` read with the csv module."""
    text = (REALDATA / name).read_bytes().decode(encoding)
    reader = csv.reader(io.StringIO(text, newline=""))
    header = next(reader)
    out = {}
    start = reader.line_num + 1
    for row in reader:
        out[start] = dict(zip(header, row, strict=False))
        start = reader.line_num + 1
    return out


@functools.cache
def _prepared(name: str):
    return prepare((REALDATA / name).read_bytes(), name)


def _by_line(name: str) -> pd.DataFrame:
    return _prepared(name).frame.set_index("_line")


def _count(text: str) -> object:
    """A file's casualty cell as the number it says (None when empty)."""
    text = text.strip()
    return None if text == "" else int(float(text))


def _stored(value: object) -> object:
    return None if pd.isna(value) else int(value)


def _rejections(name: str) -> dict[int, list[str]]:
    out: dict[int, list[str]] = {}
    for e in _prepared(name).report.errors:
        out.setdefault(e.line, []).append(e.message)
    return out


# --------------------------------------------------------------------------- ACLED


ACLED = "acled_2020_south_asia_excel_dates.csv"


def test_acled_rows_go_in_and_only_the_cut_row_is_rejected() -> None:
    report = _prepared(ACLED).report
    assert report.rows_read == 5071
    assert report.accepted >= 5070
    rejected = _rejections(ACLED)
    assert set(rejected) == {5072}
    assert any("cut short" in m for m in rejected[5072])


def test_acled_dates_equal_the_providers_with_the_year_column() -> None:
    records = _records(ACLED, "utf-8")
    frame = _by_line(ACLED)
    for line, row in frame.iterrows():
        rec = records[line]
        expected = dt.datetime.strptime(rec["event_date"], "%d-%b-%y").date()
        assert expected.year == int(rec["year"])  # the file's own year column agrees
        assert row["event_date"].date() == expected, line
    file_notes = [w.message for w in _prepared(ACLED).report.warnings if w.line is None]
    assert any("year column" in m for m in file_notes)


def test_acled_fatalities_equal_the_file_and_injuries_stay_unknown() -> None:
    records = _records(ACLED, "utf-8")
    frame = _by_line(ACLED)
    for line, row in frame.iterrows():
        assert _stored(row["killed"]) == _count(records[line]["fatalities"]), line
    assert frame["injured"].isna().all()


# --------------------------------------------------------------------------- UCDP


UCDP = "ucdp_ged_pakistan_download.csv"


def test_ucdp_every_row_goes_in_with_its_deaths() -> None:
    report = _prepared(UCDP).report
    assert report.rows_read == 5834
    assert report.accepted == 5834 and report.rejected == 0
    records = _records(UCDP, "utf-8")
    frame = _by_line(UCDP)
    pairs = {"killed": "best_est", "killed_low": "low_est", "killed_high": "high_est"}
    for line, row in frame.iterrows():
        for col, given in pairs.items():
            assert _stored(row[col]) == _count(records[line][given]), (line, col)
    # the provider's own disagreeing ranges are kept and warned about, not rejected
    disagree = [w for w in report.warnings if "does not hold" in w.message]
    assert len(disagree) == 200


def test_ucdp_dates_and_precision_follow_date_start_and_date_end() -> None:
    records = _records(UCDP, "utf-8")
    frame = _by_line(UCDP)
    fmt = "%m/%d/%Y %H:%M:%S"
    order = ["day", "week", "month", "year"]
    for line, row in frame.iterrows():
        start = dt.datetime.strptime(records[line]["date_start"], fmt).date()
        end = dt.datetime.strptime(records[line]["date_end"], fmt).date()
        assert row["event_date"].date() == start, line
        if start == end:
            assert row["date_precision"] == (
                "day" if records[line]["date_prec"] == "1" else row["date_precision"]
            )
        else:  # a span is never reported as an exact day
            assert order.index(row["date_precision"]) >= order.index("week"), line
    assert frame["event_time"].isna().all()  # UCDP's 00:00:00 is no time of day


# --------------------------------------------------------------------------- GTD


GTD = "gtd_1970_full_columns.csv"


def test_gtd_mangled_ids_do_not_collide_and_rows_go_in() -> None:
    report = _prepared(GTD).report
    assert report.rows_read == 1000
    assert report.accepted >= 990
    notes = [w.message for w in report.warnings if w.line is None]
    assert any("scientific notation" in m for m in notes)
    ids = _prepared(GTD).frame["incident_id"]
    assert ids.is_unique and ids.str.startswith("GTD-c").all()


def test_gtd_dates_from_the_date_parts_and_counts_from_nkill_nwound() -> None:
    records = _records(GTD, "latin-1")
    frame = _by_line(GTD)
    for line, row in frame.iterrows():
        rec = records[line]
        y, m, d = int(rec["iyear"]), int(rec["imonth"]), int(rec["iday"])
        expected = dt.date(y, m or 1, d or 1)
        assert row["event_date"].date() == expected, line
        assert row["date_precision"] == ("year" if m == 0 else "month" if d == 0 else "day")
        for col, given in (("killed", "nkill"), ("injured", "nwound")):
            value = _count(rec[given])
            assert _stored(row[col]) == (None if value is not None and value < 0 else value)


# --------------------------------------------------------------------------- drone sheet


DRONE = "pakistan_drone_attacks_sheet.csv"


def test_drone_sheet_rows_go_in_and_the_totals_row_is_named() -> None:
    report = _prepared(DRONE).report
    assert report.rows_read == 405
    assert report.accepted >= 403
    rejected = _rejections(DRONE)
    assert 406 in rejected and any("totals row" in m for m in rejected[406])
    assert len(rejected) <= 2
    # strikes on one day and place are kept, each warned about with the other line
    likely = [w for w in report.warnings if w.message.startswith("Possibly the same incident")]
    assert likely and all("line" in w.message for w in likely)


def test_drone_sheet_dates_times_and_casualty_ranges_equal_the_sheet() -> None:
    records = _records(DRONE, "cp1252")
    frame = _by_line(DRONE)
    pairs = {
        "killed_low": "Total Died Min",
        "killed_high": "Total Died Mix",
        "injured_low": "Injured Min",
        "injured_high": "Injured Max",
    }
    for line, row in frame.iterrows():
        rec = records[line]
        expected = dt.datetime.strptime(rec["Date"], "%A, %B %d, %Y").date()
        assert row["event_date"].date() == expected, line
        for col, given in pairs.items():
            assert _stored(row[col]) == _count(rec[given]), (line, col)
        assert row["killed"] is pd.NA or pd.isna(row["killed"])  # the sheet gives ranges only
        time = rec["Time"].strip()
        want = None if not time else dt.datetime.strptime(time, "%H:%M").strftime("%H:%M")
        assert (None if pd.isna(row["event_time"]) else row["event_time"]) == want, line
    assert frame["killed_high"].notna().sum() >= 400


# --------------------------------------------------------------------------- every file


@pytest.mark.parametrize("name", [ACLED, UCDP, GTD, DRONE])
def test_every_rejected_line_has_a_reason_and_every_column_is_accounted_for(name: str) -> None:
    prepared = _prepared(name)
    for line, messages in _rejections(name).items():
        assert line is not None and all(len(m) > 20 and m.endswith(".") for m in messages)
    ignored = " ".join(w.message for w in prepared.report.warnings if w.line is None)
    for column in prepared.columns:
        assert column in prepared.mapping or column in ignored, column


@pytest.mark.parametrize(
    ("name", "from_beginning"),
    [
        ("acled_2020_south_asia_excel_dates.csv", True),
        ("ucdp_ged_pakistan_download.csv", False),  # values over several lines: Python's csv
        ("gtd_1970_full_columns.csv", False),  # Windows-1252, not UTF-8
        ("pakistan_drone_attacks_sheet.csv", False),  # UTF-8 with stray cp1252 bytes
    ],
)
def test_a_real_file_made_large_reads_the_same_from_its_beginning(
    name: str, from_beginning: bool
) -> None:
    """Each real file's rows repeated past 4 MB, where a plain UTF-8 file is read
    with only its beginning decoded (``reader._read_large_utf8``): the same rows,
    lines, errors and warnings as reading the whole text; the others keep to it."""
    from unittest import mock

    from geo.ingest import reader

    raw = (REALDATA / name).read_bytes()
    header, _, body = raw.partition(b"\n")
    data = header + b"\n" + body * (reader._HEAD_BYTES // len(body) + 1)
    assert len(data) > reader._HEAD_BYTES

    def read() -> tuple:
        r = reader.read_csv_bytes(data, max_bytes=10**9, max_rows=10**7)
        return r.frame, r.encoding, r.delimiter, r.errors, r.header_line, r.warnings

    fast = read()
    with mock.patch.object(reader, "_read_large_utf8", return_value=None):
        whole = read()
    assert fast[0].equals(whole[0]) and fast[1:] == whole[1:]
    assert len(fast[0]) >= 5_000
    assert (reader._read_large_utf8(data, 10**7) is not None) == from_beginning
