"""Map navigation and time in a real browser (issue 17): the place search flies, "Fit to data"
fits, play steps through months, a small incident on top of a large one is clickable, and
every incident at one point is listed."""

from __future__ import annotations

import csv
import re
import time

import pandas as pd
import pytest
from conftest import FIXTURES, VIEWPORT, PageLog, open_page
from e2e_helpers import (
    RUN_TIMEOUT_MS,
    PlaywrightTimeout,
    around,
    choose_file,
    click_deck,
    commit_upload,
    diff_blobs,
    expect,
    goto,
    hover_for_tooltip,
    main_text,
    preview_ready,
    project,
    screenshot_image,
    wait_for_drawn_canvas,
    wait_for_run,
)
from test_e2e_map import FRONTIER_VIEW, seed_incidents

from geo.views import mapview

COLOCATED_FILE = FIXTURES / "jalalabad_colocated.csv"
# the 1-killed Peshawar incident (SEED-0003), as its tooltip and its card begin
PESHAWAR_SMALL = "2025-09-01 (month) · Peshawar"


def _seed(incident_id: str) -> dict[str, str]:
    return next(r for r in seed_incidents() if r["incident_id"] == incident_id)


def _view(v: mapview.MapView) -> dict[str, float]:
    return {"latitude": v.latitude, "longitude": v.longitude, "zoom": v.zoom}


def _tooltip_at(page, canvas, lon: float, lat: float, view: dict, *, dx: float = 0.0):
    box = canvas.bounding_box()
    x, y = project(lon, lat, view, box["width"], box["height"])
    return hover_for_tooltip(page, canvas, around(x + dx, y, reach=3, step=3))


def test_the_map_has_zoom_buttons(page, page_log, base_url):
    goto(page, f"{base_url}/map")
    canvas, before = wait_for_drawn_canvas(page)
    # offline too, the map has Streamlit's zoom buttons (the deck carries a blank map style);
    # the buttons, not their wrapper: it is a 0×0 box holding absolutely placed controls
    zoom_in = page.get_by_role("button", name="Zoom In")
    expect(zoom_in).to_be_visible()
    expect(page.get_by_role("button", name="Zoom Out")).to_be_visible()
    zoom_in.click()
    page.wait_for_timeout(1_500)  # the deck eases to the new zoom
    after = screenshot_image(canvas)
    assert diff_blobs(before, after, min_pixels=200), "Zoom In did not change the map"
    assert not page_log.page_errors, page_log.summary()


def test_the_place_search_flies_to_peshawar(page, page_log, base_url):
    goto(page, f"{base_url}/map")
    canvas, _ = wait_for_drawn_canvas(page)
    box = page.get_by_label("Find a place")
    box.fill("Peshawar")
    box.press("Enter")
    wait_for_run(page)
    expect(page.get_by_text("Showing Peshawar (Khyber Pakhtunkhwa, PAK)")).to_be_visible()
    small = _seed("SEED-0003")  # the gazetteer's Peshawar is this incident's point
    there = {"latitude": float(small["latitude"]), "longitude": float(small["longitude"]),
             "zoom": mapview.PLACE_ZOOM["city"]}  # fmt: skip
    canvas, _ = wait_for_drawn_canvas(page)
    page.wait_for_timeout(1_500)  # the deck takes the new view on its next frame
    found = _tooltip_at(page, canvas, there["longitude"], there["latitude"], there)
    assert found, "no incident under the centre of the map after flying to Peshawar"
    assert found[0].splitlines()[0].startswith(PESHAWAR_SMALL), found[0]
    # zoomed in: Kocha Risaldar, 1.1 km west, is a separate click 17 px away
    big = _seed("SEED-0002")
    found = _tooltip_at(
        page, canvas, float(big["longitude"]) - 0.004, float(big["latitude"]), there
    )
    assert found and "Kocha Risaldar" in found[0], found
    assert not page_log.page_errors, page_log.summary()


def test_fit_to_data_shows_moscow_and_kerman(page, page_log, base_url):
    goto(page, f"{base_url}/map")
    notice = page.get_by_text(re.compile(r"2 incidents outside this view: .*Kerman"))
    expect(notice).to_be_visible()
    page.get_by_role("button", name="Fit to data").click()
    wait_for_run(page)
    expect(page.get_by_text(re.compile("outside this view"))).to_have_count(0)
    rows = seed_incidents()
    frame = pd.DataFrame(
        {"latitude": [float(r["latitude"]) for r in rows],
         "longitude": [float(r["longitude"]) for r in rows]}
    )  # fmt: skip
    fitted = _view(mapview.fit_incidents(frame))
    canvas, _ = wait_for_drawn_canvas(page)
    page.wait_for_timeout(1_500)
    for incident_id, place in (("SEED-0011", "Crocus City Hall"), ("SEED-0012", "Kerman")):
        r = _seed(incident_id)
        found = _tooltip_at(page, canvas, float(r["longitude"]), float(r["latitude"]), fitted)
        assert found and place in found[0], (incident_id, found)
    assert not page_log.page_errors, page_log.summary()


