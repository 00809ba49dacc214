"""The shared filters: one session value, mirrored to the URL, drawn from the filter table.

``session().filters`` holds a :class:`geo.views.filters.Filters`. It is created from
``st.query_params`` the first time a session runs (so a copied link
reproduces the view), written back to the URL on every run (so it survives
page switches), and changed only by the sidebar widgets' on_change callbacks.

The sidebar is not written filter by filter: :func:`draw_sidebar` draws one
widget per entry of :data:`geo.views.filters.FILTERS` (in :func:`geo.views.filters.sidebar_filters`
order) with the drawer for its :attr:`~geo.views.filters.Widget.kind`, so a filter
added to the table appears here by itself. Each widget keeps its value under
``w_<filter name>``; tests may set ``at.session_state["filters"]`` or
``at.query_params`` directly.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

import streamlit as st

from geo.views.filters import FILTERS, Dropped, Filter, Filters, sidebar_filters
from ui.frame import ensure_frame
from ui.session import session

__all__ = [
    "current_filters",
    "date_changes",
    "draw_sidebar",
    "ensure_frame",
    "no_match_notice",
    "reset_filters",
    "set_filters",
    "sync_url",
]


def current_filters() -> Filters:
    """The filters in force for this session (from the URL on first use), mirrored to the URL.

    Every page calls this first, so the URL carries the filters whichever
    page is open (st.navigation drops the query string on a page switch).
    """
    ensure_frame()
    s = session()
    value = s.filters
    if not isinstance(value, Filters):
        dropped: list[Dropped] = []
        value = Filters.from_query_params(st.query_params, dropped)
        s.filters = value
        s.url_dropped = tuple(str(d) for d in dropped)
    sync_url(value)
    return value


def set_filters(filters: Filters) -> None:
    """Replace the filters and mirror them to the URL (the link's warning is then done with)."""
    session().filters = filters
    del session().url_dropped
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
    """Draw one widget per filter (once, in the frame) and return the filters in force.

    Parameters
    ----------
    options : dict
        From :func:`geo.views.query.filter_options`: each filter's choices, by name.
    """
    filters = current_filters()
    dropped = session().url_dropped
    if dropped:
        st.warning("Left out of the link (not understood): " + "; ".join(dropped), icon="⚠️")
    for entry in sidebar_filters():
        assert entry.widget is not None
        _DRAWERS[entry.widget.kind](entry, filters, options.get(entry.name))
    st.button("Reset filters", on_click=reset_filters, disabled=filters.is_empty())
    return current_filters()


def no_match_notice(filters: Filters) -> None:
    """Say that no incident matches (with a reset button) instead of leaving a page blank."""
    st.info("No incidents match these filters.", icon="🔎")
    if filters.is_empty():
        return
    # the callback resets before the widgets are read; the rerun redraws the whole app
    # (a map page draws this inside a fragment, which alone would not redraw the sidebar)
    if st.button("Reset filters", key="reset_filters_empty", on_click=reset_filters):
        st.rerun()


# ---------------------------------------------------------------------- drawers
# Each drawer sets its widget's value from the filters, draws it, and gives it a
# callback that turns the widget's value back into filter values.


def _multiselect(entry: Filter, filters: Filters, options: Any) -> None:
    w = entry.widget
    assert w is not None
    offered = w.choices(options, filters) if w.choices else list(options or [])
    chosen = filters.get(entry.name)
    session().set_widget(entry.name, list(chosen))
    st.multiselect(
        w.label,
        list(dict.fromkeys([*offered, *chosen])),
        format_func=w.label_of(options or {}) if w.label_of else str,
        key=session().widget_key(entry.name),
        on_change=_changed,
        args=(entry.name,),
        placeholder=w.placeholder,
        help=w.help,
        accept_new_options=w.accept_new,
    )


def _number(entry: Filter, filters: Filters, options: Any) -> None:
    w = entry.widget
    assert w is not None
    session().set_widget(entry.name, int(filters.get(entry.name) or 0))
    st.number_input(
        w.label,
        min_value=0,
        step=1,
        key=session().widget_key(entry.name),
        on_change=_changed,
        args=(entry.name,),
        help=w.help,
    )


def _date_range(entry: Filter, filters: Filters, options: Any) -> None:
    w = entry.widget
    assert w is not None and w.end is not None
    lo, hi = options or (None, None)
    s = session()
    s.date_bounds = {**s.date_bounds, entry.name: (lo, hi)}
    if not (lo and hi):
        return  # no dated incidents: nothing to pick from
    first, last = filters.get(entry.name), filters.get(w.end)
    s.set_widget(entry.name, (first or lo, last or hi))
    st.date_input(
        w.label,
        # any whole day may be typed (ISO, like the URL), not only days in the store
        min_value=min(lo, first or lo, _EARLIEST),
        max_value=max(hi, last or hi, date.today()),
        format="YYYY-MM-DD",
        key=s.widget_key(entry.name),
        on_change=_changed,
        args=(entry.name,),
        help=w.help,
    )


#: The earliest day the date field takes when typed in.
_EARLIEST = date(1970, 1, 1)

_DRAWERS: dict[str, Callable[[Filter, Filters, Any], None]] = {
    "multiselect": _multiselect,
    "number": _number,
    "date_range": _date_range,
}


def _changed(name: str) -> None:
    """A widget's on_change callback: its value becomes the filter's (the one place they change)."""
    entry = FILTERS[name]
    s = session()
    value = s.widget(name)
    kind = entry.widget.kind if entry.widget else ""
    if kind == "date_range" and entry.widget and entry.widget.end:
        first, last = date_changes(value, s.date_bounds.get(name, (None, None)))
        changes = {name: first, entry.widget.end: last}
    elif kind == "number":
        changes = {name: int(value) if value else None}
    else:
        changes = {name: entry.normalise(_parsed(entry, value or ()))}
    set_filters((s.filters or Filters()).with_(**changes))


def date_changes(picked: Any, bounds: tuple[Any, Any]) -> tuple[date | None, date | None]:
    """The first and last day a date field's value sets (``None``: that end is open).

    Parameters
    ----------
    picked : date, tuple of dates or None
        What ``st.date_input`` gives: a pair, one day while a range is being
        typed or picked, or a single date.
    bounds : (date, date)
        The store's first and last event date: picking one leaves that end open.

    Returns
    -------
    (date or None, date or None)
        Put in order when the two days were typed the wrong way round.
    """
    days = [picked] if isinstance(picked, date) else list(picked or ())
    days = [d for d in days[:2] if isinstance(d, date)]
    first = days[0] if days else None
    last = days[1] if len(days) > 1 else None
    if first and last and first > last:
        first, last = last, first
    lo, hi = bounds
    return (first if first != lo else None, last if last != hi else None)


def _parsed(entry: Filter, values: Any) -> list[Any]:
    """The widget's items as filter values; an item the filter cannot read is dropped."""
    out = []
    for v in values:
        try:
            out.append(entry.parse(str(v)))
        except ValueError:
            continue
    return out
