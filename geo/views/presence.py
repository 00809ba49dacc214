"""Claimed militant presence per territory and group, from the claims ledger.

A *statement* (one ledger row) asserts or denies that one or more groups are
present in one territory (ISO3 country or ISO 3166-2 province code). For a
period and an "as of" date, :func:`presence_states` folds the statements into
one state per territory and group:

* ``asserted`` -- only statements asserting presence;
* ``denied`` -- only statements denying it;
* ``contested`` -- both.

``accuses`` / ``rejects_accusation`` statements count as asserting / denying
presence in the territory they name. :func:`corroborating_incidents` lists,
for one claim, the incidents in the same territory attributed to or claimed
by the same group (through :mod:`geo.groups`) within +/- N months.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pandas as pd

from geo.groups import groups_in, split_groups

#: Stance -> direction: +1 asserts presence, -1 denies it.
STANCE_DIRECTION: dict[str, int] = {
    "asserts_presence": 1,
    "accuses": 1,
    "denies_presence": -1,
    "rejects_accusation": -1,
}

STATES = ("asserted", "denied", "contested")

_COLUMNS = [
    "territory_code",
    "group",
    "state",
    "n_statements",
    "n_assert",
    "n_deny",
    "claim_ids",
]


def _dates(series: pd.Series) -> pd.Series:
    return pd.to_datetime(series, errors="coerce")


def _in_force(claims: pd.DataFrame, as_of: pd.Timestamp | None) -> pd.Series:
    """Statements made on or before ``as_of`` and not yet expired (valid_to)."""
    keep = pd.Series(True, index=claims.index)
    if as_of is None:
        return keep
    made = _dates(claims.get("statement_date", pd.Series(pd.NaT, index=claims.index)))
    start = claims.get("valid_from")
    start = made if start is None else _dates(start).fillna(made)
    keep &= start.isna() | (start <= as_of)
    if "valid_to" in claims:
        end = _dates(claims["valid_to"])
        keep &= end.isna() | (end >= as_of)
    return keep


def explode_claims(claims: pd.DataFrame) -> pd.DataFrame:
    """One row per statement and canonical group, with its direction.

    Parameters
    ----------
    claims : pandas.DataFrame
        Ledger rows (DESIGN.md section 3).

    Returns
    -------
    pandas.DataFrame
        The ledger columns plus ``group`` (canonical) and ``direction``
        (+1/-1); rows with an unknown stance, no territory or no group are
        left out.
    """
    if claims.empty:
        return claims.assign(group=pd.Series(dtype=str), direction=pd.Series(dtype=int))
    frame = claims.copy()
    frame["direction"] = frame["stance"].map(STANCE_DIRECTION)
    frame["group"] = frame["groups"].map(split_groups)
    frame = frame.explode("group")
    terr = frame["territory_code"].fillna("").astype(str).str.strip()
    frame["territory_code"] = terr.str.upper()
    keep = frame["direction"].notna() & frame["group"].notna() & (terr != "")
    frame = frame[keep].copy()
    frame["direction"] = frame["direction"].astype(int)
    return frame


def presence_states(
    claims: pd.DataFrame,
    start: str | None = None,
    end: str | None = None,
    as_of: str | None = None,
) -> pd.DataFrame:
    """Fold statements into one presence state per territory and group.

    Parameters
    ----------
    claims : pandas.DataFrame
        Ledger rows.
    start, end : str, optional
        ISO dates bounding ``statement_date`` (inclusive); statements with no
        date are kept only when no bound is given.
    as_of : str, optional
        Only statements in force on this date (made on or before it, or from
        ``valid_from``, and not past ``valid_to``).

    Returns
    -------
    pandas.DataFrame
        Columns territory_code, group, state, n_statements, n_assert,
        n_deny, claim_ids (semicolon-separated).
    """
    if claims.empty:
        return pd.DataFrame(columns=_COLUMNS)
    when = pd.Timestamp(as_of) if as_of else None
    sel = claims[_in_force(claims, when)]
    made = _dates(sel["statement_date"])
    if start:
        sel = sel[made >= pd.Timestamp(start)]
        made = made[sel.index]
    if end:
        sel = sel[made <= pd.Timestamp(end)]
    rows = explode_claims(sel)
    if rows.empty:
        return pd.DataFrame(columns=_COLUMNS)
    grouped = rows.groupby(["territory_code", "group"], sort=True)
    out = grouped.agg(
        n_assert=("direction", lambda d: int((d > 0).sum())),
        n_deny=("direction", lambda d: int((d < 0).sum())),
        claim_ids=("claim_id", lambda ids: ";".join(dict.fromkeys(map(str, ids)))),
    ).reset_index()
    out["n_statements"] = out["n_assert"] + out["n_deny"]
    out["state"] = [
        "contested" if a and d else ("asserted" if a else "denied")
        for a, d in zip(out["n_assert"], out["n_deny"], strict=True)
    ]
    return out[_COLUMNS]


def _territory_match(incidents: pd.DataFrame, code: str) -> pd.Series:
    """Incidents inside a territory: ISO3 on country_code, 3166-2 on admin1_code."""
    code = code.strip().upper()
    column = "admin1_code" if "-" in code else "country_code"
    if column not in incidents:
        return pd.Series(False, index=incidents.index)
    return incidents[column].isin(_distinct(incidents[column], lambda v: str(v).upper() == code))


def _distinct(values: pd.Series, keep: Callable[[Any], bool]) -> list[Any]:
    """The distinct non-missing ``values`` that ``keep`` accepts, each tested once.

    The stored incidents keep repetitive text as categories (``query.compact``),
    where a missing value cannot be filled with ``""``; the distinct values are
    few, the rows up to a million.
    """
    return [v for v in pd.unique(values.dropna()) if keep(v)]


def corroborating_incidents(
    claim: pd.Series | dict,
    incidents: pd.DataFrame,
    months: int = 12,
) -> pd.DataFrame:
    """Incidents that bear on one presence claim.

    Parameters
    ----------
    claim : pandas.Series or dict
        One ledger row (statement_date, groups, territory_code).
    incidents : pandas.DataFrame
        Canonical incidents (DESIGN.md section 2).
    months : int, default 12
        Half-width of the window around the statement date.

    Returns
    -------
    pandas.DataFrame
        The incidents in the claim's territory, dated within +/- ``months``
        of the statement, whose actor1 or claimed_by names one of the claim's
        groups under any alias. Empty when the claim has no date, territory
        or group.
    """
    groups = set(split_groups(claim.get("groups")))
    code = str(claim.get("territory_code") or "").strip()
    made = pd.to_datetime(claim.get("statement_date"), errors="coerce")
    if incidents.empty or not groups or not code or pd.isna(made):
        return incidents.iloc[0:0]
    low = made - pd.DateOffset(months=months)
    high = made + pd.DateOffset(months=months)
    dated = _dates(incidents["event_date"])
    mask = _territory_match(incidents, code) & (dated >= low) & (dated <= high)
    near = incidents[mask]
    actor_cols = [c for c in ("actor1", "claimed_by") if c in near]
    if near.empty or not actor_cols:
        return near
    # a row names a group when one of its actor fields does (groups_in is their union)
    by_group = pd.Series(False, index=near.index)
    for col in actor_cols:
        by_group |= near[col].isin(_distinct(near[col], lambda v: bool(groups & groups_in([v]))))
    return near[by_group.to_numpy(bool)]


def territory_statements(
    claims: pd.DataFrame, code: str, groups: list[str] | None = None
) -> pd.DataFrame:
    """The ledger rows behind one territory's state, newest first.

    Parameters
    ----------
    claims : pandas.DataFrame
        Ledger rows (already limited to the period / as-of date).
    code : str
        The territory (ISO3 or ISO 3166-2), any case.
    groups : list of str, optional
        Keep statements naming one of these groups (any alias); all when empty.

    Returns
    -------
    pandas.DataFrame
        The matching ledger rows, unchanged (file text is escaped where shown).
    """
    if claims.empty:
        return claims
    terr = claims["territory_code"].fillna("").astype(str).str.strip().str.upper()
    keep = terr == code.strip().upper()
    wanted = set(split_groups(";".join(groups or [])))
    if wanted:
        keep &= claims["groups"].map(lambda g: bool(wanted & set(split_groups(g))))
    out = claims[keep]
    order = _dates(out["statement_date"]).sort_values(ascending=False).index
    return out.loc[order]


def corroboration_table(
    claims: pd.DataFrame, incidents: pd.DataFrame, months: int = 12
) -> pd.DataFrame:
    """For each presence-asserting claim, the count and ids of corroborating incidents.

    Parameters
    ----------
    claims : pandas.DataFrame
        Ledger rows; only ``asserts_presence`` and ``accuses`` rows are kept.
    incidents : pandas.DataFrame
        Canonical incidents.
    months : int, default 12
        Half-width of the window (see :func:`corroborating_incidents`).

    Returns
    -------
    pandas.DataFrame
        Columns claim_id, statement_date, territory_code, groups, incidents
        (count) and incident_ids (semicolon-separated).
    """
    cols = ["claim_id", "statement_date", "territory_code", "groups", "incidents", "incident_ids"]
    rows = []
    for claim in claims.to_dict("records"):
        if STANCE_DIRECTION.get(str(claim.get("stance"))) != 1:
            continue
        found = corroborating_incidents(claim, incidents, months)
        ids = found["incident_id"].astype(str).tolist() if "incident_id" in found else []
        rows.append([*(claim.get(c) for c in cols[:4]), len(ids), ";".join(ids)])
    return pd.DataFrame(rows, columns=cols)
