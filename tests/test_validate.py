"""geo.ingest.validate: each rule on its own, then the lazy all-at-once behaviour."""

from __future__ import annotations

import datetime as dt
import hashlib
import re

import pandas as pd
import pytest

from geo.ingest.identity import CONTENT_COLUMNS
from geo.ingest.validate import ValidationResult, parse_casualty, parse_date, validate
from geo.schema import INCIDENT_COLUMNS

TODAY = dt.date(2025, 6, 30)
BASE = {
    "incident_id": "T-1",
    "event_date": "2025-02-11",
    "location": "Peshawar",
    "admin1": "Khyber Pakhtunkhwa",
    "latitude": "34.0151",
    "longitude": "71.5249",
    "event_type": "Battles",
    "killed": "2",
    "geocode_source": "provided",
}


def _frame(*rows: dict[str, object]) -> pd.DataFrame:
    records = [{**BASE, "incident_id": f"T-{n}", **row} for n, row in enumerate(rows, 1)]
    frame = pd.DataFrame(records, dtype=object)
    frame["_line"] = range(2, len(rows) + 2)
    return frame


def _one(**row: object) -> ValidationResult:
    return validate(_frame(row), today=TODAY)


def _error(result: ValidationResult) -> str:
    assert len(result.valid) == 0, "the row should have been rejected"
    return " | ".join(e.message for e in result.errors)


# --------------------------------------------------------------------------- a good row


def test_good_row_passes_typed_with_its_line() -> None:
    result = _one()
    assert result.errors == [] and result.warnings == []
    row = result.valid.iloc[0]
    assert list(result.valid.columns) == [*INCIDENT_COLUMNS, "_line"]
    assert row["event_date"] == pd.Timestamp("2025-02-11")
    assert row["date_precision"] == "day"
    assert row["latitude"] == pytest.approx(34.0151)
    assert row["killed"] == 2
    assert pd.isna(row["injured"])  # unknown stays unknown, never 0
    assert str(result.valid["killed"].dtype) == "Int64"
    assert row["_line"] == 2


def test_empty_input_and_missing_columns() -> None:
    empty = validate(_frame().iloc[0:0], today=TODAY)
    assert len(empty.valid) == 0 and empty.errors == []
    minimal = pd.DataFrame({"event_date": ["2025-01-01"], "location": ["Quetta"]}, dtype=object)
    result = validate(minimal, today=TODAY)
    assert len(result.valid) == 1
    assert result.valid.loc[0, "_line"] == 2  # no _line given: header + position


# --------------------------------------------------------------------------- dates


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2025-02-11", "2025-02-11"),
        ("2025-2-1", "2025-02-01"),
        ("2025/02/11", "2025-02-11"),
        ("2025-02-11 00:00:00.000", "2025-02-11"),
        ("2025-02-11T13:45:00", "2025-02-11"),
        ("11 February 2025", "2025-02-11"),
        ("11 Feb 2025", "2025-02-11"),
        ("1st March 2025", "2025-03-01"),
        ("11-Feb-2025", "2025-02-11"),
        ("February 11, 2025", "2025-02-11"),
        ("Sept 3 2024", "2024-09-03"),
        ("25/12/2024", "2024-12-25"),
        ("12/25/2024", "2024-12-25"),
        ("05.05.2024", "2024-05-05"),
    ],
)
def test_accepted_date_forms(text: str, expected: str) -> None:
    result = _one(event_date=text)
    assert result.errors == []
    assert result.valid.loc[0, "event_date"] == pd.Timestamp(expected)


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("03/04/2025", "ambiguous"),
        ("31/02/2025", "not a real date"),
        ("2025-02-30", "not a real date"),
        ("last Tuesday", "Cannot read"),
        ("2025-06-31", "not a real date"),
    ],
)
def test_rejected_date_forms(text: str, fragment: str) -> None:
    result = _one(event_date=text)
    assert fragment in _error(result)
    assert result.errors[0].column == "event_date"
    assert result.errors[0].value == text


