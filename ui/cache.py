"""Cached loaders: one store connection per process, tables and views cached per store version.

``st.cache_resource`` holds things that are shared and never mutated (the
store connection, the boundaries, the gazetteer, the basemap layers), and
the big read-side tables: every stored incident and the
:class:`geo.views.view.View` of the filters in force. Those are held once per
process and each caller gets its own shallow copy (pandas' copy-on-write: a
write to the copy copies what it changes and never reaches the cache).
``st.cache_data`` would pickle them and hand every caller an unpickled copy:
at a million stored incidents that was 570 MB unpickled on every rerun of the
Map page. ``st.cache_data`` keeps the small tables and the rendered files.
All are keyed by the store's ``version()``, so an upload or an undo makes the
next read load fresh data without any explicit clearing.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import pandas as pd
import pydeck as pdk
import streamlit as st

from geo.config import get_settings
from geo.ingest.seed import open_store
from geo.store.core import Store
from geo.views import columnar, layers, outputs, query, summaries
from geo.views.timewindow import in_window
from geo.views.view import View, stored_incidents


@dataclass(frozen=True)
class Boundaries:
    """The simplified boundaries the browser draws (do not mutate)."""

    adm0: Any
    adm1: Any
    border: Any


@st.cache_resource(show_spinner=False)
def _store(url: str) -> Store:
    return open_store(url)


def get_store() -> Store:
    """The store named by ``ATLAS_DB`` (one connection pool per process)."""
    return _store(get_settings().db)


def store_version() -> str:
    """The store's current version token (changes after every commit and undo)."""
    from ui.frame import ensure_frame

    ensure_frame()  # any page that reads data runs inside the frame
    return get_store().version()


@st.cache_resource(show_spinner="Loading incidents…", max_entries=3)
def _incidents(url: str, version: str) -> pd.DataFrame:
    # the columnar copy is written after the rows are back: the page does not wait for it;
    # after an upload the table of the version before is extended, not read from the file
    return stored_incidents(_store(url), write_behind=True, memo=_last_table(url))


@st.cache_resource(show_spinner=False)
def _last_table(url: str) -> columnar.Memo:
    """The store's table as this process last loaded it (see :class:`geo.views.columnar.Memo`)."""
    return columnar.Memo()


@st.cache_data(show_spinner=False, max_entries=3)
def _claims(url: str, version: str) -> pd.DataFrame:
    return _store(url).claims()


@st.cache_data(show_spinner=False, max_entries=3)
def _uploads(url: str, version: str) -> pd.DataFrame:
    return _store(url).uploads()


def load_incidents() -> pd.DataFrame:
    """Every stored incident, compacted (:func:`geo.views.query.compact`) with an ``h3`` column.

    The caller's own copy: changing it leaves the cached table as it was.
    """
    return _incidents(get_settings().db, store_version()).copy(deep=False)


def load_claims() -> pd.DataFrame:
    """The claims ledger."""
    return _claims(get_settings().db, store_version())


def load_uploads() -> pd.DataFrame:
    """The upload history, oldest first."""
    return _uploads(get_settings().db, store_version())


#: How many views of distinct filters the process keeps (the oldest goes first).
VIEWS_KEPT = 8


@st.cache_resource(show_spinner="Filtering…", max_entries=VIEWS_KEPT)
def _view(url: str, version: str, filters_key: str, _filters: query.Filters) -> View:
    return View.build(_incidents(url, version), _claims(url, version), _filters)


@st.cache_resource(show_spinner=False, max_entries=48)
def _windowed(url: str, version: str, filters_key: str, _filters: query.Filters) -> View:
    # the view without the window is cached: a step of the time slider (or of play)
    # masks its incidents by date instead of filtering the whole table again
    base_filters = _filters.with_(window=None)
    base = _view(url, version, base_filters.key(), base_filters)
    dates = base.table(["event_date"])["event_date"]
    kept = base.rows.narrow(in_window(dates, _filters.window))
    return View.build(kept, _claims(url, version), _filters)


def current_view(*, windowed: bool = True) -> View:
    """The view of the filters in force: built once per store version and filters.

    Its incidents are in the compact form (:func:`geo.views.view.stored_incidents`).
    A time window (the Map and Cross-border pages' slider) is applied to the
    cached view of the other filters; ``windowed=False`` gives that view
    (what the slider steps through).
    """
    from ui.state import current_filters

    filters = current_filters()
    url, version = get_settings().db, store_version()
    if filters.window is not None and windowed:
        return _windowed(url, version, filters.key(), filters).own_copy()
    if filters.window is not None:
        filters = filters.with_(window=None)
    return _view(url, version, filters.key(), filters).own_copy()


