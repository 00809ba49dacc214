"""Script injection: a file whose text fields carry markup and script is uploaded through
the browser, then viewed on every page and in the exported HTML. No dialog may open, no
payload may run (the canary ``window.__pwned`` stays unset), no markup may become
elements, and the text must show as written.

Runs against its own server and store so the payloads never reach the other tests.
"""

from __future__ import annotations

import csv
import re

import pytest
from conftest import FIXTURES, VIEWPORT, PageLog, open_page
from e2e_helpers import (
    around,
    assert_not_pwned,
    choose_file,
    commit_upload,
    expect,
    goto,
    hover_for_tooltip,
    preview_ready,
    project,
    wait_for_drawn_canvas,
    wait_for_run,
)
from test_e2e_export import download_all, html_deck, html_export, html_points, offline_page
from test_e2e_map import FRONTIER_VIEW
from test_e2e_pages import PAGES

PAYLOAD_FILE = FIXTURES / "injection_payloads.csv"
CLAIMANT_PREFIX = "Claimant "


def _claims_file(tmp_dir) -> tuple[object, int]:
    """A claims file whose free-text fields carry the same payloads (one statement each),
    all asserting presence in Afghanistan, so they reach the ledger, the presence
    tooltip and the statement lists."""
    path = tmp_dir / "claims_payloads.csv"
    with path.open("w", encoding="utf-8", newline="") as f:
        out = csv.writer(f)
        out.writerow(["claim_id", "statement_date", "claimant", "claimant_role",
                      "claimant_country_code", "stance", "groups", "territory_code",
                      "quote", "source", "source_ref", "notes"])  # fmt: skip
        rows = payload_rows()
        for i, r in enumerate(rows, start=1):
            text = r["location"]
            out.writerow([f"INJ-C{i:03d}", "2025-05-01", CLAIMANT_PREFIX + text, text, "PAK",
                          "asserts_presence", f"IS-KP;{text}", "AFG", text, text,
                          r["source_ref"] or text, text])  # fmt: skip
    return path, len(rows)


def payload_rows() -> list[dict[str, str]]:
    with PAYLOAD_FILE.open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def test_payload_file_covers_the_usual_vectors():
    payloads = {r["location"] for r in payload_rows()}
    assert len(payloads) >= 20
    text = "\n".join(payloads)
    for needle in ("<script>", "onerror=", "onload=", "javascript:", "{{constructor", "${",
                   "](javascript:", "</script><script>", "&lt;script&gt;", "\\u003c"):  # fmt: skip
        assert needle in text, needle


@pytest.fixture(scope="module")
def injected(app_servers, browser, tmp_path_factory):
    """A server whose store holds the payload rows, incidents and statements, uploaded
    through the browser."""
    server = app_servers("injection")
    ctx = browser.new_context(viewport=VIEWPORT)
    log = PageLog()
    try:
        page = open_page(ctx, log)
        goto(page, f"{server.url}/data")
        choose_file(page, PAYLOAD_FILE)
        expect(page.get_by_text(re.compile(r"Detected format: native", re.I))).to_be_visible(
            timeout=90_000
        )
        preview_ready(page)
        assert_not_pwned(page, log, "Data page preview")
        commit_upload(page, len(payload_rows()))
        assert_not_pwned(page, log, "Data page after commit")
        claims, n_claims = _claims_file(tmp_path_factory.mktemp("claims"))
        claims_box = page.locator('[data-testid="stFileUploader"]').filter(has_text="Claims file")
        with page.expect_file_chooser() as chooser:
            claims_box.locator("button").first.click()
        chooser.value.set_files(claims)
        commit = page.get_by_role("button", name=f"Commit {n_claims} statements")  # all good
        commit.wait_for(timeout=90_000)
        assert_not_pwned(page, log, "Data page claims preview")
        commit.click()
        expect(page.get_by_text(re.compile(r"statements? added to the ledger"))).to_be_visible(
            timeout=90_000
        )
        assert_not_pwned(page, log, "Data page after the claims commit")
        assert not log.page_errors, log.summary()
    finally:
        ctx.close()
    return server


