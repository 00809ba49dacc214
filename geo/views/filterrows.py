"""Which incidents the filters keep, and what each filter's widget can offer.

Derived from the table of filters (:data:`geo.views.filterspec.FILTERS`): the
rows that pass (:func:`mask`), the rows a date range keeps as one slice of a
table in date order (:func:`date_slice`), the sidebar's choices for the stored
incidents (:func:`options`), and two helpers the entries' masks use. Import
from :mod:`geo.views.filters`, which re-exports them.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import numpy as np
import pandas as pd

from geo.views.filterspec import FILTERS, Filters

__all__ = ["contains_any", "date_slice", "isin", "mask", "options"]


def mask(df: pd.DataFrame, filters: Filters) -> np.ndarray:
    """The rows of ``df`` that pass every filter that is set (a boolean array)."""
    keep = np.ones(len(df), dtype=bool)
    for name, value in filters.items():
        keep &= np.asarray(FILTERS[name].mask(df, value), dtype=bool)
    return keep


def date_slice(df: pd.DataFrame, filters: Filters) -> tuple[slice | None, Filters]:
    """The rows the date filters keep as one slice, when ``df`` is in date order.

    Returns the slice and the filters left to apply as a mask; ``(None, filters)``
    when no filter set has a :attr:`Filter.span` or ``df`` is not in event-date
    order with unknown dates last (:func:`geo.views.query.in_view_order`).

    Examples
    --------
    >>> from datetime import date
    >>> from geo.views.filters import Filters
    >>> df = pd.DataFrame({"event_date": pd.to_datetime(
    ...     ["2024-01-01", "2024-02-01", "2024-03-01", None])})
    >>> date_slice(df, Filters(date_from=date(2024, 1, 15), countries=("AFG",)))
    (slice(1, 3, None), Filters(countries=('AFG',)))
    """
    spans = {n: FILTERS[n].span(v) for n, v in filters.items() if FILTERS[n].span}
    if not spans or "event_date" not in df.columns:
        return None, filters
    dates = df["event_date"]
    if not pd.api.types.is_datetime64_dtype(dates.dtype):  # naive datetimes only
        return None, filters
    dated = int(dates.notna().sum())
    head = dates.iloc[:dated]
    if not (head.notna().all() and head.is_monotonic_increasing):
        return None, filters
    first = max((a for a, _ in spans.values() if a is not None), default=None)
    end = min((b for _, b in spans.values() if b is not None), default=None)
    values = head.to_numpy()
    start = 0 if first is None else int(values.searchsorted(np.datetime64(first), "left"))
    stop = dated if end is None else int(values.searchsorted(np.datetime64(end), "left"))
    return slice(start, max(start, stop)), filters.with_(**dict.fromkeys(spans))


def options(df: pd.DataFrame) -> dict[str, Any]:
    """What each filter's widget can offer for the incidents ``df``, by filter name."""
    return {n: e.options(df) for n, e in FILTERS.items() if e.options is not None}


# ---------------------------------------------------------------------- helpers of the entries' masks
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
