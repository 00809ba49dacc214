"""Time windows: one week, month or quarter of incidents, for stepping through time.

A :class:`TimeWindow` is a calendar period (a week from Monday, a month, a
quarter from January, April, July or October), written in a URL or on the
command line as ``size:first-day`` (``month:2024-03-01``). It is one entry of
the filter table (:mod:`geo.views.filters`, URL key ``window``), so a link carries
the position of the Map and Cross-border pages' time slider, and the summary
of the filters says which period is shown.

>>> w = TimeWindow.containing(date(2024, 3, 17), "month")
>>> w.text(), w.label(), w.end
('month:2024-03-01', 'March 2024', datetime.date(2024, 4, 1))
>>> [x.label() for x in windows(date(2024, 11, 5), date(2025, 2, 1), "quarter")]
['2024 Q4', '2025 Q1']
>>> TimeWindow.parse("week:2024-03-06").label()  # aligned to its Monday
'week of 4 Mar 2024'
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Literal, cast

import numpy as np
import pandas as pd

__all__ = ["MAX_WINDOWS", "SIZES", "TimeWindow", "WindowSize", "in_window", "windows"]

WindowSize = Literal["week", "month", "quarter"]
#: The window sizes, shortest first.
SIZES: tuple[WindowSize, ...] = ("week", "month", "quarter")
_MONTHS = {"month": 1, "quarter": 3}
#: Most windows :func:`windows` lists (about 40 years of weeks).
MAX_WINDOWS = 2_100


@dataclass(frozen=True, order=True)
class TimeWindow:
    """A week (from Monday), a month or a quarter, from its first day.

    Build one with :meth:`containing` or :meth:`parse`; the first day is
    always aligned to the period's start.

    Attributes
    ----------
    start : datetime.date
        The first day.
    size : {"week", "month", "quarter"}
    """

    start: date
    size: WindowSize

    def __post_init__(self) -> None:
        if self.size not in SIZES:
            raise ValueError(f"a window is a week, a month or a quarter, not {self.size!r}")
        if _align(self.start, self.size) != self.start:
            raise ValueError(f"{self.start} is not the first day of a {self.size}")

    @classmethod
    def containing(cls, day: date, size: WindowSize) -> TimeWindow:
        """The window of ``size`` that holds ``day``."""
        return cls(_align(day, size), size)

    @classmethod
    def parse(cls, text: str) -> TimeWindow:
        """``month:2024-03-01`` (or any day in it, or ``month:2024-03``) → a window.

        Raises
        ------
        ValueError
            For anything else.
        """
        size, sep, rest = str(text).strip().lower().partition(":")
        if not sep or size not in SIZES:
            raise ValueError(f"{text!r} is not a window such as month:2024-03-01")
        day = rest.strip()
        if len(day) == 7:  # 2024-03
            day += "-01"
        try:
            first = date.fromisoformat(day[:10])
        except ValueError:
            raise ValueError(f"{text!r}: {rest.strip()!r} is not a YYYY-MM-DD date") from None
        return cls.containing(first, cast(WindowSize, size))

    @property
    def end(self) -> date:
        """The first day after the window."""
        if self.size == "week":
            return self.start + timedelta(days=7)
        return _add_months(self.start, _MONTHS[self.size])

    @property
    def last_day(self) -> date:
        """The window's last day."""
        return self.end - timedelta(days=1)

    def next(self) -> TimeWindow:
        """The window that follows."""
        return TimeWindow(self.end, self.size)

    def previous(self) -> TimeWindow:
        """The window before."""
        return TimeWindow.containing(self.start - timedelta(days=1), self.size)

    def text(self) -> str:
        """``month:2024-03-01``: the URL and command-line form (:meth:`parse` reads it)."""
        return f"{self.size}:{self.start.isoformat()}"

    def label(self) -> str:
        """``March 2024``, ``2024 Q1`` or ``week of 4 Mar 2024``."""
        if self.size == "month":
            return f"{self.start:%B %Y}"
        if self.size == "quarter":
            return f"{self.start.year} Q{(self.start.month - 1) // 3 + 1}"
        return f"week of {self.start.day} {self.start:%b %Y}"

    def slug(self) -> str:
        """``2024-03``, ``2024Q1`` or ``2024-W10``: short, for file names."""
        if self.size == "month":
            return f"{self.start:%Y-%m}"
        if self.size == "quarter":
            return f"{self.start.year}Q{(self.start.month - 1) // 3 + 1}"
        year, week, _ = self.start.isocalendar()
        return f"{year}-W{week:02d}"

    def __str__(self) -> str:
        return self.text()


def windows(first: date, last: date, size: WindowSize) -> list[TimeWindow]:
    """Every window of ``size`` from the one holding ``first`` to the one holding ``last``.

    At most :data:`MAX_WINDOWS`; beyond that the last ones are left out.
    """
    if last < first:
        first, last = last, first
    out = [TimeWindow.containing(first, size)]
    while out[-1].end <= last and len(out) < MAX_WINDOWS:
        out.append(out[-1].next())
    return out


def in_window(dates: pd.Series, window: TimeWindow) -> np.ndarray:
    """Which ``dates`` fall in ``window`` (a bool array; unknown dates are outside)."""
    day = pd.to_datetime(dates, errors="coerce")
    keep = (day >= pd.Timestamp(window.start)) & (day < pd.Timestamp(window.end))
    return keep.to_numpy(bool, na_value=False)


def _align(day: date, size: str) -> date:
    if size == "week":
        return day - timedelta(days=day.weekday())
    if size == "month":
        return day.replace(day=1)
    if size == "quarter":
        return date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)
    raise ValueError(f"a window is a week, a month or a quarter, not {size!r}")


def _add_months(day: date, months: int) -> date:
    index = day.year * 12 + day.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)
