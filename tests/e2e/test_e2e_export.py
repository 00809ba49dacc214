"""The Export page in a real browser: every download is a valid file of its type,
and the exported HTML map draws with the network cut off."""

from __future__ import annotations

import html
import json
import re
from pathlib import Path

import pytest
from conftest import VIEWPORT, PageLog, open_page
from e2e_helpers import (
    around,
    colour_count,
    dominant_share,
    goto,
    hover_for_tooltip,
    project,
    wait_for_drawn_canvas,
    wait_for_run,
)
from file_checks import EXPECTED, check_for

# each st.download_button holds two <button>s (with and without its help tooltip); one shows
DOWNLOAD_BUTTON = '[data-testid="stDownloadButton"] button:visible'


def download_all(
    page, url: str, out: Path, only: tuple[str, ...] = (), prepare=None
) -> dict[str, Path]:
    """Click every download button on the page at ``url``; save each file under ``out``.

    ``only``: click just the buttons whose label contains one of these texts.
    ``prepare``: called with the page once it is open, before any click (set options).
    """
    goto(page, url)
    if prepare is not None:
        prepare(page)
    buttons = page.locator(DOWNLOAD_BUTTON)
    buttons.first.wait_for(state="visible", timeout=60_000)
    n = buttons.count()
    files: dict[str, Path] = {}
    for i in range(n):
        button = page.locator(DOWNLOAD_BUTTON).nth(i)
        if only and not any(o.lower() in button.inner_text().lower() for o in only):
            continue
        button.scroll_into_view_if_needed()
        with page.expect_download(timeout=90_000) as info:
            button.click()
        download = info.value
        assert download.failure() is None, f"download {i} failed: {download.failure()}"
        name = download.suggested_filename
        target = out / name
        download.save_as(target)
        files[name] = target
        wait_for_run(page, settle_ms=500)
    return files


@pytest.fixture(scope="session")
def export_files(browser, app_server, tmp_path_factory) -> dict[str, Path]:
    """Every file the Export page offers for the seed data, downloaded once per session."""
    out = tmp_path_factory.mktemp("downloads")
    ctx = browser.new_context(viewport=VIEWPORT, accept_downloads=True)
    log = PageLog()
    try:
        page = open_page(ctx, log)
        files = download_all(page, f"{app_server.url}/export", out)
    finally:
        ctx.close()
    assert not log.page_errors, log.summary()
    return files


def test_export_page_offers_every_format(export_files):
    suffixes = {Path(name).suffix.lower() for name in export_files}
    missing = EXPECTED - suffixes - ({".geojson"} if ".json" in suffixes else set())
    assert not missing, f"no download for {sorted(missing)}; got {sorted(export_files)}"


def test_every_download_is_a_valid_file(export_files):
    problems = []
    for name, path in sorted(export_files.items()):
        check = check_for(path)
        if check is None:
            problems.append(f"{name}: no check for this type")
            continue
        assert path.stat().st_size > 0, f"{name} is empty"
        try:
            check(path)
        except Exception as exc:
            problems.append(f"{name}: {type(exc).__name__}: {exc}")
    assert not problems, "\n".join(problems)


def offline_page(browser, log: PageLog):
    """A context that refuses every request that is not file:// or this machine."""
    ctx = browser.new_context(viewport=VIEWPORT)

    def route(r) -> None:
        url = r.request.url
        if url.startswith(("file:", "data:", "blob:", "http://127.0.0.1", "http://localhost")):
            r.continue_()
        else:
            log.blocked.append(url)
            r.abort()

    ctx.route("**/*", route)
    return ctx, open_page(ctx, log)


def html_export(files: dict[str, Path]) -> Path:
    html = [p for n, p in files.items() if n.lower().endswith((".html", ".htm"))]
    assert html, f"the Export page offered no HTML file: {sorted(files)}"
    return html[0]


def html_deck(path: Path) -> dict:
    """The deck JSON an exported HTML map carries (``<script type="application/json">``)."""
    text = path.read_text(encoding="utf-8")
    m = re.search(r'<script type="application/json"[^>]*>(.*?)</script>', text, re.S)
    assert m, "the exported HTML carries no deck JSON"
    spec = json.loads(m.group(1))
    return spec.get("deck", spec)


