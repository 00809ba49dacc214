"""Tests for the curated seed tables: data/incidents.csv and data/claims.csv (issue 3).

The rows are read from the seed documents in ``../shared/seeds``; these tests
check that the tables keep the canonical shape, stay traceable to those
documents, are honest about what is unknown, and pass the ingest pipeline.
"""

from __future__ import annotations

import csv
import datetime as dt
import re
import unicodedata
from pathlib import Path

import pycountry
import pytest

from geo.schema import (
    ADDED_COLUMNS,
    CLAIM_COLUMNS,
    CLAIM_STANCES,
    DATE_PRECISIONS,
    EVENT_TYPES,
    GEOCODE_SOURCES,
    INCIDENT_COLUMNS,
)

ROOT = Path(__file__).resolve().parent.parent
INCIDENTS = ROOT / "data" / "incidents.csv"
CLAIMS = ROOT / "data" / "claims.csv"
DOCUMENTS = ROOT / "data" / "seed_documents.csv"
SEEDS = ROOT.parent / "shared" / "seeds"
SEED_NAME = re.compile(r"^\d{3}_[0-9a-f]{16}\.txt$")

COUNT_COLUMNS = ["killed", "injured", "killed_low", "killed_high"]
SUB_EVENT_TYPES = {
    "Suicide bomb",
    "Armed clash",
    "Attack",
    "Remote explosive/landmine/IED",
    "Disrupted weapons use",
    "Arrests",
    "Other",
}
#: One spelling per group, shared by incidents (actors) and claims (groups).
GROUPS = {"IS-KP", "al-Qaeda", "TTP", "ETIM", "Jaish al-Adl", "Taliban"}
OTHER_SPELLINGS = re.compile(r"\b(ISKP|ISIS-K|IS-K|ISIL-K|Daesh)\b")


def _read(path: Path) -> tuple[list[str], list[dict[str, str]]]:
    with path.open(newline="", encoding="utf-8") as fh:
        reader = csv.DictReader(fh)
        return list(reader.fieldnames or []), list(reader)


def _incidents() -> list[dict[str, str]]:
    return _read(INCIDENTS)[1]


def _claims() -> list[dict[str, str]]:
    return _read(CLAIMS)[1]


def _refs(row: dict[str, str]) -> list[str]:
    return [r.strip() for r in row["source_ref"].split(";") if r.strip()]


def _flat(text: str) -> str:
    """Text with typographic quotes and dashes made plain and spaces collapsed."""
    text = unicodedata.normalize("NFKC", text)
    for a, b in (("\u2019", "'"), ("\u2018", "'"), ("\u201c", '"'), ("\u201d", '"')):
        text = text.replace(a, b)
    return re.sub(r"\s+", " ", text).strip().lower()


def _needs_seeds() -> None:
    if not SEEDS.is_dir():
        pytest.skip(f"seed documents not found at {SEEDS}")


def _is_iso3(code: str) -> bool:
    return pycountry.countries.get(alpha_3=code) is not None


def _is_subdivision(code: str) -> bool:
    return pycountry.subdivisions.get(code=code) is not None


# --------------------------------------------------------------------------- shape


def test_incident_file_has_exactly_the_canonical_columns():
    header, rows = _read(INCIDENTS)
    # columns added to the schema later (event_time, injured ranges) are empty in the seed
    assert header == [c for c in INCIDENT_COLUMNS if c not in ADDED_COLUMNS]
    assert rows, "no incidents"


def test_claim_file_has_exactly_the_canonical_columns():
    header, rows = _read(CLAIMS)
    assert header == CLAIM_COLUMNS
    assert rows, "no claims"


def test_ids_are_unique_and_stable_looking():
    incident_ids = [r["incident_id"] for r in _incidents()]
    claim_ids = [r["claim_id"] for r in _claims()]
    assert len(incident_ids) == len(set(incident_ids))
    assert len(claim_ids) == len(set(claim_ids))
    assert all(re.fullmatch(r"SEED-\d{4}", i) for i in incident_ids), incident_ids
    assert all(re.fullmatch(r"SEED-C\d{3}", i) for i in claim_ids), claim_ids


# --------------------------------------------------------------------------- sources


@pytest.mark.parametrize("path", [INCIDENTS, CLAIMS], ids=["incidents", "claims"])
def test_every_row_names_seed_documents_as_source_ref(path):
    for row in _read(path)[1]:
        refs = _refs(row)
        assert refs, f"{row} has no source_ref"
        for ref in refs:
            assert SEED_NAME.match(ref), f"{ref!r} is not a seed file name"
        assert row["source"].strip(), f"{refs} has no source"


