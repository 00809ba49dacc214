"""The Map page in a real browser: the deck draws, and hovering shows a tooltip."""

from __future__ import annotations

import csv

from conftest import ROOT
from e2e_helpers import (
    around,
    click_deck,
    colour_count,
    dominant_share,
    expect,
    goto,
    hover_for_tooltip,
    project,
    wait_for_drawn_canvas,
)

# geo.views.layers.FRONTIER_VIEW: the Map page opens on it (a fixed view, not fitted to the data)
FRONTIER_VIEW = {"latitude": 33.0, "longitude": 69.0, "zoom": 5}


def seed_incidents() -> list[dict[str, str]]:
    with (ROOT / "data" / "incidents.csv").open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def test_map_canvas_draws_more_than_background(page, page_log, base_url):
    goto(page, f"{base_url}/map")
    _canvas, img = wait_for_drawn_canvas(page)
    # boundaries (fills and lines), the border and the incidents: many colours, no one
    # colour covering (nearly) everything
    assert colour_count(img) >= 6, f"the map canvas holds {colour_count(img)} colours"
    assert dominant_share(img) < 0.9, f"one colour covers {dominant_share(img):.0%} of the map"
    assert not page_log.page_errors, page_log.summary()


def _precise_isolated_in_view(box: dict) -> list[dict[str, str]]:
    """Seed incidents with an exact place and a known toll, no other within 20 px, in view."""
    rows = seed_incidents()
    for r in rows:
        r["xy"] = project(
            float(r["longitude"]), float(r["latitude"]), FRONTIER_VIEW, box["width"], box["height"]
        )

    def isolated(r: dict) -> bool:
        x, y = r["xy"]
        return all(o is r or (o["xy"][0] - x) ** 2 + (o["xy"][1] - y) ** 2 > 20**2 for o in rows)

    return [
        r
        for r in rows
        if r["geo_precision"] == "1"
        and r["killed"]
        and 0 <= r["xy"][0] < box["width"]
        and 0 <= r["xy"][1] < box["height"]
        and isolated(r)
    ]


def test_hover_shows_incident_tooltip_as_written(page, page_log, base_url):
    goto(page, f"{base_url}/map")
    canvas, _ = wait_for_drawn_canvas(page)
    chosen = _precise_isolated_in_view(canvas.bounding_box())
    assert chosen, "no precise, isolated seed incident with a known toll in view"
    tried = []
    for row in chosen[:3]:
        x, y = row["xy"]
        found = hover_for_tooltip(page, canvas, around(x, y, reach=3, step=3))
        tried.append((row["incident_id"], round(x), round(y), found and found[0][:80]))
        if not found:
            continue
        text, _html, _ = found
        first = text.splitlines()[0]
        # the tooltip's first line is "DATE · LOCATION — PROVINCE, COUNTRY", the text as stored
        date = row["event_date"]
        if row["date_precision"] not in ("", "day"):
            date += f" ({row['date_precision']})"
        assert first.startswith(f"{date} · {row['location']} — "), (first, row)
        assert row["source"] in text, (row["source"], text)
        break
    else:
        raise AssertionError(f"no tooltip at any seed incident's position: {tried}")
    assert not page_log.page_errors, page_log.summary()


def test_click_shows_the_full_record_and_its_source(page, page_log, base_url):
    goto(page, f"{base_url}/map")
    canvas, _ = wait_for_drawn_canvas(page)
    box = canvas.bounding_box()
    # the card below the map: a bordered block that holds the record's "Source reference"
    card = (
        page.get_by_test_id("stVerticalBlock")
        .filter(has=page.get_by_text("Source reference:", exact=False))
        .filter(has_not=page.get_by_test_id("stDeckGlJsonChart"))
    )
    tried = []
    for row in _precise_isolated_in_view(box)[:3]:
        found = hover_for_tooltip(page, canvas, around(*row["xy"], reach=3, step=3))
        tried.append((row["incident_id"], found and found[0][:60]))
        if not found:
            continue
        # where the pointer is over the incident
        click_deck(page, canvas, found[2], lambda ms: expect(card.last).to_be_visible(timeout=ms))
        text = card.last.inner_text()
        assert row["location"] in text, (row["location"], text)
        assert row["source_ref"] in text and row["source"] in text, text
        break
    else:
        raise AssertionError(f"no seed incident could be pointed at: {tried}")
    assert not page_log.page_errors, page_log.summary()
