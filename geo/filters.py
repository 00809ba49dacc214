"""The incident filters, each defined once, and the :class:`Filters` value they make.

One :class:`Filter` entry says everything about a filter: the field it sets on
:class:`Filters`, its URL key, its command-line flag, how text becomes a value,
the sidebar widget, how it reads in a one-line summary and a file name, and
which incidents it keeps. Everything else is derived from :data:`FILTERS`:

- the URL: :meth:`Filters.to_query_params` / :meth:`Filters.from_query_params`;
- the command line: :func:`add_cli_arguments` / :meth:`Filters.from_cli_args`;
- the sidebar (``ui/state.py`` draws one widget per entry);
- the words: :meth:`Filters.describe`, :meth:`Filters.short_slug`;
- the rows: :func:`mask` (used by :func:`geo.query.apply`);
- the sidebar's choices: :func:`options`.

Adding a filter is one :func:`register` call (or one entry in ``_BUILT_IN``).
Masks never loop over rows: text matches run on the categories of
categorical columns, so filtering a million incidents costs a few boolean
masks.
"""

from __future__ import annotations

import argparse
import json
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, Literal

import numpy as np
import pandas as pd

from geo.schema import EVENT_TYPES, GEO_PRECISION_LABELS

__all__ = [
    "ACTOR_COLUMNS",
    "FILTERS",
    "Filter",
    "Filters",
    "Widget",
    "add_cli_arguments",
    "contains_any",
    "isin",
    "mask",
    "options",
    "register",
    "sidebar_filters",
    "unregister",
]

#: Columns searched by the actor filter.
ACTOR_COLUMNS: tuple[str, ...] = ("actor1", "actor2", "claimed_by")

WidgetKind = Literal["multiselect", "number", "date_range"]

_SEP = ","
_MAX_TEXT = 200


# ---------------------------------------------------------------------- the entries
@dataclass(frozen=True)
class Widget:
    """How the sidebar shows a filter (drawn by ``ui/state.py``; no Streamlit here).

    Attributes
    ----------
    kind : {"multiselect", "number", "date_range"}
        ``date_range`` is one date picker that sets this filter (the first day)
        and the filter named by ``end`` (the last day).
    label, help, placeholder : str
    choices : callable, optional
        ``choices(options, filters) -> list``: what a multiselect offers, from
        this filter's :attr:`Filter.options` and the filters in force. Default:
        the options themselves (their keys for a mapping).
    label_of : callable, optional
        ``label_of(options) -> (value -> str)``: how a choice is shown.
    accept_new : bool
        A multiselect also takes values typed in.
    rank : int
        Position in the sidebar (lower first; ties keep the table's order).
    end : str, optional
        For ``date_range``: the filter that holds the last day.
    """

    kind: WidgetKind
    label: str
    help: str | None = None
    placeholder: str | None = None
    choices: Callable[[Any, Filters], Sequence[Any]] | None = None
    label_of: Callable[[Any], Callable[[Any], str]] | None = None
    accept_new: bool = False
    rank: int = 50
    end: str | None = None


@dataclass(frozen=True)
class Filter:
    """One filter: its names, its parser, its widget, its words and its mask.

    Attributes
    ----------
    name : str
        The field on :class:`Filters` (``countries``).
    url : str
        Query-parameter key (``country``); short, so a copied link stays readable.
    cli : str
        Command-line flag (``--country``).
    about : str
        What it keeps, in a few words (the CLI's help text).
    parse : callable
        ``parse(text) -> value`` for one value (one item of a list); raises
        ``ValueError`` for malformed text. The URL drops what it cannot parse;
        the command line reports it.
    mask : callable
        ``mask(df, value) -> numpy bool array``: the incidents kept. Called only
        when the filter is set; it may assume its columns exist.
    describe, slug : callable
        ``describe(filters) -> str``: this filter's part of
        :meth:`Filters.describe` (``""`` adds nothing); ``slug`` likewise for
        :meth:`Filters.short_slug`. They get the whole :class:`Filters` so a
        range can read as one phrase.
    widget : Widget or None
        ``None``: not in the sidebar (or drawn by another filter's widget).
    many : bool
        A list of values (a tuple, empty = no filter) or a single value
        (``None`` = no filter).
    sort : bool
        Keep a list sorted (otherwise in the order given).
    options : callable, optional
        ``options(incidents) -> choices`` the sidebar offers for the stored data.
    metavar : str, optional
        Placeholder in the CLI's help.
    """

    name: str
    url: str
    cli: str
    about: str
    parse: Callable[[str], Any]
    mask: Callable[[pd.DataFrame, Any], np.ndarray]
    describe: Callable[[Filters], str]
    slug: Callable[[Filters], str]
    widget: Widget | None = None
    many: bool = True
    sort: bool = False
    options: Callable[[pd.DataFrame], Any] | None = None
    metavar: str | None = None

    @property
    def default(self) -> Any:
        """The "no filter" value: ``()`` for a list, ``None`` for a single value."""
        return () if self.many else None

    def value_from(self, text: str, *, strict: bool) -> Any:
        """Parse the text of a URL value or a CLI option.

        Parameters
        ----------
        text : str
            One value, or comma-separated values for a list.
        strict : bool
            Raise ``ValueError`` for anything malformed (the CLI); otherwise
            drop it (the URL is forgiving).
        """
        if not self.many:
            if not str(text).strip():
                return None
            try:
                return self.parse(str(text))
            except ValueError:
                if strict:
                    raise
                return None
        items: list[Any] = []
        for part in str(text).split(_SEP):
            if not part.strip():
                continue
            try:
                items.append(self.parse(part))
            except ValueError:
                if strict:
                    raise
        return self.normalise(items)

    def normalise(self, values: Iterable[Any]) -> Any:
        """A list filter's values as a tuple: duplicates dropped, sorted if :attr:`sort`."""
        out = tuple(dict.fromkeys(values))
        return tuple(sorted(out)) if self.sort else out

    def text(self, value: Any) -> str:
        """A value as URL / CLI text (the inverse of :meth:`value_from`)."""
        if self.many:
            return _SEP.join(_text(v) for v in value)
        return _text(value)


