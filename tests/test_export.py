"""Exports: formula-safe CSV, RFC 7946 GeoJSON, GeoPackage, and round trips."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import numpy as np
import pandas as pd
import pyogrio
import pytest

from geo.ingest.pipeline import ingest_bytes
from geo.schema import INCIDENT_COLUMNS, normalise_dtypes
from geo.store.core import Store
from geo.views.export import (
    safe_csv,
    to_csv_bytes,
    to_geojson_bytes,
    to_gpkg_bytes,
    write_atomically,
)

INGEST = Path(__file__).resolve().parent / "data" / "ingest"


def sample() -> pd.DataFrame:
    return normalise_dtypes(
        pd.DataFrame(
            {
                "incident_id": ["X-1", "X-2", "X-3"],
                "event_date": ["2024-01-02", "2024-02-03", "2024-03-04"],
                "latitude": [51.48, 34.0151, -12.25],
                "longitude": [-0.5, 71.5249, 44.0],
                "killed": [None, 3, 0],
                "killed_low": [None, 2, None],
                "cross_border": [True, None, False],
                "actor1": ["=cmd|' /C calc'!A0", "+Actor", "Plain"],
                "actor2": ["-x", "@y", "\tz"],
                "notes": ["a\r=b", "\rcarriage", "Multi\nline, with comma"],
                "location": ["Peshawar", "پشاور", None],
                "border_distance_km": [np.nan, 41.9, 0.0],
            }
        )
    )


def read_cells(data: bytes) -> list[dict[str, str]]:
    assert data.startswith(b"\xef\xbb\xbf")
    return list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"), newline="")))


def test_csv_has_canonical_columns_in_order() -> None:
    data = to_csv_bytes(sample().assign(extra="not exported"))
    header = data.decode("utf-8-sig").split("\r\n")[0].split(",")
    assert header == INCIDENT_COLUMNS


def test_csv_neutralises_formula_cells_but_not_numbers() -> None:
    df = sample()
    # normalise_dtypes strips text; a caller's frame may still hold leading TAB / CR
    df.loc[2, "actor2"] = "\tz"
    df.loc[1, "notes"] = "\rcarriage"
    rows = read_cells(to_csv_bytes(df))
    assert [r["actor1"] for r in rows] == ["'=cmd|' /C calc'!A0", "'+Actor", "Plain"]
    assert [r["actor2"] for r in rows] == ["'-x", "'@y", "'\tz"]
    assert rows[1]["notes"] == "'\rcarriage"
    assert rows[0]["notes"] == "a\r=b"  # only the first character matters
    assert rows[2]["notes"] == "Multi\nline, with comma"
    # numbers: negative longitude and latitude are written as plain numbers
    assert rows[0]["longitude"] == "-0.5"
    assert rows[2]["latitude"] == "-12.25"
    assert float(rows[1]["latitude"]) == 34.0151


def test_csv_keeps_unknown_empty_and_types_readable() -> None:
    rows = read_cells(to_csv_bytes(sample()))
    assert [r["killed"] for r in rows] == ["", "3", "0"]
    assert [r["cross_border"] for r in rows] == ["true", "", "false"]
    assert [r["event_date"] for r in rows] == ["2024-01-02", "2024-02-03", "2024-03-04"]
    assert rows[1]["location"] == "پشاور"
    assert rows[0]["border_distance_km"] == ""


def test_geojson_follows_rfc_7946() -> None:
    def no_nan(token: str) -> None:
        raise AssertionError(token)

    doc = json.loads(to_geojson_bytes(sample()), parse_constant=no_nan)
    assert doc["type"] == "FeatureCollection"
    assert "crs" not in doc
    first, second, _ = doc["features"]
    assert first["type"] == "Feature"
    assert first["geometry"] == {"type": "Point", "coordinates": [-0.5, 51.48]}  # lon, lat
    assert set(first["properties"]) == set(INCIDENT_COLUMNS)
    assert first["properties"]["killed"] is None  # unknown is null, not 0
    assert second["properties"]["killed"] == 3
    assert first["properties"]["cross_border"] is True
    assert second["properties"]["cross_border"] is None
    assert first["properties"]["event_date"] == "2024-01-02"
    # GeoJSON is not a spreadsheet: text is exported as written
    assert first["properties"]["actor1"] == "=cmd|' /C calc'!A0"


def test_geopackage_reads_back(tmp_path: Path) -> None:
    path = tmp_path / "out.gpkg"
    path.write_bytes(to_gpkg_bytes(sample()))
    assert [name for name, _ in pyogrio.list_layers(path)] == ["incidents"]
    info = pyogrio.read_info(path)
    types = dict(zip(info["fields"], info["dtypes"], strict=True))
    assert types["killed"] == "int64" and types["latitude"] == "float64"
    assert info["crs"] == "EPSG:4326"
    back = pyogrio.read_dataframe(path)
    assert back["incident_id"].tolist() == ["X-1", "X-2", "X-3"]
    assert back.geometry.x.tolist() == [-0.5, 71.5249, 44.0]
    assert back.geometry.y.tolist() == [51.48, 34.0151, -12.25]
    assert np.isnan(back["killed"].iloc[0]) and back["killed"].iloc[1] == 3
    assert back["location"].iloc[1] == "پشاور"


WRITERS = {"csv": to_csv_bytes, "geojson": to_geojson_bytes, "gpkg": to_gpkg_bytes}


@pytest.mark.parametrize("fmt", list(WRITERS))
def test_write_atomically(tmp_path: Path, fmt: str) -> None:
    out = write_atomically(tmp_path / "sub" / f"x.{fmt}", WRITERS[fmt](sample()))
    assert out.exists() and out.stat().st_size > 100
    assert [p.name for p in out.parent.iterdir()] == [out.name]  # no temp file left


def test_a_failed_write_leaves_nothing(tmp_path: Path) -> None:
    with pytest.raises(TypeError):
        write_atomically(tmp_path / "x.csv", "text, not bytes")  # type: ignore[arg-type]
    assert list(tmp_path.iterdir()) == []


def test_geopackage_carries_the_time_given_not_the_clock() -> None:
    from datetime import UTC, datetime

    when = datetime(2026, 1, 15, 9, 30, tzinfo=UTC)
    first = to_gpkg_bytes(sample(), made_at=when)
    assert b"2026-01-15T09:30:00.000Z" in first
    assert to_gpkg_bytes(sample(), made_at=when) == first


def test_safe_csv_neutralises_any_table() -> None:
    table = pd.DataFrame({"value": ["=HYPERLINK(1)", "@x", "fine", None], "line": [2, 3, -4, 5]})
    rows = list(csv.reader(io.StringIO(safe_csv(table).decode("utf-8"))))
    assert rows == [
        ["value", "line"],
        ["'=HYPERLINK(1)", "2"],
        ["'@x", "3"],
        ["fine", "-4"],
        ["", "5"],
    ]


def test_export_then_ingest_gives_the_same_rows(tmp_path: Path) -> None:
    first = Store(tmp_path / "a.sqlite", seed=False)
    for name in ("acled_mixed.csv", "native_formulas.csv"):
        ingest_bytes((INGEST / name).read_bytes(), name, first)
    stored = first.incidents()
    exported = to_csv_bytes(stored)

    # into the same store: every row is a duplicate
    again = ingest_bytes(exported, "export.csv", first)
    formula_rows = 2  # NAT-F1 and NAT-F2 carry neutralised cells
    assert again.rejected == 0
    assert again.duplicates == len(stored) - formula_rows
    assert again.updated == formula_rows

    # into a fresh store: the same rows, the quotes visible, the numbers unchanged
    second = Store(tmp_path / "b.sqlite", seed=False)
    report = ingest_bytes(exported, "export.csv", second)
    assert report.accepted == len(stored) and report.rejected == 0
    back = second.incidents()
    text_cols = ["actor1", "actor2", "notes", "source_ref"]
    keep = [c for c in INCIDENT_COLUMNS if c not in [*text_cols, "upload_id", "qa_flags"]]
    pd.testing.assert_frame_equal(back[keep], stored[keep])
    # a mismatch flag records what the original file said; the export states the
    # polygon's province, so a fresh ingest of it has nothing to flag
    flagged = stored["qa_flags"].notna()
    assert stored.loc[flagged, "qa_flags"].tolist() == ["admin1_mismatch"]
    assert back["qa_flags"].isna().all()
    by_id = back.set_index("incident_id")
    assert by_id.loc["NAT-F1", "actor1"] == '\'=HYPERLINK("http://example.invalid","click")'
    assert by_id.loc["NAT-F1", "source_ref"] == "'@SUM(A1:A2)"
    assert by_id.loc["NAT-F2", "notes"] == "'=1+2, says the note"
    assert by_id.loc["NAT-F2", "actor1"] == "'-Unknown gunmen"
    plain = ~back["incident_id"].isin(["NAT-F1", "NAT-F2"])
    pd.testing.assert_frame_equal(
        back.loc[plain, text_cols].reset_index(drop=True),
        stored.loc[plain, text_cols].reset_index(drop=True),
    )


def test_an_export_gets_the_permissions_of_a_plainly_written_file(tmp_path: Path) -> None:
    plain = tmp_path / "plain.csv"
    plain.write_text("x\n")
    one = to_csv_bytes(normalise_dtypes(pd.DataFrame({"incident_id": ["A"]})))
    out = write_atomically(tmp_path / "a.csv", one)
    assert out.stat().st_mode & 0o777 == plain.stat().st_mode & 0o777
    out.chmod(0o640)  # an existing file keeps its mode when written again
    write_atomically(out, to_csv_bytes(normalise_dtypes(pd.DataFrame({"incident_id": ["B"]}))))
    assert out.stat().st_mode & 0o777 == 0o640
