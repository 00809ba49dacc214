"""geo.ingest.claims: a claims CSV checked row by row, stored as one upload, undone exactly."""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys
from pathlib import Path

import pytest
from storehelp import dump

from geo.ingest.claims import ingest_claims, prepare_claims
from geo.ingest.seed import open_store
from geo.report import FileRefused
from geo.schema import CLAIM_COLUMNS
from geo.store.auth import Role, User
from geo.store.core import Store
from geo.store.transactions import UnknownUpload

TODAY = dt.date(2026, 1, 1)

HEADER = (
    "Claim ID,Date,Speaker,Role,Claimant country,Stance,Groups,Territory,"
    "Accused country,Figure,Unit,Quote,Source,URL\n"
)
GOOD = [
    "T-1,2025-03-04,A spokesman,Foreign Office,Pakistan,asserts,ISIS-K;Tehreek-e-Taliban "
    'Pakistan,AFG,,"2,000",fighters,they are there,Dawn,https://example.org/a\n',
    "T-2,March 2025,UN monitoring team,UN,UN,asserts_presence,al-Qaida,AF-KNR,,,,,UN report,\n",
    "T-3,2025-05-01,A minister,,IRN,accuses,Jaish al-Adl,,PAK,,,<script>alert(1)</script>,"
    "Tasnim,\n",
]
BAD = [
    "T-4,2031-01-01,Someone,,PAK,denies,TTP,PAK,,,,,Paper,\n",  # line 5: future
    "T-5,2025-04-01,,,PAK,maybe,TTP,ZZZ,,lots,,,,\n",  # line 6: five problems
    "T-1,2025-03-05,Another,,PAK,asserts,TTP,AFG,,,,,Dawn,\n",  # line 7: id repeated
    "T-6,2025-04-02,A minister,,PAK,denies presence,TTP,,,,,,Dawn,\n",  # line 8: no territory
]


def _file(rows: list[str]) -> bytes:
    return (HEADER + "".join(rows)).encode()


def _errors(report) -> list[tuple[int, str]]:
    return [(i.line, i.column) for i in report.errors]


def test_good_rows_are_mapped_cleaned_and_kept():
    prepared = prepare_claims(_file(GOOD), "c.csv", today=TODAY)
    rows = prepared.frame.set_index("claim_id")
    assert list(rows.index) == ["T-1", "T-2", "T-3"]
    assert rows.at["T-1", "groups"] == "IS-KP;TTP"  # through the alias table
    assert rows.at["T-1", "claimant_country_code"] == "PAK"  # the name read as its code
    assert rows.at["T-1", "figure"] == "2000"
    assert rows.at["T-1", "source_ref"] == "https://example.org/a"
    assert (rows.at["T-2", "statement_date"], rows.at["T-2", "date_precision"]) == (
        "2025-03-01",
        "month",
    )
    assert rows.at["T-2", "territory_code"] == "AF-KNR"  # a province code
    assert rows.at["T-3", "quote"] == "<script>alert(1)</script>"  # stored as written
    assert prepared.report.errors == []
    warned = [(i.line, i.column, i.value) for i in prepared.report.warnings]
    assert warned == [(2, "claimant_country_code", "Pakistan")]


def test_every_bad_row_is_reported_with_its_line_and_reason():
    prepared = prepare_claims(_file(GOOD + BAD), "c.csv", today=TODAY)
    report = prepared.report
    assert (report.rows_read, report.accepted, report.rejected) == (7, 3, 4)
    assert _errors(report) == [
        (5, "statement_date"),
        (6, "claimant"),
        (6, "figure"),
        (6, "source"),
        (6, "stance"),
        (6, "territory_code"),
        (7, "claim_id"),
        (8, "territory_code"),
    ]
    by_place = {(i.line, i.column): i.message for i in report.errors}
    assert "in the future" in by_place[(5, "statement_date")]
    assert "asserts_presence, denies_presence" in by_place[(6, "stance")]
    assert "'ZZZ' is not an ISO 3166 code" in by_place[(6, "territory_code")]
    assert "came earlier in the file" in by_place[(7, "claim_id")]
    assert "needs the territory" in by_place[(8, "territory_code")]
    assert sorted(prepared.frame["claim_id"]) == ["T-1", "T-2", "T-3"]