def _text(value: Any) -> str:
    return value.isoformat() if isinstance(value, date) else str(value)


_REGISTRY: dict[str, Filter] = {}

#: Every filter, by name, in table order (read-only; change it with :func:`register`).
FILTERS: Mapping[str, Filter] = MappingProxyType(_REGISTRY)


def register(entry: Filter, *, before: str | None = None) -> Filter:
    """Add a filter to the table; the URL, CLI, sidebar and summary pick it up.

    Parameters
    ----------
    entry : Filter
    before : str, optional
        Insert before this filter (else at the end).

    Returns
    -------
    Filter
        ``entry``.

    Raises
    ------
    ValueError
        When its name, URL key or flag is already taken.
    """
    for other in _REGISTRY.values():
        for what in ("name", "url", "cli"):
            if getattr(other, what) == getattr(entry, what):
                raise ValueError(f"filter {what} {getattr(entry, what)!r} is already taken")
    if entry.name.startswith("_") or not entry.name.isidentifier():
        raise ValueError(f"filter name {entry.name!r} must be an identifier")
    items = list(_REGISTRY.items())
    at = next((i for i, (name, _) in enumerate(items) if name == before), len(items))
    items.insert(at, (entry.name, entry))
    _REGISTRY.clear()
    _REGISTRY.update(items)
    return entry


def unregister(name: str) -> None:
    """Remove a filter from the table (for tests that register one)."""
    _REGISTRY.pop(name, None)


def sidebar_filters() -> list[Filter]:
    """The filters that have a widget, in sidebar order."""
    shown = [f for f in _REGISTRY.values() if f.widget is not None]
    return sorted(shown, key=lambda f: f.widget.rank if f.widget else 0)