def _ran_and_shows(page, locator, timeout_ms: int) -> None:
    """The rerun a click starts has finished and ``locator`` is visible."""
    wait_for_run(page)
    expect(locator).to_be_visible(timeout=timeout_ms)


def _shown(page) -> str | None:
    """The month the time slider shows ("March 2022"), from its caption (one element read,
    not the whole page: under load a poll must stay well inside one play step)."""
    caption = page.get_by_text(re.compile(r"^Showing \w+ \d{4}: \d")).first
    try:
        text = caption.inner_text(timeout=1_000)
    except PlaywrightTimeout:
        return None
    hit = re.search(r"Showing (\w+ \d{4}): \d", text)
    return hit.group(1) if hit else None


def test_the_play_button_steps_through_months(page, page_log, base_url):
    goto(page, f"{base_url}/map")
    wait_for_drawn_canvas(page)  # as a reader would: the map is there, then Play
    page.get_by_role("button", name="Play").click()
    # watched from the click: under load the rerun that swaps Play for Pause can take
    # longer than the first month is shown (a CI run saw April first when it waited)
    seen: list[str] = []
    deadline = time.monotonic() + 60
    while len(seen) < 4 and time.monotonic() < deadline:
        month = _shown(page)
        if month and (not seen or seen[-1] != month):
            seen.append(month)
        page.wait_for_timeout(150)
    # the seed's first incident is in March 2022; play shows each month in turn
    assert seen[:4] == ["March 2022", "April 2022", "May 2022", "June 2022"], seen
    expect(page).to_have_url(re.compile(r"window=month%3A2022-0[4-9]-01"))
    page.get_by_role("button", name="Pause").wait_for(timeout=RUN_TIMEOUT_MS)
    page.get_by_role("button", name="Pause").click()
    page.get_by_role("button", name="Play").wait_for(timeout=RUN_TIMEOUT_MS)
    paused = _shown(page)
    page.wait_for_timeout(5_000)
    assert _shown(page) == paused, "the slider moved after Pause"
    assert not page_log.page_errors, page_log.summary()


def test_the_small_peshawar_incident_is_clickable_on_top_of_the_large_one(page, page_log, base_url):
    goto(page, f"{base_url}/map")
    canvas, _ = wait_for_drawn_canvas(page)
    small, big = _seed("SEED-0003"), _seed("SEED-0002")
    # at the opening zoom the 1-killed dot lies half a pixel from the 67-killed circle's centre
    found = _tooltip_at(page, canvas, float(small["longitude"]), float(small["latitude"]),
                        FRONTIER_VIEW)  # fmt: skip
    assert found and found[0].startswith(PESHAWAR_SMALL), found
    shown = page.get_by_text(PESHAWAR_SMALL, exact=False).last
    click_deck(page, canvas, found[2], lambda ms: _ran_and_shows(page, shown, ms))
    # and the large one is still clickable around it
    found = _tooltip_at(page, canvas, float(big["longitude"]), float(big["latitude"]),
                        FRONTIER_VIEW, dx=-14)  # fmt: skip
    assert found and "Kocha Risaldar" in found[0], found
    assert not page_log.page_errors, page_log.summary()


@pytest.fixture(scope="module")
def colocated(app_servers, browser):
    """A server whose store also holds three incidents on one Jalalabad point, uploaded."""
    server = app_servers("colocated")
    ctx = browser.new_context(viewport=VIEWPORT)
    log = PageLog()
    try:
        page = open_page(ctx, log)
        goto(page, f"{server.url}/data")
        choose_file(page, COLOCATED_FILE)
        preview_ready(page)
        commit_upload(page, 3)
        assert not log.page_errors, log.summary()
    finally:
        ctx.close()
    return server


def test_incidents_on_one_point_are_counted_and_all_listed(colocated, page, page_log):
    with COLOCATED_FILE.open(encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    goto(page, f"{colocated.url}/map")
    canvas, _ = wait_for_drawn_canvas(page)
    lon, lat = float(rows[0]["longitude"]), float(rows[0]["latitude"])
    found = _tooltip_at(page, canvas, lon, lat, FRONTIER_VIEW)
    assert found and "one of 3 incidents at this point" in found[0], found
    listed = page.get_by_text("3 incidents at this point, oldest first.")
    click_deck(page, canvas, found[2], lambda ms: _ran_and_shows(page, listed, ms))
    text = main_text(page)
    for r in rows:
        assert f"{r['event_date']} · Jalalabad" in text, r["event_date"]
        assert r["source_ref"] in text, r["source_ref"]
    assert not page_log.page_errors, page_log.summary()
