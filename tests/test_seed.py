"""Seeding a new store from the curated tables: once, in one transaction, never again.

Every test runs on SQLite and on PostgreSQL (the ``store_url`` fixture).
"""

from __future__ import annotations

import multiprocessing as mp
from pathlib import Path

import pytest

from geo.ingest.seed import open_store, read_curated_claims, seed_store
from geo.store.core import Store

SEED_CSV = """incident_id,event_date,event_type,location,admin1,admin1_code,country,country_code,latitude,longitude,geo_precision,killed,source
SEED-1,2024-01-05,Battles,Peshawar,Khyber Pakhtunkhwa,PK-KP,Pakistan,PAK,34.0151,71.5249,1,2,Dawn
SEED-2,2024-02-06,Explosions/Remote violence,Kandahar,Kandahar,AF-KAN,Afghanistan,AFG,31.6289,65.7372,1,,Pajhwok
"""
SEED_CLAIMS = """claim_id,statement_date,claimant,stance,groups,territory_code,quote,source
C-1,2024-03-01,A Spokesman,denies_presence,TTP,AFG,"No such groups here.",Tolo
C-2,2024-03-02,A Minister,accuses,TTP;ISKP,AFG,"They operate from there.",Dawn
C-2,2024-03-03,A Copy,accuses,TTP,AFG,"A repeated id keeps the first.",Dawn
"""


@pytest.fixture
def seed_dir(tmp_path: Path) -> Path:
    folder = tmp_path / "seed"
    folder.mkdir()
    (folder / "incidents.csv").write_text(SEED_CSV, encoding="utf-8")
    (folder / "claims.csv").write_text(SEED_CLAIMS, encoding="utf-8")
    return folder


def test_a_new_store_is_empty_until_the_seed_step(store_url: str, seed_dir: Path) -> None:
    store = Store(store_url)
    assert store.incidents().empty and store.seed_state() is None
    assert seed_store(store, seed_dir) is True
    got = store.incidents()
    assert sorted(got["incident_id"]) == ["SEED-1", "SEED-2"]
    assert set(got["upload_id"]) == {"seed"}
    assert got.set_index("incident_id").loc["SEED-1", "admin1_code"] == "PK-KP"
    assert got.set_index("incident_id")["killed"].isna().loc["SEED-2"]  # unknown, not 0
    claims = store.claims()
    assert claims["claim_id"].tolist() == ["C-1", "C-2"]
    assert claims.loc[1, "groups"] == "TTP;ISKP"
    uploads = store.uploads()
    assert uploads["upload_id"].tolist() == ["seed"]
    assert uploads["user"].tolist() == ["curated"]
    assert store.seed_state().endswith("Z")


def test_seeding_again_changes_nothing_even_when_the_files_change(
    store_url: str, seed_dir: Path
) -> None:
    path = store_url
    seed_store(Store(path), seed_dir)
    (seed_dir / "incidents.csv").write_text(SEED_CSV.replace("SEED-2", "SEED-3"), "utf-8")
    again = Store(path)
    assert seed_store(again, seed_dir) is False
    assert sorted(again.incidents()["incident_id"]) == ["SEED-1", "SEED-2"]
    assert len(again.uploads()) == 1


def test_a_store_made_unseeded_stays_empty(store_url: str, seed_dir: Path) -> None:
    store = Store(store_url, seed=False)
    assert seed_store(store, seed_dir) is False
    assert store.seed_state() == "skipped"
    assert store.incidents().empty and store.uploads().empty


def test_open_store_seeds_from_the_project_data(store_url: str) -> None:
    store = open_store(store_url)
    assert store.uploads()["upload_id"].tolist() == ["seed"]
    assert len(store.incidents()) > 0 and len(store.claims()) > 0


def test_curated_claims_drop_blank_and_repeated_ids(tmp_path: Path) -> None:
    path = tmp_path / "claims.csv"
    path.write_text(SEED_CLAIMS + ",2024-03-04,No Id,accuses,TTP,AFG,x,y\n", encoding="utf-8")
    claims = read_curated_claims(path)
    assert claims["claim_id"].tolist() == ["C-1", "C-2"]
    assert claims.loc[1, "claimant"] == "A Minister"
    assert read_curated_claims(tmp_path / "missing.csv").empty


def _seed_and_count(path: str, folder: str, out) -> None:
    store = Store(path)
    seed_store(store, Path(folder))
    out.put(len(store.incidents()))


@pytest.mark.slow
def test_two_processes_seeding_a_new_store_seed_it_once(store_url: str, seed_dir: Path) -> None:
    path = store_url
    ctx = mp.get_context("spawn")
    out = ctx.Queue()
    procs = [ctx.Process(target=_seed_and_count, args=(path, str(seed_dir), out)) for _ in range(2)]
    for p in procs:
        p.start()
    for p in procs:
        p.join(240)
    assert [p.exitcode for p in procs] == [0, 0]
    assert [out.get(), out.get()] == [2, 2]
    store = Store(path)
    assert len(store.uploads()) == 1
    assert len(store.incidents()) == 2
