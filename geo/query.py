"""Filters over the incident table: one value object, one vectorised ``apply``.

:class:`Filters` is what the sidebar, the URL, the CLI and the exporters share.
It converts to and from ``st.query_params``-style mappings (forgiving: a bad
value is dropped, never raised) and from the CLI's comma-separated strings.

:func:`apply` never loops over rows in Python. Text matches run on the
categories of categorical columns (see :func:`compact`), so filtering a
million incidents costs a few boolean masks.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, fields, replace
from datetime import date
from typing import Any

import numpy as np
import pandas as pd

from geo.schema import TEXT_COLUMNS

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
    "plain",
]

#: Columns searched by the actor filter.
ACTOR_COLUMNS: tuple[str, ...] = ("actor1", "actor2", "claimed_by")

#: Text columns that are (nearly) unique per row: kept as strings by :func:`compact`.
HIGH_CARDINALITY_COLUMNS: tuple[str, ...] = ("incident_id", "notes", "source_ref", "casualty_note")

# Query-parameter keys, short so a copied link stays readable.
_KEYS = {
    "date_from": "from",
    "date_to": "to",
    "countries": "country",
    "admin1": "admin1",
    "event_types": "type",
    "actors": "actor",
    "min_killed": "min_killed",
    "precisions": "precision",
}
_SEP = ","


@dataclass(frozen=True)
class Filters:
    """The shared incident filters. Empty tuples and ``None`` mean "no filter".

    Parameters
    ----------
    date_from, date_to : datetime.date or None
        First and last day (inclusive).
    countries : tuple of str
        ISO 3166-1 alpha-3 codes (``AFG``, ``PAK``).
    admin1 : tuple of str
        ISO 3166-2 province codes (``PK-KP``).
    event_types : tuple of str
        ACLED top-level event types.
    actors : tuple of str
        Texts that ``actor1``, ``actor2`` or ``claimed_by`` must contain
        (case-insensitive); an incident matching any of them is kept.
    min_killed : int or None
        Keep incidents with at least this many killed. With a value above 0,
        incidents whose death toll is unknown are left out (they cannot be
        shown to meet the threshold); ``0`` or ``None`` keeps them.
    precisions : tuple of int
        ``geo_precision`` levels to keep (1–4); empty keeps all.
    """

    date_from: date | None = None
    date_to: date | None = None
    countries: tuple[str, ...] = ()
    admin1: tuple[str, ...] = ()
    event_types: tuple[str, ...] = ()
    actors: tuple[str, ...] = ()
    min_killed: int | None = None
    precisions: tuple[int, ...] = ()

    # ------------------------------------------------------------------ building
    @classmethod
    def from_query_params(cls, mapping: Mapping[str, Any]) -> Filters:
        """Build filters from URL query parameters, ignoring anything malformed.

        Parameters
        ----------
        mapping : Mapping
            ``st.query_params`` or a plain dict; values may be strings or lists
            of strings (repeated keys). Unknown keys are ignored.

        Returns
        -------
        Filters
        """

        def get(name: str) -> str | None:
            value = mapping.get(_KEYS[name]) if hasattr(mapping, "get") else None
            if isinstance(value, list | tuple):
                value = _SEP.join(str(v) for v in value)
            return None if value is None else str(value)

        d_from, d_to = _parse_date(get("date_from")), _parse_date(get("date_to"))
        if d_from and d_to and d_from > d_to:
            d_from, d_to = d_to, d_from
        return cls(
            date_from=d_from,
            date_to=d_to,
            countries=_codes(get("countries"), upper=True),
            admin1=_codes(get("admin1"), upper=True),
            event_types=_split(get("event_types")),
            actors=_split(get("actors")),
            min_killed=_parse_nonneg_int(get("min_killed")),
            precisions=_parse_precisions(get("precisions")),
        )

    @classmethod
    def from_cli(
        cls,
        *,
        country: str | None = None,
        admin1: str | None = None,
        date_from: str | None = None,
        date_to: str | None = None,
        event_type: str | None = None,
        actor: str | None = None,
        min_killed: int | str | None = None,
    ) -> Filters:
        """Build filters from the CLI's comma-separated options (DESIGN.md §5).

        Unlike :meth:`from_query_params` a malformed date raises ``ValueError``
        so the command line can say what is wrong.
        """

        def strict_date(text: str | None) -> date | None:
            if text is None or not str(text).strip():
                return None
            return date.fromisoformat(str(text).strip())

        mk = None if min_killed is None or str(min_killed).strip() == "" else int(min_killed)
        if mk is not None and mk < 0:
            raise ValueError("--min-killed must be 0 or more")
        return cls(
            date_from=strict_date(date_from),
            date_to=strict_date(date_to),
            countries=_codes(country, upper=True),
            admin1=_codes(admin1, upper=True),
            event_types=_split(event_type),
            actors=_split(actor),
            min_killed=mk,
        )

    # ------------------------------------------------------------------ output
    def to_query_params(self) -> dict[str, str]:
        """The non-default filters as compact query parameters (``{"country": "AFG,PAK"}``)."""
        out: dict[str, str] = {}
        for f in fields(self):
            value = getattr(self, f.name)
            if value is None or value == ():
                continue
            if isinstance(value, tuple):
                text = _SEP.join(str(v) for v in value)
            elif isinstance(value, date):
                text = value.isoformat()
            else:
                text = str(value)
            out[_KEYS[f.name]] = text
        return out

    def is_empty(self) -> bool:
        """True when no filter is set."""
        return self == Filters()

    def with_(self, **changes: Any) -> Filters:
        """A copy with some fields changed (values normalised like the constructor's)."""
        return replace(self, **changes)

    def describe(self) -> str:
        """A one-line summary for subtitles, e.g. ``"AFG, PAK · 2023-01-01 to 2025-12-31 · killed ≥ 5"``."""
        parts: list[str] = []
        if self.countries:
            parts.append(", ".join(self.countries))
        if self.admin1:
            parts.append(", ".join(self.admin1))
        if self.date_from and self.date_to:
            parts.append(f"{self.date_from.isoformat()} to {self.date_to.isoformat()}")
        elif self.date_from:
            parts.append(f"from {self.date_from.isoformat()}")
        elif self.date_to:
            parts.append(f"up to {self.date_to.isoformat()}")
        if self.event_types:
            parts.append(", ".join(self.event_types))
        if self.actors:
            parts.append("actor: " + " or ".join(self.actors))
        if self.min_killed:
            parts.append(f"killed ≥ {self.min_killed}")
        if self.precisions:
            parts.append("precision " + ", ".join(str(p) for p in self.precisions))
        return " · ".join(parts) if parts else "all incidents"

    def describe_dates(self) -> str:
        """Only the date range: ``"2023-01-01 to 2025-12-31"`` or ``"all dates"``."""
        return (
            Filters(date_from=self.date_from, date_to=self.date_to)
            .describe()
            .replace("all incidents", "all dates")
        )

    def short_slug(self, max_len: int = 60) -> str:
        """A filename-safe summary, e.g. ``"AFG-PAK_2023-01-01_2025-12-31_k5"`` (``"all"`` if none)."""
        parts: list[str] = []
        if self.countries:
            parts.append("-".join(self.countries))
        if self.admin1:
            parts.append("-".join(self.admin1))
        if self.date_from or self.date_to:
            parts.append(
                f"{self.date_from.isoformat() if self.date_from else 'start'}_"
                f"{self.date_to.isoformat() if self.date_to else 'now'}"
            )
        if self.event_types:
            parts.append("-".join(t.split("/")[0].split()[0] for t in self.event_types))
        if self.actors:
            parts.append("actor-" + "-".join(self.actors))
        if self.min_killed:
            parts.append(f"k{self.min_killed}")
        if self.precisions:
            parts.append("p" + "".join(str(p) for p in self.precisions))
        slug = re.sub(r"[^A-Za-z0-9_-]+", "-", "_".join(parts)).strip("-_")
        return slug[:max_len].rstrip("-_") or "all"


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
    """
    if df.empty or filters.is_empty():
        return df.copy(deep=False)
    mask = np.ones(len(df), dtype=bool)
    if filters.date_from is not None:
        mask &= (df["event_date"] >= pd.Timestamp(filters.date_from)).to_numpy(bool, na_value=False)
    if filters.date_to is not None:
        end = pd.Timestamp(filters.date_to) + pd.Timedelta(days=1)
        mask &= (df["event_date"] < end).to_numpy(bool, na_value=False)
    if filters.countries:
        mask &= _isin(df["country_code"], filters.countries)
    if filters.admin1:
        mask &= _isin(df["admin1_code"], filters.admin1)
    if filters.event_types:
        mask &= _isin(df["event_type"], filters.event_types)
    if filters.precisions:
        prec = df["geo_precision"]
        mask &= prec.isin(list(filters.precisions)).to_numpy(bool, na_value=False)
    if filters.min_killed:
        mask &= (df["killed"] >= filters.min_killed).to_numpy(bool, na_value=False)
    if filters.actors:
        hit = np.zeros(len(df), dtype=bool)
        for col in ACTOR_COLUMNS:
            if col in df.columns:
                hit |= _contains_any(df[col], filters.actors)
        mask &= hit
    return df.loc[mask]


def claims_in_range(claims: pd.DataFrame, filters: Filters) -> pd.DataFrame:
    """Claims whose ``statement_date`` falls in the filters' date range.

    Only the dates apply: a statement about militant presence has no event
    type, casualties or precision. Undated statements are kept only when no
    date filter is set.
    """
    if filters.date_from is None and filters.date_to is None:
        return claims
    dates = pd.to_datetime(claims["statement_date"], errors="coerce")
    mask = dates.notna()
    if filters.date_from is not None:
        mask &= dates >= pd.Timestamp(filters.date_from)
    if filters.date_to is not None:
        mask &= dates < pd.Timestamp(filters.date_to) + pd.Timedelta(days=1)
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
    """
    out = df.copy(deep=False)
    for col in TEXT_COLUMNS:
        if col not in out.columns:
            continue
        target = "str" if col in HIGH_CARDINALITY_COLUMNS else "category"
        if str(out[col].dtype) != target:
            out[col] = out[col].astype(target)
    return out


def plain(df: pd.DataFrame) -> pd.DataFrame:
    """Undo :func:`compact`: text columns back to ``object`` with ``None`` for empty."""
    out = df.copy(deep=False)
    for col in TEXT_COLUMNS:
        if col in out.columns and out[col].dtype != object:
            values = out[col].astype(object)
            out[col] = values.where(values.notna(), None)
    return out


def filter_options(df: pd.DataFrame, *, max_actors: int = 400) -> dict[str, Any]:
    """The choices a filter form offers for ``df``.

    Returns
    -------
    dict
        ``date_min``/``date_max`` (date or None), ``countries`` and ``provinces``
        (code → name, sorted by name), ``event_types`` (schema order, then
        others), ``actors`` (the most frequent actor1/actor2/claimed_by values).
    """
    from geo.schema import EVENT_TYPES

    dates = df["event_date"].dropna()
    pairs = {"countries": ("country_code", "country"), "provinces": ("admin1_code", "admin1")}
    out: dict[str, Any] = {
        "date_min": dates.min().date() if len(dates) else None,
        "date_max": dates.max().date() if len(dates) else None,
    }
    for name, (code, label) in pairs.items():
        sub = df[[code, label]].dropna(subset=[code]).astype(object).drop_duplicates(code)
        names = {
            c: (n if isinstance(n, str) else c) for c, n in zip(sub[code], sub[label], strict=True)
        }
        out[name] = dict(sorted(names.items(), key=lambda kv: (kv[1], kv[0])))
    present = set(df["event_type"].dropna().astype(object).unique())
    out["event_types"] = [t for t in EVENT_TYPES if t in present] + sorted(
        present - set(EVENT_TYPES)
    )
    counts = pd.concat(
        [df[c].dropna().astype(object).value_counts() for c in ACTOR_COLUMNS if c in df.columns]
    )
    counts = counts.groupby(level=0).sum().sort_values(ascending=False, kind="stable")
    out["actors"] = sorted(counts.index[:max_actors].astype(str), key=str.lower)
    return out


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


# ---------------------------------------------------------------------- helpers
def _isin(series: pd.Series, values: Iterable[str]) -> np.ndarray:
    wanted = [str(v) for v in values]
    if isinstance(series.dtype, pd.CategoricalDtype):
        cats = series.cat.categories
        hit = np.append(np.asarray(cats.isin(wanted), dtype=bool), False)
        return hit[series.cat.codes.to_numpy()]  # code -1 (missing) → last slot, False
    return series.isin(wanted).to_numpy(bool, na_value=False)


def _contains_any(series: pd.Series, needles: Iterable[str]) -> np.ndarray:
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


def _split(text: str | None) -> tuple[str, ...]:
    if text is None:
        return ()
    seen: dict[str, None] = {}
    for part in str(text).split(_SEP):
        part = part.strip()
        if part:
            seen.setdefault(part[:200], None)
    return tuple(seen)


def _codes(text: str | None, *, upper: bool) -> tuple[str, ...]:
    out = []
    for part in _split(text):
        code = part.upper() if upper else part
        if re.fullmatch(r"[A-Z]{2,3}(-[A-Z0-9]{1,4})?", code):
            out.append(code)
    return tuple(out)


def _parse_date(text: str | None) -> date | None:
    if not text:
        return None
    try:
        return date.fromisoformat(text.strip()[:10])
    except ValueError:
        return None


def _parse_nonneg_int(text: str | None) -> int | None:
    if text is None:
        return None
    try:
        value = int(str(text).strip())
    except ValueError:
        return None
    return value if value >= 0 else None


def _parse_precisions(text: str | None) -> tuple[int, ...]:
    out: list[int] = []
    for part in _split(text):
        if part.isdigit() and 1 <= int(part) <= 4 and int(part) not in out:
            out.append(int(part))
    return tuple(sorted(out))