@pytest.mark.parametrize("path", [INCIDENTS, CLAIMS], ids=["incidents", "claims"])
def test_every_source_ref_exists(path):
    _needs_seeds()
    existing = {p.name for p in SEEDS.iterdir()}
    missing = {ref for row in _read(path)[1] for ref in _refs(row)} - existing
    assert not missing


def test_every_seed_document_gives_at_least_one_row():
    _needs_seeds()
    used = {ref for row in _incidents() + _claims() for ref in _refs(row)}
    unused = {p.name for p in SEEDS.glob("*.txt")} - used
    assert not unused


def test_source_names_the_publication_only_where_the_document_names_it():
    _needs_seeds()
    for row in _incidents() + _claims():
        sources = [s.strip() for s in row["source"].split(";")]
        refs = _refs(row)
        assert len(sources) == len(refs), (row["source"], refs)
        for source, ref in zip(sources, refs, strict=True):
            if source.startswith("unnamed"):
                assert f"(seed {ref[:3]})" in source, (source, ref)
            else:
                assert source in (SEEDS / ref).read_text(encoding="utf-8"), (source, ref)


def _documents() -> dict[str, dict[str, str]]:
    return {r["source_ref"]: r for r in _read(DOCUMENTS)[1]}


def test_every_source_ref_has_a_described_document():
    documents = _documents()
    used = {ref for row in _incidents() + _claims() for ref in _refs(row)}
    assert used <= set(documents), used - set(documents)
    for ref, doc in documents.items():
        assert SEED_NAME.match(ref), ref
        assert doc["published"].strip() and doc["date_basis"].strip(), ref
        assert 150 <= len(doc["summary"]) <= 900, (ref, len(doc["summary"]))


def test_document_publication_and_title_are_the_documents_own():
    _needs_seeds()
    for ref, doc in _documents().items():
        text = _flat((SEEDS / ref).read_text(encoding="utf-8"))
        for field in ("publication", "title", "dateline"):
            if doc[field].strip():
                assert _flat(doc[field]).lower() in text.lower(), (ref, field, doc[field])


def _words(text: str) -> list[str]:
    return re.findall(r"[a-z0-9']+", _flat(text).lower().replace("’", "'"))


def test_document_summaries_are_in_our_own_words():
    """No run of eight words of a summary stands in its document (names and titles aside)."""
    _needs_seeds()
    for ref, doc in _documents().items():
        source = _words((SEEDS / ref).read_text(encoding="utf-8"))
        runs = {tuple(source[i : i + 8]) for i in range(len(source) - 7)}
        mine = _words(doc["summary"])
        copied = [
            " ".join(mine[i : i + 8])
            for i in range(len(mine) - 7)
            if tuple(mine[i : i + 8]) in runs
        ]
        assert not copied, (ref, copied)


def test_quotes_are_the_claimants_words_found_in_the_documents():
    _needs_seeds()
    quoted = [r for r in _claims() if r["quote"].strip()]
    assert quoted
    for row in quoted:
        texts = [_flat((SEEDS / ref).read_text(encoding="utf-8")) for ref in _refs(row)]
        assert any(_flat(row["quote"]) in t for t in texts), row["quote"]
        assert len(row["quote"]) <= 120, "quotes stay short"


# --------------------------------------------------------------------------- casualties


def test_casualties_are_whole_numbers_or_empty_never_zero_for_unknown():
    for row in _incidents():
        nobody_hurt = "nobody" in row["casualty_note"].lower()
        for col in COUNT_COLUMNS:
            value = row[col].strip()
            if not value:
                continue
            assert value.isdigit(), (row["incident_id"], col, value)
            if int(value) == 0:
                assert nobody_hurt, f"{row['incident_id']} {col} is 0 without a 'nobody' note"


def test_unknown_counts_carry_a_note():
    for row in _incidents():
        if not row["killed"].strip():
            assert row["casualty_note"].strip(), row["incident_id"]


def test_counts_quoted_in_the_brief_are_kept_as_reported():
    by_place = {r["location"]: r for r in _incidents()}
    kunduz = by_place["Kabul Bank branch, Kunduz"]
    assert (kunduz["killed"], kunduz["injured"]) == ("5", "7")
    assert kunduz["casualty_note"].startswith("at least")
    assert by_place["Kocha Risaldar mosque, Peshawar"]["killed"] == "67"
    assert by_place["Sambaza, Zhob district"]["killed"] == ""
    assert by_place["Tirah valley, Khyber district"]["killed"] == "1"


# --------------------------------------------------------------------------- dates