# ---------------------------------------------------------------------- the value
class Filters:
    """The filters in force: one value per :data:`FILTERS` entry, immutable.

    Unset filters read as their default (``()`` or ``None``) and are not
    stored, so two values that set the same filters are equal whatever else
    is registered. Pass the values by name:

    >>> f = Filters(countries=("AFG", "PAK"), min_killed=5)
    >>> f.countries, f.admin1, f.min_killed
    (('AFG', 'PAK'), (), 5)
    >>> f.describe()
    'AFG, PAK · killed ≥ 5'
    >>> f.to_query_params()
    {'country': 'AFG,PAK', 'min_killed': '5'}
    >>> Filters.from_query_params({"country": "afg,<x>", "min_killed": "-1"})
    Filters(countries=('AFG',))
    """

    __slots__ = ("_values",)

    if TYPE_CHECKING:  # the built-in filters, for type checkers
        date_from: date | None
        date_to: date | None
        countries: tuple[str, ...]
        admin1: tuple[str, ...]
        event_types: tuple[str, ...]
        actors: tuple[str, ...]
        min_killed: int | None
        precisions: tuple[int, ...]

    def __init__(self, **values: Any) -> None:
        unknown = sorted(set(values) - set(_REGISTRY))
        if unknown:
            raise TypeError(f"no such filter: {', '.join(unknown)}")
        kept: dict[str, Any] = {}
        for name, entry in _REGISTRY.items():
            if name not in values:
                continue
            value = values[name]
            if entry.many:
                value = tuple(value or ())
            if value != entry.default:
                kept[name] = value
        object.__setattr__(self, "_values", kept)

    def __getattr__(self, name: str) -> Any:
        if name.startswith("_"):
            raise AttributeError(name)
        try:
            return self._values.get(name, _REGISTRY[name].default)
        except KeyError:
            raise AttributeError(f"'Filters' has no filter {name!r}") from None

    def __setattr__(self, name: str, value: Any) -> None:
        raise AttributeError("Filters is immutable: use with_(...)")

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Filters) and self._values == other._values

    def __hash__(self) -> int:
        return hash(tuple(sorted(self._values.items())))

    def __repr__(self) -> str:
        shown = ", ".join(f"{k}={v!r}" for k, v in self.items())
        return f"Filters({shown})"

    def __reduce__(self) -> tuple[Any, ...]:
        return (_rebuild, (tuple(self._values.items()),))

    # ------------------------------------------------------------------ reading
    def get(self, name: str) -> Any:
        """The value of filter ``name`` (its default when unset)."""
        return getattr(self, name)

    def items(self) -> list[tuple[str, Any]]:
        """The filters that are set, as (name, value), in table order."""
        return [(n, self._values[n]) for n in _REGISTRY if n in self._values]

    def is_empty(self) -> bool:
        """True when no filter is set."""
        return not self._values

    def with_(self, **changes: Any) -> Filters:
        """A copy with some filters changed."""
        return Filters(**{**self._values, **changes})

    def key(self) -> str:
        """A text that tells two filter values apart (for cache keys)."""
        pairs = [
            [n, [_text(x) for x in v] if isinstance(v, tuple) else _text(v)]
            for n, v in self.items()
        ]
        return json.dumps(pairs, ensure_ascii=False)

    # ------------------------------------------------------------------ URL
    @classmethod
    def from_query_params(cls, mapping: Mapping[str, Any]) -> Filters:
        """Build filters from URL query parameters, dropping anything malformed.

        Parameters
        ----------
        mapping : Mapping
            ``st.query_params`` or a plain dict; values may be strings or lists
            of strings (repeated keys). Unknown keys are ignored.

        Returns
        -------
        Filters
        """
        values: dict[str, Any] = {}
        for name, entry in _REGISTRY.items():
            raw = mapping.get(entry.url) if hasattr(mapping, "get") else None
            if isinstance(raw, list | tuple):
                raw = _SEP.join(str(v) for v in raw)
            if raw is not None:
                values[name] = entry.value_from(str(raw), strict=False)
        return cls(**_settle(values))

    def to_query_params(self) -> dict[str, str]:
        """The filters that are set, as compact query parameters (``{"country": "AFG,PAK"}``)."""
        return {_REGISTRY[n].url: _REGISTRY[n].text(v) for n, v in self.items()}

    # ------------------------------------------------------------------ CLI
    @classmethod
    def from_cli(cls, **options: Any) -> Filters:
        """Build filters from command-line texts, by filter name or by flag.

        ``Filters.from_cli(country="AFG,PAK", min_killed=3)`` reads like
        ``--country AFG,PAK --min-killed 3``. Unlike :meth:`from_query_params`,
        malformed text raises ``ValueError`` so the command line can say what
        is wrong.
        """
        by_flag = {e.cli.lstrip("-").replace("-", "_"): e for e in _REGISTRY.values()}
        values: dict[str, Any] = {}
        for key, raw in options.items():
            entry = _REGISTRY.get(key) or by_flag.get(key)
            if entry is None:
                raise TypeError(f"no such filter: {key}")
            if raw is not None and str(raw).strip():
                values[entry.name] = entry.value_from(str(raw), strict=True)
        return cls(**_settle(values))

    @classmethod
    def from_cli_args(cls, args: argparse.Namespace) -> Filters:
        """The filters of a namespace parsed with :func:`add_cli_arguments`."""
        values = {
            name: getattr(args, _dest(name))
            for name in _REGISTRY
            if getattr(args, _dest(name), None) is not None
        }
        return cls(**_settle(values))

    # ------------------------------------------------------------------ words
    def describe(self) -> str:
        """A one-line summary for subtitles and file metadata.

        >>> Filters(countries=("PAK",), date_from=date(2023, 1, 1)).describe()
        'PAK · from 2023-01-01'
        >>> Filters().describe()
        'all incidents'
        """
        parts = [_REGISTRY[n].describe(self) for n, _ in self.items()]
        return " · ".join(p for p in parts if p) or "all incidents"

    def describe_dates(self) -> str:
        """Only the date range: ``"2023-01-01 to 2025-12-31"`` or ``"all dates"``."""
        only = Filters(date_from=self.date_from, date_to=self.date_to)
        return only.describe().replace("all incidents", "all dates")

    def short_slug(self, max_len: int = 60) -> str:
        """A filename-safe summary (``"all"`` if no filter is set).

        >>> Filters(countries=("AFG", "PAK"), min_killed=5).short_slug()
        'AFG-PAK_k5'
        """
        parts = [_REGISTRY[n].slug(self) for n, _ in self.items()]
        slug = re.sub(r"[^A-Za-z0-9_-]+", "-", "_".join(p for p in parts if p)).strip("-_")
        return slug[:max_len].rstrip("-_") or "all"


