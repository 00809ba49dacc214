"""The app's filters: one :class:`~geo.views.filterspec.Filter` entry each, registered on import.

Dates, countries, provinces, event types, actors, minimum killed and location
precision. Each entry below is the only place its filter is written down: the
URL, the sidebar, the command line, the summaries and the masks read it (see
:mod:`geo.views.filterspec` for the machinery, re-exported here).

>>> f = Filters(countries=("AFG", "PAK"), min_killed=5)
>>> f.countries, f.admin1, f.min_killed
(('AFG', 'PAK'), (), 5)
>>> f.describe(), f.short_slug()
('AFG, PAK · killed ≥ 5', 'AFG-PAK_k5')
>>> f.to_query_params()
{'country': 'AFG,PAK', 'min_killed': '5'}
>>> Filters.from_query_params({"country": "afg,<x>", "min_killed": "-1", "from": "2023-01-01"})
Filters(countries=('AFG',), date_from=datetime.date(2023, 1, 1))
>>> Filters(countries=("PAK",), date_from=date(2023, 1, 1)).describe()
'PAK · from 2023-01-01'
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from datetime import date
from typing import Any

import numpy as np
import pandas as pd

from geo.schema import EVENT_TYPES, GEO_PRECISION_LABELS
from geo.views.filterrows import contains_any, date_slice, isin, mask, options
from geo.views.filterspec import (
    FILTERS,
    Dropped,
    Filter,
    Filters,
    Widget,
    add_cli_arguments,
    register,
    sidebar_filters,
    unregister,
)
from geo.views.timewindow import TimeWindow, in_window

__all__ = [
    "ACTOR_COLUMNS",
    "FILTERS",
    "Dropped",
    "Filter",
    "Filters",
    "Widget",
    "add_cli_arguments",
    "contains_any",
    "date_slice",
    "isin",
    "mask",
    "options",
    "register",
    "sidebar_filters",
    "unregister",
]

#: Columns searched by the actor filter.
ACTOR_COLUMNS: tuple[str, ...] = ("actor1", "actor2", "claimed_by")
_MAX_TEXT = 200


# ---------------------------------------------------------------------- masks
def _on_or_after(df: pd.DataFrame, day: date) -> np.ndarray:
    return (df["event_date"] >= pd.Timestamp(day)).to_numpy(bool, na_value=False)


def _on_or_before(df: pd.DataFrame, day: date) -> np.ndarray:
    end = pd.Timestamp(day) + pd.Timedelta(days=1)
    return (df["event_date"] < end).to_numpy(bool, na_value=False)


def _at_least_killed(df: pd.DataFrame, n: int) -> np.ndarray:
    if not n:  # 0 keeps everything, unknown tolls included
        return np.ones(len(df), dtype=bool)
    return (df["killed"] >= n).to_numpy(bool, na_value=False)


def _any_actor(df: pd.DataFrame, needles: tuple[str, ...]) -> np.ndarray:
    hit = np.zeros(len(df), dtype=bool)
    for col in ACTOR_COLUMNS:
        if col in df.columns:
            hit |= contains_any(df[col], needles)
    return hit


# ---------------------------------------------------------------------- parsers
def _iso_day(text: str) -> date:
    """``YYYY-MM-DD`` (anything after the tenth character is ignored)."""
    try:
        return date.fromisoformat(text.strip()[:10])
    except ValueError:
        raise ValueError("not a date: write it YYYY-MM-DD") from None


#: Codes ISO 3166 leaves to users that the data may carry (Kosovo).
_USER_CODES = frozenset({"XK", "XKX"})


def _known_country(code: str) -> bool:
    """Whether ``code`` (two or three letters) names a country, today's or a former one."""
    import pycountry

    if code in _USER_CODES:
        return True
    field = "alpha_2" if len(code) == 2 else "alpha_3"
    lists = (pycountry.countries, pycountry.historic_countries)
    return any(found.get(**{field: code}) is not None for found in lists)


def _code(text: str) -> str:
    """An ISO 3166 code: ``AFG`` or ``PK-KP`` (upper-cased), of a country that exists."""
    code = text.strip().upper()
    if not re.fullmatch(r"[A-Z]{2,3}(-[A-Z0-9]{1,4})?", code):
        raise ValueError("not an ISO country or province code")
    if not _known_country(code.split("-")[0]):
        raise ValueError("no country has this ISO code")
    return code


def _words(text: str) -> str:
    """Free text, trimmed and kept short."""
    value = text.strip()[:_MAX_TEXT]
    if not value:
        raise ValueError("empty text")
    return value


