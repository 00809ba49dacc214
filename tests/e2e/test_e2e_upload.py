"""An analyst's upload in a real browser: the file chooser on the Data page, commit,
the new incidents on Overview and on the Map, then undo."""

from __future__ import annotations

import csv
import re

from conftest import FIXTURES
from e2e_helpers import (
    around,
    choose_file,
    commit_upload,
    expect,
    goto,
    hover_for_tooltip,
    metric_int,
    preview_ready,
    project,
    wait_for_drawn_canvas,
    wait_for_run,
)
from test_e2e_map import FRONTIER_VIEW

ACLED_FILE = FIXTURES / "acled_e2e.csv"
ACTOR = "Zarghun Testfront (E2E)"  # the perpetrator of every row of the file, and no one else's


def acled_rows() -> list[dict[str, str]]:
    with ACLED_FILE.open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def hover_at(page, lon: float, lat: float):
    """Hover the Map page's deck at (lon, lat); the tooltip text, or None."""
    canvas, _ = wait_for_drawn_canvas(page)
    box = canvas.bounding_box()
    x, y = project(lon, lat, FRONTIER_VIEW, box["width"], box["height"])
    found = hover_for_tooltip(page, canvas, around(x, y, reach=3, step=3))
    return found[0] if found else None


def undo(page, base_url: str, upload_id: str, file_name: str) -> None:
    """Undo ``upload_id`` from the Data page's history, as the box offers it by default."""
    goto(page, f"{base_url}/data")
    select = page.locator('[data-testid="stSelectbox"]').filter(has_text="Undo an upload")
    # the box offers the upload just made, by name, not the curated seed
    chosen = select.locator("input")
    expect(chosen).to_have_value(re.compile(re.escape(file_name) + ".*" + re.escape(upload_id)))
    page.get_by_role("button", name="Undo…").click()
    wait_for_run(page)
    # the confirmation names the upload and what will leave the store
    expect(page.get_by_text(f"Undo upload {upload_id}?")).to_be_visible()
    expect(page.get_by_text(re.compile(r"It removes \d+ incidents and 0 claims"))).to_be_visible()
    page.get_by_role("button", name="Yes, undo it").click()
    wait_for_run(page)
    expect(page.get_by_text(re.compile(r"^Undone"))).to_be_visible(timeout=60_000)


def test_upload_through_the_browser_then_undo(page, page_log, base_url):
    rows = acled_rows()
    goto(page, f"{base_url}/")
    before = metric_int(page, "Incidents")
    claims_before = metric_int(page, "Claims")

    # the Data page: the real file chooser, the detected format, the preview, commit
    goto(page, f"{base_url}/data")
    choose_file(page, ACLED_FILE)  # through the browser's file chooser
    expect(page.get_by_text(re.compile(r"Detected format: acled", re.I))).to_be_visible(
        timeout=90_000
    )
    preview_ready(page)
    assert metric_int(page, "Rows read") == len(rows)
    assert metric_int(page, "Rejected") == 0
    assert metric_int(page, "New or changed") == len(rows)
    upload_id = commit_upload(page, len(rows))

    # Overview counts them: all of them, and exactly them under an actor filter
    goto(page, f"{base_url}/")
    assert metric_int(page, "Incidents") == before + len(rows)
    goto(page, f"{base_url}/?actor=Zarghun")
    assert metric_int(page, "Incidents") == len(rows)

    # the Map draws them: hover where one of them is (Chaman, far from any seed incident)
    chaman = next(r for r in rows if r["location"] == "Chaman")
    goto(page, f"{base_url}/map")
    tip = hover_at(page, float(chaman["longitude"]), float(chaman["latitude"]))
    assert tip is not None, "no tooltip where the uploaded Chaman incident should be drawn"
    assert "Chaman" in tip and ACTOR in tip, tip

    # undo: the counts go back and the point is gone
    undo(page, base_url, upload_id, ACLED_FILE.name)
    goto(page, f"{base_url}/")
    assert metric_int(page, "Incidents") == before  # the seed is intact
    assert metric_int(page, "Claims") == claims_before
    goto(page, f"{base_url}/?actor=Zarghun")
    assert metric_int(page, "Incidents") == 0
    goto(page, f"{base_url}/map")
    tip = hover_at(page, float(chaman["longitude"]), float(chaman["latitude"]))
    assert tip is None or ACTOR not in tip, tip
    assert not page_log.page_errors, page_log.summary()