@pytest.mark.parametrize(
    ("text", "expected", "note"),
    [
        ("12/25/24", "2024-12-25", "Two-digit years"),
        ("45678", "2025-01-21", "spreadsheet day numbers"),
        ("Friday, June 18, 2004", "2004-06-18", None),
        ("Sunday-November 19-1995", "1995-11-19", None),
        ("03/27/1990 00:00:00", "1990-03-27", "month first"),
    ],
)
def test_forms_read_with_a_file_level_note(text: str, expected: str, note: str | None) -> None:
    result = _one(event_date=text)
    assert result.errors == []
    assert result.valid.loc[0, "event_date"] == pd.Timestamp(expected)
    notes = [w.message for w in result.warnings if w.line is None]
    assert (note is None and notes == []) or any(note in n for n in notes)


def test_time_column_and_time_in_the_date_fill_event_time() -> None:
    frame = _frame(
        {"event_date": "2025-02-11", "event_time": "9:30 pm"},
        {"event_date": "2025-02-11 14:05"},
        {"event_date": "2025-02-12", "event_time": "25:00"},
    )
    result = validate(frame, today=TODAY)
    assert result.valid["event_time"].tolist() == ["21:30", "14:05", None]
    assert any(w.column == "event_time" and w.line == 4 for w in result.warnings)


def test_ambiguous_message_offers_both_readings() -> None:
    _, _, problem = parse_date("03/04/2025")
    assert problem is not None
    assert "3 April" in problem and "4 March" in problem


def test_missing_date_is_an_error() -> None:
    assert "required" in _error(_one(event_date=None))
    assert "required" in _error(_one(event_date="   "))


def test_future_is_relative_to_today() -> None:
    assert validate(_frame({"event_date": "2025-06-30"}), today=TODAY).errors == []
    result = validate(_frame({"event_date": "2025-07-01"}), today=TODAY)
    assert "future" in _error(result)
    later = TODAY + dt.timedelta(days=1)
    assert validate(_frame({"event_date": "2025-07-01"}), today=later).errors == []


def test_default_today_is_the_real_date() -> None:
    tomorrow = dt.date.today() + dt.timedelta(days=1)
    assert "future" in " ".join(
        e.message for e in validate(_frame({"event_date": str(tomorrow)})).errors
    )


def test_date_before_1900_is_rejected() -> None:
    assert "before 1900" in _error(_one(event_date="1850-01-01"))


@pytest.mark.parametrize(
    ("text", "given", "date", "precision", "warned"),
    [
        ("2025-02", None, "2025-02-01", "month", False),
        ("February 2025", None, "2025-02-01", "month", False),
        ("2024", None, "2024-01-01", "year", False),
        ("2024", "day", "2024-01-01", "year", True),
        ("2024-03", "year", "2024-03-01", "year", False),
    ],
)
def test_partial_dates_set_a_coarser_precision(
    text: str, given: str | None, date: str, precision: str, warned: bool
) -> None:
    result = _one(event_date=text, date_precision=given)
    assert result.errors == []
    assert result.valid.loc[0, "event_date"] == pd.Timestamp(date)
    assert result.valid.loc[0, "date_precision"] == precision
    assert bool(result.warnings) is warned


def test_date_precision_vocabulary() -> None:
    assert _one(date_precision="Week").valid.loc[0, "date_precision"] == "week"
    assert "date_precision" in _error(_one(date_precision="fortnight"))


# --------------------------------------------------------------------------- coordinates


@pytest.mark.parametrize(
    ("lat", "lon", "fragment"),
    [
        ("95", "71.5", "between -90 and 90"),
        ("34.0", "-181", "between -180 and 180"),
        ("north", "71.5", "not a number"),
        ("34.0", "", "both latitude and longitude"),
        ("", "71.5", "both latitude and longitude"),
        ("nan", "71.5", "not a number"),
    ],
)
def test_bad_coordinates(lat: str, lon: str, fragment: str) -> None:
    assert fragment in _error(_one(latitude=lat, longitude=lon))


def test_decimal_comma_and_degree_sign_are_read() -> None:
    result = _one(latitude="34,0151", longitude="71.5249°")
    assert result.errors == []
    assert result.valid.loc[0, "latitude"] == pytest.approx(34.0151)
    assert result.valid.loc[0, "longitude"] == pytest.approx(71.5249)