def _count(text: str) -> int:
    """A whole number, 0 or more."""
    try:
        value = int(str(text).strip())
    except ValueError:
        raise ValueError("not a whole number") from None
    if value < 0:
        raise ValueError("must be 0 or more")
    return value


def _precision(text: str) -> int:
    """A location precision level, 1 to 4."""
    value = str(text).strip()
    if not value.isdigit() or not 1 <= int(value) <= 4:
        raise ValueError("precision levels are 1, 2, 3 and 4")
    return int(value)


# ---------------------------------------------------------------------- options
def _date_bounds(df: pd.DataFrame) -> tuple[date | None, date | None]:
    days = df["event_date"].dropna()
    return (days.min().date(), days.max().date()) if len(days) else (None, None)


def _names(code: str, label: str) -> Callable[[pd.DataFrame], dict[str, str]]:
    def names(df: pd.DataFrame) -> dict[str, str]:
        sub = df[[code, label]].dropna(subset=[code]).astype(object).drop_duplicates(code)
        pairs = zip(sub[code], sub[label], strict=True)
        found = {c: (n if isinstance(n, str) else c) for c, n in pairs}
        return dict(sorted(found.items(), key=lambda kv: (kv[1], kv[0])))

    return names


def _event_types(df: pd.DataFrame) -> list[str]:
    present = set(df["event_type"].dropna().astype(object).unique())
    return [t for t in EVENT_TYPES if t in present] + sorted(present - set(EVENT_TYPES))


def _frequent_actors(df: pd.DataFrame, limit: int = 400) -> list[str]:
    counts = pd.concat(
        [df[c].dropna().astype(object).value_counts() for c in ACTOR_COLUMNS if c in df.columns]
    )
    counts = counts.groupby(level=0).sum().sort_values(ascending=False, kind="stable")
    return sorted(counts.index[:limit].astype(str), key=str.lower)


def _named(options: Mapping[str, str]) -> Callable[[Any], str]:
    return lambda code: f"{options.get(code, code)} ({code})"


def _provinces_of_countries(options: Mapping[str, str], filters: Filters) -> list[str]:
    prefixes = {c[:2] for c in filters.countries}
    return [c for c in options if not prefixes or c[:2] in prefixes]


# ---------------------------------------------------------------------- words
def _dates_phrase(f: Filters) -> str:
    lo, hi = f.date_from, f.date_to
    if lo and hi:
        return f"{lo.isoformat()} to {hi.isoformat()}"
    return f"from {lo.isoformat()}" if lo else f"up to {hi.isoformat()}" if hi else ""


def _reversed_dates(values: dict[str, Any]) -> tuple[tuple[str, ...], str] | None:
    """A link whose first day is after its last: both are dropped (and named)."""
    lo, hi = values.get("date_from"), values.get("date_to")
    if lo and hi and lo > hi:
        return ("date_from", "date_to"), "the first day is after the last"
    return None


def _order_dates(values: dict[str, Any]) -> dict[str, Any]:
    """A reversed date range is put the right way round."""
    lo, hi = values.get("date_from"), values.get("date_to")
    if lo and hi and lo > hi:
        values["date_from"], values["date_to"] = hi, lo
    return values


def _dates_slug(f: Filters) -> str:
    lo, hi = f.date_from, f.date_to
    return f"{lo.isoformat() if lo else 'start'}_{hi.isoformat() if hi else 'now'}"


def _listed(name: str, sep: str = ", ", prefix: str = "") -> Callable[[Filters], str]:
    return lambda f: prefix + sep.join(str(v) for v in f.get(name))


