"""An Excel workbook uploaded in a real browser: the file chooser accepts .xlsx, the Data
page offers the sheets, the chosen sheet's rows are previewed and stored, then undone."""

from __future__ import annotations

import re

import xlsxwriter
from e2e_helpers import choose_file as choose_upload
from e2e_helpers import (
    commit_upload,
    expect,
    goto,
    metric_int,
    preview_ready,
    wait_for_run,
)
from test_e2e_upload import undo

# invented rows; the second sheet is the one to pick, with a column only it has
SHEETS = {
    "Summary": [["Incidents by month (invented)"], ["2025-05", 3]],
    "Incidents": [
        ["Date", "City", "Province", "Latitude", "Longitude", "Killed", "Workbook column"],
        ["2025-05-03", "Chaman", "Balochistan", 30.9236, 66.4512, 1.0, "a"],
        ["2025-05-09", "Chaman", "Balochistan", 30.9236, 66.4512, None, "b"],
        ["2025-05-21", "Chaman", "Balochistan", 30.9236, 66.4512, 3.0, "c"],
    ],
}


def write_workbook(path) -> None:
    book = xlsxwriter.Workbook(str(path))
    for name, rows in SHEETS.items():
        sheet = book.add_worksheet(name)
        for r, row in enumerate(rows):
            for c, value in enumerate(row):
                if value is not None:
                    sheet.write(r, c, value)
    book.close()


def test_upload_a_workbook_and_pick_its_sheet(page, page_log, base_url, tmp_path):
    path = tmp_path / "frontier incidents.xlsx"
    write_workbook(path)
    goto(page, f"{base_url}/data")
    choose_upload(page, path)
    select = page.locator('[data-testid="stSelectbox"]').filter(has_text="Sheet")
    expect(select).to_be_visible(timeout=90_000)
    # the first sheet is a summary, not a table of incidents: the page says so
    refusal = page.locator('[data-testid="stAlert"]').filter(has_text="cannot be used")
    expect(refusal).to_contain_text("The sheet Summary of this file", timeout=90_000)
    select.locator("input").click()
    page.get_by_role("option", name="Incidents").click()
    wait_for_run(page)
    expect(page.get_by_text(re.compile(r"Detected format: native", re.I))).to_be_visible(
        timeout=90_000
    )
    preview_ready(page)
    assert metric_int(page, "Rows read") == 3
    assert metric_int(page, "Rejected") == 0
    expect(page.get_by_text("Workbook column").first).to_be_attached()
    upload_id = commit_upload(page, 3)
    undo(page, base_url, upload_id, path.name)
    assert not page_log.page_errors, page_log.summary()
