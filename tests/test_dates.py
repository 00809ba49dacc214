"""geo.ingest.dates: a column of dates read with its file's conventions."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from geo.ingest.dates import parse_dates, span_precision


def _days(col) -> list[str | None]:
    return [None if pd.isna(d) else d.strftime("%Y-%m-%d") for d in col.dates]


def _file_notes(col) -> list[str]:
    return [w.message for w in col.warnings if w.line is None]


def test_one_unambiguous_value_decides_the_order_of_the_whole_file() -> None:
    col = parse_dates(pd.Series(["03/04/2020", "05/06/2020", "25/12/2020"]))
    assert _days(col) == ["2020-04-03", "2020-06-05", "2020-12-25"]
    notes = _file_notes(col)
    assert len(notes) == 1 and "day first" in notes[0] and "line 4" in notes[0]
    col = parse_dates(pd.Series(["03/04/2020", "12/25/2020"]))
    assert _days(col) == ["2020-03-04", "2020-12-25"]
    assert "month first" in _file_notes(col)[0]


def test_undecided_ambiguous_values_are_refused_and_self_evident_ones_pass() -> None:
    col = parse_dates(pd.Series(["03/04/2020", "05/05/2020"]))
    assert _days(col) == [None, "2020-05-05"]
    assert "ambiguous" in col.errors[0] and "3 April or 4 March" in col.errors[0]
    assert _file_notes(col) == []


def test_a_file_with_both_orders_refuses_only_what_could_be_either() -> None:
    col = parse_dates(pd.Series(["13/04/2020", "04/14/2020", "03/04/2020"]))
    assert _days(col) == ["2020-04-13", "2020-04-14", None]
    assert "day first ('13/04/2020')" in col.errors[2]
    assert len(_file_notes(col)) == 1


def test_two_digit_years_take_the_century_of_the_year_column() -> None:
    col = parse_dates(pd.Series(["9-May-20", "1-Jan-99"]), years=pd.Series(["2020", "1999"]))
    assert _days(col) == ["2020-05-09", "1999-01-01"]
    assert any("year column" in n for n in _file_notes(col))


def test_two_digit_years_without_a_year_column_use_a_stated_pivot() -> None:
    col = parse_dates(pd.Series(["9-May-20", "9-May-95"]), today=dt.date(2025, 1, 1))
    assert _days(col) == ["2020-05-09", "1995-05-09"]
    assert any("19xx" in n for n in _file_notes(col))


def test_a_year_column_that_disagrees_is_a_row_warning() -> None:
    col = parse_dates(pd.Series(["2019-05-09"]), years=pd.Series(["2020"]), lines=[7])
    assert _days(col) == ["2019-05-09"]
    assert [w.line for w in col.warnings] == [7]


@pytest.mark.parametrize(
    ("text", "day", "time"),
    [
        ("Friday, June 18, 2004", "2004-06-18", None),
        ("Sunday-November 19-1995", "1995-11-19", None),
        ("2020-05-09T14:30:00Z", "2020-05-09", "14:30:00"),
        ("27.03.1990", "1990-03-27", None),
        ("43960.75", "2020-05-09", "18:00"),
        ("1st March 2025", "2025-03-01", None),
    ],
)
def test_forms_people_write(text: str, day: str, time: str | None) -> None:
    col = parse_dates(pd.Series([text]))
    assert _days(col) == [day]
    assert col.times.tolist() == [time]


def test_a_wrong_weekday_keeps_the_date_with_a_warning() -> None:
    col = parse_dates(pd.Series(["Friday, June 19, 2004"]))
    assert _days(col) == ["2004-06-19"]
    assert "Saturday" in col.warnings[0].message and col.warnings[0].line == 2


def test_spreadsheet_midnight_is_no_time_of_day() -> None:
    col = parse_dates(pd.Series(["03/27/1990 00:00:00", "03/28/1990 00:00:00"]))
    assert col.times.isna().all()
    col = parse_dates(pd.Series(["2020-05-09 00:00", "2020-05-09 14:00"]))
    assert col.times.tolist() == ["00:00", "14:00"]


def test_span_sets_the_precision() -> None:
    col = parse_dates(
        pd.Series(["06/12/2009 00:00:00", "06/27/2009 00:00:00", "07/01/2009 00:00:00"]),
        ends=pd.Series(["06/12/2009 00:00:00", "06/30/2009 00:00:00", "07/25/2009 00:00:00"]),
    )
    assert col.precision.tolist() == ["day", "week", "month"]
    assert [span_precision(d) for d in (0, 6, 7, 30, 31)] == [
        "day", "week", "month", "month", "year"
    ]  # fmt: skip


def test_partial_dates_and_refusals() -> None:
    col = parse_dates(pd.Series(["February 2025", "2024", "yesterday", None, "2025-02-30"]))
    assert _days(col) == ["2025-02-01", "2024-01-01", None, None, None]
    assert col.precision.tolist()[:2] == ["month", "year"]
    assert set(col.errors) == {2, 4}
    assert "Cannot read" in col.errors[2] and "not a real date" in col.errors[4]
