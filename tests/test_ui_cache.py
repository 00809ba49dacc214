"""The app's caches hand each caller its own copy of the shared tables (issue 19).

The incidents and the views of the filters are held once per process
(``st.cache_resource``); each call returns shallow copies under pandas'
copy-on-write, so whatever a page does to its copy never reaches the cache.
"""

from __future__ import annotations

from copy import deepcopy
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def cache(app, monkeypatch: pytest.MonkeyPatch):
    """``ui.cache`` over the app fixture's fresh store (seeded), as a page in the frame sees it."""
    monkeypatch.syspath_prepend(str(ROOT))  # ui/ lives at the project root
    from ui import cache, frame

    app.run()  # opens and seeds the store
    with frame.running():
        yield cache


def test_changing_the_loaded_incidents_leaves_the_cache_as_it_was(cache) -> None:
    before = cache.load_incidents()
    expected = before.copy(deep=True)
    mine = cache.load_incidents()
    mine.loc[mine.index[0], "killed"] = 10**6
    mine["extra"] = 1
    del mine["notes"]
    again = cache.load_incidents()
    assert again is not mine
    assert again.equals(expected) and list(again.columns) == list(expected.columns)


def test_changing_a_view_leaves_the_cached_view_as_it_was(cache) -> None:
    view = cache.current_view()
    expected = view.incidents.copy(deep=True), view.claims.copy(deep=True), deepcopy(view.facts)
    view.incidents.loc[view.incidents.index[0], "killed"] = 10**6
    del view.claims[view.claims.columns[0]]
    view.facts.sources.clear()
    again = cache.current_view()
    assert again is not view
    assert again.incidents.equals(expected[0]) and again.claims.equals(expected[1])
    assert again.facts == expected[2] and again.facts.sources


def test_the_incident_layers_are_built_once_per_version_and_filters(cache, monkeypatch) -> None:
    from geo.views import layers

    calls: list[int] = []
    build = layers.incident_layers

    def counting(df, **kw):
        calls.append(len(df))
        return build(df, **kw)

    monkeypatch.setattr(layers, "incident_layers", counting)
    cache._incident_layers.clear()
    first = cache.incident_layers(cache.current_view())
    assert cache.incident_layers(cache.current_view()) is first
    assert calls == [len(cache.current_view().incidents)]


def test_each_figure_is_counted_once_per_version_and_filters(cache, monkeypatch) -> None:
    from geo.views import summaries

    calls: list[str] = []
    breakdown = summaries.breakdown

    def counting(df, by, **kw):
        calls.append(by)
        return breakdown(df, by, **kw)

    monkeypatch.setattr(summaries, "breakdown", counting)
    cache._figure.clear()
    view = cache.current_view()
    first = cache.figure(view, "breakdown", "province", 12)
    again = cache.figure(cache.current_view(), "breakdown", "province", 12)
    assert again.equals(first) and again is not first  # a copy of the cached table
    assert first.equals(summaries.breakdown(view.incidents, "province", limit=12))
    cache.figure(view, "breakdown", "month")
    assert calls == ["province", "province", "month"]  # the second is the check above
    assert set(cache.FIGURES) >= {"headline", "breakdown", "latest", "border_sides"}
