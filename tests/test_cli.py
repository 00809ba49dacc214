"""``python -m geo`` ingest / export / uploads / undo / redo / seed, run as a user would (subprocess)."""

from __future__ import annotations

import csv
import hashlib
import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pyogrio
import pytest

from geo.ingest.seed import open_store

ROOT = Path(__file__).resolve().parent.parent
ACLED = ROOT / "tests" / "data" / "ingest" / "acled_mixed.csv"
GOOD = {
    "PAK90001": "PK-KP",
    "PAK90002": "PK-KP",
    "PAK90003": "PK-BA",
    "AFG90004": "AF-KAN",
    "AFG90009": "AF-NAN",
    "AFG90010": "AF-KNR",
}
BAD_LINES = [6, 7, 8, 9, 10, 11]


def geo(*args: str, db: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "ATLAS_DB": str(db), "ATLAS_ONLINE_GEOCODING": "0"}
    return subprocess.run(
        [sys.executable, "-m", "geo", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )


def strict_json(text: str):
    def no_constant(token: str) -> None:
        raise AssertionError(f"invalid JSON constant {token}")

    return json.loads(text, parse_constant=no_constant)


def fingerprint(path: Path) -> dict[str, str | None]:
    out = {}
    for suffix in ("", "-wal", "-shm"):
        p = Path(f"{path}{suffix}")
        out[suffix or "db"] = hashlib.sha256(p.read_bytes()).hexdigest() if p.exists() else None
    return out


@pytest.fixture(scope="module")
def ingested(tmp_path_factory) -> tuple[Path, dict]:
    db = tmp_path_factory.mktemp("cli") / "store" / "atlas.sqlite"
    run = geo("ingest", str(ACLED), "--db", str(db), db=db)
    assert run.returncode == 0, run.stderr
    return db, strict_json(run.stdout)


def test_ingest_acled_file_with_good_and_bad_rows(ingested) -> None:
    db, report = ingested
    assert report["format"] == "acled"
    assert report["rows_read"] == len(GOOD) + len(BAD_LINES)
    assert report["accepted"] == len(GOOD)
    assert report["rejected"] == len(BAD_LINES)
    assert sorted({e["line"] for e in report["errors"]}) == BAD_LINES
    for issue in report["errors"] + report["warnings"]:
        assert set(issue) >= {"line", "column", "value", "message"}
    stored = open_store(db).incidents().set_index("incident_id")
    for incident_id, code in GOOD.items():
        assert stored.loc[incident_id, "admin1_code"] == code
        assert stored.loc[incident_id, "upload_id"] == report["upload_id"]


def test_refused_file_exits_2_and_leaves_the_store_unchanged(ingested, tmp_path: Path) -> None:
    db, _ = ingested
    before = fingerprint(db)
    bad = tmp_path / "incidents.csv"
    bad.write_bytes(b"PK\x03\x04" + os.urandom(2048))  # an .xlsx renamed .csv
    run = geo("ingest", str(bad), "--db", str(db), db=db)
    assert run.returncode == 2
    out = strict_json(run.stdout)
    assert out["refused"] is True and out["message"]
    assert fingerprint(db) == before


def test_dry_run_writes_nothing(tmp_path: Path) -> None:
    db = tmp_path / "never" / "atlas.sqlite"
    run = geo("ingest", str(ACLED), "--dry-run", "--db", str(db), db=db)
    assert run.returncode == 0, run.stderr
    report = strict_json(run.stdout)
    assert report["dry_run"] is True and report["upload_id"] is None
    assert report["accepted"] == len(GOOD)
    assert not db.exists()


def test_dry_run_on_an_existing_store_sees_duplicates_and_changes_nothing(ingested) -> None:
    db, _ = ingested
    store = open_store(db)
    before = (store.incidents(), store.uploads(), fingerprint(db)["db"])
    run = geo("ingest", str(ACLED), "--dry-run", "--db", str(db), db=db)
    assert run.returncode == 0, run.stderr
    report = strict_json(run.stdout)
    assert report["duplicates"] == len(GOOD) and report["accepted"] == 0
    after = (store.incidents(), store.uploads(), fingerprint(db)["db"])
    assert after[0].equals(before[0]) and after[1].equals(before[1]) and after[2] == before[2]


def test_undo_out_of_order_is_refused_with_a_message(tmp_path: Path) -> None:
    db = tmp_path / "atlas.sqlite"
    first = strict_json(geo("ingest", str(ACLED), "--db", str(db), db=db).stdout)
    changed = tmp_path / "changed.csv"
    changed.write_text(_bump_fatalities(ACLED.read_text(encoding="utf-8")), encoding="utf-8")
    second = strict_json(geo("ingest", str(changed), "--db", str(db), db=db).stdout)
    assert second["updated"] >= 1
    undo = geo("undo", first["upload_id"], "--db", str(db), db=db)
    assert undo.returncode == 1
    assert second["upload_id"] in undo.stderr and "Traceback" not in undo.stderr


def _bump_fatalities(text: str) -> str:
    rows = list(csv.reader(io.StringIO(text)))
    col = rows[0].index("fatalities")
    for row in rows[1:]:
        if len(row) == len(rows[0]) and row[col].isdigit():
            row[col] = str(int(row[col]) + 1)
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\n").writerows(rows)
    return buf.getvalue()


def test_uploads_and_undo(tmp_path: Path) -> None:
    db = tmp_path / "atlas.sqlite"
    before = open_store(db).incidents()  # the seeded store
    first = strict_json(geo("ingest", str(ACLED), "--db", str(db), db=db).stdout)
    again = strict_json(geo("ingest", str(ACLED), "--db", str(db), db=db).stdout)
    assert again["duplicates"] == len(GOOD) and again["accepted"] == 0

    listing = geo("uploads", "--db", str(db), db=db)
    assert listing.returncode == 0
    uploads = strict_json(listing.stdout)
    assert [u["upload_id"] for u in uploads] == ["seed", first["upload_id"], again["upload_id"]]
    assert uploads[1]["accepted"] == len(GOOD) and uploads[1]["undone_at"] is None

    undo = geo("undo", first["upload_id"], "--db", str(db), db=db)
    assert undo.returncode == 0, undo.stderr
    assert strict_json(undo.stdout)["removed"] == len(GOOD)
    after = open_store(db).incidents()
    assert after.equals(before)
    undone = strict_json(geo("uploads", "--db", str(db), db=db).stdout)
    assert undone[1]["undone_at"] is not None

    missing = geo("undo", "no-such-upload", "--db", str(db), db=db)
    assert missing.returncode == 1
    assert "no-such-upload" in missing.stderr

    redo = geo("redo", first["upload_id"], "--db", str(db), db=db)
    assert redo.returncode == 0, redo.stderr
    redone = strict_json(redo.stdout)
    assert redone["redo_of"] == first["upload_id"] and redone["accepted"] == len(GOOD)
    assert set(GOOD) <= set(open_store(db).incidents()["incident_id"])
    twice = geo("redo", first["upload_id"], "--db", str(db), db=db)
    assert twice.returncode == 1 and "already redone" in twice.stderr


def test_the_seed_is_undone_only_with_allow_seed(tmp_path: Path) -> None:
    db = tmp_path / "atlas.sqlite"
    seeded = strict_json(geo("seed", "--db", str(db), db=db).stdout)
    assert seeded["seeded"] is True
    assert strict_json(geo("seed", "--db", str(db), db=db).stdout)["seeded"] is False
    count = len(open_store(db).incidents())
    refused = geo("undo", "seed", "--db", str(db), db=db)
    assert refused.returncode == 1 and "--allow-seed" in refused.stderr
    assert len(open_store(db).incidents()) == count > 0
    done = geo("undo", "seed", "--allow-seed", "--db", str(db), db=db)
    assert done.returncode == 0, done.stderr
    assert strict_json(done.stdout)["removed"] == count
    assert open_store(db).incidents().empty and open_store(db).claims().empty


def test_export_formats(ingested, tmp_path: Path) -> None:
    db, _ = ingested
    count = len(open_store(db).incidents())
    csv_path = tmp_path / "x.csv"
    assert (
        geo("export", "--format", "csv", "--out", str(csv_path), "--db", str(db), db=db).returncode
        == 0
    )
    rows = list(csv.DictReader(io.StringIO(csv_path.read_text(encoding="utf-8-sig"), newline="")))
    assert len(rows) == count
    assert {r["incident_id"] for r in rows} >= set(GOOD)

    gj = tmp_path / "x.geojson"
    assert (
        geo("export", "--format", "geojson", "--out", str(gj), "--db", str(db), db=db).returncode
        == 0
    )
    doc = strict_json(gj.read_text(encoding="utf-8"))
    assert len(doc["features"]) == count and "crs" not in doc

    gpkg = tmp_path / "x.gpkg"
    assert (
        geo("export", "--format", "gpkg", "--out", str(gpkg), "--db", str(db), db=db).returncode
        == 0
    )
    assert len(pyogrio.read_dataframe(gpkg)) == count


def test_snapshot_with_an_unknown_suffix_exits_1_and_writes_nothing(
    ingested, tmp_path: Path
) -> None:
    db, _ = ingested
    out = tmp_path / "brief.docx"
    run = geo("snapshot", "--out", str(out), "--db", str(db), db=db)
    assert run.returncode == 1
    assert ".png" in run.stderr and "Traceback" not in run.stderr
    assert not out.exists()


@pytest.mark.parametrize("many", [False, True], ids=["indented", "one line"])
def test_json_output_has_no_nan_and_plain_numbers(capsys, many: bool) -> None:
    import numpy as np
    import pandas as pd

    from geo.__main__ import _INDENT_UP_TO, _print_json

    extra = [{"line": i} for i in range(_INDENT_UP_TO + 1 if many else 0)]
    _print_json({"errors": extra, "warnings": [], "n": np.int64(3), "missing": pd.NA})
    clean = strict_json(capsys.readouterr().out)
    assert (clean["n"], clean["missing"], len(clean["errors"])) == (3, None, len(extra))

    _print_json({"errors": extra, "warnings": [{"x": float("nan"), "y": [np.float32("nan")]}]})
    dirty = strict_json(capsys.readouterr().out)
    assert dirty["warnings"] == [{"x": None, "y": [None]}]


def test_ingest_map_option_lays_the_analysts_mapping_over_the_proposal(tmp_path: Path) -> None:
    sheet = tmp_path / "sheet.csv"
    sheet.write_text(
        "Date,Location,Latitude,Longitude,Total Died Min,Total Died Mix,Temp\n"
        '"Friday, June 18, 2004",Wana,32.30,69.57,2,5,28\n',
        encoding="utf-8",
    )
    db = tmp_path / "atlas.sqlite"
    run = geo("ingest", str(sheet), "--map", "Temp=notes", "--map", "Total Died Min=", db=db)
    assert run.returncode == 0, run.stderr
    assert strict_json(run.stdout)["accepted"] == 1
    row = open_store(db).incidents().set_index("notes").loc["28"]
    assert row["killed_high"] == 5 and row["killed_low"] is pd.NA
    run = geo("ingest", str(sheet), "--map", "Nope=killed", db=db)
    assert run.returncode == 2 and "does not have" in strict_json(run.stdout)["message"]


def test_ingest_of_a_workbook_takes_the_sheet_to_read(tmp_path: Path) -> None:
    import xlsxwriter

    path = tmp_path / "two sheets.xlsx"
    book = xlsxwriter.Workbook(str(path))
    for name, city, lat, lon in (("Khyber", "Peshawar", 34.0151, 71.5249), ("Kunduz", "Kunduz", 36.728, 68.8681)):  # fmt: skip
        sheet = book.add_worksheet(name)
        sheet.write(0, 0, f"Incidents in {city} (invented)")  # a title above the header
        sheet.write_row(2, 0, ["date", "location", "latitude", "longitude", "killed"])
        sheet.write_row(3, 0, ["2023-03-01", city, lat, lon, 2.0])
        sheet.write_row(4, 0, ["2023-02-30", city, lat, lon, 1.0])  # no such day
    book.close()
    db = tmp_path / "atlas.sqlite"

    refused = geo("ingest", str(path), "--db", str(db), db=db)
    assert refused.returncode == 2
    assert "'Khyber', 'Kunduz'" in strict_json(refused.stdout)["message"]

    run = geo("ingest", str(path), "--sheet", "Kunduz", "--db", str(db), db=db)
    assert run.returncode == 0, run.stderr
    report = strict_json(run.stdout)
    assert (report["sheet"], report["accepted"], report["rejected"]) == ("Kunduz", 1, 1)
    assert [e["line"] for e in report["errors"]] == [5]  # the spreadsheet row
    stored = open_store(db).incidents()
    assert stored.loc[stored["upload_id"] == report["upload_id"], "location"].tolist() == ["Kunduz"]


def test_snapshot_presence_option_draws_the_claims_layer_with_its_legend(tmp_path: Path) -> None:
    db = tmp_path / "atlas.sqlite"
    plain, shaded = tmp_path / "plain.svg", tmp_path / "shaded.svg"
    assert geo("snapshot", "--out", str(plain), "--db", str(db), db=db).returncode == 0
    run = geo("snapshot", "--out", str(shaded), "--presence", "ISKP", "--db", str(db), db=db)
    assert run.returncode == 0, run.stderr
    assert "Claimed presence" not in plain.read_text(encoding="utf-8")
    svg = shaded.read_text(encoding="utf-8")
    assert "Claimed presence" in svg and "contested (asserted and denied)" in svg