@st.cache_resource(show_spinner=False, max_entries=16)
def _incident_layers(version: str, filters_key: str, _view: View) -> list[pdk.Layer]:
    return layers.incident_layers(_view.rows)  # copies only the columns the layers read


def incident_layers(view: View) -> list[pdk.Layer]:
    """:func:`geo.views.layers.incident_layers` of a :func:`current_view` (shared, never mutated).

    Built once per store version and filters: a rerun that changes neither (a
    click, a toggle, a zoom) reuses them instead of drawing 850,000 incidents again.
    """
    return _incident_layers(store_version(), view.filters.key(), view)


#: The figures pages read off a view, by name: ``figure(view, name, *args)``. Each reads
#: only the columns it counts (``View.table``), or the rows it shows (``latest``).
FIGURES: dict[str, Callable[..., Any]] = {
    "headline": lambda v: summaries.headline(v.table(summaries.HEADLINE_COLUMNS), v.claims),
    "breakdown": lambda v, by, limit=None: summaries.breakdown(
        v.table(summaries.breakdown_columns(by)), by, limit=limit
    ),
    "latest": lambda v, n: summaries.latest(v.rows, n),
    "border_sides": lambda v, km, countries: summaries.border_sides(
        v.table(summaries.BORDER_COLUMNS), km, countries=countries
    ),
}


@st.cache_data(show_spinner=False, max_entries=96)
def _figure(version: str, filters_key: str, name: str, args: tuple, _view: View) -> Any:
    return FIGURES[name](_view, *args)


def figure(view: View, name: str, *args: Any) -> Any:
    """``FIGURES[name](view, *args)`` of a :func:`current_view`, once per version and filters.

    The figures are small tables and counts (a copy each time is cheap); a rerun
    that keeps the filters reads them instead of counting 850,000 rows again.
    ``args`` must be hashable values (numbers, text, tuples).

    Examples
    --------
    ``figure(view, "breakdown", "province", 12)`` is
    ``summaries.breakdown(view.incidents, "province", limit=12)``.
    """
    return _figure(store_version(), view.filters.key(), name, args, view)


@st.cache_data(show_spinner="Drawing the map…", max_entries=24, ttl=900)
def _rendered(version: str, view_key: str, fmt: str, _view: View) -> bytes:
    return outputs.render(_view, fmt)


def renderer(view: View) -> Callable[[str], bytes]:
    """``render(fmt) -> bytes``: :func:`geo.views.outputs.render` of ``view``, cached.

    Cached per store version (read now, in the script run), view (filters,
    title, caveat, shading, time made) and format. The function may be called
    later, outside the run, as a download button's deferred data.
    """
    version, key = store_version(), view.key()
    return lambda fmt: _rendered(version, key, fmt, view)


#: The time every preview is keyed at: a preview stands for its view whenever it is made.
_PREVIEW_TIME = datetime(2000, 1, 1, tzinfo=UTC)


@st.cache_data(show_spinner="Drawing the preview…", max_entries=16)
def _preview(version: str, look_key: str, _view: View) -> bytes:
    return outputs.render(_view, "png")


def preview(view: View) -> bytes:
    """The Export page's preview: the PNG snapshot of ``view``, cached without its time.

    Keyed by the store version and the view's key with its time made left out, so a
    new session or a new minute reuses the preview (the file keys of :func:`renderer`
    change every minute: each first view of the page drew the PNG again). The preview
    states the time it was first drawn; the PNG download is rendered for its own time.
    """
    return _preview(store_version(), view.with_(made_at=_PREVIEW_TIME).key(), view)


@st.cache_data(show_spinner=False, max_entries=3)
def _options(url: str, version: str) -> dict[str, Any]:
    df = _incidents(url, version)
    return query.filter_options(df)


def filter_options() -> dict[str, Any]:
    """Choices for the sidebar widgets, from the stored data."""
    return _options(get_settings().db, store_version())


@st.cache_resource(show_spinner=False)
def boundaries() -> Boundaries:
    """Simplified countries and provinces, and the AFG–PAK border line."""
    from geo.places import boundaries as b

    return Boundaries(b.adm0_simplified(), b.adm1_simplified(), b.border_line())


