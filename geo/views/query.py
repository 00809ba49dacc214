"""Applying the filters to incidents and claims, and the compact form the app caches.

The filters themselves (each defined once: URL key, CLI flag, widget, words,
mask) live in :mod:`geo.views.filters`; :class:`Filters` is re-exported here.
:func:`apply` never loops over rows in Python: each filter's mask runs on
whole columns, text matches on the categories of categorical columns (see
:func:`compact`), so filtering a million incidents costs a few boolean masks.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import numpy as np
import pandas as pd

from geo.schema import TEXT_COLUMNS
from geo.views import filters as _filters
from geo.views.filters import ACTOR_COLUMNS, Filters
from geo.views.rows import Rows, positions

__all__ = [
    "ACTOR_COLUMNS",
    "HIGH_CARDINALITY_COLUMNS",
    "Filters",
    "apply",
    "apply_claims",
    "claim_options",
    "claims_in_range",
    "compact",
    "describe_store",
    "filter_options",
    "in_view_order",
    "kept",
    "plain",
]

#: Text columns that are (nearly) unique per row: kept as strings by :func:`compact`.
HIGH_CARDINALITY_COLUMNS: tuple[str, ...] = ("incident_id", "notes", "source_ref", "casualty_note")


# ---------------------------------------------------------------------- apply
def apply(df: pd.DataFrame, filters: Filters) -> pd.DataFrame:
    """Rows of ``df`` that pass ``filters`` (a new frame; ``df`` is untouched).

    Parameters
    ----------
    df : pandas.DataFrame
        Incidents with canonical columns, plain (:func:`geo.schema.normalise_dtypes`)
        or compacted (:func:`compact`).
    filters : Filters

    Returns
    -------
    pandas.DataFrame
        With the original index. ``min_killed > 0`` drops incidents whose
        killed count is unknown; ``min_killed == 0`` keeps them.

    Examples
    --------
    >>> df = pd.DataFrame({"country_code": ["AFG", "PAK", "PAK"],
    ...                    "killed": pd.array([1, None, 7], dtype="Int64")})
    >>> apply(df, Filters(countries=("PAK",))).index.tolist()
    [1, 2]
    >>> apply(df, Filters(countries=("PAK",), min_killed=1)).index.tolist()  # unknown is out
    [2]
    """
    if df.empty or filters.is_empty():
        return df.copy(deep=False)
    return Rows(df, kept(df, filters)).frame()


def kept(df: pd.DataFrame, filters: Filters) -> slice | np.ndarray:
    """Where the rows of ``df`` that pass ``filters`` are: a slice or ascending positions.

    A date range over a table in view order (:func:`in_view_order`) is one
    slice of rows (:func:`geo.views.filterrows.date_slice`); the other filters
    are a mask over that slice. Kept rows without a gap are a slice too. Hand
    the result to :class:`geo.views.rows.Rows` to read the rows' columns.

    Examples
    --------
    >>> from datetime import date
    >>> df = pd.DataFrame({"event_date": pd.to_datetime(["2024-01-01", "2024-02-01",
    ...     "2024-03-01", None]), "country_code": ["AFG", "PAK", "AFG", "AFG"]})
    >>> kept(df, Filters(date_from=date(2024, 1, 15)))
    slice(1, 3, None)
    >>> kept(df, Filters(countries=("AFG",)))
    array([0, 2, 3])
    """
    if df.empty or filters.is_empty():
        return slice(0, len(df))
    rows, rest = _filters.date_slice(df, filters)  # in date order: the dates are a slice
    if rows is None:
        return positions(_filters.mask(df, filters), len(df))
    if rest.is_empty():
        return rows
    inside = _filters.mask(df.iloc[rows], rest)  # the slice shares the columns: no copy
    return positions(np.flatnonzero(inside) + rows.start, len(df))


def in_view_order(df: pd.DataFrame) -> pd.DataFrame:
    """``df`` in event-date order, unknown dates last, ties by ``incident_id``; index reset.

    The order of :func:`geo.views.view.stored_incidents`: a date range is then a
    slice of rows (:func:`apply`), which needs no copy. Sorted in Arrow
    (``incident_id`` by its UTF-8 bytes, as the store orders it).

    Examples
    --------
    >>> df = pd.DataFrame({"incident_id": ["b", "a", "c"],
    ...                    "event_date": pd.to_datetime(["2024-02-01", "2024-02-01", None])})
    >>> in_view_order(df)["incident_id"].tolist()
    ['a', 'b', 'c']
    """
    import pyarrow as pa
    import pyarrow.compute as pc

    keys = pa.table(
        {
            "event_date": pa.array(df["event_date"], from_pandas=True),
            "incident_id": _arrow_text(df["incident_id"]),
        }
    )
    order = pc.sort_indices(
        keys,
        sort_keys=[("event_date", "ascending", "at_end"), ("incident_id", "ascending", "at_end")],
    ).to_numpy()
    if (order == np.arange(len(order))).all():  # already in order (a trim keeps it): no take
        return df if df.index.equals(pd.RangeIndex(len(df))) else df.reset_index(drop=True)
    return df.take(order).reset_index(drop=True)


def claims_in_range(claims: pd.DataFrame, filters: Filters) -> pd.DataFrame:
    """Claims whose ``statement_date`` falls in the filters' date range and time window.

    Only the dates apply: a statement about militant presence has no event
    type, casualties or precision. Undated statements are kept only when no
    date filter is set.
    """
    window = filters.window
    if filters.date_from is None and filters.date_to is None and window is None:
        return claims
    dates = pd.to_datetime(claims["statement_date"], errors="coerce")
    mask = dates.notna()
    if filters.date_from is not None:
        mask &= dates >= pd.Timestamp(filters.date_from)
    if filters.date_to is not None:
        mask &= dates < pd.Timestamp(filters.date_to) + pd.Timedelta(days=1)
    if window is not None:
        mask &= (dates >= pd.Timestamp(window.start)) & (dates < pd.Timestamp(window.end))
    return claims.loc[mask.to_numpy(bool)]


def apply_claims(
    claims: pd.DataFrame,
    *,
    stances: Iterable[str] = (),
    groups: Iterable[str] = (),
    claimants: Iterable[str] = (),
) -> pd.DataFrame:
    """Claims with one of ``stances``, naming one of ``groups`` (case-insensitive),
    from one of the ``claimants`` countries. Empty selections keep everything."""
    mask = np.ones(len(claims), dtype=bool)
    if stances := list(stances):
        mask &= claims["stance"].isin(stances).to_numpy(bool)
    if claimants := list(claimants):
        mask &= claims["claimant_country_code"].isin(claimants).to_numpy(bool)
    if wanted := {g.lower() for g in groups}:
        named = claims["groups"].astype(object).fillna("").astype(str).str.lower()
        parts = named.str.replace(",", ";").str.split(";")
        mask &= parts.map(lambda xs: bool(wanted & {x.strip() for x in xs})).to_numpy(bool)
    return claims.loc[mask]


def claim_options(claims: pd.DataFrame) -> dict[str, list[str]]:
    """Choices for the claims filters: ``stances``, ``groups``, ``claimants`` (sorted)."""
    groups = claims["groups"].astype(object).fillna("").astype(str).str.replace(",", ";")
    names = {g.strip() for text in groups for g in text.split(";") if g.strip()}
    return {
        "stances": sorted(claims["stance"].dropna().astype(str).unique()),
        "groups": sorted(names, key=str.lower),
        "claimants": sorted(claims["claimant_country_code"].dropna().astype(str).unique()),
    }


def compact(df: pd.DataFrame) -> pd.DataFrame:
    """Return ``df`` with text columns stored compactly for fast filtering and caching.

    Repetitive text (actors, provinces, types, sources) becomes ``category``;
    the nearly unique columns of :data:`HIGH_CARDINALITY_COLUMNS` become
    pandas' ``str`` dtype. Values and missing values are unchanged.

    >>> small = compact(pd.DataFrame({"actor1": ["TTP", "TTP", None]}))
    >>> str(small["actor1"].dtype), plain(small)["actor1"].tolist()
    ('category', ['TTP', 'TTP', None])
    """
    out = df.copy(deep=False)
    for col in TEXT_COLUMNS:
        if col not in out.columns:
            continue
        target = "str" if col in HIGH_CARDINALITY_COLUMNS else "category"
        if str(out[col].dtype) != target:
            out[col] = out[col].astype(target)
    if "h3" in out.columns and not isinstance(out["h3"].dtype, pd.CategoricalDtype):
        out["h3"] = out["h3"].astype("category")  # factorized once: hexagons count its codes
    return out


def _arrow_text(s: pd.Series) -> Any:
    """A text column as Arrow: without a copy for pandas' Arrow-backed ``str``."""
    import pyarrow as pa

    if s.dtype == object:
        return pa.array(s, type=pa.string(), from_pandas=True)
    return pa.array(s)


