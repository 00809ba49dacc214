"""ui.session: typed access to a session's state."""

from __future__ import annotations

from geo.views.filters import Filters
from ui.session import Session


def test_unset_values_read_as_their_defaults():
    s = Session({})
    assert s.filters is None and s.reroute is None and s.date_bounds == {}


def test_values_are_stored_under_the_keys_tests_and_pages_know():
    state: dict = {}
    s = Session(state)
    s.filters = Filters(countries=("AFG",))
    s.set_widget("countries", ["AFG"])
    assert state == {"filters": Filters(countries=("AFG",)), "w_countries": ["AFG"]}
    assert s.widget("countries") == ["AFG"] and s.widget_key("min_killed") == "w_min_killed"
    del s.filters
    assert s.filters is None and "filters" not in state
