"""The whole ingest pipeline against hostile input, and the bad corpus end to end.

1. Property (hypothesis): any bytes given to :func:`geo.ingest.pipeline.ingest_bytes` end
   in an :class:`~geo.report.IngestReport` or a :class:`~geo.report.FileRefused`
   with one sentence, never another exception, and the report's counts add up
   (``rows_read == accepted + rejected + duplicates``, one error per rejected
   line). The inputs mix well-formed ACLED files written in every supported
   encoding, delimiter, quoting and line ending (with junk rows, long fields,
   control characters, NUL bytes, embedded newlines), the same files damaged
   byte by byte, random bytes and random text. For the well-formed files the
   outcome is known exactly: every good row accepted, every junk row rejected
   on its own line.
2. Property, into a real store: counts add up against the store, the same file
   twice changes nothing, a refused file leaves the store's revision alone.
3. The corpus tests/data/bad/ through the CLI into a store: refused files exit 2
   and leave the SQLite file byte for byte as it was; read files exit 0 and
   report exactly the rejected lines of tests/data/bad/EXPECTED.json.
4. Export safety end to end: formula-like text → store → CSV export (CLI) →
   a fresh store: text comes back neutralised, numbers unchanged.

``ATLAS_HYPOTHESIS_EXAMPLES`` sets the number of generated inputs (default
500). The counters go to ``var/reliability.json`` (section ``pipeline``).
"""

from __future__ import annotations

import codecs
import csv
import gc
import hashlib
import io
import json
import os
import subprocess
import sys
from collections import Counter
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from geo.__main__ import main as cli
from geo.ingest.pipeline import default_gazetteer, ingest_bytes
from geo.report import FileRefused, IngestReport

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "benchmarks"))
from generate import ACLED_COLUMNS

ROOT = Path(__file__).resolve().parent.parent
BAD = ROOT / "tests" / "data" / "bad"
MANIFEST = json.loads((BAD / "EXPECTED.json").read_text(encoding="utf-8"))
EXAMPLES = int(os.environ.get("ATLAS_HYPOTHESIS_EXAMPLES", "500"))

#: What the property tests saw, written to var/reliability.json at the end.
COUNTS: Counter[str] = Counter()


# --------------------------------------------------------------------------- strategies

ENCODINGS = ["utf-8", "utf-8-sig", "utf-16", "cp1252"]
DELIMITERS = [",", ";", "\t", "|"]
TERMINATORS = ["\n", "\r\n", "\r"]
#: Points well inside a province (town centres), with their country.
POINTS = [
    (34.008, 71.578, "Pakistan"),  # Peshawar
    (30.183, 66.999, "Pakistan"),  # Quetta
    (31.549, 74.343, "Pakistan"),  # Lahore
    (34.528, 69.172, "Afghanistan"),  # Kabul
    (31.613, 65.710, "Afghanistan"),  # Kandahar
    (34.430, 70.447, "Afghanistan"),  # Jalalabad
]
TYPES = [
    ("Battles", "Armed clash"),
    ("Explosions/Remote violence", "Suicide bomb"),
    ("Violence against civilians", "Attack"),
    ("Strategic developments", "Arrests"),
]
MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August",
          "September", "October", "November", "December"]  # fmt: skip
JUNK = ["short", "long", "nul", "bad_date", "bad_latitude", "duplicate"]
BAD_DATES = ["31 February 2021", "not a date", "2099-05-01", "03/04/21", "2021-13-01"]
BAD_LATITUDES = ["abc", "123.5", "-95", "north"]

_ASCII = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 ,;|\t\"'-=+@()/.:"
_ALPHABETS = {
    "utf-8": _ASCII + "پشاورکابلخیبرéü–“”’",
    "utf-8-sig": _ASCII + "پشاورکابلخیبرéü–“”’",
    "utf-16": _ASCII + "پشاورکابلخیبرéü–“”’",
    "cp1252": _ASCII + "éüö–“”’",
}