@pytest.mark.parametrize("path", PAGES, ids=[p or "overview" for p in PAGES])
def test_payloads_stay_inert_on_every_page(injected, page, page_log, path):
    goto(page, f"{injected.url}/{path}")
    main = page.locator('[data-testid="stMain"]')
    main.hover()  # hover handlers, if any got in, would fire now
    assert_not_pwned(page, page_log, f"/{path}")
    assert not page_log.page_errors, page_log.summary()


def test_payload_tooltips_show_the_text_as_written(injected, page, page_log):
    goto(page, f"{injected.url}/map")
    canvas, _ = wait_for_drawn_canvas(page)
    box = canvas.bounding_box()
    shown = []
    for row in payload_rows():
        if "<" not in row["location"]:
            continue
        x, y = project(
            float(row["longitude"]),
            float(row["latitude"]),
            FRONTIER_VIEW,
            box["width"],
            box["height"],
        )
        found = hover_for_tooltip(page, canvas, around(x, y, reach=3, step=3))
        assert found is not None, f"no tooltip for {row['incident_id']} at ({x:.0f}, {y:.0f})"
        text = found[0]
        # the tooltip shows the place as written (cut to 60 characters), markup and all
        assert row["location"][:60] in text, (row["location"], text)
        shown.append(row["location"])
        assert_not_pwned(page, page_log, f"tooltip of {row['incident_id']}")
        if len(shown) >= 6:
            break
    assert any("<script>" in s for s in shown), shown
    assert not page_log.page_errors, page_log.summary()


def test_claim_payloads_in_the_presence_layer_show_as_text(injected, page, page_log):
    """Group names from a claims file reach the presence tooltip and the territory's
    statements, and the Claims page's ledger and form: text, never markup."""
    from test_e2e_presence import HELMAND, _click_at

    goto(page, f"{injected.url}/map")
    wait_for_drawn_canvas(page)
    page.get_by_text("Claimed presence", exact=True).first.click()
    expect(page.get_by_text("Claimed presence:").first).to_be_visible(timeout=60_000)
    canvas, _ = wait_for_drawn_canvas(page)
    page.wait_for_timeout(1_500)
    tip = _click_at(page, canvas, *HELMAND, "AFG")
    assert tip.startswith("Afghanistan (AFG): claimed presence"), tip
    # a payload without a group separator in it shows whole, as written, in the tooltip
    whole = [r["location"] for r in payload_rows() if "<" in r["location"]
             and not set(";,|") & set(r["location"])]  # fmt: skip
    assert whole and any(w.strip() in tip for w in whole), tip
    assert_not_pwned(page, page_log, "presence tooltip and its statements")
    goto(page, f"{injected.url}/claims")
    page.get_by_text("Add a statement to the ledger").click()
    assert_not_pwned(page, page_log, "Claims page with payload statements")
    assert not page_log.page_errors, page_log.summary()


def _exported_html(injected, browser, tmp_path, prepare=None):
    """Download the HTML map from the Export page (after ``prepare``), checking the page
    stays inert; the file's path."""
    ctx = browser.new_context(viewport=VIEWPORT, accept_downloads=True)
    log = PageLog()
    try:
        page = open_page(ctx, log)
        url = f"{injected.url}/export"
        files = download_all(page, url, tmp_path, only=("html",), prepare=prepare)
        assert_not_pwned(page, log, "Export page")
    finally:
        ctx.close()
    return html_export(files)