def _date_rows() -> list[tuple[str, str, str]]:
    rows = [(r["incident_id"], r["event_date"], r["date_precision"]) for r in _incidents()]
    rows += [(r["claim_id"], r["statement_date"], r["date_precision"]) for r in _claims()]
    return rows


def test_dates_parse_are_not_in_the_future_and_follow_the_precision_convention():
    today = dt.date.today()
    for row_id, text, precision in _date_rows():
        day = dt.date.fromisoformat(text)
        assert dt.date(2000, 1, 1) <= day <= today, (row_id, text)
        assert precision in DATE_PRECISIONS, (row_id, precision)
        # A coarse date is stored as the first day of its period (as GTD import does).
        if precision == "week":
            assert day.weekday() == 0, (row_id, text, "week dates are Mondays")
        elif precision == "month":
            assert day.day == 1, (row_id, text)
        elif precision == "year":
            assert (day.month, day.day) == (1, 1), (row_id, text)


#: Rows whose date the documents fix by a weekday ("on Friday", "Tuesday, February 11").
WEEKDAYS = {
    "SEED-0001": "Friday",  # Mazar-i-Sharif killing, "On Friday"
    "SEED-C001": "Saturday",  # Fitrat, "on Saturday"
    "SEED-C013": "Tuesday",  # Balkhi, "late on Tuesday, February 11"
    "SEED-C017": "Monday",  # Gen Asim Munir, "On Monday"
    "SEED-C019": "Tuesday",  # Taliban statement "late Tuesday"
    "SEED-C020": "Wednesday",  # Mujahid to AFP "on Wednesday"
    "SEED-0006": "Tuesday",  # Kunduz bombing, the day of Balkhi's Tuesday statement
}


def test_dates_fixed_by_a_weekday_fall_on_that_weekday():
    dates = {row_id: (text, precision) for row_id, text, precision in _date_rows()}
    for row_id, weekday in WEEKDAYS.items():
        text, precision = dates[row_id]
        assert precision == "day", row_id
        assert dt.date.fromisoformat(text).strftime("%A") == weekday, (row_id, text)


def test_every_row_explains_its_date():
    for row in _incidents() + _claims():
        assert len(row["notes"]) > 40, row
        assert "Date" in row["notes"] or "dated" in row["notes"], row


# --------------------------------------------------------------------------- vocabularies


def test_incident_vocabularies():
    for row in _incidents():
        assert row["event_type"] in EVENT_TYPES, row["incident_id"]
        assert row["sub_event_type"] in SUB_EVENT_TYPES, row["incident_id"]
        assert row["geo_precision"] in {"1", "2", "3", "4"}, row["incident_id"]
        assert row["geocode_source"] in GEOCODE_SOURCES, row["incident_id"]
        assert row["cross_border"] in {"true", "false"}, row["incident_id"]
        assert not any(row[c] for c in ("border_distance_km", "qa_flags", "upload_id"))


def test_claim_vocabularies():
    for row in _claims():
        assert row["stance"] in CLAIM_STANCES, row["claim_id"]
        assert row["claimant"].strip() and row["claimant_role"].strip(), row["claim_id"]
        if row["figure"]:
            assert row["figure"].isdigit() and row["figure_unit"].strip(), row["claim_id"]
        else:
            assert not row["figure_unit"], row["claim_id"]


def test_group_names_use_one_spelling_everywhere():
    for row in _claims():
        groups = [g for g in row["groups"].split(";") if g]
        assert set(groups) <= GROUPS, (row["claim_id"], groups)
    for row in _incidents():
        for col in ("actor1", "actor2", "claimed_by"):
            assert not OTHER_SPELLINGS.search(row[col]), (row["incident_id"], row[col])
        if row["claimed_by"]:
            assert row["claimed_by"] in GROUPS, row["incident_id"]


def test_country_and_province_codes_are_iso():
    for row in _incidents():
        assert _is_iso3(row["country_code"]), row["incident_id"]
        if row["admin1_code"]:
            assert _is_subdivision(row["admin1_code"]), row["incident_id"]
            assert (
                row["admin1_code"][:2]
                == pycountry.countries.get(alpha_3=row["country_code"]).alpha_2
            )
        if row["origin_country_code"]:
            assert _is_iso3(row["origin_country_code"]), row["incident_id"]
            assert row["cross_border"] == "true", row["incident_id"]
    for row in _claims():
        code = row["claimant_country_code"]
        assert code == "UN" or _is_iso3(code), row["claim_id"]
        for col in ("territory_code", "accused_country_code"):
            if row[col]:
                assert _is_iso3(row[col]) or _is_subdivision(row[col]), (row["claim_id"], col)


