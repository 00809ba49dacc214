"""Geocoding: place names to coordinates, offline first.

* :class:`AtlasGeocoder` answers geopy's ``geocode()`` from the offline
  :class:`~geo.places.gazetteer.Gazetteer`, so code written against geopy can swap it
  for Nominatim or any other geopy geocoder (and back).
* :func:`geocode_rows` fills latitude, longitude, geo_precision and
  geocode_source of incident rows that have a place name but no coordinates.
* :class:`NominatimFallback` asks OpenStreetMap's Nominatim for names the
  gazetteer does not know. It is opt-in (``ATLAS_ONLINE_GEOCODING=1``), sends
  at most one request per second for the whole process, identifies itself with
  the configured User-Agent, keeps every answer in a cache, and reports
  failures as warnings.

How a row is geocoded (:func:`geocode_rows`)
--------------------------------------------
1. Coordinates given: kept; geocode_source ``provided`` (when empty) and
   geo_precision 1 (when empty: the file gave a point).
2. A choice for the row's file line (``choices``): the chosen candidate's
   coordinates and precision, geocode_source ``manual``.
3. The location, in the context of the row's country, province and district
   (:func:`geo.places.geocode_place.resolve_place`): the country and province (and
   the district) narrow the search before any fuzzy match, and a place in
   another country than the row's is never taken; qualifiers (``Near``,
   ``(Near Afghan Border)``, ``village in``, ``15 km east of``) are read and
   give precision 2 at best.

   * one place (or several within :data:`~geo.places.gazetteer.AMBIGUITY_DISTANCE_KM`)
     scoring at least :data:`CONFIDENT_SCORE`: its point and precision,
     geocode_source ``gazetteer``; its district fills an empty admin2 (a
     town of a former tribal agency keeps the agency as admin2);
   * one place scoring lower (a fuzzy match): the same, plus the qa flag
     ``low_confidence_geocode`` and a warning naming the match;
   * several different places (ambiguous): never resolved by guessing. The
     district (admin2) is tried as a tie-breaker; if the name stays
     ambiguous, a warning lists the candidates (``Issue.candidates``, for the
     analyst to pick through ``choices``) and the row falls back to step 4;
   * places of that name only outside the row's province: not taken; a
     warning names them (as candidates) and the row falls back to step 4;
   * nothing: Nominatim when enabled, else step 4.
4. Fallbacks: the district (admin2, or the agency admin1 names) as a place,
   at precision 2; then the province (admin1) at its representative point,
   precision 3, geocode_source ``admin1-centroid``.
5. Nothing usable: the row keeps no coordinates and gets an error Issue (an
   ambiguous name without a province is such a row: the ingest rejects it and
   the analyst can resend it with a choice; so is a row of another country
   than Afghanistan or Pakistan without coordinates, unless Nominatim places it).

Rows are grouped by their distinct (location, admin2, admin1, country_code,
country), so a file of 100,000 rows naming 2,000 places costs 2,000 look-ups.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from geopy.geocoders.base import Geocoder
from geopy.location import Location

from geo.config import get_settings
from geo.places.gazetteer import Gazetteer, Place, is_ambiguous
from geo.places.geocode_place import CONFIDENT_SCORE, resolve_place
from geo.places.nominatim import (
    NOMINATIM_LIMITER,
    GeocodeCache,
    NominatimFallback,
    OnlineGeocodeError,
    RequestRateLimiter,
)
from geo.report import Issue
from geo.schema import as_floats
from geo.textops import present_text

__all__ = [
    "CONFIDENT_SCORE",
    "LOW_CONFIDENCE_FLAG",
    "NOMINATIM_LIMITER",
    "AtlasGeocoder",
    "GeocodeCache",
    "NominatimFallback",
    "OnlineGeocodeError",
    "RequestRateLimiter",
    "geocode_rows",
]

#: qa_flags entry for rows placed by a fuzzy match below CONFIDENT_SCORE.
LOW_CONFIDENCE_FLAG = "low_confidence_geocode"


# ---------------------------------------------------------------------------
# geopy interface
# ---------------------------------------------------------------------------


def _location(place: Place) -> Location:
    address = ", ".join(x for x in (place.name, place.admin1, place.country_code) if x)
    return Location(address, (place.latitude, place.longitude), place.to_dict())


class AtlasGeocoder(Geocoder):
    """A geopy geocoder backed by the offline gazetteer.

    Parameters
    ----------
    gazetteer : Gazetteer, optional
        Loaded on first use when not given.
    country : str, optional
        Default country context (``AFG``, ``PAK``) for every query.

    Notes
    -----
    ``geocode(query, exactly_one=True)`` returns None, not a guess, when the
    name is ambiguous (see :func:`geo.places.gazetteer.is_ambiguous`); ask with
    ``exactly_one=False`` to get every candidate. ``Location.raw`` is
    :meth:`geo.places.gazetteer.Place.to_dict`. No network is used.
    """

    def __init__(self, gazetteer: Gazetteer | None = None, *, country: str | None = None) -> None:
        super().__init__(user_agent="incident-atlas-offline")
        self._gazetteer = gazetteer
        self.country = country

    @property
    def gazetteer(self) -> Gazetteer:
        """The gazetteer answering the queries."""
        if self._gazetteer is None:
            self._gazetteer = Gazetteer.load()
        return self._gazetteer

    def geocode(
        self,
        query: str,
        *,
        exactly_one: bool = True,
        timeout: float | None = None,
        country: str | None = None,
        admin1: str | None = None,
        limit: int | None = None,
    ) -> Location | list[Location] | None:
        """Look ``query`` up in the gazetteer.

        Parameters
        ----------
        query : str
            A place name.
        exactly_one : bool, default True
            Return one Location (None when unknown or ambiguous) instead of a list.
        timeout : float, optional
            Accepted for geopy compatibility; unused (no network).
        country, admin1 : str, optional
            Context, as in :meth:`Gazetteer.lookup`.
        limit : int, optional
            Most candidates to return when ``exactly_one`` is False.

        Returns
        -------
        geopy.location.Location, list of Location, or None
        """
        places = self.gazetteer.lookup(
            str(query), country=country or self.country, admin1=admin1, limit=limit or 10
        )
        if not places:
            return None
        if exactly_one:
            return None if is_ambiguous(places) else _location(places[0])
        return [_location(p) for p in places]


# ---------------------------------------------------------------------------
# Rows
# ---------------------------------------------------------------------------


@dataclass
class _Columns:
    """The columns geocoding reads and writes, as numpy arrays (one entry per row)."""

    lat: np.ndarray
    lon: np.ndarray
    precision: np.ndarray  # float, NaN for empty
    source: np.ndarray  # object, None for empty
    flags: np.ndarray
    admin2: np.ndarray
    lines: np.ndarray  # float file lines, NaN where unknown


def _number_array(df: pd.DataFrame, name: str) -> np.ndarray:
    if name not in df:
        return np.full(len(df), np.nan)
    return as_floats(df[name])


def _basic_checks(df: pd.DataFrame) -> _Columns:
    """Read the columns; rows that have a point are ``provided`` (precision 1 when empty)."""
    cols = _Columns(
        lat=_number_array(df, "latitude"),
        lon=_number_array(df, "longitude"),
        precision=_number_array(df, "geo_precision"),
        source=present_text(df, "geocode_source"),
        flags=present_text(df, "qa_flags"),
        admin2=present_text(df, "admin2"),
        lines=_number_array(df, "_line"),
    )
    has = ~(np.isnan(cols.lat) | np.isnan(cols.lon))
    cols.source[has & pd.isna(cols.source)] = "provided"
    cols.precision[has & np.isnan(cols.precision)] = 1
    return cols


def _apply_choices(
    cols: _Columns, choices: Mapping[int, Mapping[str, Any]] | None, issues: list[Issue]
) -> tuple[np.ndarray, int]:
    """Place the rows the analyst chose a candidate for; ``(rows still to place, chosen)``."""
    need = np.flatnonzero(np.isnan(cols.lat) | np.isnan(cols.lon))
    if not choices or not len(need):
        return need, 0
    by_line = {int(k): v for k, v in choices.items()}
    chosen: set[int] = set()
    for pos in need:
        line = cols.lines[pos]
        if np.isnan(line) or int(line) not in by_line:
            continue
        picked = _choice(by_line[int(line)])
        if picked is None:
            issues.append(
                Issue(int(line), "location", None, "the chosen place has no valid coordinates")
            )
            continue
        cols.lat[pos], cols.lon[pos], cols.precision[pos] = picked
        cols.source[pos] = "manual"
        chosen.add(int(pos))
    return np.array([p for p in need if p not in chosen], dtype=int), len(chosen)


def _group_keys(
    df: pd.DataFrame, positions: np.ndarray
) -> list[tuple[tuple[str, ...], np.ndarray]]:
    """Distinct (location, admin2, admin1, country_code, country) of the rows at ``positions``.

    Returns each distinct key (values stripped, empty for missing) with the
    indices into ``positions`` of its rows. Each column is factorised once,
    so the cost grows with the number of rows only through a few vectorised
    passes.
    """
    n = len(positions)

    def column(name: str) -> tuple[np.ndarray, np.ndarray]:
        if name not in df.columns:
            return np.zeros(n, dtype=np.int64), np.array([""], dtype=object)
        codes, uniques = pd.factorize(df[name].iloc[positions], use_na_sentinel=True)
        values = np.array([str(v).strip() for v in uniques] + [""], dtype=object)
        codes = np.where(codes < 0, len(uniques), codes)
        return codes.astype(np.int64), values

    parts = [column(c) for c in ("location", "admin2", "admin1", "country_code", "country")]
    combined = np.zeros(n, dtype=np.int64)
    for codes, values in parts:
        combined = combined * len(values) + codes
    uniq, first, inverse = np.unique(combined, return_index=True, return_inverse=True)
    order = np.argsort(inverse, kind="stable")
    bounds = np.searchsorted(inverse[order], np.arange(len(uniq) + 1))
    return [
        (tuple(values[codes[i]] for codes, values in parts), order[bounds[g] : bounds[g + 1]])
        for g, i in enumerate(first)
    ]


def _query(
    df: pd.DataFrame,
    cols: _Columns,
    need: np.ndarray,
    gazetteer: Gazetteer,
    online: NominatimFallback | None,
    issues: list[Issue],
) -> int:
    """Geocode each distinct place of the rows at ``need``; the number of rows placed."""
    placed = 0
    for key, idx in _group_keys(df, need):
        res = resolve_place(gazetteer, *key, online)
        pos = need[idx]
        if res.source is not None:
            cols.lat[pos], cols.lon[pos] = res.latitude, res.longitude
            cols.precision[pos] = res.precision
            cols.source[pos] = res.source
            placed += len(pos)
            if res.admin2:
                empty = pos[pd.isna(cols.admin2[pos])]
                cols.admin2[empty] = res.admin2
            if res.low_confidence:
                for p in pos:
                    cols.flags[p] = _add_flag(cols.flags[p], LOW_CONFIDENCE_FLAG)
        for level, value, message, cands in res.issues:
            issues.extend(
                Issue(int(line) if line == line else None, "location", value, message, level, cands)
                for line in cols.lines[pos].tolist()
            )
    return placed


def _assemble(df: pd.DataFrame, cols: _Columns, geocoded: int) -> pd.DataFrame:
    out = df.copy(deep=False)
    out["latitude"] = cols.lat
    out["longitude"] = cols.lon
    empty = np.isnan(cols.precision)
    out["geo_precision"] = pd.array(np.where(empty, 0, cols.precision).astype(int), dtype="Int64")
    out.loc[empty, "geo_precision"] = pd.NA
    out["geocode_source"] = cols.source
    out["qa_flags"] = cols.flags
    if "admin2" in out or pd.notna(cols.admin2).any():
        out["admin2"] = cols.admin2
    out.attrs["geocoded"] = geocoded
    return out


def _resolve_online(online: Any) -> NominatimFallback | None:
    if online is False:
        return None
    if online is None or online is True:
        if online is None and not get_settings().online_geocoding:
            return None
        return NominatimFallback()
    return online


def _choice(choice: Mapping[str, Any]) -> tuple[float, float, int] | None:
    try:
        lat, lon = float(choice["latitude"]), float(choice["longitude"])
    except (KeyError, TypeError, ValueError):
        return None
    if not (-90 <= lat <= 90 and -180 <= lon <= 180) or np.isnan(lat) or np.isnan(lon):
        return None
    try:
        precision = int(choice.get("geo_precision") or 1)
    except (TypeError, ValueError):
        precision = 1
    return lat, lon, min(max(precision, 1), 4)


def geocode_rows(
    df: pd.DataFrame,
    gazetteer: Gazetteer,
    *,
    choices: Mapping[int, Mapping[str, Any]] | None = None,
    online: NominatimFallback | bool | None = None,
    cache: GeocodeCache | None = None,
) -> tuple[pd.DataFrame, list[Issue]]:
    """Fill coordinates of rows that have a place name but no coordinates.

    The rules, in order, are in this module's docstring. Phases:
    :func:`_basic_checks` (read the columns, mark provided points) →
    :func:`_apply_choices` (the analyst's picks) → :func:`_query` (each
    distinct place, through :func:`geo.places.geocode_place.resolve_place`) →
    :func:`_assemble`.

    Parameters
    ----------
    df : pandas.DataFrame
        Canonical incident rows (location, admin2, admin1, country,
        country_code, latitude, longitude, geo_precision, geocode_source,
        qa_flags; missing columns count as empty) and ``_line``, the row's
        line in the uploaded file.
    gazetteer : Gazetteer
    choices : mapping of int to dict, optional
        File line → chosen candidate (one of ``Issue.candidates``; needs
        latitude and longitude, may give geo_precision). Overrides the
        gazetteer for that row; geocode_source ``manual``.
    online : NominatimFallback, bool or None
        None (default): Nominatim only when ``ATLAS_ONLINE_GEOCODING`` is on;
        False: never; True: always; or a configured :class:`NominatimFallback`.
    cache : object with ``get``/``put``, optional
        Cache for the default NominatimFallback (the store's geocode cache).

    Returns
    -------
    (pandas.DataFrame, list of Issue)
        A copy of ``df`` with latitude and longitude (float), geo_precision
        (Int64), geocode_source and qa_flags filled, and admin2 filled where
        it was empty and the place found records its district;
        ``attrs["geocoded"]`` is the number of rows placed here (not
        ``provided``). Warnings name the candidates of ambiguous and
        low-score matches; an error is given for each row left without
        coordinates.
    """
    issues: list[Issue] = []
    cols = _basic_checks(df)
    need, geocoded = _apply_choices(cols, choices, issues)
    if len(need):
        onl = _resolve_online(online)
        if onl is not None and cache is not None and onl.cache is None:
            onl.cache = cache
        geocoded += _query(df, cols, need, gazetteer, onl, issues)
    issues.sort(key=_line_order)
    return _assemble(df, cols, geocoded), issues


def _line_order(issue: Issue) -> int:
    return -1 if issue.line is None else issue.line


def _add_flag(flags: str | None, flag: str) -> str:
    if not flags:
        return flag
    parts = [f for f in (flags or "").split(";") if f.strip()]
    if flag not in parts:
        parts.append(flag)
    return ";".join(parts)