#: The filters of the app, in the order a summary names them (the sidebar puts dates first).
_BUILT_IN: tuple[Filter, ...] = (
    Filter(
        name="countries",
        url="country",
        cli="--country",
        about="ISO3 codes, comma-separated (AFG,PAK)",
        parse=_code,
        mask=lambda df, v: isin(df["country_code"], v),
        describe=_listed("countries"),
        slug=_listed("countries", "-"),
        widget=Widget("multiselect", "Countries", placeholder="All countries", label_of=_named),
        options=_names("country_code", "country"),
        metavar="CODES",
    ),
    Filter(
        name="admin1",
        url="admin1",
        cli="--admin1",
        about="ISO 3166-2 province codes, comma-separated (AF-BAL,PK-KP)",
        parse=_code,
        mask=lambda df, v: isin(df["admin1_code"], v),
        describe=_listed("admin1"),
        slug=_listed("admin1", "-"),
        widget=Widget(
            "multiselect",
            "Provinces",
            placeholder="All provinces",
            choices=_provinces_of_countries,
            label_of=_named,
        ),
        options=_names("admin1_code", "admin1"),
        metavar="CODES",
    ),
    Filter(
        name="date_from",
        url="from",
        cli="--from",
        about="first day, YYYY-MM-DD",
        parse=_iso_day,
        many=False,
        mask=_on_or_after,
        span=lambda day: (pd.Timestamp(day), None),
        describe=_dates_phrase,
        slug=_dates_slug,
        widget=Widget("date_range", "Dates", rank=0, end="date_to"),
        options=_date_bounds,
        metavar="YYYY-MM-DD",
        settle=_order_dates,
        check=_reversed_dates,
    ),
    Filter(
        name="date_to",
        url="to",
        cli="--to",
        about="last day, YYYY-MM-DD",
        parse=_iso_day,
        many=False,
        mask=_on_or_before,
        span=lambda day: (None, pd.Timestamp(day) + pd.Timedelta(days=1)),
        describe=lambda f: "" if f.date_from else _dates_phrase(f),  # one phrase for a range
        slug=lambda f: "" if f.date_from else _dates_slug(f),
        metavar="YYYY-MM-DD",
    ),
    Filter(
        name="event_types",
        url="type",
        cli="--event-type",
        about="event type(s), comma-separated",
        parse=_words,
        mask=lambda df, v: isin(df["event_type"], v),
        describe=_listed("event_types"),
        slug=lambda f: "-".join(t.split("/")[0].split()[0] for t in f.event_types),
        widget=Widget("multiselect", "Event types", placeholder="All types"),
        options=_event_types,
        metavar="TYPES",
    ),
    Filter(
        name="actors",
        url="actor",
        cli="--actor",
        about="text an actor, claimant or group must contain (any of several, comma-separated)",
        parse=_words,
        mask=_any_actor,
        describe=_listed("actors", " or ", "actor: "),
        slug=_listed("actors", "-", "actor-"),
        widget=Widget(
            "multiselect",
            "Actors or groups",
            help="Matches perpetrator, target or claimant, case-insensitive; "
            "you may type part of a name (e.g. TTP).",
            placeholder="Any actor (type to search)",
            accept_new=True,
        ),
        options=_frequent_actors,
        metavar="TEXT",
    ),
    Filter(
        name="min_killed",
        url="min_killed",
        cli="--min-killed",
        about="only incidents with at least N killed (above 0, unknown tolls are left out)",
        parse=_count,
        many=False,
        mask=_at_least_killed,
        describe=lambda f: f"killed ≥ {f.min_killed}" if f.min_killed else "",
        slug=lambda f: f"k{f.min_killed}" if f.min_killed else "",
        widget=Widget(
            "number",
            "Minimum killed",
            help="Above 0, incidents whose death toll is unknown are left out.",
        ),
        metavar="N",
    ),
    Filter(
        name="precisions",
        url="precision",
        cli="--precision",
        about="location precision levels to keep, comma-separated (1 exact … 4 country only)",
        parse=_precision,
        sort=True,
        mask=lambda df, v: df["geo_precision"].isin(list(v)).to_numpy(bool, na_value=False),
        describe=_listed("precisions", prefix="precision "),
        slug=_listed("precisions", "", "p"),
        widget=Widget(
            "multiselect",
            "Location precision",
            placeholder="All precision levels",
            choices=lambda options, f: list(GEO_PRECISION_LABELS),
            label_of=lambda options: lambda p: f"{p} · {GEO_PRECISION_LABELS[p]}",
        ),
        metavar="LEVELS",
    ),
)

#: The time window the Map and Cross-border pages step through (their slider is its widget).
_WINDOW = Filter(
    name="window",
    url="window",
    cli="--window",
    about="one week, month or quarter: SIZE:FIRST-DAY (month:2024-03-01, quarter:2024-01-01)",
    parse=TimeWindow.parse,
    many=False,
    mask=lambda df, w: in_window(df["event_date"], w),
    span=lambda w: (pd.Timestamp(w.start), pd.Timestamp(w.end)),
    describe=lambda f: f.window.label(),
    slug=lambda f: f.window.slug(),
    metavar="SIZE:YYYY-MM-DD",
)

for _entry in (*_BUILT_IN, _WINDOW):
    register(_entry)