def test_swapped_coordinates_rejected_with_hint() -> None:
    result = _one(latitude="71.5249", longitude="34.0151")
    message = _error(result)
    assert "swapped" in message
    assert result.errors[0].value == "71.5249, 34.0151"


def test_far_away_but_plausible_point_is_not_called_swapped() -> None:
    result = _one(latitude="6.5244", longitude="3.3792")  # Lagos: the spatial join flags it
    assert result.errors == []


def test_zero_zero_means_missing_and_goes_to_the_geocoder() -> None:
    result = _one(latitude="0", longitude="0.0")
    assert result.errors == []
    row = result.valid.iloc[0]
    assert pd.isna(row["latitude"]) and pd.isna(row["longitude"])
    assert row["geocode_source"] is None
    assert [w.column for w in result.warnings] == ["latitude"]
    assert "0, 0" in result.warnings[0].message


def test_no_coordinates_needs_a_place_name() -> None:
    blank = {"latitude": None, "longitude": None}
    assert "no place name" in _error(_one(**blank, location=None, admin1=None))
    province_only = _one(**blank, location=None, admin1="Kunar")
    assert province_only.errors == [] and len(province_only.valid) == 1
    place_only = _one(**blank, location="Asadabad", admin1=None)
    assert place_only.errors == []
    assert "no place name" in _error(_one(latitude="0", longitude="0", location=None, admin1=None))


# --------------------------------------------------------------------------- casualties


@pytest.mark.parametrize(
    ("text", "number", "kind"),
    [
        ("12", 12, "number"),
        ("12.0", 12, "number"),
        ("1,200", 1200, "number"),
        ("at least 5", 5, "at least"),
        ("At least 5", 5, "at least"),
        ("5+", 5, "at least"),
        (">5", 5, "at least"),
        ("more than 40", 40, "at least"),
        ("about 30", 30, "about"),
        ("~30", 30, "about"),
        ("approx. 30", 30, "about"),
        ("dozens", None, "words"),
        ("several", None, "words"),
        ("many", None, "words"),
        ("unknown", None, "unknown"),
        ("n/a", None, "unknown"),
        ("10-15", None, "range"),
        ("12abc", None, "error"),
    ],
)
def test_parse_casualty(text: str, number: int | None, kind: str) -> None:
    value, got_kind, _ = parse_casualty(text)
    assert got_kind == kind
    assert value == number


def test_at_least_and_about_keep_the_qualifier() -> None:
    result = _one(killed="at least 5", injured="~12")
    row = result.valid.iloc[0]
    assert (row["killed"], row["injured"]) == (5, 12)
    assert row["casualty_note"] == "at least; injured: about"
    assert result.warnings == []


def test_words_stay_unknown_with_a_warning_and_the_wording_kept() -> None:
    result = _one(killed="dozens", injured="several")
    row = result.valid.iloc[0]
    assert pd.isna(row["killed"]) and pd.isna(row["injured"])
    assert row["casualty_note"] == "dozens; injured: several"
    assert sorted(w.column for w in result.warnings) == ["injured", "killed"]
    assert all("left unknown" in w.message for w in result.warnings)


def test_existing_casualty_note_is_kept() -> None:
    row = _one(killed="about 4", casualty_note="per police").valid.iloc[0]
    assert row["casualty_note"] == "per police; about"


def test_range_fills_low_and_high() -> None:
    result = _one(killed="10-15")
    row = result.valid.iloc[0]
    assert pd.isna(row["killed"])
    assert (row["killed_low"], row["killed_high"]) == (10, 15)
    assert [w.column for w in result.warnings] == ["killed"]


@pytest.mark.parametrize(
    ("column", "text", "fragment"),
    [
        ("killed", "-2", "negative"),
        ("injured", "2.5", "whole number"),
        ("killed_low", "-1", "negative"),
        ("killed_high", "3.7", "whole number"),
        ("killed", "12abc", "not a whole number"),
    ],
)
def test_bad_casualty_values(column: str, text: str, fragment: str) -> None:
    result = _one(**{column: text})
    assert fragment in _error(result)
    assert (result.errors[0].column, result.errors[0].value) == (column, text)