def test_exported_html_with_payloads(injected, browser, tmp_path):
    path = _exported_html(injected, browser, tmp_path)

    log = PageLog()
    ctx, page = offline_page(browser, log)
    try:
        page.goto(path.resolve().as_uri(), wait_until="load")
        canvas, _ = wait_for_drawn_canvas(page, "canvas")
        assert_not_pwned(page, log, "exported HTML")
        panel = page.locator("body").inner_text()
        # the panel lists the sources: payloads there must read as text
        assert "<script>" in panel or "&lt;script&gt;" in panel, panel[:500]
        checked = []
        for x, y, tip in html_points(path, VIEWPORT):
            if "<script>" not in tip and "onerror" not in tip:
                continue
            found = hover_for_tooltip(page, canvas, around(x, y, reach=3, step=3))
            assert found is not None, f"no tooltip at ({x:.0f}, {y:.0f}) for {tip[:60]!r}"
            first = tip.splitlines()[0].strip()
            assert first in found[0], (first, found[0])
            assert_not_pwned(page, log, f"exported HTML tooltip {first[:40]!r}")
            checked.append(first)
            if len(checked) >= 4:
                break
        assert checked, "no payload incident found in the exported HTML's layers"
        assert not log.page_errors, log.summary()
    finally:
        ctx.close()


def _presence_on(page) -> None:
    """Export page: draw the claimed presence (every group) on the map files."""
    page.get_by_text("Claimed presence", exact=True).first.click()
    expect(page.get_by_text("Groups", exact=True).first).to_be_visible(timeout=60_000)
    wait_for_run(page)


def _presence_layer(path) -> dict:
    """The presence layer of an exported HTML map's deck JSON, and the deck's view."""
    deck = html_deck(path)
    layer = next((la for la in deck["layers"] if la.get("id") == "presence"), None)
    assert layer is not None, "the HTML export carries no presence layer"
    return {"layer": layer, "view": deck["initialViewState"]}


def test_exported_html_with_presence_shows_claim_payloads_as_text(injected, browser, tmp_path):
    """The presence layer of the HTML export carries group names from a claims file:
    hovering Afghanistan shows them as text and runs nothing."""
    path = _exported_html(injected, browser, tmp_path, prepare=_presence_on)
    found = _presence_layer(path)
    afg = next(
        f for f in found["layer"]["data"]["features"]
        if f["properties"]["territory_code"] == "AFG"
    )  # fmt: skip
    stored_tip = afg["properties"]["tip"]
    assert "<script" not in stored_tip and "&lt;script" in stored_tip  # escaped in the file

    log = PageLog()
    ctx, page = offline_page(browser, log)
    try:
        page.goto(path.resolve().as_uri(), wait_until="load")
        canvas, _ = wait_for_drawn_canvas(page, "canvas")
        assert_not_pwned(page, log, "exported HTML with presence")
        panel = page.locator("body").inner_text()
        assert "Claimed presence:" in panel, panel[:500]
        box = canvas.bounding_box()
        incidents = html_points(path, VIEWPORT)
        spots = []  # points in Afghanistan, right of the panel, away from any incident
        for lon in (62.5, 63.5, 64.5, 65.5, 66.5, 67.5):
            for lat in (31.0, 32.0, 33.0, 34.0, 35.0):
                x, y = project(lon, lat, found["view"], box["width"], box["height"])
                near = any((x - ix) ** 2 + (y - iy) ** 2 < 30**2 for ix, iy, _ in incidents)
                if x > 440 and 10 < y < box["height"] - 10 and not near:
                    spots.append((x, y))
        assert spots, "no open spot of Afghanistan in the exported map's view"
        tip = None
        for x, y in spots[:6]:
            hit = hover_for_tooltip(page, canvas, around(x, y, reach=3, step=3))
            if hit is not None and hit[0].startswith("Afghanistan (AFG)"):
                tip = hit[0]
                break
        assert tip is not None, "no presence tooltip over Afghanistan"
        assert "<script>" in tip or "onerror" in tip, tip[:400]  # the payload, as text
        assert_not_pwned(page, log, "exported HTML presence tooltip")
        assert not log.page_errors, log.summary()
    finally:
        ctx.close()