@st.composite
def acled_files(draw: st.DrawFn) -> tuple[bytes, dict[str, Any]]:
    """A well-formed ACLED file (+ junk rows) and the outcome the pipeline must give."""
    encoding = draw(st.sampled_from(ENCODINGS))
    delimiter = draw(st.sampled_from(DELIMITERS))
    quoting = draw(st.sampled_from([csv.QUOTE_MINIMAL, csv.QUOTE_ALL]))
    terminator = draw(st.sampled_from(TERMINATORS))
    kinds = draw(st.lists(st.sampled_from(["good"] * 4 + JUNK), max_size=8))
    text = st.text(alphabet=_ALPHABETS[encoding], max_size=30)
    multiline = terminator != "\r"

    rows: list[list[str]] = []
    good_ids: list[str] = []
    nul_rows = 0
    for i, kind in enumerate(kinds):
        lat, lon, country = draw(st.sampled_from(POINTS))
        lat += draw(st.integers(-300, 300)) / 10_000
        lon += draw(st.integers(-300, 300)) / 10_000
        etype, sub = draw(st.sampled_from(TYPES))
        day = draw(
            st.dates(
                min_value=pd.Timestamp("2017-01-01").date(),
                max_value=pd.Timestamp("2025-10-31").date(),
            )
        )
        date = (
            day.isoformat()
            if draw(st.booleans())
            else f"{day.day} {MONTHS[day.month - 1]} {day.year}"
        )
        notes_kind = draw(st.sampled_from(["plain", "long", "control", "newline"]))
        notes = draw(text)
        if notes_kind == "long":
            notes = draw(st.sampled_from("ab c")) * draw(st.integers(1_000, 12_000)) + notes
        elif notes_kind == "control":
            notes = notes + draw(st.sampled_from(["\x07", "\x1b", "\x0b", "\x7f"])) + "x"
        elif notes_kind == "newline" and multiline:
            notes = notes + "\n" + draw(text)
        iid = f"{'PAK' if country == 'Pakistan' else 'AFG'}{1000 + i}"
        fields = {
            "event_id_cnty": iid,
            "event_date": date,
            "year": str(day.year),
            "time_precision": draw(st.sampled_from(["1", "2", "3"])),
            "disorder_type": "Political violence",
            "event_type": etype,
            "sub_event_type": sub,
            "actor1": draw(text),
            "assoc_actor_1": "",
            "inter1": "3",
            "actor2": draw(text),
            "assoc_actor_2": "",
            "inter2": "7",
            "interaction": "37",
            "civilian_targeting": "",
            "iso": "586" if country == "Pakistan" else "4",
            "region": "Southern Asia",
            "country": country,
            "admin1": "",
            "admin2": "",
            "admin3": "",
            "location": draw(text),
            "latitude": f"{lat:.4f}",
            "longitude": f"{lon:.4f}",
            "geo_precision": draw(st.sampled_from(["1", "2", "3"])),
            "source": draw(text),
            "source_scale": "National",
            "notes": notes,
            "fatalities": draw(st.sampled_from(["", "0", "1", "7", "42", "300"])),
            "tags": "",
            "timestamp": "1730000000",
        }
        if kind == "nul" and nul_rows >= 2:
            kind = "short"  # more NUL bytes would make the whole file look binary
        if kind == "duplicate" and not good_ids:
            kind = "bad_date"
        if kind == "nul":
            nul_rows += 1
            fields["notes"] = draw(text) + "\x00" + "x"
        elif kind == "bad_date":
            fields["event_date"] = draw(st.sampled_from(BAD_DATES))
        elif kind == "bad_latitude":
            fields["latitude"] = draw(st.sampled_from(BAD_LATITUDES))
        elif kind == "duplicate":
            fields["event_id_cnty"] = draw(st.sampled_from(good_ids))
        values = [fields[c] for c in ACLED_COLUMNS]
        if kind == "short":
            values = values[: draw(st.integers(1, len(values) - 1))]
        elif kind == "long":
            values += draw(st.lists(st.sampled_from(["x", "extra", "9"]), min_size=1, max_size=3))
        if kind == "good":
            good_ids.append(iid)
        rows.append(values)
        kinds[i] = kind

    buf = io.StringIO(newline="")
    writer = csv.writer(buf, delimiter=delimiter, quoting=quoting, lineterminator=terminator)
    writer.writerow(ACLED_COLUMNS)
    lines = []
    for values in rows:
        before = buf.getvalue()
        lines.append(1 + (before.count("\r") if terminator == "\r" else before.count("\n")))
        writer.writerow(values)
    data = buf.getvalue().encode(encoding)
    expected = {
        "rows": len(rows),
        "good": kinds.count("good"),
        "junk_lines": sorted(line for line, k in zip(lines, kinds, strict=True) if k != "good"),
        "encoding": encoding,
        "delimiter": delimiter,
        "terminator": terminator,
    }
    return data, expected


