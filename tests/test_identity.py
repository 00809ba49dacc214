"""geo.ingest.identity: ids given, ids made from content, spreadsheet damage, likely repeats."""

from __future__ import annotations

import hashlib

import numpy as np
import pandas as pd

from geo.ingest.identity import content_ids, legacy_ids, likely_duplicates, repair_ids, tell_apart


def _rows(**cols) -> pd.DataFrame:
    return pd.DataFrame(cols)


def test_scientific_ids_are_lost_and_float_suffixes_removed_each_said_once() -> None:
    ids = pd.Series(["GTD-1.97E+11", "GTD-1.97E+11", "12.0", "PAK1", None])
    fixed, lost, notes = repair_ids(ids)
    assert lost.tolist() == [True, True, False, False, False]
    assert fixed.tolist()[2:4] == ["12", "PAK1"]
    assert len(notes) == 2 and all(n.line is None for n in notes)
    assert "2 ids are in scientific notation" in notes[0].message


def test_content_ids_cover_time_and_casualties() -> None:
    frame = _rows(
        event_date=pd.to_datetime(["2010-03-02"] * 3),
        location=["Datta Khel"] * 3,
        event_time=["21:00", "23:30", "21:00"],
        killed_high=[4.0, 4.0, 5.0],
    )
    ids = content_ids(frame, np.array([True, True, True]))
    assert ids.nunique() == 3
    again = content_ids(frame.copy(), np.array([True, True, True]), "GTD-c")
    assert [i[5:] for i in again] == [i[4:] for i in ids]  # same digest, own prefix


def test_lost_ids_keep_exact_repeats_apart_with_a_warning() -> None:
    made = pd.Series(["GTD-caaaa", "GTD-caaaa", "GTD-cbbbb"])
    out, warnings = tell_apart(made, np.array([True, True, True]), None, pd.Series([2, 3, 4]))
    assert out.is_unique and out[0] == "GTD-caaaa" and out[1].startswith("GTD-c")
    assert [w.line for w in warnings] == [3] and "repeats line 2" in warnings[0].message


def test_rows_equal_in_mapped_columns_are_told_apart_by_the_others() -> None:
    made = pd.Series(["NAT-x", "NAT-x", "NAT-x"])
    source = pd.DataFrame({"S#": ["1", "2", "2"], "Date": ["d", "d", "d"]})
    out, warnings = tell_apart(made, np.zeros(3, dtype=bool), source, pd.Series([2, 3, 4]))
    assert out[0] != out[1] and out[1] == out[2]  # the last two repeat every column
    assert warnings == []


def test_likely_duplicates_name_both_lines() -> None:
    frame = _rows(
        incident_id=["a", "b", "c"],
        event_date=pd.to_datetime(["2010-03-02", "2010-03-02", "2010-03-03"]),
        location=["Datta Khel", "datta khel", "Datta Khel"],
        latitude=[32.9, 32.9, 32.9],
        longitude=[69.9, 69.9, 69.9],
        event_type=[None, None, None],
    )
    warnings = likely_duplicates(frame, np.array([True, True, True]), pd.Series([5, 9, 12]))
    assert [w.line for w in warnings] == [9]
    assert "line 5" in warnings[0].message and "both are kept" in warnings[0].message


def test_legacy_ids_follow_the_first_recipe() -> None:
    frame = _rows(
        event_date=pd.to_datetime(["2025-02-11"]),
        location=["Peshawar"],
        latitude=[34.0151],
        longitude=[71.5249],
        event_type=["Battles"],
        source=["Dawn"],
    )
    fields = "2025-02-11|Peshawar|34.015100|71.524900|Battles|Dawn"
    expected = "NAT-" + hashlib.sha256(fields.encode()).hexdigest()[:16]
    assert legacy_ids(frame, np.array([True])).tolist() == [expected]