def _rebuild(items: tuple[tuple[str, Any], ...]) -> Filters:
    """Unpickle: the stored values as they were (even for a filter no longer registered)."""
    out = object.__new__(Filters)
    object.__setattr__(out, "_values", dict(items))
    return out


def _settle(values: dict[str, Any]) -> dict[str, Any]:
    """Rules across filters: a reversed date range is put the right way round."""
    lo, hi = values.get("date_from"), values.get("date_to")
    if lo and hi and lo > hi:
        values["date_from"], values["date_to"] = hi, lo
    return values


# ---------------------------------------------------------------------- derived
def mask(df: pd.DataFrame, filters: Filters) -> np.ndarray:
    """The rows of ``df`` that pass every filter that is set (a boolean array)."""
    keep = np.ones(len(df), dtype=bool)
    for name, value in filters.items():
        keep &= np.asarray(_REGISTRY[name].mask(df, value), dtype=bool)
    return keep


def options(df: pd.DataFrame) -> dict[str, Any]:
    """What each filter's widget can offer for the incidents ``df``, by filter name."""
    return {n: e.options(df) for n, e in _REGISTRY.items() if e.options is not None}


def _dest(name: str) -> str:
    return f"filter_{name}"


def add_cli_arguments(parser: argparse.ArgumentParser) -> None:
    """Add one option per filter to ``parser`` (read them back with :meth:`Filters.from_cli_args`)."""
    group = parser.add_argument_group("filters")
    for entry in _REGISTRY.values():

        def parse(text: str, entry: Filter = entry) -> Any:
            try:
                return entry.value_from(text, strict=True)
            except ValueError as exc:
                raise argparse.ArgumentTypeError(f"{text!r}: {exc}") from None

        group.add_argument(
            entry.cli, dest=_dest(entry.name), type=parse, metavar=entry.metavar, help=entry.about
        )


# ---------------------------------------------------------------------- mask helpers
def isin(series: pd.Series, values: Iterable[Any]) -> np.ndarray:
    """``series.isin(values)`` as a bool array, fast on categoricals (missing → False)."""
    wanted = [str(v) for v in values]
    if isinstance(series.dtype, pd.CategoricalDtype):
        cats = series.cat.categories
        hit = np.append(np.asarray(cats.isin(wanted), dtype=bool), False)
        return hit[series.cat.codes.to_numpy()]  # code -1 (missing) → last slot, False
    return series.isin(wanted).to_numpy(bool, na_value=False)


def contains_any(series: pd.Series, needles: Iterable[str]) -> np.ndarray:
    """Rows whose text contains any of ``needles`` (case-insensitive; missing → False)."""
    lowered = [n.lower() for n in needles if n]
    if isinstance(series.dtype, pd.CategoricalDtype):
        cats = pd.Series(series.cat.categories.astype(str)).str.lower()
        hit = np.zeros(len(cats), dtype=bool)
        for needle in lowered:
            hit |= cats.str.contains(needle, regex=False).to_numpy(bool)
        return np.append(hit, False)[series.cat.codes.to_numpy()]
    text = series.astype("str").str.lower()
    out = np.zeros(len(series), dtype=bool)
    for needle in lowered:
        out |= text.str.contains(needle, regex=False).to_numpy(bool, na_value=False)
    return out


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
    return date.fromisoformat(text.strip()[:10])


def _code(text: str) -> str:
    """An ISO 3166 code: ``AFG`` or ``PK-KP`` (upper-cased)."""
    code = text.strip().upper()
    if not re.fullmatch(r"[A-Z]{2,3}(-[A-Z0-9]{1,4})?", code):
        raise ValueError(f"{text.strip()!r} is not an ISO country or province code")
    return code


def _words(text: str) -> str:
    """Free text, trimmed and kept short."""
    value = text.strip()[:_MAX_TEXT]
    if not value:
        raise ValueError("empty text")
    return value


def _count(text: str) -> int:
    """A whole number, 0 or more."""
    value = int(str(text).strip())
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
        describe=_dates_phrase,
        slug=_dates_slug,
        widget=Widget("date_range", "Dates", rank=0, end="date_to"),
        options=_date_bounds,
        metavar="YYYY-MM-DD",
    ),
    Filter(
        name="date_to",
        url="to",
        cli="--to",
        about="last day, YYYY-MM-DD",
        parse=_iso_day,
        many=False,
        mask=_on_or_before,
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

for _entry in _BUILT_IN:
    register(_entry)
