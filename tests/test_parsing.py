"""Tests for geo.ingest.parsing: dates, times and casualty counts as analysts type them."""

from __future__ import annotations

import pytest

from geo.ingest.parsing import Reading, parse_casualty, parse_time, read_date


# ----------------------------------------------------------------------------- parse_time
@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("22:00", "22:00"),
        ("9:30 pm", "21:30"),
        ("9:30 P.M.", "21:30"),
        ("12:00 am", "00:00"),
        ("12:15 pm", "12:15"),
        ("21:30:15", "21:30:15"),
        ("07:05Z", "07:05"),
    ],
)
def test_parse_time_reads_clock_times(text, expected):
    assert parse_time(text) == (expected, None)


@pytest.mark.parametrize("text", ["24:00", "9:60", "13:00 pm", "0:00 am", "noon", "10:00:61"])
def test_parse_time_reports_what_is_not_a_time(text):
    value, problem = parse_time(text)
    assert value is None
    assert problem is not None and text in problem


@pytest.mark.parametrize("empty", [None, "", "   "])
def test_parse_time_of_an_empty_cell_is_no_time_and_no_problem(empty):
    assert parse_time(empty) == (None, None)


def test_parse_time_problem_quotes_at_most_40_characters():
    _, problem = parse_time("x" * 200)
    assert problem is not None and "x" * 41 not in problem


# ----------------------------------------------------------------------------- read_date
@pytest.mark.parametrize(
    "text",
    [
        "2020-03-04",
        "2020/3/4",
        "20200304",
        "4 March 2020",
        "4th of March 2020",
        "March 4th, 2020",
        "Mar 4 2020",
    ],
)
def test_read_date_unambiguous_forms(text):
    r = read_date(text)
    assert (r.year, r.month, r.day, r.problem) == (2020, 3, 4, None)
    assert r.order_free


def test_read_date_numeric_keeps_the_order_open():
    r = read_date("03/04/2020")
    assert (r.first, r.second, r.year) == (3, 4, 2020)
    assert r.month is None and r.day is None and not r.order_free


def test_read_date_two_digit_year_is_flagged():
    r = read_date("31/12/99")
    assert r.short_year and r.year == 99


@pytest.mark.parametrize(
    ("text", "precision", "month"),
    [
        ("2020-03", "month", 3),
        ("03/2020", "month", 3),
        ("March 2020", "month", 3),
        ("2020", "year", 1),
    ],
)
def test_read_date_partial_dates_carry_their_precision(text, precision, month):
    r = read_date(text)
    assert (r.year, r.month, r.day, r.precision) == (2020, month, 1, precision)


def test_read_date_spreadsheet_serial_with_time():
    r = read_date("43900.5")
    assert r.serial and (r.year, r.month, r.day) == (2020, 3, 10)
    assert r.time == "12:00"


def test_read_date_small_numbers_are_not_serials():
    r = read_date("9999")  # four digits: a year, never a day count
    assert not r.serial and r.precision == "year"
    assert read_date("09999").problem is not None  # five digits below the first serial
    r = read_date("12345")
    assert r.serial and (r.year, r.month, r.day) == (1933, 10, 18)


def test_read_date_time_and_weekday_are_kept():
    r = read_date("Friday, June 18, 2004 22:15")
    assert (r.year, r.month, r.day, r.weekday, r.time) == (2004, 6, 18, 4, "22:15")


def test_read_date_bad_time_is_a_problem():
    r = read_date("2020-03-04 25:00")
    assert r.problem is not None and "time" in r.problem
    assert r.year is None


@pytest.mark.parametrize("text", ["nonsense", "Foo, 2020-03-04", "32 Smarch 2020"])
def test_read_date_unreadable_cell_explains_itself(text):
    r = read_date(text)
    assert isinstance(r, Reading)
    assert r.problem is not None and "YYYY-MM-DD" in r.problem
    assert r.year is None


def test_read_date_arabic_indic_digits_read_as_digits():
    r = read_date("٢٠٢٠")
    assert (r.year, r.precision) == (2020, "year")


@pytest.mark.parametrize("empty", [None, "", " \t "])
def test_read_date_empty_cell_is_none(empty):
    assert read_date(empty) is None


# ----------------------------------------------------------------------------- casualties
@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("5", (5.0, "number", None)),
        ("1,234", (1234.0, "number", None)),
        ("0", (0.0, "number", None)),
        ("at least 5", (5.0, "at least", "at least")),
        ("5+", (5.0, "at least", "at least")),
        ("more than 1,000", (1000.0, "at least", "at least")),
        ("about 10", (10.0, "about", "about")),
        ("~3", (3.0, "about", "about")),
        ("3-5", (None, "range", "3-5")),
        ("10 to 12", (None, "range", "10-12")),
        ("3–5", (None, "range", "3-5")),
    ],
)
def test_parse_casualty_forms(text, expected):
    assert parse_casualty(text) == expected


@pytest.mark.parametrize("text", ["unknown", "N/A", "?", "Not known", "nan"])
def test_parse_casualty_unknown_is_not_zero(text):
    value, kind, _ = parse_casualty(text)
    assert value is None and kind == "unknown"


def test_parse_casualty_words_keep_their_wording():
    assert parse_casualty("Dozens  of   people") == (None, "words", "Dozens of people")
    assert parse_casualty("عدة قتلى") == (None, "words", "عدة قتلى")


@pytest.mark.parametrize("text", ["5 dead", "12,34", "1.2.3"])
def test_parse_casualty_unreadable_number_is_an_error(text):
    assert parse_casualty(text) == (None, "error", None)


@pytest.mark.parametrize("empty", [None, "", "  "])
def test_parse_casualty_empty(empty):
    assert parse_casualty(empty) == (None, "empty", None)
