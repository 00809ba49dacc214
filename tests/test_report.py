"""Tests for geo.report: the issue and report shapes of DESIGN.md §5."""

from __future__ import annotations

import json

from geo.report import IngestReport, Issue


def test_issue_dict_has_contract_keys_and_truncates_values():
    issue = Issue(line=4, column="latitude", value="9" * 500, message="out of range")
    d = issue.to_dict()
    assert set(d) == {"line", "column", "value", "message"}
    assert len(d["value"]) == 200


def test_issue_candidates_only_when_present():
    issue = Issue(3, "location", "Fayzabad", "ambiguous", "warning", [{"admin1_code": "AF-BDS"}])
    assert issue.to_dict()["candidates"] == [{"admin1_code": "AF-BDS"}]


def test_report_serialises_to_the_cli_json():
    report = IngestReport(file="a.csv", format="acled", upload_id="u1", rows_read=2, accepted=1)
    report.errors.append(Issue(3, "event_date", "soon", "date does not parse"))
    data = json.loads(json.dumps(report.to_dict()))
    for key in (
        "upload_id",
        "file",
        "format",
        "rows_read",
        "accepted",
        "rejected",
        "updated",
        "duplicates",
        "geocoded",
        "errors",
        "warnings",
    ):
        assert key in data
    assert data["errors"][0] == {
        "line": 3,
        "column": "event_date",
        "value": "soon",
        "message": "date does not parse",
    }
