"""The maps' controls: where the map looks, what it leaves out, and stepping through time.

The browser pans and zooms by itself (mouse, touch, the + and − buttons
Streamlit draws on the map). What it cannot do, these controls do on the
server and push to the map as a new view (:mod:`geo.views.mapview`):

- :func:`navigation`: "Fit to data", "Reset view" and a place search over the
  offline gazetteer that flies to the place;
- :func:`off_map`: the incidents the view leaves out, named, with a button
  that shows them;
- :func:`time_window`: the time slider (week, month or quarter) with play and
  pause. Its position is the ``window`` filter, so the URL carries it.

While a map plays, its part of the page is a fragment that reruns by itself
(:func:`fragment`): each step filters the cached view of the other filters
(:func:`ui.cache.current_view`), never the whole table.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import pandas as pd
import streamlit as st

from geo.views import mapview
from geo.views.filters import Filters
from geo.views.legend import LEGEND_COLUMNS
from geo.views.mapview import FRONTIER, MAP_SIZE, MapView
from geo.views.timewindow import TimeWindow, windows
from geo.views.view import View
from ui import cache, frame
from ui.session import Playback, session
from ui.state import current_filters, set_filters

__all__ = [
    "MAP_COLUMNS",
    "PLAY_SECONDS",
    "fragment",
    "marks_legend",
    "navigation",
    "off_map",
    "playing",
    "set_view",
    "time_window",
    "view_of",
]

#: Seconds between two steps of play.
PLAY_SECONDS = 1.6
#: What the map's controls, its off-map notice and its legend read of a view's incidents.
MAP_COLUMNS: tuple[str, ...] = (*mapview.PLACE_COLUMNS, *LEGEND_COLUMNS)
_ALL = "All"
#: The window sizes as the segmented control shows them (its options are these labels).
_SIZE_OF = {_ALL: None, "Week": "week", "Month": "month", "Quarter": "quarter"}
_LABEL_OF = {size: label for label, size in _SIZE_OF.items() if size}


# ---------------------------------------------------------------------- the view
def view_of(map_key: str) -> MapView:
    """The view map ``map_key`` was last set to (the frontier at first)."""
    found = session().map_views.get(map_key)
    return found if isinstance(found, MapView) else FRONTIER


def set_view(map_key: str, target: MapView) -> None:
    """Send map ``map_key`` to ``target`` (a callback: the next run draws it there)."""
    s = session()
    s.map_views = {**s.map_views, map_key: view_of(map_key).moved(target)}


def navigation(map_key: str, df: pd.DataFrame, size: tuple[int, int] = MAP_SIZE) -> MapView:
    """Draw "Fit to data", "Reset view" and the place search; return the view to draw.

    Parameters
    ----------
    map_key : str
        Which map (each page's map keeps its own view).
    df : pandas.DataFrame
        The incidents the map shows ("Fit to data" fits them).
    size : (int, int)
        The map's width and height in px, about (:data:`geo.views.mapview.MAP_SIZE`).
    """
    fit_col, reset_col, search_col = st.columns([1, 1, 3.2], vertical_alignment="top")
    fit_col.button(
        "Fit to data",
        icon=":material/fit_screen:",
        key=f"{map_key}_fit",
        on_click=lambda: set_view(map_key, mapview.fit_incidents(df, size)),
        disabled=df.empty,
        help="Zoom the map to the incidents the filters keep.",
        width="stretch",
    )
    reset_col.button(
        "Reset view",
        icon=":material/home:",
        key=f"{map_key}_reset",
        on_click=set_view,
        args=(map_key, FRONTIER),
        help="Back to Afghanistan and Pakistan.",
        width="stretch",
    )
    with search_col:
        _place_search(map_key)
    return view_of(map_key)


def _place_search(map_key: str) -> None:
    key = session().widget_key(f"{map_key}_place")
    st.text_input(
        "Find a place",
        key=key,
        placeholder="Find a place: a town, district, province or crossing (Peshawar, Torkham …)",
        on_change=lambda: _fly(map_key, session().state.get(key) or "", 0),
        max_chars=80,
        label_visibility="collapsed",
    )
    text = str(session().state.get(key) or "").strip()
    if not text:
        return
    found = cache.gazetteer().lookup(text, limit=5)
    if not found:
        st.caption(f"No place called “{_md(text)}” in the offline gazetteer.")
        return
    if len(found) > 1:  # namesakes, or one place under several entries (both sides of Torkham)
        st.caption("Places of that name (the map shows the first; click to go to another):")
        cols = st.columns(min(len(found), 4))
        for i, (col, place) in enumerate(zip(cols, found, strict=False)):
            col.button(
                _place_label(place),
                key=f"{map_key}_place_{i}",
                on_click=_fly,
                args=(map_key, text, i),
                width="stretch",
            )
    elif found[0].score < 100:
        st.caption(f"No place of that name; the closest is {_md(_place_label(found[0]))}.")
    else:
        st.caption(f"Showing {_md(_place_label(found[0]))}.")


def _fly(map_key: str, text: str, index: int) -> None:
    found = cache.gazetteer().lookup(text.strip(), limit=5) if text.strip() else []
    if len(found) > index:
        p = found[index]
        set_view(map_key, mapview.place_view(p.latitude, p.longitude, p.feature))


def _place_label(place: Any) -> str:
    where = ", ".join(x for x in (place.admin1, place.country_code) if x)
    return f"{place.name} ({where})" if where else str(place.name)


def off_map(
    map_key: str, df: pd.DataFrame, view: MapView, size: tuple[int, int] = MAP_SIZE
) -> None:
    """Name the incidents ``view`` leaves out, with a button that shows them all.

    The app knows the view it set (and the map's ``size`` roughly), not where
    the user has panned since.
    """
    # only the columns the notice reads: the rows left out may be a good part of the table
    named = df[df.columns.intersection(mapview.PLACE_COLUMNS)]
    out = mapview.outside(named, view, size)
    if out.empty:
        return
    n = len(out)
    text, button = st.columns([5, 1.3], vertical_alignment="center")
    text.info(
        f"{n:,} incident{'s' * (n != 1)} outside this view: {_md(mapview.describe_places(out))}",
        icon=":material/travel_explore:",
    )
    button.button(
        "Show them",
        key=f"{map_key}_show_all",
        on_click=lambda: set_view(map_key, mapview.fit_incidents(df, size)),
        help="Zoom out until every incident the filters keep is in view.",
        width="stretch",
    )


# ---------------------------------------------------------------------- time
def playing(map_key: str) -> bool:
    """Whether map ``map_key`` is stepping through time."""
    p = session().playback
    return isinstance(p, Playback) and p.map_key == map_key


def fragment(map_key: str) -> Callable[[Callable[[], None]], Callable[[], None]]:
    """Decorate a page's map part: a fragment, rerun every :data:`PLAY_SECONDS` while playing.

    Decorate before the page draws anything: this first checks that the page
    runs in the frame (:func:`ui.frame.ensure_frame`, which may rerun it
    through ``app.py``). The body then runs marked as inside the frame
    (:func:`ui.frame.running`), so its reads of the data pass that check on a
    fragment rerun too, when ``app.py`` does not run.
    """
    frame.ensure_frame()
    every = PLAY_SECONDS if playing(map_key) else None

    def wrap(body: Callable[[], None]) -> Callable[[], None]:
        @st.fragment(run_every=every)
        def framed() -> None:
            if (every is not None) != playing(map_key):
                st.rerun()  # play started or stopped: the whole page, to (un)set run_every
            with frame.running():
                body()
            p = session().playback
            if playing(map_key) and p is not None and not p.drawn:
                # this run drew a new step (the first after Play too): the next step waits
                # from now, so a slow run does not eat into the time its window is shown
                session().playback = Playback(map_key, time.time(), drawn=True)

        return framed

    return wrap


def time_window(map_key: str, base: View) -> TimeWindow | None:
    """Draw the time slider with play and pause; return the window in force (None: all dates).

    Parameters
    ----------
    map_key : str
        Which map plays.
    base : View
        The view without the window (:func:`ui.cache.current_view` with
        ``windowed=False``): the slider spans its dates.
    """
    if base.facts.date_min is None or base.facts.date_max is None:
        return None
    first, last = base.facts.date_min.date(), base.facts.date_max.date()
    window = _step(map_key, current_filters().window, last)
    size_col, play_col, slider_col = st.columns([3, 1, 3.4], vertical_alignment="bottom")
    s = session()
    s.set_widget("window_size", _LABEL_OF[window.size] if window else _ALL)
    size_col.segmented_control(
        "Step through time",
        list(_SIZE_OF),
        key=s.widget_key("window_size"),
        on_change=_size_changed,
        args=(map_key, first),
        help="Show one week, month or quarter at a time; play steps through them.",
    )
    if playing(map_key):
        play_col.button("Pause", icon=":material/pause:", key=f"{map_key}_pause", on_click=_pause)
    else:
        play_col.button(
            "Play",
            icon=":material/play_arrow:",
            key=f"{map_key}_play",
            help="Step through time, one window every few seconds",
            on_click=_play,
            args=(map_key, first, last),
        )
    if window is not None:
        with slider_col:
            _slider(map_key, window, windows(first, last, window.size))
    else:
        slider_col.caption(f"All dates: {first:%d %b %Y} to {last:%d %b %Y}.")
    return window


def _step(map_key: str, window: TimeWindow | None, last: Any) -> TimeWindow | None:
    """While playing, move on one window once :data:`PLAY_SECONDS` have passed; stop at the end."""
    p = session().playback
    if not playing(map_key) or window is None or p is None:
        return window
    if time.time() - p.stepped_at < PLAY_SECONDS * 0.8:
        return window
    following = window.next()
    if following.start > last:
        _pause()
        st.rerun()  # the whole page, so the fragment stops rerunning by itself
    set_filters(current_filters().with_(window=following))
    session().playback = Playback(map_key, time.time())
    return following


def _slider(map_key: str, window: TimeWindow, options: list[TimeWindow]) -> None:
    if window not in options:  # the other filters moved the range: keep inside it
        window = min(options, key=lambda w: abs((w.start - window.start).days))
        set_filters(current_filters().with_(window=window))
    if len(options) == 1:
        st.caption(f"Only one {window.size} holds incidents: {window.label()}.")
        return
    s = session()
    s.set_widget("window", window)
    st.select_slider(
        "Shown",
        options,
        format_func=TimeWindow.label,
        key=s.widget_key("window"),
        on_change=_window_changed,
        args=(map_key,),
        label_visibility="collapsed",
        # while playing, the slider only shows the position: a stale value sent back by
        # the browser during a timed rerun would otherwise step playback backwards
        disabled=playing(map_key),
        help="Pause to move the slider by hand." if playing(map_key) else None,
    )
    st.caption(f"Showing {window.label()}: {window.start:%d %b %Y} to {window.last_day:%d %b %Y}.")


# Callbacks run before the script, outside the frame: they read the session's filters
# directly (current_filters would take them for a page run on its own).
def _play(map_key: str, first: Any, last: Any) -> None:
    filters = session().filters or Filters()
    start = filters.window or TimeWindow.containing(first, "month")
    if start.start > last:
        start = TimeWindow.containing(first, start.size)
    set_filters(filters.with_(window=start))
    session().playback = Playback(map_key, time.time())


def _pause() -> None:
    del session().playback


def _size_changed(map_key: str, first: Any) -> None:
    label = session().widget("window_size")
    if label is None:  # the chosen size clicked again: keep it
        return
    filters = session().filters or Filters()
    size, now = _SIZE_OF.get(label), filters.window
    if size is None:
        if playing(map_key):
            del session().playback
        set_filters(filters.with_(window=None))
        return
    day = now.start if now is not None else first
    set_filters(filters.with_(window=TimeWindow.containing(day, size)))


def _window_changed(map_key: str) -> None:
    if playing(map_key):
        # the slider is disabled while playing: a change now is a stale value sent back by
        # the browser with a timed rerun, and taking it would step playback backwards
        return
    chosen = session().widget("window")
    if isinstance(chosen, TimeWindow):
        set_filters((session().filters or Filters()).with_(window=chosen))


def _md(text: str) -> str:
    from ui.widgets import md_escape

    return md_escape(text)


# ---------------------------------------------------------------------- keys
def marks_legend(arcs: Any = None) -> None:
    """The map's other marks: the kinds of origin arc drawn, count badges and the scale bar.

    ``arcs`` is the origin-arc layer (:func:`geo.views.layers.origin_arcs`) or
    ``None``. Built from :func:`geo.views.layers.arc_key` and
    :func:`geo.views.layers.mark_key` only, so the HTML carries no data.
    """
    import html

    from geo.views import layers

    kinds = {r.get("kind") for r in arcs.data} if arcs is not None else set()
    parts = []
    for meaning, (r1, g1, b1), (r2, g2, b2) in layers.arc_key(kinds) if kinds else []:
        bar = (
            "<span style='display:inline-block;width:34px;height:4px;vertical-align:middle;"
            f"margin-right:4px;background:linear-gradient(90deg,rgb({r1},{g1},{b1}),"
            f"rgb({r2},{g2},{b2}))'></span>"
        )
        parts.append(f"{bar}arc {html.escape(meaning)}")
    for mark, meaning in layers.mark_key():
        box = (
            "<span style='display:inline-block;padding:0 4px;border:1px solid #3c3c3c;"
            "border-radius:3px;font-weight:700;font-size:0.75rem;margin-right:4px'>"
            f"{html.escape(mark)}</span>"
        )
        parts.append(f"{box}{html.escape(meaning)}")
    st.markdown(
        "<div style='font-size:0.85rem;line-height:1.9'>" + "&nbsp;&nbsp; ".join(parts) + "</div>",
        unsafe_allow_html=True,
    )