@st.composite
def damaged_files(draw: st.DrawFn) -> bytes:
    """A well-formed file, then damaged: bytes inserted, deleted, overwritten, cut."""
    data = bytearray(draw(acled_files())[0])
    for _ in range(draw(st.integers(1, 6))):
        op = draw(st.sampled_from(["insert", "delete", "overwrite", "truncate", "repeat"]))
        pos = draw(st.integers(0, len(data)))
        chunk = draw(st.binary(min_size=1, max_size=40))
        if op == "insert":
            data[pos:pos] = chunk
        elif op == "delete":
            del data[pos : pos + len(chunk)]
        elif op == "overwrite":
            data[pos : pos + len(chunk)] = chunk
        elif op == "truncate":
            del data[pos:]
        else:
            data[pos:pos] = data[pos : pos + draw(st.integers(1, 400))]
    return bytes(data)


def _text_junk() -> st.SearchStrategy[bytes]:
    return st.builds(
        lambda text, enc: (
            (codecs.BOM_UTF8 if enc == "utf-8-sig" else b"")
            + text.encode(enc.replace("-sig", ""), errors="replace")
        ),
        st.text(max_size=2_000),
        st.sampled_from(ENCODINGS),
    )


INPUTS = st.one_of(
    acled_files().map(lambda pair: ("well_formed", *pair)),
    damaged_files().map(lambda data: ("damaged", data, None)),
    st.binary(max_size=3_000).map(lambda data: ("random_bytes", data, None)),
    _text_junk().map(lambda data: ("random_text", data, None)),
)


# --------------------------------------------------------------------------- checks


def _ingest(data: bytes, store: Any = None) -> IngestReport | FileRefused:
    """Run the pipeline; any exception but FileRefused is counted and re-raised."""
    COUNTS["inputs_tried"] += 1
    try:
        if store is None:
            return ingest_bytes(data, "fuzz.csv", None, dry_run=True, gazetteer=default_gazetteer())
        return ingest_bytes(data, "fuzz.csv", store, gazetteer=default_gazetteer())
    except FileRefused as exc:
        COUNTS["refused"] += 1
        return exc
    except Exception:
        COUNTS["uncaught_exceptions"] += 1
        raise


def _check_report(report: IngestReport) -> None:
    assert report.rows_read == report.accepted + report.rejected + report.duplicates
    assert min(report.rows_read, report.accepted, report.rejected, report.duplicates) >= 0
    assert report.updated <= report.accepted
    error_lines = {e.line for e in report.errors if e.line is not None}
    assert len(error_lines) == report.rejected
    assert all(isinstance(line, int) and line >= 2 for line in error_lines)
    for issue in report.errors + report.warnings:
        assert issue.message and issue.message.strip()
    json.dumps(report.to_dict(), default=str)  # the CLI can always print it


def _check_refusal(exc: FileRefused) -> None:
    message = str(exc)
    assert message.strip() and "\n" not in message, repr(message)


# The two property tests count into this process's COUNTS: under `make test`
# (`-n 2 --dist loadgroup`) they run on one worker so that one set of counters holds
# both, and the module's teardown on that worker writes them (a test that read the
# counters instead depended on running after both, which xdist does not promise).
_ONE_WORKER = pytest.mark.xdist_group("pipeline_properties")