def test_zero_is_a_number_not_unknown() -> None:
    assert _one(killed="0").valid.loc[0, "killed"] == 0


@pytest.mark.parametrize(
    ("low", "best", "high", "ok"),
    [
        ("1", "2", "3", True),
        ("2", "2", "2", True),
        ("3", "2", "4", False),
        ("1", "5", "4", False),
        ("5", None, "4", False),
        (None, "5", "9", True),
    ],
)
def test_killed_range_order(low: str | None, best: str | None, high: str | None, ok: bool) -> None:
    result = _one(killed_low=low, killed=best, killed_high=high)
    assert (result.errors == []) is ok
    if not ok:
        assert "killed_low ≤ killed ≤ killed_high" in result.errors[0].message


# --------------------------------------------------------------------------- vocabularies


@pytest.mark.parametrize("value", ["0", "5", "1.5", "high"])
def test_geo_precision_must_be_1_to_4(value: str) -> None:
    assert "geo_precision" in _error(_one(geo_precision=value))


def test_geo_precision_accepts_1_to_4() -> None:
    result = validate(_frame(*({"geo_precision": str(n)} for n in range(1, 5))), today=TODAY)
    assert result.valid["geo_precision"].tolist() == [1, 2, 3, 4]


def test_event_type_case_is_normalised_and_unknown_types_warned() -> None:
    assert _one(event_type="battles").valid.loc[0, "event_type"] == "Battles"
    result = _one(event_type="Terror attack")
    assert result.valid.loc[0, "event_type"] == "Terror attack"
    assert [w.column for w in result.warnings] == ["event_type"]


def test_cross_border_flag() -> None:
    assert bool(_one(cross_border="Yes").valid.loc[0, "cross_border"]) is True
    result = _one(cross_border="perhaps")
    assert pd.isna(result.valid.loc[0, "cross_border"])
    assert [w.column for w in result.warnings] == ["cross_border"]


# --------------------------------------------------------------------------- identity


def test_duplicate_id_keeps_the_first_and_names_its_line() -> None:
    frame = _frame({}, {}, {}, {})
    frame["incident_id"] = ["A", "B", "A", "A"]
    result = validate(frame, today=TODAY)
    assert result.valid["incident_id"].tolist() == ["A", "B"]
    assert result.rejected_lines == [4, 5]
    assert all("first seen on line 2" in e.message for e in result.errors)


def test_generated_id_follows_the_documented_recipe() -> None:
    frame = _frame({"event_date": "11 February 2025", "latitude": "34.01510", "source": "Dawn"})
    frame["incident_id"] = None
    result = validate(frame, today=TODAY)
    got = result.valid.loc[0, "incident_id"]
    row = result.valid.iloc[0]
    # every content column in schema order, typed values as text, empty as nothing
    fields = []
    for col in CONTENT_COLUMNS:
        value = row[col]
        if col == "event_date":
            fields.append(value.strftime("%Y-%m-%d"))
        elif col in ("latitude", "longitude"):
            fields.append(f"{value:.6f}")
        elif pd.isna(value):
            fields.append("")
        elif col in ("geo_precision", "killed", "injured"):
            fields.append(f"{float(value):.0f}")
        else:
            fields.append(str(value))
    assert fields[:2] == ["2025-02-11", "day"]
    expected = "NAT-" + hashlib.sha256("\x1f".join(fields).encode()).hexdigest()[:16]
    assert got == expected
    assert re.fullmatch(r"NAT-[0-9a-f]{16}", got)
    # the id the first recipe made is kept beside it, for stores written before
    old = ["2025-02-11", "Peshawar", "34.015100", "71.524900", "Battles", "Dawn"]
    legacy = "NAT-" + hashlib.sha256("|".join(old).encode()).hexdigest()[:16]
    assert result.valid.loc[0, "_legacy_id"] == legacy


