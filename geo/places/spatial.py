"""Spatial join: the polygons decide where an incident is, honestly.

:func:`join` places every row with coordinates in its country and province
(``geo.places.boundaries.locate``), measures its distance to the Afghanistan–Pakistan
border and flags rows whose file said something else.

Rules
-----
* Where a polygon holds the point, its country, country_code, admin1 and
  admin1_code replace what the file said, except:

  - **near a boundary** (``near_boundary``): the point lies within
    :data:`~geo.places.proximity.BOUNDARY_TOLERANCE_KM` of the province or country
    the file names, just across a line that Natural Earth generalises more
    coarsely than the providers' coding. The file's unit is kept and a
    warning says where the polygons put the point. This is how the line of
    control is followed as ACLED and UCDP code it: Azad Jammu and Kashmir and
    Gilgit-Baltistan are Pakistani-administered, Jammu and Kashmir
    Indian-administered, and an event the provider codes on one side stays
    there;
  - **another country's unit**: a row of a neighbour country whose point lies
    in that country keeps the file's admin1 (India's Punjab is not
    Pakistan's), with its ISO 3166-2 code from pycountry where the name is
    unambiguous.

* **At sea** (``at_sea``): a point in no polygon within
  :data:`~geo.places.proximity.COAST_TOLERANCE_KM` of the coast is given the nearest
  Afghan or Pakistani province (and its border distance).
* ``admin1_mismatch``: the file names a province (name or ISO code, compared
  after folding spelling variants, old names such as N.W.F.P., FATA and its
  agencies, Northern Areas, Sind, Baluchistan) that is not the point's and
  not within the tolerance. The row is kept; a warning names both provinces.
  An Afghan or Pakistani province stated for a point in a neighbour country
  is cleared.
* ``country_mismatch``: the same for the country.
* ``outside_boundaries``: the point lies in no polygon known to the
  boundaries (and not near the coast): the file's values are kept.
* A former tribal agency named as admin1 (``North Waziristan``) is kept as
  admin2 where admin2 is empty; the province is Khyber Pakhtunkhwa.
* ``border_distance_km`` is rounded to the metre (3 decimals) so re-running the
  join on the same point gives the same stored value.

Flags already on a row (``low_confidence_geocode`` from the geocoder, or flags
an earlier ingest wrote) are kept; the flags above are recomputed.

The join reads as phases: :func:`_basic_checks` → :func:`_stated` (what the
file says, resolved once per distinct value) → :func:`_query` (the polygons,
then the coast) → :func:`_reconcile` (the rules above, row by row only for
the rows where file and polygons disagree) → :func:`_assemble`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from geo.places.admin_names import (
    HOME_COUNTRIES,
    admin1_name,
    foreign_admin1_code,
    former_agency,
    resolve_admin1,
    resolve_country,
)
from geo.places.proximity import (
    BOUNDARY_TOLERANCE_KM,
    COAST_TOLERANCE_KM,
    distance_to_unit_km,
    nearest_admin1,
    nearest_admin1_in,
)
from geo.report import Issue
from geo.schema import as_floats
from geo.textops import map_unique, present_text

if TYPE_CHECKING:
    from geo.places.boundaries import Located

__all__ = [
    "ADMIN1_MISMATCH",
    "AT_SEA",
    "COUNTRY_MISMATCH",
    "NEAR_BOUNDARY",
    "OUTSIDE_BOUNDARIES",
    "SPATIAL_FLAGS",
    "join",
    "resolve_admin1",
    "resolve_country",
]

ADMIN1_MISMATCH = "admin1_mismatch"
COUNTRY_MISMATCH = "country_mismatch"
OUTSIDE_BOUNDARIES = "outside_boundaries"
NEAR_BOUNDARY = "near_boundary"
AT_SEA = "at_sea"
#: Flags this module owns and recomputes on every join.
SPATIAL_FLAGS: tuple[str, ...] = (
    ADMIN1_MISMATCH,
    COUNTRY_MISMATCH,
    OUTSIDE_BOUNDARIES,
    NEAR_BOUNDARY,
    AT_SEA,
)
_HOME_NAMES = {"AFG": "Afghanistan", "PAK": "Pakistan"}


# --------------------------------------------------------------------------- phases


@dataclass
class _Frame:
    """Per-row arrays of one join: what the file says and what the polygons say."""

    lat: np.ndarray
    lon: np.ndarray
    lines: np.ndarray
    admin1: np.ndarray  # stated, as written
    admin1_code: np.ndarray
    country: np.ndarray
    country_code: np.ndarray
    admin2: np.ndarray
    said_cc: np.ndarray = field(default_factory=lambda: np.array([]))  # resolved
    said_code: np.ndarray = field(default_factory=lambda: np.array([]))
    poly_cc: np.ndarray = field(default_factory=lambda: np.array([]))
    poly_country: np.ndarray = field(default_factory=lambda: np.array([]))
    poly_admin1: np.ndarray = field(default_factory=lambda: np.array([]))
    poly_code: np.ndarray = field(default_factory=lambda: np.array([]))
    distance: np.ndarray = field(default_factory=lambda: np.array([]))
    at_sea: np.ndarray = field(default_factory=lambda: np.array([]))


def _basic_checks(df: pd.DataFrame) -> _Frame:
    n = len(df)
    return _Frame(
        lat=as_floats(df["latitude"]),
        lon=as_floats(df["longitude"]),
        lines=df["_line"].to_numpy(dtype=object) if "_line" in df.columns else np.full(n, None),
        admin1=present_text(df, "admin1"),
        admin1_code=present_text(df, "admin1_code"),
        country=present_text(df, "country"),
        country_code=present_text(df, "country_code"),
        admin2=present_text(df, "admin2"),
    )


def _per_distinct(values: np.ndarray, fn: Callable[[object], object]) -> np.ndarray:
    """``fn`` of each value, computed once per distinct value (None stays None)."""
    mapped = map_unique(values, fn)
    return np.where(pd.notna(mapped), mapped, None)


def _stated(f: _Frame) -> None:
    """Resolve the stated country, then the stated province in that country's context.

    A row of a neighbour country has no Afghan or Pakistani province (India's
    Punjab stays India's); an Afghan row naming a Pakistani province (or the
    reverse) keeps that province, for the country check to judge.
    """
    by_code = _per_distinct(f.country_code, resolve_country)
    by_name = _per_distinct(f.country, resolve_country)
    f.said_cc = np.where(pd.notna(by_code), by_code, by_name)
    text = np.where(pd.notna(f.admin1_code), f.admin1_code, f.admin1)
    pairs = np.array(
        [None if t is None else f"{c or ''}\x1f{t}" for t, c in zip(text, f.said_cc, strict=True)],
        dtype=object,
    )

    def resolve(pair: object) -> str | None:
        cc, _, t = str(pair).partition("\x1f")
        code = resolve_admin1(t, cc or None)
        if code is None and cc in HOME_COUNTRIES:  # the other home country's province
            code = resolve_admin1(t)
        return code

    f.said_code = _per_distinct(pairs, resolve)


def _query(f: _Frame, known: Located | None = None) -> None:
    """The polygons for each point; points at sea near the coast get the nearest province."""
    from geo.places.boundaries import border_distance_km, locate

    located = locate(f.lat, f.lon, known=known).reset_index(drop=True)
    f.poly_cc = located["country_code"].to_numpy(dtype=object, copy=True)
    f.poly_country = located["country"].to_numpy(dtype=object, copy=True)
    f.poly_admin1 = located["admin1"].to_numpy(dtype=object, copy=True)
    f.poly_code = located["admin1_code"].to_numpy(dtype=object, copy=True)
    f.distance = located["border_distance_km"].to_numpy(dtype=float, copy=True)
    f.at_sea = np.zeros(len(f.lat), dtype=bool)
    outside = np.flatnonzero(~(np.isnan(f.lat) | np.isnan(f.lon)) & pd.isna(f.poly_cc))
    if not len(outside):
        return
    codes, km = nearest_admin1(f.lat[outside], f.lon[outside], within_km=COAST_TOLERANCE_KM)
    near = outside[km <= COAST_TOLERANCE_KM]
    if not len(near):
        return
    nearest = codes[km <= COAST_TOLERANCE_KM]
    f.at_sea[near] = True
    f.poly_code[near] = nearest
    f.poly_admin1[near] = [admin1_name(c) for c in nearest]
    f.poly_cc[near] = ["AFG" if c.startswith("AF-") else "PAK" for c in nearest]
    f.poly_country[near] = [_HOME_NAMES[c] for c in f.poly_cc[near]]
    f.distance[near] = border_distance_km(f.lat[near], f.lon[near])


@dataclass
class _Decision:
    """What the join writes for the rows that need attention."""

    cc: np.ndarray
    country: np.ndarray
    admin1: np.ndarray
    code: np.ndarray
    flags: list[list[str]]
    issues: list[Issue]
    outside: list[int] = field(default_factory=list)
    #: per row, its stated country's province nearest the point (rows that name only
    #: the country, computed for all of them at once), else None
    nearest: dict[int, str | None] = field(default_factory=dict)


#: Up to this many rows outside the boundaries get a warning each; more get one summary.
OUTSIDE_WARNINGS_EACH = 20


def _fmt_point(lat: float, lon: float) -> str:
    return f"{lat:.5f}, {lon:.5f}"


def _line(lines: np.ndarray, pos: int) -> int | None:
    value = lines[pos]
    return None if value is None or pd.isna(value) else int(value)


def _near(f: _Frame, rows: np.ndarray, units: np.ndarray) -> np.ndarray:
    """Per row: the point lies within the tolerance of the unit (code or ISO3) given."""
    out = np.zeros(len(rows), dtype=bool)
    known = np.array([isinstance(u, str) for u in units], dtype=bool)
    if known.any():
        km = distance_to_unit_km(f.lat[rows[known]], f.lon[rows[known]], units[known])
        out[known] = km <= BOUNDARY_TOLERANCE_KM
    return out


def _reconcile(f: _Frame) -> _Decision:
    """The polygons' answer, except where the rules of the module docstring keep the file's."""
    d = _Decision(
        cc=f.poly_cc.copy(),
        country=f.poly_country.copy(),
        admin1=f.poly_admin1.copy(),
        code=f.poly_code.copy(),
        flags=[[AT_SEA] if s else [] for s in f.at_sea],
        issues=[],
    )
    has_point = ~(np.isnan(f.lat) | np.isnan(f.lon))
    in_country = pd.notna(f.poly_cc)
    stated_any = pd.notna(f.admin1) | pd.notna(f.admin1_code)
    differs_cc = pd.notna(f.said_cc) & (f.said_cc != f.poly_cc)
    differs_code = stated_any & (f.said_code != f.poly_code)
    in_neighbour = in_country & pd.isna(f.poly_code) & stated_any
    rows = np.flatnonzero(
        has_point & (~in_country | differs_cc | differs_code | in_neighbour | f.at_sea)
    )
    # the stated unit the point lies outside of, and may be near: province, else country
    code_off = pd.notna(f.said_code[rows]) & (f.said_code[rows] != f.poly_code[rows])
    cc_off = pd.notna(f.said_cc[rows]) & (f.said_cc[rows] != f.poly_cc[rows])
    unit = np.where(code_off, f.said_code[rows], np.where(cc_off, f.said_cc[rows], None))
    near_unit = _near(f, rows, unit)
    near = dict(zip(rows.tolist(), near_unit.tolist(), strict=True))
    # rows near the home country they name, with no province: the province nearest each
    country_only = rows[
        near_unit
        & pd.isna(f.said_code[rows])
        & np.isin(f.said_cc[rows].astype(str), list(HOME_COUNTRIES))
    ]
    d.nearest = dict(
        zip(
            country_only.tolist(),
            nearest_admin1_in(f.lat[country_only], f.lon[country_only], f.said_cc[country_only]),
            strict=True,
        )
    )
    for i in rows.tolist():
        if f.at_sea[i]:
            d.issues.append(_at_sea(f, i))
        _decide(f, d, i, near[i])
    d.issues.extend(_outside_warnings(f, d.outside))
    # rows with no point keep all the file says
    keep = ~(has_point & in_country)
    for target, source in ((d.cc, f.country_code), (d.country, f.country)):
        target[keep] = source[keep]
    for target, source in ((d.admin1, f.admin1), (d.code, f.admin1_code)):
        target[keep] = source[keep]
    return d


_OUTSIDE = (
    "the point lies outside every boundary the atlas knows (Afghanistan, Pakistan and their "
    f"neighbours); the row is kept with the file's country and province, flagged {OUTSIDE_BOUNDARIES}"
)


def _outside_warnings(f: _Frame, rows: list[int]) -> list[Issue]:
    """A warning per row outside the boundaries, or one summary when there are many.

    A South Asia export holds thousands of rows in India or Sri Lanka; one warning
    each would bury the few that need a reader's eye.
    """
    if len(rows) <= OUTSIDE_WARNINGS_EACH:
        return [
            Issue(
                _line(f.lines, i), "latitude", _fmt_point(f.lat[i], f.lon[i]), _OUTSIDE, "warning"
            )
            for i in rows
        ]
    said = pd.Series(
        [f.country[i] or f.country_code[i] or "country not given" for i in rows], dtype=object
    )
    top = ", ".join(f"{name} {n:,}" for name, n in said.value_counts().head(5).items())
    lines = [str(_line(f.lines, i)) for i in rows[:10]]
    return [
        Issue(
            None,
            "latitude",
            None,
            f"{len(rows):,} rows lie outside every boundary the atlas knows (Afghanistan, "
            f"Pakistan and their neighbours; by the file's country: {top}); they are kept with "
            f"the file's country and province, flagged {OUTSIDE_BOUNDARIES} (lines "
            f"{', '.join(lines)}{' …' if len(rows) > 10 else ''})",
            "warning",
        )
    ]


def _decide(f: _Frame, d: _Decision, i: int, near: bool) -> None:
    """One row where the file and the polygons disagree (or the point is in no polygon)."""
    line, point = _line(f.lines, i), _fmt_point(f.lat[i], f.lon[i])
    stated = f.admin1[i] or f.admin1_code[i]
    column = "admin1" if f.admin1[i] else "admin1_code"
    if pd.isna(f.poly_cc[i]):
        d.flags[i].append(OUTSIDE_BOUNDARIES)
        d.outside.append(i)
        return
    said_cc, said_code = f.said_cc[i], f.said_code[i]
    if near:
        _keep_stated(f, d, i, line, point)
        return
    if said_cc is not None and said_cc != f.poly_cc[i]:
        d.flags[i].append(COUNTRY_MISMATCH)
        said = f.country_code[i] or f.country[i]
        d.issues.append(
            Issue(
                line,
                "country_code" if f.country_code[i] else "country",
                said,
                f"the file says {said} but the point ({point}) lies in {f.poly_country[i]} "
                f"({f.poly_cc[i]}); the boundaries' country is kept",
                "warning",
            )
        )
    if stated is None:
        return
    if pd.notna(f.poly_code[i]):
        if said_code != f.poly_code[i] and not (said_cc and said_cc not in HOME_COUNTRIES):
            known = ""
            if said_code is None:
                known = " (not a province the atlas knows)"
            elif admin1_name(said_code) != stated:
                known = f" ({admin1_name(said_code)})"
            d.flags[i].append(ADMIN1_MISMATCH)
            d.issues.append(
                Issue(
                    line,
                    column,
                    stated,
                    f"the file says province {stated}{known} but the point ({point}) lies in "
                    f"{f.poly_admin1[i]} ({f.poly_code[i]}); the boundaries' province is kept",
                    "warning",
                )
            )
    else:  # the point is in a neighbour country
        code = f.admin1_code[i] or foreign_admin1_code(f.poly_cc[i], f.admin1[i])
        said_code = said_code or resolve_admin1(stated)  # an Iranian row naming Nimroz
        if code is not None or said_code is None:
            # another country's unit, in that country (India's Punjab): the file's is kept
            d.admin1[i], d.code[i] = f.admin1[i], code
            return
        d.flags[i].append(ADMIN1_MISMATCH)
        d.issues.append(
            Issue(
                line,
                column,
                stated,
                f"the file says province {stated} ({admin1_name(said_code)}) but the point "
                f"({point}) lies in {f.poly_country[i]}; the province is cleared",
                "warning",
            )
        )


def _at_sea(f: _Frame, i: int) -> Issue:
    return Issue(
        _line(f.lines, i),
        "latitude",
        _fmt_point(f.lat[i], f.lon[i]),
        f"the point lies in the sea within {COAST_TOLERANCE_KM:g} km of the coast; it is given "
        f"the nearest province, {f.poly_admin1[i]} ({f.poly_code[i]}), and flagged {AT_SEA}",
        "warning",
    )


def _keep_stated(f: _Frame, d: _Decision, i: int, line: int | None, point: str) -> None:
    """The point is within the tolerance of the unit the file names: keep the file's."""
    code = f.said_code[i]
    cc = f.said_cc[i] if code is None else ("AFG" if code.startswith("AF-") else "PAK")
    d.cc[i] = cc
    d.country[i] = _HOME_NAMES.get(cc) or f.country[i] or f.poly_country[i]
    if code is not None:
        d.admin1[i], d.code[i] = admin1_name(code), code
        kept = f"{admin1_name(code)} ({code})"
    elif cc in HOME_COUNTRIES:  # the country only: its province nearest the point
        nearest = d.nearest.get(i) or nearest_admin1([f.lat[i]], [f.lon[i]])[0][0]
        d.admin1[i], d.code[i] = admin1_name(nearest), nearest
        kept = f"{d.country[i]} ({cc})"
    else:  # a neighbour country: its admin1 as the file gives it
        d.admin1[i] = f.admin1[i]
        d.code[i] = f.admin1_code[i] or foreign_admin1_code(cc, f.admin1[i])
        kept = f"{d.country[i]} ({cc})"
    where = f.poly_admin1[i] or f.poly_country[i]
    d.flags[i].append(NEAR_BOUNDARY)
    d.issues.append(
        Issue(
            line,
            "admin1" if code is not None and f.admin1[i] else "country",
            f.admin1[i]
            if code is not None and f.admin1[i]
            else (f.country[i] or f.country_code[i]),
            f"the point ({point}) lies in {where} by the atlas's boundaries, within "
            f"{BOUNDARY_TOLERANCE_KM:g} km of {kept}, which the file names; the boundaries are "
            f"generalised more coarsely than the provider's coding, so the file's unit is kept "
            f"and flagged {NEAR_BOUNDARY}",
            "warning",
        )
    )