@pytest.fixture(scope="module", autouse=True)
def _pipeline_figures(record_figures) -> Any:
    """After this module's tests on a worker: the counters to var/reliability.json."""
    yield
    if not COUNTS["inputs_tried"]:  # the property tests ran on the other worker
        return
    record_figures(
        "pipeline",
        {
            "examples_setting": EXAMPLES,
            "inputs_tried": COUNTS["inputs_tried"],
            "uncaught_exceptions": COUNTS["uncaught_exceptions"],
            "refused": COUNTS["refused"],
            "reports": COUNTS["reports"],
            "well_formed_files": COUNTS["kind_well_formed"],
            "damaged_files": COUNTS["kind_damaged"],
            "random_bytes": COUNTS["kind_random_bytes"],
            "random_text": COUNTS["kind_random_text"],
            "rows_checked_exactly": COUNTS["rows_checked_exactly"],
            "store_round_trips": COUNTS["store_round_trips"],
        },
    )


@_ONE_WORKER
@settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(INPUTS)
def test_any_input_ends_in_a_report_or_a_refusal(case: tuple[str, bytes, Any]) -> None:
    kind, data, expected = case
    COUNTS[f"kind_{kind}"] += 1
    outcome = _ingest(data)
    if isinstance(outcome, FileRefused):
        _check_refusal(outcome)
        assert kind != "well_formed", f"a well-formed file was refused: {outcome}"
        return
    _check_report(outcome)
    COUNTS["reports"] += 1
    if expected is not None:  # the outcome of a well-formed file is known row by row
        assert outcome.rows_read == expected["rows"]
        assert outcome.accepted == expected["good"]
        assert sorted({e.line for e in outcome.errors}) == expected["junk_lines"], expected
        COUNTS["rows_checked_exactly"] += expected["rows"]


@pytest.fixture(scope="module")
def fuzz_store(tmp_path_factory: pytest.TempPathFactory) -> Any:
    from geo.ingest.seed import open_store

    return open_store(tmp_path_factory.mktemp("fuzzstore") / "atlas.sqlite")


