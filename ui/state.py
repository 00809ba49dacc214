"""The shared filters: one session-state value, mirrored to the URL.

``st.session_state["filters"]`` holds a :class:`geo.query.Filters`. It is
created from ``st.query_params`` the first time a session runs (so a copied
link reproduces the view), written back to the URL on every run (so it
survives page switches), and changed only by the sidebar widgets' on_change
callback, which reads the widgets' own keys (``w_*``). Tests may set
``at.session_state["filters"]`` or ``at.query_params`` directly.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import streamlit as st

from geo.query import Filters
from geo.schema import GEO_PRECISION_LABELS

KEY = "filters"
_W = {
    "dates": "w_dates",
    "countries": "w_countries",
    "admin1": "w_admin1",
    "event_types": "w_event_types",
    "actors": "w_actors",
    "min_killed": "w_min_killed",
    "precisions": "w_precisions",
}
_BOUNDS = "w_date_bounds"


def current_filters() -> Filters:
    """The filters in force for this session (from the URL on first use), mirrored to the URL.

    Every page calls this first, so the URL carries the filters whichever
    page is open (st.navigation drops the query string on a page switch).
    """
    ensure_frame()
    value = st.session_state.get(KEY)
    if not isinstance(value, Filters):
        value = Filters.from_query_params(st.query_params)
        st.session_state[KEY] = value
    sync_url(value)
    return value


def set_filters(filters: Filters) -> None:
    """Replace the filters and mirror them to the URL."""
    st.session_state[KEY] = filters
    sync_url(filters)


def sync_url(filters: Filters | None = None) -> None:
    """Write the filters to ``st.query_params`` (only when they differ)."""
    wanted = (filters or current_filters()).to_query_params()
    have = {k: st.query_params.get(k) for k in st.query_params}
    if have != wanted:
        st.query_params.from_dict(wanted)


def reset_filters() -> None:
    """Callback of the reset button: no filters at all."""
    set_filters(Filters())


def draw_sidebar(options: dict[str, Any]) -> Filters:
    """Draw the filter widgets (once, in the frame) and return the filters in force.

    Parameters
    ----------
    options : dict
        From :func:`geo.query.filter_options`.
    """
    filters = current_filters()
    st.session_state[_BOUNDS] = (options["date_min"], options["date_max"])
    _push_to_widgets(filters)
    lo, hi = options["date_min"], options["date_max"]
    if lo and hi:
        lo, hi = min(lo, filters.date_from or lo), max(hi, filters.date_to or hi)
        st.date_input("Dates", min_value=lo, max_value=hi, key=_W["dates"], on_change=_on_change)
    countries, provinces = options["countries"], options["provinces"]
    st.multiselect(
        "Countries",
        list(dict.fromkeys([*countries, *filters.countries])),
        format_func=lambda c: f"{countries.get(c, c)} ({c})",
        key=_W["countries"],
        on_change=_on_change,
        placeholder="All countries",
    )
    shown = [
        c for c in provinces if not filters.countries or c[:2] in {x[:2] for x in filters.countries}
    ]
    shown += [c for c in filters.admin1 if c not in shown]
    st.multiselect(
        "Provinces",
        shown,
        format_func=lambda c: f"{provinces.get(c, c)} ({c})",
        key=_W["admin1"],
        on_change=_on_change,
        placeholder="All provinces",
    )
    types = list(dict.fromkeys([*options["event_types"], *filters.event_types]))
    st.multiselect(
        "Event types", types, key=_W["event_types"], on_change=_on_change, placeholder="All types"
    )
    actors = list(dict.fromkeys([*options["actors"], *filters.actors]))
    st.multiselect(
        "Actors or groups",
        actors,
        key=_W["actors"],
        on_change=_on_change,
        accept_new_options=True,
        placeholder="Any actor (type to search)",
        help="Matches perpetrator, target or claimant, case-insensitive; "
        "you may type part of a name (e.g. TTP).",
    )
    st.number_input(
        "Minimum killed",
        min_value=0,
        step=1,
        key=_W["min_killed"],
        on_change=_on_change,
        help="Above 0, incidents whose death toll is unknown are left out.",
    )
    st.multiselect(
        "Location precision",
        [1, 2, 3, 4],
        format_func=lambda p: f"{p} · {GEO_PRECISION_LABELS[p]}",
        key=_W["precisions"],
        on_change=_on_change,
        placeholder="All precision levels",
    )
    st.button("Reset filters", on_click=reset_filters, disabled=filters.is_empty())
    return current_filters()


# ---------------------------------------------------------------------- private
def ensure_frame() -> None:
    """Rerun through app.py when Streamlit ran a page file on its own.

    Because the pages live in a folder named ``pages/``, Streamlit starts in its
    old multipage mode until app.py has called ``st.navigation`` once in the
    process. A first request for ``/map`` (a bookmarked link after a restart)
    would run pages/map.py alone: no sidebar, no filters from the frame, and
    every later session on that URL likewise. Switching the flag off and
    rerunning makes Streamlit run app.py, which routes to the same page.
    """
    from streamlit.runtime.pages_manager import PagesManager

    if PagesManager.uses_pages_directory:
        PagesManager.uses_pages_directory = False
        st.rerun()


def _push_to_widgets(filters: Filters) -> None:
    """Set the widget keys from the filters (before the widgets are drawn)."""
    lo, hi = st.session_state.get(_BOUNDS, (None, None))
    if lo and hi:
        st.session_state[_W["dates"]] = (filters.date_from or lo, filters.date_to or hi)
    st.session_state[_W["countries"]] = list(filters.countries)
    st.session_state[_W["admin1"]] = list(filters.admin1)
    st.session_state[_W["event_types"]] = list(filters.event_types)
    st.session_state[_W["actors"]] = list(filters.actors)
    st.session_state[_W["min_killed"]] = int(filters.min_killed or 0)
    st.session_state[_W["precisions"]] = list(filters.precisions)


def _on_change() -> None:
    """Build the filters from the widgets' values; the one place they change."""
    ss = st.session_state
    lo, hi = ss.get(_BOUNDS, (None, None))
    dates = ss.get(_W["dates"]) or ()
    d_from = dates[0] if len(dates) > 0 else None
    d_to = dates[1] if len(dates) > 1 else None
    d_from = None if d_from == lo else d_from
    d_to = None if d_to == hi else d_to
    min_killed = ss.get(_W["min_killed"]) or 0
    filters = Filters(
        date_from=d_from if isinstance(d_from, date) else None,
        date_to=d_to if isinstance(d_to, date) else None,
        countries=tuple(ss.get(_W["countries"]) or ()),
        admin1=tuple(ss.get(_W["admin1"]) or ()),
        event_types=tuple(ss.get(_W["event_types"]) or ()),
        actors=tuple(str(a).strip() for a in ss.get(_W["actors"]) or () if str(a).strip()),
        min_killed=int(min_killed) if min_killed else None,
        precisions=tuple(sorted(int(p) for p in ss.get(_W["precisions"]) or ())),
    )
    set_filters(filters)
