"""How a filter is defined, the table of them, and the :class:`Filters` value they make.

One :class:`Filter` entry says everything about a filter: the field it sets on
:class:`Filters`, its URL key, its command-line flag, how text becomes a value,
the sidebar widget, how it reads in a one-line summary and a file name, and
which incidents it keeps. Everything else is derived from :data:`FILTERS`:

- the URL: :meth:`Filters.to_query_params` / :meth:`Filters.from_query_params`;
- the command line: :func:`add_cli_arguments` / :meth:`Filters.from_cli_args`;
- the sidebar (``ui/state.py`` draws one widget per entry);
- the words: :meth:`Filters.describe`, :meth:`Filters.short_slug`;
- the rows and the sidebar's choices: :mod:`geo.views.filterrows` (``mask``,
  ``date_slice``, ``options``, used by :func:`geo.views.query.apply`).

This module is the machinery and knows no filter. The app's filters are the
entries of :mod:`geo.views.filters`, which registers them and re-exports this API:
import from there. Adding a filter is one :func:`register` call.
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

__all__ = [
    "FILTERS",
    "Dropped",
    "Filter",
    "Filters",
    "Widget",
    "add_cli_arguments",
    "register",
    "sidebar_filters",
    "unregister",
]

WidgetKind = Literal["multiselect", "number", "date_range"]

_SEP = ","


# ---------------------------------------------------------------------- the entries
@dataclass(frozen=True)
class Dropped:
    """A URL value that was not used, and why (what the app names in its warning).

    Attributes
    ----------
    key : str
        The URL key (``country``), or keys joined by ``&`` for a pair that
        does not go together (``from&to``).
    text : str
        The text that was dropped, as given (``XXX``).
    reason : str
        Why, in a few words (``not an ISO country code``).
    """

    key: str
    text: str
    reason: str

    def __str__(self) -> str:
        return f"{self.key}={self.text} ({self.reason})"


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
    settle : callable, optional
        ``settle(values) -> values``: a rule across filters applied to parsed
        URL and CLI values (the date range puts reversed days right).
    check : callable, optional
        ``check(values) -> (names, reason) or None``: parsed URL values that do
        not go together (a reversed date range). The URL drops the filters
        ``names`` and reports ``reason`` (run before :attr:`settle`).
    span : callable, optional
        ``span(value) -> (first, end)``: for a filter whose mask is exactly
        ``first <= event_date < end`` (either bound may be None; unknown dates
        are out), those bounds. On incidents in date order such filters are a
        slice of rows (:func:`date_slice`), not a mask and a copy.
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
    settle: Callable[[dict[str, Any]], dict[str, Any]] | None = None
    check: Callable[[dict[str, Any]], tuple[tuple[str, ...], str] | None] | None = None
    span: Callable[[Any], tuple[pd.Timestamp | None, pd.Timestamp | None]] | None = None

    @property
    def default(self) -> Any:
        """The "no filter" value: ``()`` for a list, ``None`` for a single value."""
        return () if self.many else None

    def value_from(self, text: str, *, strict: bool, dropped: list[Dropped] | None = None) -> Any:
        """Parse the text of a URL value or a CLI option.

        Parameters
        ----------
        text : str
            One value, or comma-separated values for a list.
        strict : bool
            Raise ``ValueError`` for anything malformed (the CLI); otherwise
            drop it (the URL is forgiving).
        dropped : list of Dropped, optional
            When not strict, each value dropped is appended here, with the
            parser's reason, so the caller can name it.
        """
        parts = [str(text)] if not self.many else str(text).split(_SEP)
        items: list[Any] = []
        for part in parts:
            if not part.strip():
                continue
            try:
                items.append(self.parse(part))
            except ValueError as exc:
                if strict:
                    raise
                if dropped is not None:
                    dropped.append(Dropped(self.url, part.strip(), _reason(exc)))
        if not self.many:
            return items[0] if items else None
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


def _reason(exc: ValueError) -> str:
    """A parser's message, short enough for a warning (``"invalid value"`` if it has none)."""
    text = str(exc).strip()
    return text[:120] if text else "invalid value"


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
    is registered. Pass the values by name (examples in :mod:`geo.views.filters`).
    """

    __slots__ = ("_values",)

    if TYPE_CHECKING:  # the app's filters (geo.views.filters), for type checkers
        date_from: date | None
        date_to: date | None
        countries: tuple[str, ...]
        admin1: tuple[str, ...]
        event_types: tuple[str, ...]
        actors: tuple[str, ...]
        min_killed: int | None
        precisions: tuple[int, ...]
        window: Any  # geo.views.timewindow.TimeWindow | None

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
    def from_query_params(
        cls, mapping: Mapping[str, Any], dropped: list[Dropped] | None = None
    ) -> Filters:
        """Build filters from URL query parameters, dropping anything malformed.

        Parameters
        ----------
        mapping : Mapping
            ``st.query_params`` or a plain dict; values may be strings or lists
            of strings (repeated keys). Unknown keys are ignored.
        dropped : list of Dropped, optional
            Every value left out is appended here (a malformed value, or
            values that do not go together such as a reversed date range),
            so the app can name it rather than drop it silently.

        Returns
        -------
        Filters
        """
        found: list[Dropped] = []
        values: dict[str, Any] = {}
        for name, entry in _REGISTRY.items():
            raw = mapping.get(entry.url) if hasattr(mapping, "get") else None
            if isinstance(raw, list | tuple):
                raw = _SEP.join(str(v) for v in raw)
            if raw is not None:
                values[name] = entry.value_from(str(raw), strict=False, dropped=found)
        for entry in _REGISTRY.values():
            problem = entry.check(values) if entry.check is not None else None
            if problem:
                names, reason = problem
                keys = [_REGISTRY[n].url for n in names]
                shown = ",".join(_REGISTRY[n].text(values[n]) for n in names if n in values)
                found.append(Dropped("&".join(keys), shown, reason))
                for n in names:
                    values.pop(n, None)
        if dropped is not None:
            dropped.extend(found)
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
        """A one-line summary for subtitles and file metadata (``"all incidents"`` if none)."""
        parts = [_REGISTRY[n].describe(self) for n, _ in self.items()]
        return " · ".join(p for p in parts if p) or "all incidents"

    def describe_dates(self) -> str:
        """Only the date range: ``"2023-01-01 to 2025-12-31"`` or ``"all dates"``."""
        only = Filters(date_from=self.date_from, date_to=self.date_to)
        return only.describe().replace("all incidents", "all dates")

    def short_slug(self, max_len: int = 60) -> str:
        """A filename-safe summary (``"all"`` if no filter is set)."""
        parts = [_REGISTRY[n].slug(self) for n, _ in self.items()]
        slug = re.sub(r"[^A-Za-z0-9_-]+", "-", "_".join(p for p in parts if p)).strip("-_")
        return slug[:max_len].rstrip("-_") or "all"


def _rebuild(items: tuple[tuple[str, Any], ...]) -> Filters:
    """Unpickle: the stored values as they were (even for a filter no longer registered)."""
    out = object.__new__(Filters)
    object.__setattr__(out, "_values", dict(items))
    return out


def _settle(values: dict[str, Any]) -> dict[str, Any]:
    """Apply the filters' rules across values (:attr:`Filter.settle`)."""
    for entry in _REGISTRY.values():
        if entry.settle is not None:
            values = entry.settle(values)
    return values


# ---------------------------------------------------------------------- the command line
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
