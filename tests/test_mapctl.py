"""ui.mapctl through the Map and Cross-border pages (AppTest): views pushed, places found,
incidents off the map named, time stepped and played, the URL carrying the window."""

from __future__ import annotations

import json
import time
from datetime import date
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from geo.views.mapview import FRONTIER, MapView
from geo.views.timewindow import TimeWindow
from ui.session import Playback

APP = str(Path(__file__).resolve().parent.parent / "app.py")


@pytest.fixture
def app(tmp_path, monkeypatch) -> AppTest:
    monkeypatch.setenv("ATLAS_DB", str(tmp_path / "atlas.sqlite"))
    monkeypatch.setenv("ATLAS_ONLINE_TILES", "0")
    at = AppTest.from_file(APP, default_timeout=180)
    at.run()
    return at


def _open(at: AppTest, page: str = "pages/map.py") -> AppTest:
    at.switch_page(page).run()
    assert not at.exception, [e.message for e in at.exception]
    return at


def _deck(at: AppTest) -> dict:
    return json.loads(at.get("deck_gl_json_chart")[0].proto.json)


def _view(at: AppTest, key: str = "map") -> MapView:
    return at.session_state["map_views"][key]


def _button(at: AppTest, label: str):
    return next(b for b in at.button if b.label == label)


def test_the_map_opens_on_the_frontier_with_zoom_buttons_and_a_scale_bar(app):
    _open(app)
    deck = _deck(app)
    vs = deck["initialViewState"]
    assert (vs["latitude"], vs["longitude"], vs["zoom"]) == (33.0, 69.0, 5.0)
    assert isinstance(deck["mapStyle"], list)  # the blank style: Streamlit draws + and −
    ids = [layer["id"] for layer in deck["layers"]]
    assert ids[-3:] == ["scale-bar-halo", "scale-bar", "scale-bar-text"]
    assert "base-labels" in ids and "incidents" in ids


def test_fit_reset_and_show_them_push_a_new_view_each_time(app):
    _open(app)
    notice = next(i.value for i in app.info if "outside this view" in i.value).replace("\\", "")
    assert notice.startswith("2 incidents outside this view:")
    assert "Kerman (Iran)" in notice and "Moscow Oblast (Russia)" in notice
    _button(app, "Show them").click().run()
    fitted = _view(app)
    assert fitted.pushes == 1 and fitted.zoom < FRONTIER.zoom  # Moscow is far north
    assert not any("outside this view" in i.value for i in app.info)
    assert _deck(app)["initialViewState"]["zoom"] == pytest.approx(fitted.zoom, abs=1e-3)
    _button(app, "Reset view").click().run()
    assert (_view(app).latitude, _view(app).zoom, _view(app).pushes) == (33.0, 5.0, 2)
    before = _deck(app)["initialViewState"]
    _button(app, "Reset view").click().run()  # again: every value differs, so the map moves back
    again = _deck(app)["initialViewState"]
    assert _view(app).pushes == 3
    for key in ("latitude", "longitude", "zoom"):
        assert again[key] != before[key] and again[key] == pytest.approx(before[key])
    _button(app, "Fit to data").click().run()
    assert _view(app).pushes == 4 and _view(app).zoom == pytest.approx(fitted.zoom)


def test_the_place_search_flies_to_peshawar_and_offers_namesakes(app):
    _open(app)
    app.text_input(key="w_map_place").set_value("Peshawar").run()
    v = _view(app)
    assert v.latitude == pytest.approx(34.0, abs=0.05) and v.longitude == pytest.approx(
        71.57, abs=0.05
    )
    assert v.zoom >= 9
    assert any(
        "Peshawar (Khyber Pakhtunkhwa, PAK)" in c.value.replace("\\", "") for c in app.caption
    )
    app.text_input(key="w_map_place").set_value("Qqzxqqzx").run()
    assert any("No place called" in c.value for c in app.caption)
    assert _view(app) == v  # not found: the map stays
    app.text_input(key="w_map_place").set_value("Peshawer").run()  # misspelt: said so
    assert any("the closest is Peshawar" in c.value for c in app.caption)


def test_choosing_a_month_steps_and_the_url_carries_it(app):
    _open(app)
    app.segmented_control(key="w_window_size").set_value("Month").run()
    first = TimeWindow(date(2022, 3, 1), "month")  # the seed's first incident: 4 March 2022
    assert app.session_state["filters"].window == first
    assert app.query_params["window"] == "month:2022-03-01"
    assert app.caption[0].value.startswith("1 incidents · March 2022")
    slider = app.select_slider(key="w_window")
    slider.set_value(TimeWindow(date(2024, 1, 1), "month")).run()
    assert app.query_params["window"] == "month:2024-01-01"
    app.segmented_control(key="w_window_size").set_value("All").run()
    assert app.session_state["filters"].window is None and "window" not in app.query_params


def test_play_steps_one_month_per_tick_and_pause_stops(app):
    _open(app)
    clicked = time.time()
    _button(app, "Play").click().run()
    playback = app.session_state["map_playback"]
    assert isinstance(playback, Playback)
    assert app.session_state["filters"].window == TimeWindow(date(2022, 3, 1), "month")
    # the first month's pause counts from when the run drew it, not from the click
    assert playback.drawn and playback.stepped_at >= clicked
    for month in (4, 5):  # a tick: the fragment reruns once PLAY_SECONDS have passed
        app.session_state["map_playback"] = Playback("map", 0.0)
        app.run()
        assert app.session_state["filters"].window == TimeWindow(date(2022, month, 1), "month")
        assert app.query_params["window"] == f"month:2022-{month:02d}-01"
    app.run()  # no time has passed: no step
    assert app.session_state["filters"].window.start == date(2022, 5, 1)
    _button(app, "Pause").click().run()
    assert "map_playback" not in app.session_state
    app.run()
    assert app.session_state["filters"].window.start == date(2022, 5, 1)


def test_play_stops_at_the_last_window(app):
    _open(app)
    app.segmented_control(key="w_window_size").set_value("Quarter").run()
    app.select_slider(key="w_window").set_value(TimeWindow(date(2025, 7, 1), "quarter")).run()
    _button(app, "Play").click().run()
    app.session_state["map_playback"] = Playback("map", 0.0)
    app.run()
    assert "map_playback" not in app.session_state  # 2025 Q3 holds the last incident
    assert app.session_state["filters"].window.start == date(2025, 7, 1)


def test_the_cross_border_page_keeps_its_own_view_and_shares_the_window(app):
    _open(app)
    app.segmented_control(key="w_window_size").set_value("Quarter").run()
    _open(app, "pages/cross_border.py")
    assert app.session_state["filters"].window.size == "quarter"  # one filter, both pages
    _button(app, "Fit to data").click().run()
    assert "xb" in app.session_state["map_views"] and "map" not in app.session_state["map_views"]
    assert any(s.value == "Accusations" for s in app.subheader)