def html_points(path: Path, viewport: dict) -> list[tuple[float, float, str]]:
    """Screen positions and tooltip texts of the incidents in an exported HTML map.

    Reads the deck JSON the file carries (``<script type="application/json">``): its
    initial view and the records of every layer with a ``tip``. The tip is stored
    HTML-escaped; the text a reader sees is its unescaped form. Points under the
    file's side panel (left), outside the window, or stacked on another are left out.
    """
    deck = html_deck(path)
    view = deck["initialViewState"]
    out = []
    for layer in deck.get("layers", []):
        data = layer.get("data")
        if not isinstance(data, list):
            continue
        for rec in data:
            if not isinstance(rec, dict) or "tip" not in rec or "lon" not in rec:
                continue
            x, y = project(rec["lon"], rec["lat"], view, viewport["width"], viewport["height"])
            out.append((x, y, html.unescape(rec["tip"])))
    # keep points in the open part of the window with no other incident within 12 px
    # (a stack shows only its top tooltip)
    return [
        (x, y, tip)
        for x, y, tip in out
        if 430 < x < viewport["width"] - 10
        and 10 < y < viewport["height"] - 10
        and sum((x - ox) ** 2 + (y - oy) ** 2 < 12**2 for ox, oy, _ in out) == 1
    ]


def test_exported_html_draws_its_map_offline(browser, export_files):
    path = html_export(export_files)
    log = PageLog()
    ctx, page = offline_page(browser, log)
    try:
        page.goto(path.resolve().as_uri(), wait_until="load")
        canvas, img = wait_for_drawn_canvas(page, "canvas")
        assert colour_count(img) >= 4 and dominant_share(img) < 0.9, (
            f"the offline HTML map is blank ({colour_count(img)} colours); {log.summary()}"
        )
        # and it is interactive: an incident's tooltip shows its text
        points = html_points(path, VIEWPORT)
        assert points, "no incident of the seed data lies in the exported map's view"
        x, y, tip = points[0]
        found = hover_for_tooltip(page, canvas, around(x, y, reach=3, step=3))
        assert found is not None, f"no tooltip at ({x:.0f}, {y:.0f}) in the exported map"
        assert tip.splitlines()[0].strip() in found[0], (tip, found[0])
        assert not log.page_errors, log.summary()
    finally:
        ctx.close()


# SOURCE_DATE_EPOCH for 2026-01-01 00:00 UTC: both sides say the files were made then.
FIXED_EPOCH = "1767225600"


def test_the_export_page_and_the_cli_write_the_same_bytes(
    browser, app_servers, tmp_path, monkeypatch
):
    """Issue 15: the same view and time give byte-identical files from the page and the CLI."""
    from geo.__main__ import main
    from geo.views import outputs

    server = app_servers("fixed-time", env={"SOURCE_DATE_EPOCH": FIXED_EPOCH})
    ctx = browser.new_context(viewport=VIEWPORT, accept_downloads=True)
    log = PageLog()
    try:
        page = open_page(ctx, log)
        url = f"{server.url}/export?country=PAK&min_killed=1"
        files = download_all(page, url, tmp_path / "page")
    finally:
        ctx.close()
    assert not log.page_errors, log.summary()
    assert sorted(files) == sorted(f"atlas_2026-01-01_PAK_k1.{name}" for name in outputs.OUTPUTS)

    monkeypatch.setenv("SOURCE_DATE_EPOCH", FIXED_EPOCH)
    same_view = ["--db", str(server.db), "--country", "PAK", "--min-killed", "1"]
    differ = []
    for name, downloaded in sorted(files.items()):
        fmt = name.split(".", 1)[1]  # png … or claims.csv, claims.geojson
        out = tmp_path / "cli" / name
        if outputs.OUTPUTS[fmt].kind == "map":
            assert main(["snapshot", "--out", str(out), *same_view]) == 0
        elif outputs.OUTPUTS[fmt].kind == "claims":
            suffix = fmt.split(".")[1]
            args = ["export", "--kind", "claims", "--format", suffix, "--out", str(out)]
            assert main([*args, *same_view]) == 0
        else:
            assert main(["export", "--format", fmt, "--out", str(out), *same_view]) == 0
        if out.read_bytes() != downloaded.read_bytes():
            differ.append(f"{name}: page {downloaded.stat().st_size} B, cli {out.stat().st_size} B")
    assert not differ, differ
