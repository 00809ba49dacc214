"""Every file of tests/data/bad/ ends as its manifest says: refused, or read with
exactly the listed rows rejected and warnings on the listed columns.

This checks reader → formats → validate; the full ingest pipeline has its own test
over the same manifest.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from geo.ingest.formats import to_canonical
from geo.ingest.reader import read_csv_bytes
from geo.ingest.validate import validate
from geo.report import FileRefused

BAD = Path(__file__).resolve().parent / "data" / "bad"
MANIFEST = json.loads((BAD / "EXPECTED.json").read_text(encoding="utf-8"))


def _run(data: bytes) -> tuple[list[int], set[str], int]:
    read = read_csv_bytes(data)
    canonical, format_issues = to_canonical(read.frame)
    result = validate(canonical)
    rejected = sorted({i.line for i in read.errors} | set(result.rejected_lines))
    warned = {w.column for w in read.warnings + format_issues + result.warnings if w.column}
    return rejected, warned, len(result.valid)


def test_manifest_covers_at_least_25_files_that_exist() -> None:
    names = [entry["file"] for entry in MANIFEST]
    assert len(names) >= 25
    assert len(set(names)) == len(names)
    on_disk = {p.name for p in BAD.iterdir() if p.name not in ("EXPECTED.json", "_make_corpus.py")}
    assert on_disk == set(names)
    assert {e["outcome"] for e in MANIFEST} == {"refused", "read"}


@pytest.mark.parametrize("entry", MANIFEST, ids=[e["file"] for e in MANIFEST])
def test_corpus_file_outcome(entry: dict) -> None:
    data = (BAD / entry["file"]).read_bytes()
    if entry["outcome"] == "refused":
        with pytest.raises(FileRefused) as info:
            _run(data)
        message = str(info.value)
        assert entry["message_contains"].lower() in message.lower()
        assert message.endswith(".") and "\n" not in message
        return
    rejected, warned, accepted = _run(data)
    assert rejected == entry["rejected_lines"]
    assert warned == set(entry["warning_columns"])
    assert accepted == entry["accepted"]


def test_rejections_in_corpus_name_line_and_reason() -> None:
    """Each rejected row in the structural files carries its line and a sentence."""
    data = (BAD / "quoted_newlines.csv").read_bytes()
    read = read_csv_bytes(data)
    assert [(e.line, e.level) for e in read.errors] == [(5, "error"), (8, "error")]
    assert "6 fields but the header has 10" in read.errors[0].message
    assert read.frame["_line"].tolist() == [2, 6]
    assert read.frame.loc[0, "notes"] == 'first line\nsecond, with comma\nthird "quoted"'
