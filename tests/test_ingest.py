"""The ingest pipeline: every good row in, every bad row reported, nothing half-written.

The tests that take the ``store`` fixture run on SQLite and on PostgreSQL.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import pandas as pd
import pytest
import sqlalchemy as sa
from storehelp import every_table

from geo.ingest.pipeline import _ReadOnlyCache, ingest_bytes, ingest_path, prepare
from geo.report import FileRefused
from geo.store.core import Store

INGEST = Path(__file__).resolve().parent / "data" / "ingest"
ACLED = INGEST / "acled_mixed.csv"

#: acled_mixed.csv, line by line: what must happen to each data row.
GOOD = {  # line: (incident_id, admin1_code)
    2: ("PAK90001", "PK-KP"),
    3: ("PAK90002", "PK-KP"),
    4: ("PAK90003", "PK-BA"),  # the file says Punjab: kept, flagged
    5: ("AFG90004", "AF-KAN"),
    12: ("AFG90009", "AF-NAN"),  # no coordinates: gazetteer
    13: ("AFG90010", "AF-KNR"),  # only a province: its representative point
}
BAD = {  # line: column named in the error
    6: "event_date",  # in the future
    7: "latitude",  # swapped coordinates
    8: "killed",  # negative
    9: None,  # too few fields
    10: "incident_id",  # repeated id
    11: "location",  # no coordinates, unknown place
}


def fingerprint(store: Store) -> dict[str, object]:
    """SQLite: SHA-256 of the file and its WAL/SHM companions (None when absent), so
    "unchanged" means byte for byte; PostgreSQL: every row of every table."""
    if store.path is None:
        return every_table(store)
    out: dict[str, object] = {}
    for suffix in ("", "-wal", "-shm"):
        p = Path(f"{store.path}{suffix}")
        out[suffix or "db"] = hashlib.sha256(p.read_bytes()).hexdigest() if p.exists() else None
    return out


def tables(store: Store) -> dict[str, list[tuple]]:
    with store.engine.connect() as con:
        return {
            t: [tuple(r) for r in con.exec_driver_sql(f"SELECT * FROM {t} ORDER BY 1")]
            for t in ("incidents", "incident_versions", "uploads", "geocode_cache", "meta")
        }


@pytest.fixture(scope="module")
def prepared():
    return prepare(ACLED.read_bytes(), ACLED.name)


@pytest.fixture
def store(store_url: str) -> Store:
    return Store(store_url, seed=False)


def test_acled_file_report_counts_and_lines(prepared) -> None:
    report = prepared.report
    assert prepared.format == "acled"
    assert report.format == "acled"
    assert report.rows_read == len(GOOD) + len(BAD)
    assert report.accepted == len(GOOD)
    assert report.rejected == len(BAD)
    assert report.upload_id is None
    assert sorted({e.line for e in report.errors}) == sorted(BAD)
    for line, column in BAD.items():
        found = [e for e in report.errors if e.line == line]
        assert found, line
        assert all(e.message for e in found)
        if column is not None:
            assert column in {e.column for e in found}, (line, found)
    # warnings only for kept rows (file-level ones have no line)
    assert {w.line for w in report.warnings} - {None} <= set(GOOD)


def test_good_rows_are_placed_in_the_right_province(prepared) -> None:
    frame = prepared.frame.set_index("_line")
    assert sorted(frame.index) == sorted(GOOD)
    for line, (incident_id, code) in GOOD.items():
        assert frame.loc[line, "incident_id"] == incident_id
        assert frame.loc[line, "admin1_code"] == code
    assert frame.loc[4, "qa_flags"] == "admin1_mismatch"
    mismatch = [w for w in prepared.report.warnings if w.line == 4]
    assert any("Punjab" in w.message and "Balochistan" in w.message for w in mismatch)
    # unknown casualties stay unknown; "dozens" is not a number
    assert pd.isna(frame.loc[3, "killed"])
    assert frame.loc[5, "killed"] == 7 and frame.loc[5, "casualty_note"] == "at least"
    assert frame["border_distance_km"].notna().all()


def test_rows_without_coordinates_are_geocoded(prepared) -> None:
    frame = prepared.frame.set_index("_line")
    assert prepared.report.geocoded == 2
    assert frame.loc[12, "geocode_source"] == "gazetteer"
    assert frame.loc[13, "geocode_source"] == "admin1-centroid"
    assert frame.loc[13, "geo_precision"] == 3
    assert frame.loc[2, "geocode_source"] == "provided"


def test_commit_then_same_file_again_changes_nothing(store: Store) -> None:
    first = ingest_bytes(ACLED.read_bytes(), ACLED.name, store)
    assert first.upload_id and first.accepted == len(GOOD)
    before = store.incidents()
    second = ingest_bytes(ACLED.read_bytes(), ACLED.name, store)
    assert (second.accepted, second.updated, second.duplicates) == (0, 0, len(GOOD))
    assert second.rows_read == second.accepted + second.duplicates + second.rejected
    pd.testing.assert_frame_equal(store.incidents(), before)
    assert store.versions().empty


def test_changed_row_in_a_later_file_is_an_update(store: Store, tmp_path: Path) -> None:
    ingest_bytes(ACLED.read_bytes(), ACLED.name, store)
    text = ACLED.read_text(encoding="utf-8")
    edited = text.replace("An IED went off near a police post.,3,", "An IED went off.,4,", 1)
    assert edited != text
    report = ingest_bytes(edited.encode(), "acled_fixed.csv", store)
    assert (report.accepted, report.updated, report.duplicates) == (1, 1, len(GOOD) - 1)
    now = store.incidents().set_index("incident_id")
    assert now.loc["PAK90001", "killed"] == 4
    versions = store.versions()
    assert versions["incident_id"].tolist() == ["PAK90001"]
    assert versions["killed"].tolist() == [3]


def test_undo_of_an_ingest_restores_every_table(store: Store) -> None:
    ingest_bytes((INGEST / "native_formulas.csv").read_bytes(), "n.csv", store)
    before = tables(store)
    report = ingest_bytes(ACLED.read_bytes(), ACLED.name, store)
    store.undo(report.upload_id)
    after = tables(store)
    assert after["incidents"] == before["incidents"]
    assert after["incident_versions"] == before["incident_versions"]
    assert len(after["uploads"]) == len(before["uploads"]) + 1  # kept, marked undone


def test_dry_run_writes_nothing_but_knows_duplicates(store: Store) -> None:
    ingest_bytes(ACLED.read_bytes(), ACLED.name, store)
    store.engine.dispose()
    before = fingerprint(store)
    report = ingest_bytes(ACLED.read_bytes(), ACLED.name, store, dry_run=True)
    store.engine.dispose()
    assert report.dry_run and report.upload_id is None
    assert (report.accepted, report.duplicates) == (0, len(GOOD))
    assert fingerprint(store) == before


def test_dry_run_without_a_store(tmp_path: Path) -> None:
    report = ingest_path(ACLED, None, dry_run=True)
    assert report.dry_run and report.accepted == len(GOOD)
    assert list(tmp_path.iterdir()) == []
    with pytest.raises(ValueError, match="store"):
        ingest_path(ACLED, None)


REFUSED = {
    "empty.csv": b"",
    "workbook.csv": b"PK\x03\x04" + bytes(range(256)) * 8,
    "page.csv": b"<!DOCTYPE html><html><body>Not a CSV</body></html>",
}


@pytest.mark.parametrize("name", sorted(REFUSED))
def test_refused_file_leaves_the_store_byte_for_byte(store: Store, name: str) -> None:
    ingest_bytes(ACLED.read_bytes(), ACLED.name, store)
    store.engine.dispose()
    before = fingerprint(store)
    with pytest.raises(FileRefused) as info:
        ingest_bytes(REFUSED[name], name, store)
    assert str(info.value)  # one clear sentence
    store.engine.dispose()
    assert fingerprint(store) == before


def test_size_and_row_limits_refuse_the_file(monkeypatch, store: Store) -> None:
    data = ACLED.read_bytes()
    monkeypatch.setenv("ATLAS_MAX_UPLOAD_MB", str(len(data) / 2 / 1024 / 1024))
    with pytest.raises(FileRefused, match="limit"):
        ingest_bytes(data, ACLED.name, store)
    with pytest.raises(FileRefused, match="limit"):
        ingest_path(ACLED, store)
    monkeypatch.setenv("ATLAS_MAX_UPLOAD_MB", "200")
    monkeypatch.setenv("ATLAS_MAX_ROWS", "3")
    with pytest.raises(FileRefused, match="3"):
        ingest_bytes(data, ACLED.name, store)
    if store.path is not None:
        assert not store.path.exists()  # the store was never opened
    else:
        with store.engine.connect() as conn:
            assert not sa.inspect(conn).has_table("uploads")


def test_missing_file_is_refused(tmp_path: Path) -> None:
    with pytest.raises(FileRefused, match="no file"):
        ingest_path(tmp_path / "nope.csv", None, dry_run=True)


def test_dry_run_cache_reads_but_does_not_write(store: Store) -> None:
    real = store.geocode_cache()
    real.put("known", {"latitude": 1.0})
    cache = _ReadOnlyCache(real)
    cache.put("new", {"latitude": 2.0})
    assert cache.get("known") == {"latitude": 1.0}
    assert cache.get("new") == {"latitude": 2.0}
    assert real.get("new") is None


def test_report_json_is_kept_with_the_upload(store: Store) -> None:
    report = ingest_bytes(ACLED.read_bytes(), ACLED.name, store)
    saved = store.upload_report(report.upload_id)
    assert saved["upload_id"] == report.upload_id
    assert [e["line"] for e in saved["errors"]] == [e.line for e in report.errors]
    # the stated province survives in the saved warnings
    assert any(w["value"] == "Punjab" for w in saved["warnings"])


def test_the_garbage_collector_is_paused_while_preparing_and_restored_after(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import gc

    import geo.ingest.validate

    seen: list[bool] = []
    real = geo.ingest.validate.validate
    monkeypatch.setattr(
        geo.ingest.validate,
        "validate",
        lambda df, **kw: seen.append(gc.isenabled()) or real(df, **kw),
    )
    assert gc.isenabled()
    prepare(b"event_date,location,latitude,longitude\n2025-01-05,Quetta,30.18,67.0\n", "a.csv")
    assert seen == [False] and gc.isenabled()


def test_ingest_path_lets_the_file_bytes_go_before_the_commit(
    monkeypatch: pytest.MonkeyPatch, store: Store
) -> None:
    import geo.ingest.pipeline as pipeline

    freed: list[bool] = []

    class Watched(bytes):  # the file's bytes, telling when they are freed
        def __del__(self) -> None:
            freed.append(True)

    monkeypatch.setattr(pipeline, "read_upload_file", lambda path: Watched(ACLED.read_bytes()))
    at_commit: list[bool] = []
    real = pipeline.commit
    monkeypatch.setattr(
        pipeline, "commit", lambda prepared, st: at_commit.append(bool(freed)) or real(prepared, st)
    )
    report = ingest_path(ACLED, store)
    assert at_commit == [True]  # at a million rows: 240 MB less at the peak
    assert report.accepted == len(GOOD)


def test_sheet_stored_under_the_first_id_recipe_is_a_repeat_when_uploaded_again(
    store: Store,
) -> None:
    from geo.ingest.pipeline import commit, preview

    sheet = (
        b"Date,Time,Location,Latitude,Longitude,Killed\n"
        b"2010-03-02,21:00,Datta Khel,32.95,69.95,2\n"
        b"2010-03-02,23:30,Datta Khel,32.95,69.95,3\n"
    )
    old = prepare(sheet, "sheet.csv")
    assert old.frame["incident_id"].nunique() == 2
    assert old.frame["_legacy_id"].nunique() == 1  # the first recipe made them collide
    # as an older version stored it: the first row under the old id
    stored = old.frame.iloc[:1].copy()
    stored["incident_id"] = stored["_legacy_id"]
    old.frame = stored
    commit(old, store)

    again = prepare(sheet, "sheet.csv")
    report = preview(again, store)
    assert report.duplicates == 1 and report.accepted == 1  # only the second strike is new
    result = commit(again, store)
    assert result.duplicates == 1 and result.accepted == 1
    assert len(store.incidents()) == 2