@_ONE_WORKER
@settings(
    max_examples=max(EXAMPLES // 10, 30),
    deadline=None,
    suppress_health_check=[
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
        HealthCheck.function_scoped_fixture,
    ],
)
@given(st.one_of(acled_files().map(lambda pair: pair[0]), damaged_files()))
def test_into_a_store_counts_add_up_and_a_repeat_changes_nothing(
    fuzz_store: Any, data: bytes
) -> None:
    store = fuzz_store
    n_before, version_before = len(store.incidents()), store.version()
    first = _ingest(data, store)
    if isinstance(first, FileRefused):
        _check_refusal(first)
        assert store.version() == version_before
        assert len(store.incidents()) == n_before
        return
    _check_report(first)
    after_first = store.incidents()
    assert len(after_first) == n_before + first.accepted - first.updated
    assert first.upload_id in set(store.uploads()["upload_id"])
    again = _ingest(data, store)
    assert isinstance(again, IngestReport)
    _check_report(again)
    assert (again.accepted, again.updated) == (0, 0)
    assert again.duplicates == first.accepted + first.duplicates
    assert again.rejected == first.rejected
    pd.testing.assert_frame_equal(store.incidents(), after_first)
    COUNTS["store_round_trips"] += 1


# --------------------------------------------------------------------------- bad corpus


def _files_of(db: Path) -> dict[str, str]:
    """SHA-256 of the SQLite file and of every -wal / -shm / -journal beside it."""
    return {
        p.name: hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(db.parent.iterdir())
        if p.name.startswith(db.name)
    }


@pytest.fixture(scope="module")
def corpus_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A seeded store, closed so that everything is in the main file (no -wal, no -shm)."""
    from geo.ingest.seed import open_store

    db = tmp_path_factory.mktemp("corpus") / "pristine.sqlite"
    store = open_store(db)
    assert len(store.incidents()) > 0
    store.engine.dispose()
    assert set(_files_of(db)) == {db.name}, "the store did not close cleanly"
    return db


@pytest.fixture(scope="module")
def seed_ids(corpus_store: Path, tmp_path_factory: pytest.TempPathFactory) -> set[str]:
    """The incident ids of the corpus store (read from a copy: the original stays closed)."""
    from geo.ingest.seed import open_store

    copy = tmp_path_factory.mktemp("corpus_copy") / "copy.sqlite"
    copy.write_bytes(corpus_store.read_bytes())
    return set(open_store(copy).incidents()["incident_id"])


@pytest.mark.parametrize("entry", MANIFEST, ids=[e["file"] for e in MANIFEST])
def test_bad_corpus_through_the_cli(
    entry: dict[str, Any],
    corpus_store: Path,
    seed_ids: set[str],
    tmp_path: Path,
    capsys: pytest.CaptureFixture,
) -> None:
    db = tmp_path / "atlas.sqlite"
    db.write_bytes(corpus_store.read_bytes())
    before = _files_of(db)
    code = cli(["ingest", str(BAD / entry["file"]), "--db", str(db)])
    out = json.loads(capsys.readouterr().out)
    if entry["outcome"] == "refused":
        assert code == 2
        assert out["refused"] is True
        assert entry["message_contains"].lower() in out["message"].lower()
        # nothing written: once every connection the CLI may have opened is closed
        # (SQLite then folds any WAL into the main file and deletes it), the main
        # file is byte for byte as before and no -wal/-shm is left beside it
        gc.collect()
        assert _files_of(db) == before
        return
    assert code == 0
    lines = sorted({e["line"] for e in out["errors"] if e["line"] is not None})
    assert lines == entry["rejected_lines"], out["errors"]
    assert out["accepted"] + out["duplicates"] == entry["accepted"]
    assert out["rows_read"] == out["accepted"] + out["rejected"] + out["duplicates"]
    from geo.ingest.seed import open_store

    store = open_store(db)
    assert out["upload_id"] in set(store.uploads()["upload_id"])
    # the seed is all still there, and exactly the accepted rows were added
    stored = store.incidents()
    assert seed_ids <= set(stored["incident_id"])
    assert len(stored) == len(seed_ids) + out["accepted"] - out["updated"]


def test_a_refused_file_exits_2_from_a_real_process(corpus_store: Path, tmp_path: Path) -> None:
    db = tmp_path / "atlas.sqlite"
    db.write_bytes(corpus_store.read_bytes())
    before = _files_of(db)
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "geo",
            "ingest",
            str(BAD / "excel_renamed.xlsx.csv"),
            "--db",
            str(db),
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert proc.returncode == 2, proc.stderr
    assert json.loads(proc.stdout)["refused"] is True
    assert "Traceback" not in proc.stderr and "Excel" in proc.stderr
    assert _files_of(db) == before


# --------------------------------------------------------------------------- export round trip

#: A spreadsheet runs a cell that starts with one of these (OWASP "CSV injection").
TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
FORMULA_ROWS = [
    # incident_id, actor1, notes, latitude, longitude, killed
    (
        "RT1",
        '=HYPERLINK("http://example.invalid/x","click")',
        "+cmd|' /C calc'!A0",
        34.0089,
        71.5785,
        3,
    ),
    ("RT2", "-2+3", "@SUM(A1:A9)", 30.1798, 66.9750, 0),
    ("RT3", "Plain actor", "A normal note; with = inside", 31.6133, 65.7101, 12),
    ("RT4", "-10", "Negative longitude, far outside the region", 51.5074, -0.1278, None),
    # TAB / CR first: the pipeline trims every cell, so what is left must be safe too
    ("RT5", "\tTab-led actor", "\r=1+2 after a CR", 34.5281, 69.1723, 1),
]


def _frame(rows: list[tuple]) -> pd.DataFrame:
    frame = pd.DataFrame(
        {
            "incident_id": [r[0] for r in rows],
            "event_date": [f"2024-03-{i + 10}" for i in range(len(rows))],
            "date_precision": "day",
            "event_type": "Battles",
            "actor1": [r[1] for r in rows],
            "notes": [r[2] for r in rows],
            "latitude": [r[3] for r in rows],
            "longitude": [r[4] for r in rows],
            "killed": pd.array([r[5] for r in rows], dtype="Int64"),
            "source": "round-trip test",
        }
    )
    return frame


def test_export_round_trip_neutralises_formulas_and_keeps_numbers(tmp_path: Path) -> None:
    from geo.ingest.seed import open_store

    upload = tmp_path / "formulas.csv"
    # CRLF line ends make the csv writer quote the cell holding a bare CR
    _frame(FORMULA_ROWS).to_csv(upload, index=False, lineterminator="\r\n")
    first_db, second_db = tmp_path / "first.sqlite", tmp_path / "second.sqlite"
    assert cli(["ingest", str(upload), "--db", str(first_db)]) == 0
    first = open_store(first_db)
    ids = [r[0] for r in FORMULA_ROWS]
    stored = first.incidents().set_index("incident_id").loc[ids]
    # the store keeps the text as written, trimmed of surrounding blanks
    for iid, actor, notes, *_ in FORMULA_ROWS:
        assert stored.loc[iid, "actor1"] == actor.strip()
        assert stored.loc[iid, "notes"] == notes.strip()

    exported = tmp_path / "export.csv"
    assert cli(["export", "--format", "csv", "--out", str(exported), "--db", str(first_db)]) == 0
    cells = list(csv.reader(io.StringIO(exported.read_text(encoding="utf-8-sig"), newline="")))
    header = cells[0]
    rows = {row[0]: dict(zip(header, row, strict=True)) for row in cells[1:]}
    assert header[0] == "incident_id" and len(rows) == len(first.incidents())
    numeric = {"latitude", "longitude", "killed", "injured", "killed_low", "killed_high",
               "geo_precision", "border_distance_km"}  # fmt: skip
    # no text cell of the whole export starts a formula
    for row in rows.values():
        for col, value in row.items():
            if col not in numeric:
                assert not value.startswith(TRIGGERS), (row["incident_id"], col, value)
    for iid, _actor, _notes, lat, lon, killed in FORMULA_ROWS:
        row = rows[iid]
        for col in ("actor1", "notes"):
            # neutralised visibly: a leading apostrophe, the text itself intact
            text = stored.loc[iid, col]
            want = "'" + text if text.startswith(TRIGGERS) else text
            assert row[col] == want, (iid, col)
        # numbers untouched: no apostrophe, the same value
        assert float(row["latitude"]) == lat and float(row["longitude"]) == lon
        assert row["killed"] == ("" if killed is None else str(killed))
    assert rows["RT4"]["longitude"].startswith("-")
    assert rows["RT2"]["actor1"] == "'-2+3" and rows["RT5"]["notes"] == "'=1+2 after a CR"

    # the export goes back in: text keeps its visible quote, numbers come back equal
    assert cli(["ingest", str(exported), "--db", str(second_db)]) == 0
    again = open_store(second_db).incidents().set_index("incident_id").loc[ids]
    for iid, _actor, _notes, lat, lon, killed in FORMULA_ROWS:
        for col in ("actor1", "notes"):
            text = stored.loc[iid, col]
            want = "'" + text if text.startswith(TRIGGERS) else text
            assert again.loc[iid, col] == want, (iid, col)
        assert again.loc[iid, "latitude"] == lat and again.loc[iid, "longitude"] == lon
        if killed is None:
            assert pd.isna(again.loc[iid, "killed"])
        else:
            assert again.loc[iid, "killed"] == killed
        assert again.loc[iid, "admin1_code"] == stored.loc[iid, "admin1_code"] or (
            pd.isna(again.loc[iid, "admin1_code"]) and pd.isna(stored.loc[iid, "admin1_code"])
        )


# --------------------------------------------------------------------------- mixed encodings


def test_one_stray_cp1252_byte_does_not_silently_garble_utf8_names() -> None:
    data = (
        "event_id_cnty,event_date,time_precision,event_type,sub_event_type,actor1,location,"
        "latitude,longitude,fatalities\n"
        "PAK1,2024-01-02,1,Battles,Armed clash,TTP,پشاور,34.0089,71.5785,1\n"
    ).encode() + b"PAK2,2024-01-03,1,Battles,Armed clash,TTP,Bara\x92s market,33.91,71.46,2\n"
    from geo.ingest.pipeline import prepare

    prepared = prepare(data, "mixed.csv", gazetteer=default_gazetteer())
    names = prepared.frame["location"].tolist()
    assert names == ["پشاور", "Bara\u2019s market"]
    stray = [w for w in prepared.report.warnings if "not UTF-8" in w.message]
    assert [(w.line, w.column, w.value) for w in stray] == [(3, "location", "Bara\u2019s market")]
    assert prepared.report.accepted == 2 and prepared.report.rejected == 0
