"""geo.ingest.layouts through the pipeline: synthetic files in the layouts analysts really have.

The files in tests/data/realistic/ are invented rows in the real layouts (see
its SOURCES.md); tests/test_realdata.py runs the real files where they exist.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from geo.ingest.formats import apply_overrides, default_mapping, parse_overrides
from geo.ingest.pipeline import prepare
from geo.report import FileRefused

DATA = Path(__file__).resolve().parent / "data" / "realistic"


def _prepare(name: str, **kw):
    return prepare((DATA / name).read_bytes(), name, **kw)


def _lines(prepared) -> pd.DataFrame:
    return prepared.frame.set_index("_line")


def _file_notes(prepared) -> str:
    return " ".join(w.message for w in prepared.report.warnings if w.line is None)


def test_acled_resaved_dates_year_column_missing_id_and_cut_row() -> None:
    p = _prepare("acled_resaved_dates.csv")
    rows = _lines(p)
    assert p.format == "acled" and p.report.accepted == 3
    assert rows["event_date"].dt.strftime("%Y-%m-%d").tolist() == [
        "2021-03-03",
        "2021-03-14",
        "2021-03-15",
    ]
    assert rows.loc[4, "incident_id"].startswith("ACLED-c")  # no event_id_cnty
    assert rows.loc[2, "killed"] == 3 and rows.loc[3, "killed"] == 0
    assert rows.loc[2, "country_code"] == "PAK"  # iso3 preferred to the numeric iso
    [error] = p.report.errors
    assert error.line == 5 and "cut short" in error.message
    assert "year column" in _file_notes(p) and "timestamp" in _file_notes(p)


def test_ucdp_download_dates_span_estimates_and_deaths() -> None:
    p = _prepare("ucdp_download_dates.csv")
    rows = _lines(p)
    assert p.report.accepted == 3 and p.report.rejected == 0
    assert rows["date_precision"].tolist() == ["day", "week", "month"]
    assert rows.loc[2, ["killed", "killed_low", "killed_high"]].tolist() == [3, 3, 5]
    assert rows.loc[3, ["killed", "killed_low", "killed_high"]].tolist() == [2, 3, 2]
    assert rows.loc[2, "casualty_note"].startswith("UCDP deaths: side A 1, side B 2")
    kept = [w for w in p.report.warnings if w.line == 3 and "kept as given" in w.message]
    assert kept, "the provider's disagreeing range is kept with a warning"
    assert "month first" in _file_notes(p)


def test_gtd_mangled_ids_repeats_floats_and_countries() -> None:
    p = _prepare("gtd_mangled_ids.csv")
    rows = _lines(p)
    assert p.report.accepted == 5 and rows["incident_id"].is_unique
    assert "scientific notation" in _file_notes(p)
    assert any(w.line == 3 and "repeats line 2" in w.message for w in p.report.warnings)
    assert rows.loc[2, ["killed", "injured"]].tolist() == [1, 4]
    assert pd.isna(rows.loc[4, "killed"])  # -9 is unknown, never 0
    assert rows.loc[4, "date_precision"] == "month"
    assert rows.loc[5, "country_code"] == "TUR" and rows.loc[6, "country_code"] == "SUN"
    assert pd.isna(rows.loc[6, "latitude"])  # kept unmapped, said so
    assert any(w.line == 6 and "not drawn" in w.message for w in p.report.warnings)


def test_drone_sheet_dates_time_ranges_repeats_and_totals_row() -> None:
    p = _prepare("drone_sheet_dates.csv")
    rows = _lines(p)
    assert p.format == "native" and p.report.accepted == 3
    assert rows["event_date"].dt.strftime("%Y-%m-%d").tolist() == [
        "2010-03-02",
        "2010-03-02",
        "2010-04-11",
    ]
    assert rows["event_time"].tolist()[:2] == ["21:00", "23:30"]
    assert rows.loc[2, ["killed_low", "killed_high", "injured_low", "injured_high"]].tolist() == [
        2,
        4,
        1,
        3,
    ]
    assert pd.isna(rows.loc[2, "killed"])
    assert rows.loc[2, ["location", "admin2"]].tolist() == ["Datta Khel", "North Waziristan"]
    assert rows.loc[2, "source_ref"] == "http://example.org/a"
    assert any(w.line == 3 and "line 2" in w.message for w in p.report.warnings)
    [error] = p.report.errors
    assert error.line == 5 and "totals row" in error.message
    notes = _file_notes(p)
    assert "Total Died Mix" in notes and "Temperature(C)" in notes


def test_a_hand_made_mapping_overrides_one_column_at_a_time() -> None:
    p = _prepare(
        "drone_sheet_dates.csv",
        overrides={"Taliban": "killed", "Total Died Min": "", "Temperature(C)": "notes"},
    )
    rows = _lines(p)
    assert rows.loc[2, "killed"] == 2 and pd.isna(rows.loc[2, "killed_low"])
    assert rows.loc[2, "notes"] == "12.1"  # the Comments column gave way to the override
    assert p.mapping["Total Died Mix"] == "killed_high"  # the rest of the proposal stays
    assert "Total Died Min" not in p.mapping and "Comments" not in p.mapping
    assert parse_overrides(["a=b=killed"]) == {"a=b": "killed"}
    with pytest.raises(FileRefused, match="does not have"):
        apply_overrides(["a"], {}, {"nope": "killed"})
    with pytest.raises(FileRefused, match="FILE COLUMN=canonical_column"):
        parse_overrides(["killed"])


@pytest.mark.parametrize(
    ("columns", "expected"),
    [
        (["Date", "Location", "City"], {"Location": "location", "City": "admin2"}),
        (["Date", "City"], {"City": "location"}),
        (["Killed Min", "Killed Max"], {"Killed Min": "killed_low", "Killed Max": "killed_high"}),
        (["Died", "Comments", "References"], {"Died": "killed", "Comments": "notes"}),
        (["Deaths Mix"], {}),  # a lone "Mix" is no maximum
    ],
)
def test_hand_made_headers(columns: list[str], expected: dict[str, str]) -> None:
    mapping = default_mapping(columns, "native")
    assert {k: v for k, v in mapping.items() if k in expected} == expected
    if not expected:
        assert mapping == {}
