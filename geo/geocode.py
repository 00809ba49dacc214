"""Geocoding: place names to coordinates, offline first.

* :class:`AtlasGeocoder` answers geopy's ``geocode()`` from the offline
  :class:`~geo.gazetteer.Gazetteer`, so code written against geopy can swap it
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
3. The location, looked up with the row's country and province as context:

   * one place (or several within :data:`~geo.gazetteer.AMBIGUITY_DISTANCE_KM`)
     scoring at least :data:`CONFIDENT_SCORE`: its point and precision,
     geocode_source ``gazetteer``;
   * one place scoring lower (a fuzzy match): the same, plus the qa flag
     ``low_confidence_geocode`` and a warning naming the match;
   * several different places (ambiguous): never resolved by guessing. The
     district (admin2) is tried as a tie-breaker; if the name stays
     ambiguous, a warning lists the candidates (``Issue.candidates``, for the
     analyst to pick through ``choices``) and the row falls back to step 4.
   * nothing: Nominatim when enabled, else step 4.
4. Fallbacks: the district (admin2) as a place, at precision 2; then the
   province (admin1) at its representative point, precision 3, geocode_source
   ``admin1-centroid``.
5. Nothing usable: the row keeps no coordinates and gets an error Issue (an
   ambiguous name without a province is such a row: the ingest rejects it and
   the analyst can resend it with a choice).

Rows are grouped by their distinct (location, admin2, admin1, country), so a
file of 100,000 rows naming 2,000 places costs 2,000 look-ups.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from geopy.geocoders.base import Geocoder
from geopy.location import Location

from geo.config import get_settings
from geo.gazetteer import (
    AMBIGUITY_MARGIN,
    Gazetteer,
    Place,
    _distance_km,
    is_ambiguous,
    match_key,
)
from geo.nominatim import (
    NOMINATIM_LIMITER,
    GeocodeCache,
    NominatimFallback,
    OnlineGeocodeError,
    RequestRateLimiter,
)
from geo.report import Issue

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

#: A unique match scoring at least this is used without a warning.
CONFIDENT_SCORE: float = 90.0

#: qa_flags entry for rows placed by a fuzzy match below CONFIDENT_SCORE.
LOW_CONFIDENCE_FLAG = "low_confidence_geocode"

_MAX_CANDIDATES = 5


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
    name is ambiguous (see :func:`geo.gazetteer.is_ambiguous`); ask with
    ``exactly_one=False`` to get every candidate. ``Location.raw`` is
    :meth:`geo.gazetteer.Place.to_dict`. No network is used.
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
class _Result:
    """How one distinct (location, admin2, admin1, country) was geocoded."""

    latitude: float = np.nan
    longitude: float = np.nan
    precision: int | None = None
    source: str | None = None
    low_confidence: bool = False
    issues: list[tuple[str, str | None, str, list[dict[str, Any]]]] = field(default_factory=list)

    def warn(
        self, value: str | None, message: str, candidates: list[dict[str, Any]] | None = None
    ) -> None:
        self.issues.append(("warning", value, message, candidates or []))

    def error(
        self, value: str | None, message: str, candidates: list[dict[str, Any]] | None = None
    ) -> None:
        self.issues.append(("error", value, message, candidates or []))

    def place(self, lat: float, lon: float, precision: int, source: str) -> _Result:
        self.latitude, self.longitude, self.precision, self.source = lat, lon, precision, source
        return self


def _describe(p: Place) -> str:
    where = ", ".join(x for x in (p.admin1, p.country_code) if x)
    return f"{p.name} ({where})" if where else p.name


def _candidates(places: list[Place]) -> list[dict[str, Any]]:
    return [p.to_dict() for p in places[:_MAX_CANDIDATES]]


def _district(gaz: Gazetteer, admin2: str, country: str | None, admin1: str | None) -> Place | None:
    """The district named ``admin2`` (or a place of that name), if unambiguous."""
    for name in (admin2, f"{admin2} District"):
        places = gaz.lookup(name, country=country, admin1=admin1)
        districts = [p for p in places if p.feature == "district" and p.score >= CONFIDENT_SCORE]
        if districts:
            return districts[0]
        if places and places[0].score >= CONFIDENT_SCORE and not is_ambiguous(places):
            return places[0]
    return None


def _by_admin2(places: list[Place], district: Place | None, admin2: str) -> list[Place]:
    key = match_key(admin2)
    kept = [
        p
        for p in places
        if (p.admin2 and match_key(p.admin2) == key)
        or (
            district is not None
            and _distance_km(p.latitude, p.longitude, district.latitude, district.longitude) < 40
        )
    ]
    return kept


def _resolve(
    gaz: Gazetteer,
    location: str,
    admin2: str,
    admin1: str,
    country: str,
    online: NominatimFallback | None,
) -> _Result:
    res = _Result()
    cc = gaz.resolve_country(country)
    adm1 = admin1 or None
    fallback_reason = ""
    if location:
        places = gaz.lookup(location, country=cc, admin1=adm1)
        if places and is_ambiguous(places) and admin2:
            narrowed = _by_admin2(places, _district(gaz, admin2, cc, adm1), admin2)
            if narrowed:
                places = narrowed
        if places and not is_ambiguous(places):
            top = places[0]
            res.place(top.latitude, top.longitude, top.geo_precision, "gazetteer")
            if top.score < CONFIDENT_SCORE:
                res.low_confidence = True
                res.warn(
                    location,
                    f"'{location}' was matched to {_describe(top)} as '{top.matched}' "
                    f"(score {top.score:.0f} of 100): check the place",
                    _candidates(places),
                )
            return res
        if places:
            tied = [p for p in places if p.score >= places[0].score - AMBIGUITY_MARGIN]
            names = "; ".join(_describe(p) for p in tied[:_MAX_CANDIDATES])
            res.warn(
                location,
                f"'{location}' is ambiguous: it could be {names}. "
                "Give the province or choose one of the candidates",
                _candidates(tied),
            )
            fallback_reason = "ambiguous"
        elif online is not None:
            try:
                found = online.lookup(location, country=cc)
            except OnlineGeocodeError as exc:
                res.warn(location, f"online geocoding of '{location}' failed: {exc}")
                found = None
            if found is not None:
                res.warn(
                    location,
                    f"'{location}' is not in the offline gazetteer; placed by Nominatim "
                    f"at {found['name']}",
                    [found],
                )
                return res.place(
                    found["latitude"], found["longitude"], found["geo_precision"], "nominatim"
                )
            fallback_reason = "not found"
        else:
            fallback_reason = "not found"
    if admin2:
        district = _district(gaz, admin2, cc, adm1)
        if district is not None:
            if location and fallback_reason == "not found":
                res.warn(
                    location,
                    f"'{location}' was not found; placed at district level ({_describe(district)})",
                )
            return res.place(
                district.latitude, district.longitude, max(2, district.geo_precision), "gazetteer"
            )
    province = gaz.province(adm1) if adm1 else None
    if province is not None and (cc is None or province.country_code == cc):
        if location and fallback_reason == "not found":
            res.warn(
                location,
                f"'{location}' was not found; placed at province level ({province.name})",
            )
        return res.place(province.latitude, province.longitude, 3, "admin1-centroid")
    if fallback_reason == "ambiguous":
        res.error(
            location,
            f"no coordinates: '{location}' is ambiguous and no province narrows it; "
            "choose one of the candidates",
            res.issues[-1][3],
        )
    else:
        res.error(location or None, "no coordinates and no place name that could be found")
    return res


def _group_keys(
    df: pd.DataFrame, positions: np.ndarray
) -> list[tuple[tuple[str, ...], np.ndarray]]:
    """Distinct (location, admin2, admin1, country) of the rows at ``positions``.

    Returns each distinct key (values stripped, empty for missing; country is
    country_code, else country) with the indices into ``positions`` of its
    rows. Each column is factorised once, so the cost grows with the number
    of rows only through a few vectorised passes.
    """
    n = len(positions)

    def column(name: str) -> tuple[np.ndarray, np.ndarray]:
        if name not in df.columns:
            return np.zeros(n, dtype=np.int64), np.array([""], dtype=object)
        codes, uniques = pd.factorize(df[name].iloc[positions], use_na_sentinel=True)
        values = np.array([str(v).strip() for v in uniques] + [""], dtype=object)
        codes = np.where(codes < 0, len(uniques), codes)
        return codes.astype(np.int64), values

    loc, adm2, adm1, cc, country = (
        column(c) for c in ("location", "admin2", "admin1", "country_code", "country")
    )
    combined = np.zeros(n, dtype=np.int64)
    for codes, values in (loc, adm2, adm1, cc, country):
        combined = combined * len(values) + codes
    uniq, first, inverse = np.unique(combined, return_index=True, return_inverse=True)
    order = np.argsort(inverse, kind="stable")
    bounds = np.searchsorted(inverse[order], np.arange(len(uniq) + 1))
    out = []
    for g, i in enumerate(first):
        code = cc[1][cc[0][i]] or country[1][country[0][i]]
        key = (loc[1][loc[0][i]], adm2[1][adm2[0][i]], adm1[1][adm1[0][i]], code)
        out.append((key, order[bounds[g] : bounds[g + 1]]))
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

    The rules, in order, are in this module's docstring.

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
        (Int64), geocode_source and qa_flags filled; ``attrs["geocoded"]`` is
        the number of rows placed here (not ``provided``). Warnings name the
        candidates of ambiguous and low-score matches; an error is given for
        each row left without coordinates.
    """
    out = df.copy()
    n = len(out)
    lat = pd.to_numeric(out.get("latitude"), errors="coerce") if "latitude" in out else None
    lon = pd.to_numeric(out.get("longitude"), errors="coerce") if "longitude" in out else None
    lat_a = np.full(n, np.nan) if lat is None else lat.to_numpy(dtype=float, copy=True)
    lon_a = np.full(n, np.nan) if lon is None else lon.to_numpy(dtype=float, copy=True)
    prec = (
        pd.to_numeric(out["geo_precision"], errors="coerce")
        if "geo_precision" in out
        else pd.Series(np.nan, index=out.index)
    )
    prec_a = prec.to_numpy(dtype=float, copy=True)
    src_s = out["geocode_source"] if "geocode_source" in out else pd.Series(None, index=out.index)
    src_a = src_s.astype(object).where(src_s.notna() & (src_s.astype(str).str.strip() != ""), None)
    src_a = src_a.to_numpy(dtype=object, copy=True)
    flags_s = out["qa_flags"] if "qa_flags" in out else pd.Series(None, index=out.index)
    flags_a = flags_s.astype(object).where(flags_s.notna(), None).to_numpy(dtype=object, copy=True)
    lines = (
        pd.to_numeric(out["_line"], errors="coerce").to_numpy()
        if "_line" in out
        else np.full(n, np.nan)
    )

    has = ~(np.isnan(lat_a) | np.isnan(lon_a))
    src_a[has & pd.isna(src_a)] = "provided"
    prec_a[has & np.isnan(prec_a)] = 1

    issues: list[Issue] = []
    need = np.flatnonzero(~has)
    chosen: set[int] = set()
    if choices:
        by_line = {int(k): v for k, v in choices.items()}
        for pos in need:
            line = lines[pos]
            if np.isnan(line) or int(line) not in by_line:
                continue
            picked = _choice(by_line[int(line)])
            if picked is None:
                issues.append(
                    Issue(int(line), "location", None, "the chosen place has no valid coordinates")
                )
                continue
            lat_a[pos], lon_a[pos], prec_a[pos] = picked
            src_a[pos] = "manual"
            chosen.add(int(pos))
        if chosen:
            need = np.array([p for p in need if p not in chosen], dtype=int)

    geocoded = len(chosen)
    if len(need):
        onl = _resolve_online(online)
        if onl is not None and cache is not None and onl.cache is None:
            onl.cache = cache
        for (loc, adm2, adm1, cc), idx in _group_keys(out, need):
            res = _resolve(gazetteer, loc, adm2, adm1, cc, onl)
            pos = need[idx]
            if res.source is not None:
                lat_a[pos], lon_a[pos] = res.latitude, res.longitude
                prec_a[pos] = res.precision
                src_a[pos] = res.source
                geocoded += len(pos)
                if res.low_confidence:
                    for p in pos:
                        flags_a[p] = _add_flag(flags_a[p], LOW_CONFIDENCE_FLAG)
            for level, value, message, cands in res.issues:
                issues.extend(
                    Issue(
                        int(line) if line == line else None,
                        "location",
                        value,
                        message,
                        level,
                        cands,
                    )
                    for line in lines[pos].tolist()
                )

    out["latitude"] = lat_a
    out["longitude"] = lon_a
    out["geo_precision"] = pd.array(
        np.where(np.isnan(prec_a), 0, prec_a).astype(int), dtype="Int64"
    )
    out.loc[np.isnan(prec_a), "geo_precision"] = pd.NA
    out["geocode_source"] = src_a
    out["qa_flags"] = flags_a
    out.attrs["geocoded"] = geocoded
    issues.sort(key=_line_order)
    return out, issues


def _line_order(issue: Issue) -> int:
    return -1 if issue.line is None else issue.line


def _add_flag(flags: str | None, flag: str) -> str:
    if not flags:
        return flag
    parts = [f for f in (flags or "").split(";") if f.strip()]
    if flag not in parts:
        parts.append(flag)
    return ";".join(parts)
