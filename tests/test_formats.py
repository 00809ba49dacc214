"""geo.ingest.formats: detection, default mappings and provider codes, on files in the real layouts."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from geo.ingest.formats import (
    FORMATS,
    clean_mapping,
    default_mapping,
    detect_format,
    normalise_header,
    to_canonical,
)
from geo.ingest.reader import read_csv_bytes
from geo.ingest.validate import validate
from geo.report import FileRefused
from geo.schema import INCIDENT_COLUMNS, INPUT_COLUMNS

FORMATS_DIR = Path(__file__).resolve().parent / "data" / "formats"
SAMPLES = {
    "acled": "acled_sample.csv",
    "ucdp": "ucdp_ged_sample.csv",
    "gtd": "gtd_sample.csv",
    "native": "native_sample.csv",
}


def _frame(name: str) -> pd.DataFrame:
    return read_csv_bytes((FORMATS_DIR / name).read_bytes()).frame


def _canonical(fmt: str) -> pd.DataFrame:
    out, _ = to_canonical(_frame(SAMPLES[fmt]))
    return out.set_index("_line")


@pytest.mark.parametrize("fmt", list(SAMPLES))
def test_detects_each_sample_format(fmt: str) -> None:
    frame = _frame(SAMPLES[fmt])
    assert detect_format(frame.columns) == fmt


def test_sample_headers_are_the_providers_full_layouts() -> None:
    widths = {fmt: len(_frame(name).columns) - 1 for fmt, name in SAMPLES.items()}
    assert widths["acled"] == 31
    assert widths["ucdp"] == 49
    assert widths["gtd"] == 135


@pytest.mark.parametrize(
    ("columns", "expected"),
    [
        (["EVENT_ID_CNTY", "Event Date", "Fatalities"], "acled"),
        (["id", "date_start", "best", "where_prec"], "ucdp"),
        (["eventid", "iyear", "imonth", "iday"], "gtd"),
        (["Date", "Place", "Lat", "Lng"], "native"),
        (["colour", "size"], "native"),
        ([], "native"),
    ],
)
def test_detect_format_from_column_names(columns: list[str], expected: str) -> None:
    assert detect_format(columns) == expected


def test_normalise_header_forgives_case_spaces_and_units() -> None:
    assert normalise_header(" Event-Date ") == "event_date"
    assert normalise_header("\ufeffLatitude (deg)") == "latitude"
    assert normalise_header("Sub Event Type") == "sub_event_type"


def test_acled_mapping_and_values() -> None:
    mapping = default_mapping(_frame(SAMPLES["acled"]).columns, "acled")
    assert mapping["event_id_cnty"] == "incident_id"
    assert mapping["fatalities"] == "killed"
    assert mapping["time_precision"] == "date_precision"
    assert "inter1" not in mapping
    out = _canonical("acled")
    assert out.loc[2, "incident_id"] == "PAK1001"
    assert out.loc[2, "killed"] == "3"
    assert out.loc[2, "injured"] is None
    assert out.loc[[2, 3, 4], "date_precision"].tolist() == ["day", "week", "month"]
    assert out.loc[3, "event_date"] == "11 February 2025"  # parsed by validate
    assert out.loc[2, "country_code"] == "PAK"  # ACLED's numeric iso 586
    assert out.loc[3, "country_code"] == "AFG"
    assert out.loc[2, "geocode_source"] == "provided"
    assert out.loc[10, "geocode_source"] is None  # no coordinates
    assert out.loc[4, "notes"].count("\n") == 1


def test_ucdp_codes() -> None:
    out = _canonical("ucdp")
    assert out.loc[2, "incident_id"] == "UCDP-501234"
    assert out.loc[2, "event_date"] == "2023-04-12 00:00:00.000"  # geo.ingest.dates reads it
    assert out.loc[[2, 3, 4], "date_precision"].tolist() == ["day", "month", "year"]
    assert out.loc[[2, 3, 4], "event_type"].tolist() == [
        "Battles",
        "Violence against civilians",
        "Battles",
    ]
    assert out.loc[[2, 3], "sub_event_type"].tolist() == ["Armed clash", "Attack"]
    assert out.loc[[2, 3, 4, 5], "geo_precision"].tolist() == ["1", "3", "4", "2"]
    assert out.loc[2, ["killed", "killed_low", "killed_high"]].tolist() == ["4", "3", "6"]
    assert out.loc[2, ["actor1", "actor2"]].tolist() == ["Government of Pakistan", "TTP"]
    assert out.loc[2, "location"] == "Bannu town"
    assert out.loc[2, "admin2"] == "Bannu district"
    assert out.loc[3, "country_code"] == "AFG"


def test_gtd_dates_types_and_unknowns() -> None:
    out = _canonical("gtd")
    assert out.loc[2, "incident_id"] == "GTD-201501010001"
    assert out.loc[[2, 3, 4], "event_date"].tolist() == ["2015-01-01", "2016-03-01", "2017-01-01"]
    assert out.loc[[2, 3, 4], "date_precision"].tolist() == ["day", "month", "year"]
    assert out.loc[2, "event_type"] == "Explosions/Remote violence"
    assert out.loc[3, "event_type"] == "Battles"  # armed assault on the military
    assert out.loc[4, "event_type"] == "Violence against civilians"  # assassination
    assert out.loc[5, "event_type"] == "Violence against civilians"  # armed assault, civilians
    assert out.loc[6, "event_type"] == "Strategic developments"
    assert out.loc[2, "sub_event_type"] == "Bombing/Explosion"
    assert out.loc[2, "claimed_by"] == "Tehrik-i-Taliban Pakistan (TTP)"
    assert out.loc[4, "claimed_by"] is None  # claimed = 0
    assert out.loc[3, "claimed_by"] is None  # gname Unknown
    assert out.loc[3, "location"] is None  # city Unknown
    assert out.loc[3, "killed"] is None  # blank nkill stays unknown
    assert out.loc[5, "injured"] is None  # -9 means unknown
    assert out.loc[4, "injured"] == "0"
    assert out.loc[[2, 3, 4], "geo_precision"].tolist() == ["1", "3", "2"]
    assert out.loc[2, "actor2"] == "Police"
    assert out.loc[2, "source"] == 'Synthetic source, "Blast in Peshawar," January 2, 2015.'
    assert out.loc[6, "event_date"] == "2018-13-5"  # passed on for validation to reject


def test_native_forgiving_headers_and_ignored_columns() -> None:
    mapping = default_mapping(_frame(SAMPLES["native"]).columns, "native")
    assert mapping == {
        "Incident ID": "incident_id",
        "Date": "event_date",
        "Event Type": "event_type",
        "Place": "location",
        "Province": "admin1",
        "Country": "country",
        "Lat": "latitude",
        "Lng": "longitude",
        "Deaths": "killed",
        "Wounded": "injured",
        "Source": "source",
        "Notes": "notes",
    }
    out, issues = to_canonical(_frame(SAMPLES["native"]))
    assert [i.level for i in issues] == ["warning"]
    assert "Reviewer" in issues[0].message
    assert out.loc[0, "country_code"] == "AFG"


@pytest.mark.parametrize(
    ("header", "canonical"),
    [
        ("lat", "latitude"),
        ("Latitude", "latitude"),
        ("LNG", "longitude"),
        ("lon", "longitude"),
        ("long", "longitude"),
        ("Fatalities", "killed"),
        ("deaths", "killed"),
        ("Killed", "killed"),
        ("injured", "injured"),
        ("wounded", "injured"),
        ("City", "location"),
        ("place", "location"),
        ("event date", "event_date"),
        ("DATE", "event_date"),
    ],
)
def test_native_synonyms(header: str, canonical: str) -> None:
    assert default_mapping([header], "native") == {header: canonical}


def test_first_synonym_wins_when_two_columns_mean_the_same() -> None:
    mapping = default_mapping(["date", "lat", "latitude", "lng"], "native")
    assert mapping == {"date": "event_date", "lat": "latitude", "lng": "longitude"}


def test_caller_overrides_mapping() -> None:
    frame = read_csv_bytes(b"when,where,dead,mystery\n2025-01-05,Quetta,4,x\n").frame
    out, _ = to_canonical(
        frame,
        "native",
        {"when": "event_date", "where": "location", "dead": "killed", "mystery": ""},
    )
    assert out.loc[0, ["event_date", "location", "killed"]].tolist() == [
        "2025-01-05",
        "Quetta",
        "4",
    ]
    assert out["_line"].tolist() == [2]


@pytest.mark.parametrize("blank", [None, "", "  ", float("nan"), pd.NA])
def test_a_cleared_mapping_cell_ignores_the_column(blank: object) -> None:
    # an edited table hands cleared cells back as None, "" or NaN (pandas 3)
    frame = read_csv_bytes(b"when,where,mystery\n2025-01-05,Quetta,x\n").frame
    mapping = {"when": "event_date", "where": " location ", "mystery": blank}
    assert clean_mapping(mapping) == {"when": "event_date", "where": "location"}
    out, issues = to_canonical(frame, "native", mapping)
    assert out.loc[0, ["event_date", "location"]].tolist() == ["2025-01-05", "Quetta"]
    assert any("mystery" in str(i.value) or "mystery" in i.message for i in issues)


def test_caller_overrides_format() -> None:
    frame = _frame(SAMPLES["acled"])
    out, _ = to_canonical(frame, "native")
    # as a native file, ACLED's time_precision codes are not translated
    assert out["date_precision"].isna().all()
    assert out.loc[0, "event_date"] == "2025-02-11"


def test_output_has_every_canonical_column_and_the_line() -> None:
    for name in SAMPLES.values():
        out, _ = to_canonical(_frame(name))
        helpers = [c for c in out.columns if c in INPUT_COLUMNS]
        assert list(out.columns) == [*INCIDENT_COLUMNS, *helpers, "_line"]
        values = out[INCIDENT_COLUMNS].to_numpy().ravel()
        assert all(v is None or isinstance(v, str) for v in values)


@pytest.mark.parametrize(
    "header", ["colour,size,weight", "location,latitude,longitude", "event_date,killed"]
)
def test_no_usable_columns_is_refused(header: str) -> None:
    frame = read_csv_bytes(f"{header}\n1,2,3\n".encode()).frame
    with pytest.raises(FileRefused, match="no usable columns"):
        to_canonical(frame)


def test_unknown_format_is_a_programming_error() -> None:
    frame = _frame(SAMPLES["native"])
    with pytest.raises(ValueError, match="unknown format"):
        to_canonical(frame, "xlsx")
    assert set(FORMATS) == {"native", "acled", "ucdp", "gtd"}


def test_edited_mapping_to_an_unknown_column_is_refused_clearly() -> None:
    frame = _frame(SAMPLES["native"])
    with pytest.raises(FileRefused, match=r"'town'.*does not know"):
        to_canonical(frame, "native", {"Date": "event_date", "Place": "town"})


@pytest.mark.parametrize(
    ("fmt", "accepted", "rejected"),
    [
        ("acled", ["PAK1001", "AFG2001", "PAK1002", "AFG2002"], [6, 7, 9, 11]),
        ("ucdp", ["UCDP-501234", "UCDP-501235", "UCDP-501236"], [5, 6]),
        (
            "gtd",
            ["GTD-201501010001", "GTD-201603000002", "GTD-201700000003", "GTD-201805140004"],
            [6],
        ),
    ],
)
def test_samples_through_validation(fmt: str, accepted: list[str], rejected: list[int]) -> None:
    out, _ = to_canonical(_frame(SAMPLES[fmt]))
    result = validate(out)
    assert result.valid["incident_id"].tolist() == accepted
    assert result.rejected_lines == rejected


def test_acled_sample_ragged_row_is_rejected_by_the_reader() -> None:
    read = read_csv_bytes((FORMATS_DIR / SAMPLES["acled"]).read_bytes())
    assert [e.line for e in read.errors] == [8]
