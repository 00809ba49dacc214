"""Headline figures and breakdowns of incidents and claims, honest about unknowns.

Every casualty figure here is a sum of *known* values, always reported next to
the number of incidents whose value is unknown. An unknown count is never
added as zero, and a total over incidents that are all unknown is ``None``,
not 0. All functions are vectorised (groupby / numpy), so they stay fast on a
million incidents.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any, Literal

import numpy as np
import pandas as pd

from geo.schema import as_floats
from geo.views.rows import Rows

__all__ = [
    "BORDER_COLUMNS",
    "BREAKDOWNS",
    "HEADLINE_COLUMNS",
    "LATEST_COLUMNS",
    "Headline",
    "accusation_flows",
    "border_sides",
    "breakdown",
    "breakdown_columns",
    "casualty_text",
    "claims_groups_by_territory",
    "claims_timeline",
    "format_count",
    "format_counts",
    "headline",
    "latest",
    "near_border",
    "split_groups",
    "within_km",
]

#: How a missing count is written wherever people read it.
UNKNOWN = "unknown"

Breakdown = Literal["country", "province", "month", "event_type", "actor", "claimed_by"]

#: Breakdown name → (column grouped on, label for people).
BREAKDOWNS: dict[str, tuple[str, str]] = {
    "country": ("country_code", "Country"),
    "province": ("admin1_code", "Province"),
    "month": ("month", "Month"),
    "event_type": ("event_type", "Event type"),
    "actor": ("actor1", "Actor (perpetrator as reported)"),
    "claimed_by": ("claimed_by", "Claimed by"),
}
_NAMES = {"province": ("admin1_code", "admin1"), "country": ("country_code", "country")}

# What each summary reads: a view copies only these columns of its rows to count them.
_COUNTS = ("killed", "injured", "killed_low", "killed_high")
#: The columns :func:`headline` reads.
HEADLINE_COLUMNS: tuple[str, ...] = (*_COUNTS, "admin1_code", "cross_border")
#: The columns :func:`border_sides` reads.
BORDER_COLUMNS: tuple[str, ...] = ("border_distance_km", "country_code", "killed")
#: The columns :func:`latest` shows, the order a reader scans them.
LATEST_COLUMNS: tuple[str, ...] = (
    "event_date", "location", "admin1", "country_code", "event_type", "actor1", "claimed_by",
    "killed", "injured", "geo_precision", "source", "source_ref", "incident_id",
)  # fmt: skip


@dataclass(frozen=True)
class Headline:
    """The figures at the top of the Overview and Casualties pages.

    ``killed`` and ``injured`` are sums over incidents whose count is known;
    they are ``None`` when there are incidents but none has a known count.
    """

    incidents: int
    killed: int | None
    injured: int | None
    killed_unknown: int
    injured_unknown: int
    casualties_unknown: int
    killed_low: int | None
    killed_high: int | None
    ranged: int
    provinces: int
    cross_border: int
    claims: int

    def to_dict(self) -> dict[str, Any]:
        """Plain dict (for JSON and tests)."""
        return asdict(self)


def headline(df: pd.DataFrame, claims: pd.DataFrame | None = None) -> Headline:
    """Headline figures of the (filtered) incidents and the claims ledger.

    Parameters
    ----------
    df : pandas.DataFrame
        Incidents (canonical columns).
    claims : pandas.DataFrame, optional
        Claims to count (already filtered by the caller).

    Returns
    -------
    Headline
        ``casualties_unknown`` counts incidents where killed *or* injured is
        unknown; ``killed_low``/``killed_high`` sum the ranges of the ``ranged``
        incidents that give both bounds.
    """
    n = len(df)
    killed = _num(df, "killed")
    injured = _num(df, "injured")
    k_known, i_known = ~np.isnan(killed), ~np.isnan(injured)
    low, high = _num(df, "killed_low"), _num(df, "killed_high")
    ranged = ~np.isnan(low) & ~np.isnan(high)
    provinces = df["admin1_code"].dropna().nunique() if "admin1_code" in df else 0
    cross = int(df["cross_border"].fillna(False).astype(bool).sum()) if "cross_border" in df else 0
    return Headline(
        incidents=n,
        killed=_known_sum(killed, k_known, n),
        injured=_known_sum(injured, i_known, n),
        killed_unknown=int((~k_known).sum()),
        injured_unknown=int((~i_known).sum()),
        casualties_unknown=int((~k_known | ~i_known).sum()),
        killed_low=int(low[ranged].sum()) if ranged.any() else None,
        killed_high=int(high[ranged].sum()) if ranged.any() else None,
        ranged=int(ranged.sum()),
        provinces=int(provinces),
        cross_border=cross,
        claims=0 if claims is None else len(claims),
    )


def breakdown_columns(by: Breakdown) -> tuple[str, ...]:
    """The columns :func:`breakdown` reads for ``by``.

    >>> breakdown_columns("province")
    ('admin1_code', 'admin1', 'killed', 'injured', 'killed_low', 'killed_high')
    """
    key = ("event_date",) if by == "month" else _NAMES.get(by, (BREAKDOWNS[by][0],))
    return (*key, *_COUNTS)


def breakdown(df: pd.DataFrame, by: Breakdown, *, limit: int | None = None) -> pd.DataFrame:
    """Incidents and casualties per country, province, month, event type or actor.

    Parameters
    ----------
    df : pandas.DataFrame
        Incidents.
    by : {"country", "province", "month", "event_type", "actor", "claimed_by"}
    limit : int, optional
        Keep the ``limit`` groups with most incidents (not for ``month``).

    Returns
    -------
    pandas.DataFrame
        One row per group: ``key`` (and ``name`` for provinces/countries),
        ``incidents``, ``killed`` and ``injured`` (sums of known values, ``<NA>``
        when every value in the group is unknown), ``killed_unknown``,
        ``injured_unknown`` (incidents with an unknown count), ``killed_low``,
        ``killed_high`` and ``ranged`` (incidents with a low–high range).
        Months are contiguous (empty months appear with 0 incidents). Sorted
        by incidents (months by date).
    """
    col, _label = BREAKDOWNS[by]
    key = df["event_date"].dt.to_period("M").dt.to_timestamp() if by == "month" else df[col]
    codes, uniques = pd.factorize(key, use_na_sentinel=True)
    if by != "month":  # a missing actor/province is its own group, named as such
        codes = np.where(codes < 0, len(uniques), codes)
        uniques = pd.Index([*uniques.astype(object), "(unknown)"], dtype=object)
    keep = codes >= 0
    codes, size = codes[keep], len(uniques)
    killed, injured = _num(df, "killed")[keep], _num(df, "injured")[keep]
    low, high = _num(df, "killed_low")[keep], _num(df, "killed_high")[keep]
    ranged = ~np.isnan(low) & ~np.isnan(high)
    out = pd.DataFrame(
        {
            "key": uniques,
            "incidents": np.bincount(codes, minlength=size),
            "killed": _group_sum(codes, killed, size),
            "killed_unknown": np.bincount(codes, np.isnan(killed), size).astype("int64"),
            "injured": _group_sum(codes, injured, size),
            "injured_unknown": np.bincount(codes, np.isnan(injured), size).astype("int64"),
            "killed_low": _group_sum(codes, np.where(ranged, low, np.nan), size),
            "killed_high": _group_sum(codes, np.where(ranged, high, np.nan), size),
            "ranged": np.bincount(codes, ranged, size).astype("int64"),
        }
    )
    out = out[out["incidents"] > 0]
    if by == "month":
        out = _fill_months(out)
    else:
        out = out.sort_values(["incidents", "key"], ascending=[False, True], kind="stable")
        if limit:
            out = out.head(limit)
        names = _names_for(df, by)
        if names is not None:
            out.insert(1, "name", out["key"].map(names).astype(object).fillna(out["key"]))
    return out.reset_index(drop=True)


def format_count(value: Any) -> str:
    """A count for people: ``1,234``, or ``unknown`` when there is none (never 0).

    >>> format_count(1234), format_count(None), format_count(pd.NA), format_count(0)
    ('1,234', 'unknown', 'unknown', '0')
    """
    return UNKNOWN if value is None or pd.isna(value) else f"{int(value):,}"


def format_counts(values: pd.Series) -> pd.Series:
    """:func:`format_count` over a column (object dtype, same index)."""
    numbers = pd.to_numeric(values, errors="coerce")
    return numbers.map(format_count).astype(object)


def casualty_text(killed: Any, injured: Any, note: Any = None) -> str:
    """``"killed 5 (at least) · injured unknown"``: unknown spelled out, never 0."""
    text = f"killed {format_count(killed)} · injured {format_count(injured)}"
    if note is not None and not pd.isna(note) and str(note).strip():
        text += f" ({str(note).strip()[:80]})"
    return text


def latest(incidents: pd.DataFrame | Rows, n: int = 20) -> pd.DataFrame:
    """The ``n`` most recent incidents with the columns a reader scans first.

    Of :class:`~geo.views.rows.Rows` (a view's rows) only the dates are read to
    find them, then :data:`LATEST_COLUMNS` of those ``n`` rows.

    >>> df = pd.DataFrame({"event_date": pd.to_datetime(["2024-01-02", None, "2024-03-01",
    ...     "2024-01-02"]), "incident_id": ["a", "b", "c", "d"]})
    >>> latest(df, 3)["incident_id"].tolist()
    ['c', 'a', 'd']
    """
    rows = incidents if isinstance(incidents, Rows) else Rows(incidents)
    dates = rows.frame(["event_date"])["event_date"].reset_index(drop=True)
    newest = dates.sort_values(ascending=False, kind="stable", na_position="last").index[:n]
    keep = np.zeros(len(dates), dtype=bool)
    keep[newest] = True
    picked = rows.narrow(keep).frame(LATEST_COLUMNS)  # in the rows' order
    cols = [c for c in LATEST_COLUMNS if c in picked.columns]
    order = np.searchsorted(np.flatnonzero(keep), newest)  # newest first
    return picked.iloc[order][cols].reset_index(drop=True)


def within_km(incidents: pd.DataFrame | Rows, max_km: float) -> np.ndarray:
    """Which incidents lie within ``max_km`` of the Afghanistan–Pakistan border (unknown: no).

    >>> within_km(pd.DataFrame({"border_distance_km": [3.0, None, 80.0]}), 50).tolist()
    [True, False, False]
    """
    rows = incidents if isinstance(incidents, Rows) else Rows(incidents)
    dist = pd.to_numeric(rows.frame(["border_distance_km"])["border_distance_km"], errors="coerce")
    return (dist <= max_km).to_numpy(dtype=bool)


def near_border(
    incidents: pd.DataFrame | Rows, max_km: float, *, within: np.ndarray | None = None
) -> pd.DataFrame:
    """Incidents within ``max_km`` of the Afghanistan–Pakistan border, nearest first.

    Of :class:`~geo.views.rows.Rows` only the distances are read of the others.
    ``within`` is :func:`within_km` of the same rows and distance, when the caller
    has it already.
    """
    rows = incidents if isinstance(incidents, Rows) else Rows(incidents)
    near = rows.narrow(within_km(rows, max_km) if within is None else within).frame()
    return near.sort_values("border_distance_km", kind="stable")


def border_sides(
    df: pd.DataFrame, max_km: float, countries: tuple[str, ...] | None = None
) -> pd.DataFrame:
    """Counts on each side of the border within ``max_km`` (and in all).

    ``countries`` fixes the rows returned (in that order, zeros included);
    by default every country present, most incidents within the band first.

    Returns
    -------
    pandas.DataFrame
        One row per ``country_code`` with ``within_band``, ``killed_within``
        (known sum, ``<NA>`` if all unknown), ``killed_unknown_within`` and
        ``incidents`` (all distances).
    """
    dist = pd.to_numeric(df["border_distance_km"], errors="coerce").to_numpy()
    within = dist <= max_km
    killed = _num(df, "killed")
    work = pd.DataFrame(
        {
            "country_code": df["country_code"].astype(object).fillna("(outside)").to_numpy(),
            "within_band": within,
            "killed_within": np.where(within, killed, np.nan),
            "killed_unknown_within": within & np.isnan(killed),
        }
    )
    g = work.groupby("country_code", sort=True)
    out = pd.DataFrame(
        {
            "incidents": g.size(),
            "within_band": g["within_band"].sum(),
            "killed_within": g["killed_within"].sum(min_count=1).round().astype("Int64"),
            "killed_unknown_within": g["killed_unknown_within"].sum(),
        }
    )
    if countries is not None:
        out = out.reindex(list(countries))
        out.index.name = "country_code"
        for c in ("incidents", "within_band", "killed_unknown_within"):
            out[c] = out[c].fillna(0).astype("int64")
        return out.reset_index()
    out = out.reset_index()
    return out.sort_values("within_band", ascending=False, kind="stable").reset_index(drop=True)


# ---------------------------------------------------------------------- claims
def split_groups(text: Any) -> list[str]:
    """``"ISKP; al-Qaeda"`` → ``["ISKP", "al-Qaeda"]`` (empty for missing)."""
    if text is None or (not isinstance(text, str) and pd.isna(text)):
        return []
    return [g.strip() for g in str(text).replace(",", ";").split(";") if g.strip()]


def claims_timeline(claims: pd.DataFrame, freq: str = "M") -> pd.DataFrame:
    """Statements per period and stance: ``period``, ``stance``, ``statements``."""
    if claims.empty:
        return pd.DataFrame(columns=["period", "stance", "statements"])
    dates = pd.to_datetime(claims["statement_date"], errors="coerce")
    work = pd.DataFrame(
        {"period": dates.dt.to_period(freq).dt.to_timestamp(), "stance": claims["stance"]}
    ).dropna()
    out = work.groupby(["period", "stance"]).size().rename("statements").reset_index()
    return out.sort_values(["period", "stance"]).reset_index(drop=True)


def claims_groups_by_territory(claims: pd.DataFrame) -> pd.DataFrame:
    """One row per (group, territory, stance) with the number of statements."""
    cols = ["group", "territory_code", "stance", "statements"]
    if claims.empty:
        return pd.DataFrame(columns=cols)
    work = claims[["groups", "territory_code", "stance"]].copy()
    work["group"] = work["groups"].map(split_groups)
    work = work.explode("group").dropna(subset=["group"])
    work["territory_code"] = work["territory_code"].fillna("(unspecified)")
    out = work.groupby(["group", "territory_code", "stance"]).size().rename("statements")
    return out.reset_index().sort_values(["group", "territory_code"]).reset_index(drop=True)


def accusation_flows(claims: pd.DataFrame) -> pd.DataFrame:
    """Accuser → accused country pairs: ``claimant_country_code``, ``accused_country_code``, ``statements``, ``groups``.

    Only rows that name both a claimant country and an accused country count.
    """
    cols = ["claimant_country_code", "accused_country_code", "statements", "groups"]
    if claims.empty:
        return pd.DataFrame(columns=cols)
    work = claims.dropna(subset=["claimant_country_code", "accused_country_code"])
    work = work[work["claimant_country_code"] != work["accused_country_code"]]
    if work.empty:
        return pd.DataFrame(columns=cols)
    g = work.groupby(["claimant_country_code", "accused_country_code"])
    out = pd.DataFrame(
        {
            "statements": g.size(),
            "groups": g["groups"].agg(
                lambda s: "; ".join(sorted({x for v in s for x in split_groups(v)}))
            ),
        }
    ).reset_index()
    return out.sort_values("statements", ascending=False).reset_index(drop=True)


# ---------------------------------------------------------------------- helpers
def _num(df: pd.DataFrame, col: str) -> np.ndarray:
    if col not in df.columns:
        return np.full(len(df), np.nan)
    return as_floats(df[col])


def _group_sum(codes: np.ndarray, values: np.ndarray, size: int) -> pd.Series:
    """Per-group sum of the known values; ``<NA>`` where a group has none known."""
    known = ~np.isnan(values)
    total = np.bincount(codes[known], values[known], size)
    has = np.bincount(codes[known], minlength=size) > 0
    return pd.Series(np.round(total), dtype="Int64").where(has)


def _known_sum(values: np.ndarray, known: np.ndarray, n: int) -> int | None:
    if n == 0:
        return 0
    if not known.any():
        return None
    return int(values[known].sum())


def _fill_months(out: pd.DataFrame) -> pd.DataFrame:
    out = out.dropna(subset=["key"]).sort_values("key")
    if out.empty or len(out) < 2:
        return out
    full = pd.date_range(out["key"].min(), out["key"].max(), freq="MS")
    if len(full) > 1200:
        return out
    out = out.set_index("key").reindex(full)
    out.index.name = "key"
    empty = out["incidents"].isna().to_numpy()
    for c in ("incidents", "killed_unknown", "injured_unknown", "ranged"):
        out[c] = out[c].fillna(0).astype("int64")
    for c in ("killed", "injured"):  # a month with no incidents truly had none killed
        out.loc[empty, c] = 0
    return out.reset_index()


def _names_for(df: pd.DataFrame, by: str) -> dict[str, str] | None:
    if by not in _NAMES:
        return None
    code, name = _NAMES[by]
    sub = df[[code, name]].dropna()
    if sub.empty:
        return {}
    sub = sub.astype(object).drop_duplicates(code)
    return dict(zip(sub[code], sub[name], strict=False))