def test_accused_country_only_on_accusations_and_rejections():
    for row in _claims():
        if row["stance"] in ("asserts_presence", "denies_presence"):
            assert not row["accused_country_code"], row["claim_id"]


def test_cross_border_origins_named_in_the_documents():
    by_place = {r["location"]: r for r in _incidents()}
    assert by_place["Tirah valley, Khyber district"]["origin_country_code"] == "AFG"
    assert by_place["Sambaza, Zhob district"]["origin_country_code"] == "AFG"
    assert by_place["Zhob cantonment"]["origin_country_code"] == "AFG"
    church = next(r for r in _incidents() if "church" in r["notes"].lower() and r["killed"] == "1")
    assert church["origin_country_code"] == "TJK"


# --------------------------------------------------------------------------- places

#: The places the issue names, and the province each must fall in.
EXPECTED_PROVINCES = {
    "Mazar-i-Sharif": "AF-BAL",
    "Kabul Bank branch, Kunduz": "AF-KDZ",
    "Kocha Risaldar mosque, Peshawar": "PK-KP",
    "Peshawar": "PK-KP",
    "Tirah valley, Khyber district": "PK-KP",
    "Sambaza, Zhob district": "PK-BA",
    "Zhob cantonment": "PK-BA",
}


def test_named_places_fall_in_their_provinces():
    from geo.places.boundaries import locate

    rows = [r for r in _incidents() if r["location"] in EXPECTED_PROVINCES]
    assert {r["location"] for r in rows} == set(EXPECTED_PROVINCES)
    found = locate([float(r["latitude"]) for r in rows], [float(r["longitude"]) for r in rows])
    for row, code in zip(rows, found["admin1_code"].tolist(), strict=True):
        assert code == EXPECTED_PROVINCES[row["location"]], (row["incident_id"], code)


def test_every_row_lands_in_the_province_it_names():
    from geo.places.boundaries import locate

    rows = _incidents()
    found = locate([float(r["latitude"]) for r in rows], [float(r["longitude"]) for r in rows])
    for row, (_, got) in zip(rows, found.iterrows(), strict=True):
        if row["country_code"] in ("AFG", "PAK"):
            assert got["country_code"] == row["country_code"], row["incident_id"]
            assert got["admin1_code"] == row["admin1_code"], row["incident_id"]
        else:  # outside the two countries the boundaries cover
            assert got["country_code"] not in ("AFG", "PAK"), row["incident_id"]


# --------------------------------------------------------------------------- pipeline


def test_incidents_pass_the_ingest_schema_validation():
    from geo.ingest.formats import detect_format, to_canonical
    from geo.ingest.reader import read_csv_bytes
    from geo.ingest.validate import validate

    read = read_csv_bytes(INCIDENTS.read_bytes())
    assert read.errors == []
    columns = [c for c in read.frame.columns if c != "_line"]
    assert detect_format(columns) == "native"
    frame, issues = to_canonical(read.frame, "native")
    assert [i for i in issues if i.level == "error"] == []
    result = validate(frame)
    assert result.errors == [], [i.to_dict() for i in result.errors]
    assert len(result.valid) == len(_incidents())
    valid = result.valid.set_index("incident_id")
    assert valid.loc["SEED-0006", "killed"] == 5
    assert valid["killed"].isna().sum() == sum(1 for r in _incidents() if not r["killed"])
    assert not (valid[COUNT_COLUMNS] == 0).any().any()


def test_claims_read_cleanly_and_their_dates_parse():
    from geo.ingest.reader import read_csv_bytes
    from geo.ingest.validate import parse_date

    read = read_csv_bytes(CLAIMS.read_bytes())
    assert read.errors == []
    assert len(read.frame) == len(_claims())
    for text in read.frame["statement_date"]:
        day, _, error = parse_date(text)
        assert error is None and day == dt.date.fromisoformat(text), text


def test_spatial_join_finds_no_province_mismatch():
    from geo.ingest.formats import to_canonical
    from geo.ingest.reader import read_csv_bytes
    from geo.ingest.validate import validate
    from geo.places.spatial import join

    frame, _ = to_canonical(read_csv_bytes(INCIDENTS.read_bytes()).frame, "native")
    joined, _ = join(validate(frame).valid)
    flags = joined.set_index("incident_id")["qa_flags"].fillna("")
    assert not flags.str.contains("admin1_mismatch").any(), flags.to_dict()
    regional = joined[joined["country_code"].isin(["AFG", "PAK"])]
    assert len(regional) == sum(1 for r in _incidents() if r["country_code"] in ("AFG", "PAK"))
    assert regional["border_distance_km"].notna().all()