def _merge_flags(existing: np.ndarray, new: list[list[str]]) -> np.ndarray:
    out = np.empty(len(existing), dtype=object)
    for i, (old, add) in enumerate(zip(existing, new, strict=True)):
        if old is None and not add:
            out[i] = None
            continue
        parts = [
            f.strip()
            for f in (old or "").split(";")
            if f.strip() and f.strip() not in SPATIAL_FLAGS
        ]
        parts.extend(x for x in add if x not in parts)
        out[i] = ";".join(parts) or None
    return out


def _assemble(df: pd.DataFrame, f: _Frame, d: _Decision) -> pd.DataFrame:
    out = df.copy(deep=False)  # columns are replaced, never written in place (copy-on-write)
    picks = {
        "country_code": d.cc,
        "country": d.country,
        "admin1": d.admin1,
        "admin1_code": d.code,
        "qa_flags": _merge_flags(present_text(df, "qa_flags"), d.flags),
    }
    agency = _per_distinct(f.admin1, former_agency)
    fill = pd.isna(f.admin2) & pd.notna(agency) & (d.code == "PK-KP")
    if fill.any():
        picks["admin2"] = np.where(fill, agency, f.admin2)
    for col, values in picks.items():
        out[col] = pd.Series(values, index=out.index, dtype=object)
    out["border_distance_km"] = np.round(f.distance, 3)
    return out


def join(df: pd.DataFrame, known: Located | None = None) -> tuple[pd.DataFrame, list[Issue]]:
    """Set country, province, border distance and spatial qa flags from the polygons.

    Parameters
    ----------
    df : pandas.DataFrame
        Canonical incident rows (typed) with latitude and longitude; ``_line``
        (the file line) is used in the warnings when present.
    known : geo.places.boundaries.Located, optional
        The polygons of some of the points, looked up ahead
        (:func:`geo.places.boundaries.locate_distinct`): the same result, sooner.

    Returns
    -------
    (pandas.DataFrame, list of Issue)
        A copy of ``df`` with country, country_code, admin1, admin1_code,
        border_distance_km and qa_flags set (admin2 too where a former agency
        fills it); one warning per row whose file disagreed with its point,
        whose file's unit was kept near a boundary, or whose point lies at sea
        or outside the boundaries.
    """
    f = _basic_checks(df)
    _stated(f)
    _query(f, known)
    decision = _reconcile(f)
    return _assemble(df, f, decision), decision.issues
