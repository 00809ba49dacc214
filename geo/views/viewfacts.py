"""What a filtered view shows: counts, dates, sources, top provinces.

Every export states these facts so that it stands on its own: the snapshot
prints them, the HTML panel and the PowerPoint notes repeat them, and the files'
metadata carry them. Unknown casualty counts are counted, never added as zero.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import numpy as np
import pandas as pd

from geo.schema import as_floats

__all__ = [
    "DEFAULT_TITLE",
    "FACT_COLUMNS",
    "ViewFacts",
    "caveat_or_none",
    "incident_sources",
    "title_or_default",
    "top_provinces",
    "view_facts",
]

DEFAULT_TITLE = "Militant incidents on the Afghanistan–Pakistan frontier"
#: The columns :func:`view_facts` reads (all a view copies to count its facts).
FACT_COLUMNS: tuple[str, ...] = ("killed", "event_date", "latitude", "longitude", "source")


@dataclass(frozen=True)
class ViewFacts:
    """What a view shows, for titles, captions, speaker notes and file metadata.

    Attributes
    ----------
    title, description : str
        Title, and the filters in words (``Filters.describe()``).
    incidents, mapped : int
        Rows in the view, and rows with coordinates.
    killed_known, known, unknown : int
        Sum of known killed counts; incidents with a known / unknown count.
    date_min, date_max : pandas.Timestamp or None
        First and last event date; ``date_max`` is the data cut-off.
    sources : list of str
        Incident sources, most used first.
    made_at : datetime.datetime
        Creation time (UTC).
    caveat : str or None
        Handling or caveat line.
    """

    title: str
    description: str
    incidents: int
    mapped: int
    killed_known: int
    known: int
    unknown: int
    date_min: pd.Timestamp | None
    date_max: pd.Timestamp | None
    sources: list[str] = field(default_factory=list)
    made_at: datetime = field(default_factory=lambda: datetime.now(UTC))
    caveat: str | None = None

    @property
    def date_range(self) -> str:
        """``"3 Jan 2023 – 30 Nov 2025"`` or ``"no dates"``."""
        if self.date_min is None or self.date_max is None:
            return "no dates"
        return f"{_day(self.date_min)} – {_day(self.date_max)}"

    @property
    def as_of(self) -> str:
        """``"Data to 30 Nov 2025 (latest event)"``, or that the view holds no events."""
        if self.date_max is None:
            return "No events in this view"
        return f"Data to {self.cutoff} (latest event)"

    @property
    def cutoff(self) -> str:
        """The data cut-off (latest event date in the view)."""
        return _day(self.date_max) if self.date_max is not None else "no events"

    @property
    def made(self) -> str:
        """Creation time as ``"2026-11-21 14:05 UTC"``."""
        return self.made_at.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")

    @property
    def killed_line(self) -> str:
        """The killed total, with how many incidents have no known count."""
        return (
            f"Killed: {self.killed_known:,} in {self.known:,} incidents with known counts; "
            f"unknown in {self.unknown:,}"
        )


def title_or_default(title: str | None) -> str:
    """The title as given, or :data:`DEFAULT_TITLE` when it is blank.

    >>> title_or_default("  "), title_or_default(" Kurram ")
    ('Militant incidents on the Afghanistan–Pakistan frontier', 'Kurram')
    """
    return (title or "").strip() or DEFAULT_TITLE


def caveat_or_none(caveat: str | None) -> str | None:
    """The caveat as given, or ``None`` when it is blank."""
    return (caveat or "").strip() or None


def _day(ts: pd.Timestamp) -> str:
    return f"{ts.day} {ts:%b %Y}"


def _describe(filters: Any) -> str:
    if filters is None:
        return "all incidents"
    describe = getattr(filters, "describe", None)
    return str(describe()) if callable(describe) else str(filters)


def incident_sources(df: pd.DataFrame, limit: int | None = None) -> list[str]:
    """The incident sources in ``df``, most used first.

    The ``source`` column may list several publications separated by ``;``.

    Parameters
    ----------
    df : pandas.DataFrame
    limit : int, optional
        Keep at most this many.

    Returns
    -------
    list of str

    Examples
    --------
    >>> incident_sources(pd.DataFrame({"source": ["Dawn; AP", "AP", None]}))
    ['AP', 'Dawn']
    """
    if "source" not in df.columns or df.empty:
        return []
    counts: Counter[str] = Counter()
    # counted on the column as stored (categorical in the app): never a string per row
    for value, n in df["source"].value_counts(dropna=True).items():
        for part in str(value).split(";"):
            name = " ".join(part.split())
            if name and n:
                counts[name] += int(n)
    ranked = sorted(counts, key=lambda s: (-counts[s], s.lower()))
    return ranked[:limit] if limit is not None else ranked


def view_facts(
    df: pd.DataFrame,
    filters: Any = None,
    *,
    title: str | None = None,
    caveat: str | None = None,
    now: datetime | None = None,
) -> ViewFacts:
    """Summarise a filtered view for captions, notes and file metadata.

    Parameters
    ----------
    df : pandas.DataFrame
        Filtered incidents (canonical columns).
    filters : geo.views.query.Filters, optional
    title, caveat : str, optional
    now : datetime.datetime, optional
        Creation time (defaults to the current UTC time).

    Returns
    -------
    ViewFacts
    """
    killed = as_floats(df["killed"])
    unknown = np.isnan(killed)
    dates = pd.to_datetime(df["event_date"], errors="coerce")
    has_xy = df["latitude"].notna() & df["longitude"].notna()
    any_date = bool(dates.notna().any())
    return ViewFacts(
        title=title_or_default(title),
        description=_describe(filters),
        incidents=len(df),
        mapped=int(has_xy.sum()),
        killed_known=int(np.nansum(killed)),
        known=int((~unknown).sum()),
        unknown=int(unknown.sum()),
        date_min=dates.min() if any_date else None,
        date_max=dates.max() if any_date else None,
        sources=incident_sources(df),
        made_at=(now or datetime.now(UTC)).astimezone(UTC),
        caveat=caveat_or_none(caveat),
    )


def top_provinces(df: pd.DataFrame, n: int = 8) -> pd.DataFrame:
    """Provinces ranked by known killed (then incidents), with unknown counts.

    Parameters
    ----------
    df : pandas.DataFrame
        Incidents.
    n : int
        Rows to keep.

    Returns
    -------
    pandas.DataFrame
        ``key`` (ISO 3166-2), ``name``, ``incidents``, ``killed`` (sum of known
        counts, ``<NA>`` when all are unknown) and ``killed_unknown``.
    """
    from geo.views.summaries import breakdown

    cols = ["key", "name", "incidents", "killed", "killed_unknown"]
    if df.empty:
        return pd.DataFrame(columns=cols)
    table = breakdown(df, "province")
    if "name" not in table.columns:
        table["name"] = table["key"]
    table = table.sort_values(
        ["killed", "incidents", "key"], ascending=[False, False, True], na_position="last"
    )
    return table[cols].head(n).reset_index(drop=True)