@st.cache_resource(show_spinner=False)
def basemap(labels: bool = True) -> list[pdk.Layer]:
    """The basemap layers (countries, provinces, labels, border); shared, never mutated."""
    bnd = boundaries()
    return layers.basemap_layers(bnd.adm0, bnd.adm1, bnd.border, labels=labels)


@st.cache_resource(show_spinner=False)
def place_names() -> list[pdk.Layer]:
    """Province, city, town and crossing names that do not collide (shared, never mutated)."""
    names = layers.label_layer(boundaries().adm1, layers.place_table(gazetteer().places()))
    return [names] if names is not None else []


@st.cache_resource(show_spinner=False)
def crossings() -> pd.DataFrame:
    """The Afghanistan–Pakistan border crossings of the gazetteer (name, point, side)."""
    rows = [
        {"name": p.name, "latitude": p.latitude, "longitude": p.longitude,
         "country_code": p.country_code}
        for p in gazetteer().places({"crossing"})
    ]  # fmt: skip
    return pd.DataFrame(rows, columns=["name", "latitude", "longitude", "country_code"])


@st.cache_resource(show_spinner=False)
def country_points() -> dict[str, tuple[float, float]]:
    """ISO3 → (lon, lat) used as arc end points."""
    return layers.country_points(boundaries().adm0)


@st.cache_resource(show_spinner="Loading the gazetteer…")
def gazetteer() -> Any:
    """The offline gazetteer: :func:`geo.ingest.defaults.default_gazetteer`, the one per process."""
    from geo.ingest.defaults import default_gazetteer

    return default_gazetteer()


_PREPARED = "_prepared_uploads"


def prepare_upload(
    data: bytes,
    filename: str,
    fmt: str,
    mapping: dict[str, str] | None,
    choices: dict[int, Any],
    sheet: str | None = None,
) -> Any:
    """:func:`geo.ingest.pipeline.prepare` memoised for this session (the last three inputs).

    ``sheet`` is the sheet of an Excel workbook to read. Raises
    ``geo.report.FileRefused`` like ``prepare`` does.
    """
    import hashlib

    from geo.ingest import pipeline as ingest

    key = (
        hashlib.sha256(data).hexdigest(),
        filename,
        sheet,
        fmt,
        tuple(sorted((mapping or {}).items())) if mapping is not None else None,
        tuple(
            sorted(
                (k, str(v.get("name")), v.get("latitude"), v.get("longitude"))
                for k, v in choices.items()
            )
        ),
    )
    memo: dict[Any, Any] = st.session_state.setdefault(_PREPARED, {})
    if key not in memo:
        prepared = ingest.prepare(
            data,
            filename,
            fmt=fmt,
            mapping=mapping,
            gazetteer=gazetteer(),
            choices=choices or None,
            sheet=sheet,
        )
        while len(memo) >= 3:
            memo.pop(next(iter(memo)))
        memo[key] = prepared
    return memo[key]


def workbook_sheets(data: bytes) -> list[str] | None:
    """The sheets with data an Excel upload offers (None for a CSV), memoised per file.

    Raises ``geo.report.FileRefused`` for a workbook that cannot be read.
    """
    import hashlib

    from geo.ingest import workbook

    if not workbook.is_workbook(data):
        return None
    memo: dict[str, list[str]] = st.session_state.setdefault("_workbook_sheets", {})
    key = hashlib.sha256(data).hexdigest()
    if key not in memo:
        memo.clear()  # one workbook at a time
        memo[key] = workbook.sheet_names(data)
    return memo[key]


def forget_uploads() -> None:
    """Drop the memoised prepared uploads (after a commit)."""
    st.session_state.pop(_PREPARED, None)


# ---------------------------------------------------------------------- write callbacks
# Button callbacks run before the script reruns, so an action is never lost if
# the run that follows is restarted (see ui.state.ensure_frame).


def commit_upload(prepared: Any) -> None:
    """Store a prepared upload; the next run shows the result and a fresh uploader."""
    from geo.ingest import pipeline as ingest
    from geo.store.auth import NotAllowed
    from ui import auth

    try:
        result = ingest.commit(prepared, get_store(), actor=auth.actor())
    except NotAllowed as exc:  # checked in the store too: a replayed click writes nothing
        st.session_state["commit_refused"] = f"Not allowed: {exc}"
        return
    st.session_state["last_result"] = result.to_dict()
    st.session_state["upload_round"] = st.session_state.get("upload_round", 0) + 1
    forget_uploads()
