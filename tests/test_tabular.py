"""geo.ingest.tabular: a file's bytes as a table in the canonical columns."""

from __future__ import annotations

import pytest

from geo.ingest.tabular import LINE, map_columns, read_table

ACLED = (
    b"event_id_cnty,event_date,event_type,location,admin1,country,latitude,longitude,fatalities\n"
    b"AFG1,2024-05-01,Battles,Kunduz,Kunduz,Afghanistan,36.72,68.86,3\n"
    b"PAK2,2024-05-02,Explosions/Remote violence,Peshawar,Khyber Pakhtunkhwa,Pakistan,"
    b"34.01,71.58,\n"
)


def test_a_csv_named_with_a_sheet_is_read_whole_and_says_so() -> None:
    read = read_table(ACLED, "Sheet1")
    assert read.frame[LINE].tolist() == [2, 3]
    assert [w.message for w in read.warnings][:1] == [
        "The file is not a workbook: the sheet named was ignored, the whole file read."
    ]
    assert not read_table(ACLED, None).warnings


def test_an_acled_export_is_renamed_to_the_canonical_columns() -> None:
    read, fmt, mapping, canonical, issues = map_columns(ACLED, None, "auto", None, None)
    assert fmt == "acled" and mapping["event_id_cnty"] == "incident_id"
    assert canonical["incident_id"].tolist() == ["AFG1", "PAK2"]
    assert canonical["location"].tolist() == ["Kunduz", "Peshawar"]
    assert len(read.frame) == 2 and not [i for i in issues if i.level == "error"]


def test_an_unknown_format_name_is_refused_by_name() -> None:
    with pytest.raises(ValueError, match="unknown format 'nonsense'"):
        map_columns(ACLED, None, "nonsense", None, None)