def test_generated_ids_are_stable_and_tell_rows_apart() -> None:
    frame = _frame({"source": "Dawn"}, {"source": "Dawn"}, {"source": "Express Tribune"})
    frame["incident_id"] = None
    first = validate(frame, today=TODAY)
    again = validate(frame.copy(), today=TODAY)
    assert first.valid["incident_id"].tolist() == again.valid["incident_id"].tolist()
    # rows 1 and 2 are the same incident: the second is a duplicate
    assert first.rejected_lines == [3]
    assert "repeats line 2 exactly" in first.errors[0].message
    assert first.valid["incident_id"].nunique() == 2


# --------------------------------------------------------------------------- text


def test_text_is_trimmed_and_kept_as_written() -> None:
    row = _one(location="  Peshawar ", notes='=HYPERLINK("http://x","y")').valid.iloc[0]
    assert row["location"] == "Peshawar"
    assert row["notes"] == '=HYPERLINK("http://x","y")'


def test_control_characters_are_removed_with_a_warning() -> None:
    result = _one(notes="bell\x07 and escape\x1b[0m", location="Pesh\x00awar")
    row = result.valid.iloc[0]
    assert row["notes"] == "bell and escape[0m"
    assert row["location"] == "Peshawar"
    assert sorted(w.column for w in result.warnings) == ["location", "notes"]


def test_newlines_in_notes_are_not_control_characters() -> None:
    result = _one(notes="line one\nline two")
    assert result.warnings == []
    assert result.valid.loc[0, "notes"] == "line one\nline two"


def test_extreme_lengths_are_cut_with_a_warning() -> None:
    result = _one(notes="n" * 20_000, location="L" * 5_000)
    row = result.valid.iloc[0]
    assert len(row["notes"]) == 10_000
    assert len(row["location"]) == 1_000
    assert sorted(w.column for w in result.warnings) == ["location", "notes"]


# --------------------------------------------------------------------------- all at once


def test_lazy_mode_reports_every_problem_of_every_row() -> None:
    frame = _frame(
        {"event_date": "03/04/2025", "killed": "-1", "geo_precision": "9"},
        {},
        {"latitude": "200", "injured": "1.5", "event_date": "2030-01-01"},
    )
    result = validate(frame, today=TODAY)
    found = sorted((e.line, e.column) for e in result.errors)
    assert found == [
        (2, "event_date"),
        (2, "geo_precision"),
        (2, "killed"),
        (4, "event_date"),
        (4, "injured"),
        (4, "latitude"),
    ]
    assert result.valid["_line"].tolist() == [3]


def test_warnings_are_only_for_kept_rows() -> None:
    frame = _frame({"killed": "dozens"}, {"killed": "dozens", "event_date": "bad"})
    result = validate(frame, today=TODAY)
    assert [w.line for w in result.warnings] == [2]
    assert result.rejected_lines == [3]


def test_non_text_input_values_are_accepted() -> None:
    frame = _frame({})
    frame["latitude"] = [34.0151]
    frame["killed"] = [3]
    result = validate(frame, today=TODAY)
    assert result.errors == []
    assert result.valid.loc[0, "killed"] == 3


def test_a_repetitive_column_is_checked_on_its_distinct_values_with_the_same_result(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Past 4,000 rows a column of few values is checked once per distinct value
    (``_distinct_or_all``): what is mended, and every warning with its line, is what
    checking each row gives."""
    import geo.ingest.validate as module

    places = ["Peshawar", " Kunar ", "Khost\x07", "x" * 1_200, None, "Zhob"]
    sources = ["ACLED", "  ", "UN\x00", None]
    frame = _frame(
        *(
            {"location": places[n % len(places)], "source": sources[n % 4], "notes": f"n{n}"}
            for n in range(4_500)
        )
    )
    by_distinct = validate(frame, today=TODAY)
    monkeypatch.setattr(module, "distinct_or_all", lambda column: column.tolist())
    by_row = validate(frame, today=TODAY)
    assert by_distinct.valid.equals(by_row.valid)
    assert by_distinct.warnings == by_row.warnings and by_distinct.errors == by_row.errors
    assert {w.column for w in by_row.warnings} >= {"location", "source"}
    assert set(by_row.valid["location"].dropna()) == {
        "Peshawar",
        "Kunar",
        "Khost",
        "x" * 1_000,
        "Zhob",
    }
