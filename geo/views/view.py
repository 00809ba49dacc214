"""The read side's one value: a :class:`View` of the store under some filters.

A view is what a user looks at and what an export states: the filters, the
incidents and claims they keep, the facts about them (counts, dates, sources;
:mod:`geo.views.viewfacts`), a title, a caveat, how the static map shades
provinces, and when it was made. It is built once (per run of the app, per
command) and handed to every page and exporter, so the facts are counted
once and every format states the same ones.

Both the app and the CLI read the store through :func:`stored_incidents`,
so the same filters give the same frame, and the same view and time give
byte-identical files (:mod:`geo.views.outputs`).
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from functools import cached_property
from typing import TYPE_CHECKING, Any, Literal

import pandas as pd

from geo.views import query
from geo.views.filters import Filters
from geo.views.rows import Rows
from geo.views.viewfacts import (
    FACT_COLUMNS,
    ViewFacts,
    caveat_or_none,
    title_or_default,
    view_facts,
)

if TYPE_CHECKING:
    from geo.store.core import Store
    from geo.views import columnar

__all__ = ["SHADES", "Shade", "View", "made_now", "stored_incidents"]

#: How the static map may shade provinces (``None``: not at all).
Shade = Literal["incidents", "killed"] | None
SHADES: tuple[str, ...] = ("incidents", "killed")

_KEEP: Any = object()


def made_now() -> datetime:
    """The time an export is made: ``SOURCE_DATE_EPOCH`` when set, else now (UTC)."""
    from geo.config import get_settings

    return get_settings().made_at or datetime.now(UTC)


def stored_incidents(
    store: Store, *, write_behind: bool = False, memo: columnar.Memo | None = None
) -> pd.DataFrame:
    """Every stored incident in the form views are built from.

    Compacted (:func:`geo.views.query.compact`: repetitive text as categories) with
    each incident's H3 cell (:func:`geo.views.cells.add_h3`). The app caches this
    per store version; the CLI reads it once. A store in a file keeps it as a
    columnar copy that each upload extends (:mod:`geo.views.columnar`);
    ``write_behind`` writes that copy in a thread after returning (the app);
    ``memo`` (:class:`geo.views.columnar.Memo`) holds the last table a process
    loaded, so the next load extends it rather than reading the copy's file.
    """
    from geo.views import columnar

    run = columnar.in_background if write_behind else None
    return columnar.load(store, _read_all, _views_form, run=run, memo=memo)


def _views_form(incidents: pd.DataFrame) -> pd.DataFrame:
    from geo.views.cells import add_h3

    return query.in_view_order(query.compact(add_h3(incidents)))  # dates as slices


def _read_all(store: Store) -> pd.DataFrame:
    return _views_form(store.incidents())


@dataclass(frozen=True)
class View:
    """The store under some filters, with what every page and export says about it.

    Build one with :meth:`build` (or :meth:`from_store`); change its title,
    caveat, shading or time with :meth:`with_` (the counts are kept).

    Attributes
    ----------
    filters : Filters
    rows : geo.views.rows.Rows
        The incidents that pass the filters, as rows of the table they were
        given (:func:`stored_incidents`' compact form in the app and the CLI),
        each column copied when first read: :attr:`incidents` reads them all,
        :meth:`table` only the columns named (what a map layer needs).
    claims : pandas.DataFrame
        Claims in the filters' date range (:func:`geo.views.query.claims_in_range`).
    facts : ViewFacts
        Counts, dates, sources, title, caveat and time made.
    shade : {"incidents", "killed"} or None
        Province shading of the static map (PNG, PDF, SVG, PowerPoint).
    presence : tuple of str or None
        Draw the claimed-presence layer on the static map, the offline HTML and
        the slide, for these groups (any alias; empty: every group). ``None``:
        not drawn.

    Examples
    --------
    >>> df = pd.DataFrame({"incident_id": ["a", "b"], "event_date": pd.to_datetime(
    ...     ["2024-05-01", "2025-02-03"]), "country_code": ["AFG", "PAK"],
    ...     "killed": pd.array([3, None], dtype="Int64"), "latitude": [34.5, 33.9],
    ...     "longitude": [69.2, 71.5], "source": ["Dawn", "Reuters"]})
    >>> v = View.build(df, filters=Filters(countries=("AFG",)),
    ...                made_at=datetime(2026, 1, 1, tzinfo=UTC))
    >>> len(v.incidents), v.facts.killed_line, v.facts.made
    (1, 'Killed: 3 in 1 incidents with known counts; unknown in 0', '2026-01-01 00:00 UTC')
    >>> v.with_(title="Afghanistan").title
    'Afghanistan'
    """

    filters: Filters
    rows: Rows
    claims: pd.DataFrame
    facts: ViewFacts
    shade: Shade = None
    presence: tuple[str, ...] | None = None

    # ------------------------------------------------------------------ building
    @classmethod
    def build(
        cls,
        incidents: pd.DataFrame | Rows,
        claims: pd.DataFrame | None = None,
        filters: Filters | None = None,
        *,
        title: str | None = None,
        caveat: str | None = None,
        made_at: datetime | None = None,
        shade: Shade = None,
        presence: Iterable[str] | None = None,
        filtered: bool = False,
    ) -> View:
        """Apply ``filters`` to the incidents and claims and count the facts, once.

        Parameters
        ----------
        incidents : pandas.DataFrame or geo.views.rows.Rows
            Stored incidents (canonical columns), or rows of them that already
            pass ``filters`` (a narrower view of a view's :attr:`rows`).
        claims : pandas.DataFrame, optional
            The claims ledger (empty when omitted).
        filters : Filters, optional
            No filter when omitted.
        title, caveat : str, optional
            A default title describes the map; blank means none.
        made_at : datetime.datetime, optional
            Defaults to :func:`made_now`.
        shade : {"incidents", "killed"}, optional
        presence : iterable of str, optional
            Groups of the presence layer (empty: all); omitted: no presence layer.
        filtered : bool
            ``incidents`` already pass ``filters`` (skip applying them again).
        """
        filters = filters if filters is not None else Filters()
        _check_shade(shade)
        if isinstance(incidents, Rows):
            rows = incidents
        else:
            rows = Rows(incidents, None if filtered else query.kept(incidents, filters))
        ledger = claims if claims is not None else pd.DataFrame(columns=["statement_date"])
        counted = rows.frame(FACT_COLUMNS)
        facts = view_facts(counted, filters, title=title, caveat=caveat, now=made_at or made_now())
        claims_kept = query.claims_in_range(ledger, filters)
        return cls(filters, rows, claims_kept, facts, shade, _groups(presence))

    @classmethod
    def from_store(cls, store: Store, filters: Filters | None = None, **options: Any) -> View:
        """:meth:`build` over a store's incidents and claims (what the CLI exports)."""
        return cls.build(stored_incidents(store), store.claims(), filters, **options)

    def with_(
        self,
        *,
        title: str | None = _KEEP,
        caveat: str | None = _KEEP,
        made_at: datetime | None = _KEEP,
        shade: Shade = _KEEP,
        presence: Iterable[str] | None = _KEEP,
    ) -> View:
        """The same view with another title, caveat, time, shading or presence layer.

        Nothing is recounted.
        """
        facts = replace(
            self.facts,
            title=self.facts.title if title is _KEEP else title_or_default(title),
            caveat=self.facts.caveat if caveat is _KEEP else caveat_or_none(caveat),
            made_at=self.facts.made_at if made_at is _KEEP else _utc(made_at or made_now()),
        )
        if shade is not _KEEP:
            _check_shade(shade)
        return replace(
            self,
            facts=facts,
            shade=self.shade if shade is _KEEP else shade,
            presence=self.presence if presence is _KEEP else _groups(presence),
        )

    def own_copy(self) -> View:
        """The same view, its tables shallow copies: what a shared cache hands out.

        Under pandas' copy-on-write a shallow copy shares the data until either
        side writes, and the write copies only what it changes. A caller may
        therefore change the copy's tables (add a column, set a value) and the
        original stays as it was, without the cost of copying 850,000 rows.

        >>> v = View.build(pd.DataFrame({"incident_id": ["a", "b"], "killed": [1, 2],
        ...     "event_date": pd.to_datetime(["2024-05-01", "2025-02-03"]),
        ...     "latitude": [34.5, 33.9], "longitude": [69.2, 71.5], "source": ["x", "y"]}))
        >>> mine = v.own_copy()
        >>> mine.incidents.loc[0, "killed"] = 99
        >>> v.incidents["killed"].tolist(), mine.incidents["killed"].tolist()
        ([1, 2], [99, 2])
        """
        return replace(
            self,  # the rows are shared; each view reads its own frames of them
            claims=self.claims.copy(deep=False),
            facts=replace(self.facts, sources=list(self.facts.sources)),
        )

    # ------------------------------------------------------------------ reading
    @cached_property
    def incidents(self) -> pd.DataFrame:
        """The incidents that pass the filters, every column (this view's own frame)."""
        return self.rows.frame()

    def table(self, columns: Iterable[str]) -> pd.DataFrame:
        """The incidents that pass the filters, only ``columns`` (those in the table).

        Copies only the columns named, once per view: what a layer or a count reads
        of a million rows without paying for the rest.
        """
        if "incidents" in self.__dict__:  # read already: its columns cost nothing
            return self.incidents[self.incidents.columns.intersection(list(columns), sort=False)]
        return self.rows.frame(columns)

    @property
    def title(self) -> str:
        """The title every format prints."""
        return self.facts.title

    @property
    def caveat(self) -> str | None:
        """The handling or caveat line (``None`` for none)."""
        return self.facts.caveat

    @property
    def made_at(self) -> datetime:
        """When the view (its exports) was made, UTC."""
        return self.facts.made_at

    @cached_property
    def plain_incidents(self) -> pd.DataFrame:
        """The incidents with plain dtypes (text as ``object``), without the ``h3`` column."""
        return query.plain(self.incidents.drop(columns=["h3"], errors="ignore"))

    @cached_property
    def presence_states(self) -> pd.DataFrame:
        """Presence per territory and group from the view's claims (:mod:`geo.views.presence`)."""
        from geo.views.presence import presence_states

        return presence_states(self.claims)

    def key(self) -> str:
        """A text that tells views of one store version apart (for caches)."""
        presence = None if self.presence is None else list(self.presence)
        parts = [self.filters.key(), self.title, self.caveat, self.shade, presence, self.facts.made]
        return json.dumps(parts, ensure_ascii=False)

    def file_stem(self) -> str:
        """``atlas_2026-01-15_AFG-PAK_k5``: the day made and the filters, safe in a file name."""
        return f"atlas_{self.made_at:%Y-%m-%d}_{self.filters.short_slug()}"


def _utc(when: datetime) -> datetime:
    return when.astimezone(UTC)


def _groups(presence: Iterable[str] | None) -> tuple[str, ...] | None:
    if presence is None:
        return None
    if isinstance(presence, str):
        raise TypeError("presence takes an iterable of group names, not one string")
    return tuple(sorted({str(g).strip() for g in presence if str(g).strip()}))


def _check_shade(shade: Shade) -> None:
    if shade is not None and shade not in SHADES:
        raise ValueError(f"shade must be 'incidents', 'killed' or None, not {shade!r}")