def test_an_unknown_group_is_kept_with_a_warning():
    row = "T-9,2025-01-01,X,,PAK,asserts,Lashkar-e-Jhangvi,PAK,,,,,Paper,\n"
    prepared = prepare_claims(_file([row]), "c.csv", today=TODAY)
    assert prepared.frame["groups"].tolist() == ["Lashkar-e-Jhangvi"]
    assert [(i.line, i.column) for i in prepared.report.warnings] == [(2, "groups")]


def test_a_row_without_id_gets_a_content_id_that_repeats_for_the_same_statement():
    row = ",2025-01-01,X,,PAK,asserts,TTP,AFG,,,,,Paper,\n"
    first = prepare_claims(_file([row]), "a.csv", today=TODAY).frame["claim_id"].tolist()
    again = prepare_claims(_file([row]), "b.csv", today=TODAY).frame["claim_id"].tolist()
    assert first == again and first[0].startswith("C-") and len(first[0]) == 14


def test_an_incident_file_is_refused_with_a_hint():
    with pytest.raises(FileRefused, match="is it an incident file"):
        prepare_claims(b"event_date,location,killed\n2025-01-01,Kabul,3\n", "i.csv", today=TODAY)
    with pytest.raises(FileRefused, match="needs a stance column"):
        prepare_claims(b"date,speaker\n2025-01-01,X\n", "c.csv", today=TODAY)


def test_a_store_takes_the_good_rows_as_one_upload_and_undo_restores_the_ledger(store_url):
    store = open_store(store_url)
    assert len(store.claims()) == 27  # the seed, seeded on first read
    before = dump(store)
    report = ingest_claims(_file(GOOD + BAD), "claims.csv", store, today=TODAY)
    assert (report.accepted, report.rejected) == (3, 4) and report.upload_id
    ledger = store.claims().set_index("claim_id")
    assert len(ledger) == 27 + 3 and ledger.at["T-1", "groups"] == "IS-KP;TTP"
    upload = store.uploads().set_index("upload_id").loc[report.upload_id]
    assert (upload["format"], upload["accepted"], upload["rejected"]) == ("claims", 3, 4)
    again = ingest_claims(_file(GOOD), "claims.csv", store, today=TODAY)
    assert (again.upload_id, again.accepted, again.duplicates) == (None, 0, 3)
    result = store.undo(report.upload_id)
    assert (result["claims_removed"], result["removed"]) == (3, 0)
    assert dump(store) == before
    redone = store.redo(report.upload_id)
    assert len(store.claims()) == 30 and redone["redo_of"] == report.upload_id
    with pytest.raises(UnknownUpload):
        store.redo(report.upload_id)


def test_a_clash_with_the_ledger_is_an_error_and_a_dry_run_writes_nothing(db_url):
    store = open_store(db_url)
    seed_row = store.claims().iloc[0]
    clash = f"{seed_row['claim_id']},2025-01-01,X,,PAK,asserts,TTP,AFG,,,,,Paper,\n"
    before = dump(store)
    report = ingest_claims(_file([clash]), "c.csv", store, dry_run=True, today=TODAY)
    assert report.dry_run and _errors(report) == [(2, "claim_id")]
    assert "already holds this claim_id" in report.errors[0].message
    assert dump(store) == before


def test_a_viewer_may_not_add_claims(db_url):
    store = open_store(db_url)
    viewer = User("reader", Role.VIEWER)
    from geo.store.auth import NotAllowed

    with pytest.raises(NotAllowed):
        ingest_claims(_file(GOOD), "c.csv", store, actor=viewer, today=TODAY)
    assert len(store.claims()) == 27


def test_the_cli_ingests_claims_and_prints_the_report(tmp_path: Path):
    src = tmp_path / "claims.csv"
    src.write_bytes(_file(GOOD + BAD[1:2]))
    db = tmp_path / "atlas.db"
    out = subprocess.run(
        [sys.executable, "-m", "geo", "ingest", "--kind", "claims", str(src), "--db", str(db)],
        capture_output=True,
        text=True,
        check=True,
    )
    report = json.loads(out.stdout)
    assert (report["format"], report["accepted"], report["rejected"]) == ("claims", 3, 1)
    assert {e["line"] for e in report["errors"]} == {5}
    stored = Store(str(db)).claims()
    assert set(CLAIM_COLUMNS) <= set(stored.columns) and len(stored) == 30
    bad = subprocess.run(
        [sys.executable, "-m", "geo", "ingest", "--kind", "claims", str(src), "--db", str(db),
         "--format", "acled"],
        capture_output=True,
        text=True,
    )  # fmt: skip
    assert bad.returncode == 2 and "not --kind claims" in bad.stderr
