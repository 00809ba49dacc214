"""Issue 16 in a real browser: the claimed-presence layer on the Map, read by hover and by click."""

from __future__ import annotations

from e2e_helpers import (
    around,
    click_deck,
    expect,
    goto,
    hover_for_tooltip,
    project,
    wait_for_drawn_canvas,
    wait_for_run,
)
from test_e2e_map import FRONTIER_VIEW

from geo.config import DATA_DIR
from geo.ingest.seed import read_curated_claims
from geo.views.presence import presence_states

#: Points inside a territory with no incident, label or border near them (lon, lat).
HELMAND = (63.5, 31.6)  # Afghanistan
PUNJAB = (72.6, 30.4)  # Pakistan


def _expected(code: str) -> dict[str, str]:
    """Each group's line in the territory's tooltip, from the seed ledger itself."""
    states = presence_states(read_curated_claims(DATA_DIR / "claims.csv"))
    out = {}
    for r in states[states["territory_code"] == code].itertuples(index=False):
        n = int(r.n_statements)
        out[r.group] = (
            f"{r.group}: {r.state}, {n} statement{'s' * (n != 1)} "
            f"({int(r.n_assert)} asserting, {int(r.n_deny)} denying)"
        )
    return out


def _territory_box(page):
    box = page.locator('[data-testid="stSelectbox"]').filter(has_text="Statements about territory")
    return box.locator("input").first


def _click_at(page, canvas, lon: float, lat: float, code: str) -> str:
    """Hover (lon, lat) until the tooltip shows, click there until the statements about
    territory ``code`` are chosen below the map; the tooltip's text."""
    box = canvas.bounding_box()
    x, y = project(lon, lat, FRONTIER_VIEW, box["width"], box["height"])
    found = hover_for_tooltip(page, canvas, around(x, y, reach=6, step=3))
    assert found is not None, f"no tooltip at ({lon}, {lat})"

    def chosen(timeout_ms: int) -> None:
        wait_for_run(page)
        expect(_territory_box(page)).to_have_value(code, timeout=timeout_ms)

    click_deck(page, canvas, found[2], chosen)
    return found[0]


def test_afghanistan_is_contested_for_iskp_and_a_click_lists_its_statements(
    page, page_log, base_url
):
    goto(page, f"{base_url}/map")
    wait_for_drawn_canvas(page)
    page.get_by_text("Claimed presence", exact=True).first.click()
    legend = page.get_by_text("Claimed presence:").first
    expect(legend).to_be_visible(timeout=60_000)  # the layer is on: its legend shows
    canvas, _ = wait_for_drawn_canvas(page)
    page.wait_for_timeout(1_500)

    # Pakistan first: a click chooses its statements below the map
    tip = _click_at(page, canvas, *PUNJAB, "PAK")
    assert tip.splitlines()[0] == "Pakistan (PAK): claimed presence", tip
    assert _expected("PAK")["IS-KP"] in tip and "IS-KP: denied" in tip, tip

    # Afghanistan: IS-KP contested (asserted by neighbours and the UN, denied by the Taliban)
    tip = _click_at(page, canvas, *HELMAND, "AFG")
    assert tip.splitlines()[0] == "Afghanistan (AFG): claimed presence", tip
    expected = _expected("AFG")
    assert "contested" in expected["IS-KP"]
    for line in expected.values():
        assert line in tip, (line, tip)
    assert not page_log.page_errors, page_log.summary()