def plain(df: pd.DataFrame) -> pd.DataFrame:
    """Undo :func:`compact`: text columns back to ``object`` with ``None`` for empty."""
    out = df.copy(deep=False)
    for col in TEXT_COLUMNS:
        if col in out.columns and out[col].dtype != object:
            values = out[col].astype(object)
            out[col] = values.where(values.notna(), None)
    return out


def filter_options(df: pd.DataFrame) -> dict[str, Any]:
    """The choices each sidebar filter offers for ``df``, by filter name.

    See :func:`geo.views.filters.options`: for example ``date_from`` gives the first
    and last event dates, ``countries`` and ``admin1`` map codes to names
    (sorted by name), ``event_types`` lists the types present (schema order
    first), ``actors`` the most frequent actor, target and claimant names.
    """
    return _filters.options(df)


def describe_store(df: pd.DataFrame, uploads: pd.DataFrame | None = None) -> str:
    """A status line: how many incidents, the latest event date, the last upload."""
    dates = df["event_date"].dropna()
    text = f"{len(df):,} incidents stored"
    if len(dates):
        text += f" · latest event {dates.max():%Y-%m-%d}"
    if uploads is not None and len(uploads):
        active = uploads[uploads["undone_at"].isna()] if "undone_at" in uploads else uploads
        if len(active):
            text += (
                f" · last upload {str(active['created_at'].iloc[-1])[:16].replace('T', ' ')} UTC"
            )
    return text
