"""geo.views.mapkey: what the symbols mean, and the header, footer and side panel of a snapshot."""

from __future__ import annotations

from datetime import UTC, datetime

import pandas as pd
import pytest
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from geo.schema import normalise_dtypes
from geo.views import mapkey
from geo.views.viewfacts import view_facts

NOW = datetime(2026, 1, 15, 9, 30, tzinfo=UTC)


def _figure():
    fig = Figure(figsize=(12.8, 7.2), dpi=100)
    FigureCanvasAgg(fig)
    return fig, fig.canvas.get_renderer()


def _texts(fig) -> str:
    return "\n".join(t.get_text() for t in fig.texts)


@pytest.fixture
def incidents() -> pd.DataFrame:
    return normalise_dtypes(
        pd.DataFrame(
            {
                "incident_id": ["A", "B", "C"],
                "event_date": ["2025-03-01", "2025-04-01", "2025-05-02"],
                "event_type": ["Battles", "Made-up type", None],
                "killed": [12, None, 3],
                "latitude": [34.0, 34.1, None],
                "longitude": [70.0, 70.1, None],
                "admin1": ["Khyber Pakhtunkhwa", "Khyber Pakhtunkhwa", None],
                "admin1_code": ["PK-KP", "PK-KP", None],
                "source": ["Dawn", "Dawn; AP", "AP"],
            }
        )
    )


def test_marker_area_grows_with_killed_unknown_is_not_zero_and_is_capped():
    area = mapkey.marker_area(pd.array([0, 1, 10, 400, 10_000, None], dtype="Int64"))
    assert list(area[:4]) == sorted(area[:4]) and area[0] > 0
    assert area[3] == area[4]  # one mass-casualty event does not cover a province
    assert area[5] == mapkey.marker_area([4])[0]  # unknown: drawn hollow at the size of 4


def test_crowded_maps_get_smaller_fainter_markers():
    steps = [mapkey.crowding(n) for n in (10, 5001, 50_001)]
    assert steps == sorted(steps, reverse=True) and steps[0] == (1.0, 0.8)


def test_shading_runs_light_to_dark():
    cmap = mapkey.shade_cmap()
    assert sum(cmap(0.0)[:3]) > sum(cmap(1.0)[:3])


def test_header_says_title_filters_and_caveat(incidents):
    fig, renderer = _figure()
    plain = view_facts(incidents, None, title="Frontier", now=NOW)
    below_plain = mapkey.draw_header(fig, renderer, plain)
    fig2, renderer2 = _figure()
    caveat = view_facts(incidents, None, title="Frontier", caveat="Not for release", now=NOW)
    mapkey.draw_header(fig2, renderer2, caveat)
    assert 0 < below_plain < 1
    text = _texts(fig2)
    assert "Frontier" in text and "Filters: all incidents · 3 incidents" in text
    assert "Not for release" in text and "Not for release" not in _texts(fig)


def test_footer_says_cut_off_made_and_sources(incidents):
    fig, renderer = _figure()
    top = mapkey.draw_footer(fig, renderer, view_facts(incidents, None, now=NOW))
    text = _texts(fig)
    assert 0 < top < 0.2
    assert "Data to 2 May 2025 (latest event)" in text and "Made 2026-01-15 09:30 UTC" in text
    assert "Incident sources: AP; Dawn" in text and "Natural Earth" in text


def test_panel_keeps_unknown_apart_and_names_other_types(incidents):
    from geo.views.viewfacts import top_provinces

    fig, renderer = _figure()
    ax = fig.add_axes((0, 0, 0.6, 1))
    ring = ax.scatter([], [])
    facts = view_facts(incidents, None, now=NOW)
    mapkey.draw_panel(
        fig,
        renderer,
        incidents,
        facts,
        x=0.64,
        top=0.9,
        bottom=0.1,
        ring_handle=ring,
        provinces=top_provinces(incidents),
    )
    legends = [t.get_text() for leg in fig.legends for t in leg.get_texts()]
    assert "Killed unknown (hollow)" in legends
    assert "Battles" in legends and "Other or not given" in legends
    text = _texts(fig)
    assert "Killed: 15 in 2 incidents with known counts; unknown in 1" in text
    assert "Not on the map (no coordinates): 1" in text
    assert "Province not known" in text  # the incident without a province, named as such
