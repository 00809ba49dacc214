"""geo.views.sources: the described seed documents behind the curated rows."""

from __future__ import annotations

import csv
from pathlib import Path

from geo.config import DATA_DIR
from geo.views.sources import documents_for, seed_documents


def test_every_curated_row_leads_to_a_described_document() -> None:
    for name, key in (("incidents.csv", "incident_id"), ("claims.csv", "claim_id")):
        with (DATA_DIR / name).open(encoding="utf-8", newline="") as fh:
            for row in csv.DictReader(fh):
                docs = documents_for(row["source_ref"])
                assert docs, row[key]
                assert all(d.summary for d in docs)


def test_labels_name_the_publication_only_when_known() -> None:
    docs = seed_documents()
    assert docs["004_362245b40c3b935c.txt"].label.startswith('AT News: "Taliban: Dozens')
    unnamed = docs["000_450b3df844a69332.txt"].label
    assert unnamed == "News report, publication not named (27–28 Sep 2025)"


def test_a_missing_table_means_no_documents(tmp_path: Path) -> None:
    assert seed_documents(tmp_path / "none.csv") == {}
