"""Geocoding one distinct place of a file: what the row says, narrowed to a point.

:func:`resolve_place` is what :func:`geo.places.geocode.geocode_rows` runs once per
distinct (location, district, province, country) of a file. It reads in
phases:

1. :func:`_context` — the row's country (name, ISO code or numeric code; else
   the country of its province), its Afghan or Pakistani province (never a
   unit of another country: India's Punjab is not Pakistan's) and its district
   (admin2, or the former tribal agency that admin1 names);
2. :func:`_by_name` — the location looked up inside that context
   (:meth:`geo.places.gazetteer.Gazetteer.lookup` narrows by country, province and
   district before any fuzzy match, and reads qualifiers such as ``Near`` or
   ``15 km east of``); a unique answer is taken, an ambiguous one never is;
   a place known only outside the row's province is not taken but named;
3. :func:`_online` — Nominatim, when enabled, for names the gazetteer lacks;
4. :func:`_fallback` — the district as a place (precision 2), then the
   province at its representative point (precision 3), else an error.

A match in another country than the row's is never taken, at any phase.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from geo.places.admin_names import HOME_COUNTRIES, former_agency, resolve_country
from geo.places.gazetteer import AMBIGUITY_MARGIN, Gazetteer, Place, is_ambiguous, match_key
from geo.places.nominatim import NominatimFallback, OnlineGeocodeError
from geo.places.place import distance_km

__all__ = ["CONFIDENT_SCORE", "PlaceResult", "resolve_place"]

#: A unique match scoring at least this is used without a warning.
CONFIDENT_SCORE: float = 90.0

_MAX_CANDIDATES = 5

#: Places of an ambiguous name this close to the row's district are in it.
_DISTRICT_RADIUS_KM = 40.0


@dataclass
class PlaceResult:
    """How one distinct (location, admin2, admin1, country) was geocoded."""

    latitude: float = np.nan
    longitude: float = np.nan
    precision: int | None = None
    source: str | None = None
    admin2: str | None = None
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

    def place(
        self, lat: float, lon: float, precision: int, source: str, admin2: str | None = None
    ) -> PlaceResult:
        self.latitude, self.longitude, self.precision, self.source = lat, lon, precision, source
        self.admin2 = admin2
        return self


@dataclass(frozen=True)
class _Context:
    """What the row says about where it is."""

    country: str | None  # ISO3
    admin1_code: str | None  # an Afghan or Pakistani province
    admin1: str | None  # the province as the file writes it
    district: str | None  # admin2, or the former agency admin1 names

    @property
    def foreign(self) -> bool:
        return self.country is not None and self.country not in HOME_COUNTRIES


def _describe(p: Place) -> str:
    where = ", ".join(x for x in (p.admin1, p.country_code) if x)
    return f"{p.name} ({where})" if where else p.name


def _candidates(places: list[Place]) -> list[dict[str, Any]]:
    return [p.to_dict() for p in places[:_MAX_CANDIDATES]]


def _context(gaz: Gazetteer, admin2: str, admin1: str, country_code: str, country: str) -> _Context:
    cc = resolve_country(country_code) or resolve_country(country)
    if cc is None and (country_code or country):
        cc = gaz.resolve_country(country_code or country)
    code = None if (cc is not None and cc not in HOME_COUNTRIES) else gaz.resolve_admin1(admin1, cc)
    if cc is None and code is not None:
        cc = "AFG" if code.startswith("AF-") else "PAK"
    district = admin2 or (former_agency(admin1) if code == "PK-KP" else None)
    return _Context(cc, code, admin1 or None, district or None)


def _district(gaz: Gazetteer, name: str, ctx: _Context) -> Place | None:
    """The district named ``name`` (or a place of that name), if unambiguous."""
    for query in (name, f"{name} District"):
        places = gaz.lookup(query, country=ctx.country, admin1=ctx.admin1_code)
        districts = [p for p in places if p.feature == "district" and p.score >= CONFIDENT_SCORE]
        if districts:
            return districts[0]
        if places and places[0].score >= CONFIDENT_SCORE and not is_ambiguous(places):
            return places[0]
    return None


def _in_district(places: list[Place], district: Place | None, name: str) -> list[Place]:
    key = match_key(name)
    return [
        p
        for p in places
        if (p.admin2 and match_key(p.admin2) == key)
        or (
            district is not None
            and distance_km(p.latitude, p.longitude, district.latitude, district.longitude)
            < _DISTRICT_RADIUS_KM
        )
    ]


def _far_from_district(gaz: Gazetteer, place: Place, ctx: _Context) -> float | None:
    """How far a fuzzy match lies from the row's district, when too far to be in it."""
    if place.score >= CONFIDENT_SCORE or not ctx.district:
        return None
    district = _district(gaz, ctx.district, ctx)  # the district, or the town it is named after
    if district is None:
        return None
    km = distance_km(place.latitude, place.longitude, district.latitude, district.longitude)
    return km if km > _DISTRICT_RADIUS_KM else None


def _by_name(gaz: Gazetteer, location: str, ctx: _Context, res: PlaceResult) -> str | None:
    """Place ``res`` by the location's name; the reason for falling back, or None when placed."""
    places = gaz.lookup(location, country=ctx.country, admin1=ctx.admin1_code, admin2=ctx.district)
    if places and is_ambiguous(places) and ctx.district:
        narrowed = _in_district(places, _district(gaz, ctx.district, ctx), ctx.district)
        places = narrowed or places
    if places and not is_ambiguous(places):
        top = places[0]
        far = _far_from_district(gaz, top, ctx)
        if far is not None:
            res.warn(
                location,
                f"'{location}' is most like {_describe(top)} (as '{top.matched}', score "
                f"{top.score:.0f} of 100), but that is {far:.0f} km from {ctx.district}, the "
                "district the row names: not taken",
                _candidates(places),
            )
            return "far from the district"
        res.place(top.latitude, top.longitude, top.geo_precision, "gazetteer", top.admin2)
        if top.score < CONFIDENT_SCORE:
            res.low_confidence = True
            res.warn(
                location,
                f"'{location}' was matched to {_describe(top)} as '{top.matched}' "
                f"(score {top.score:.0f} of 100): check the place",
                _candidates(places),
            )
        return None
    if places:
        tied = [p for p in places if p.score >= places[0].score - AMBIGUITY_MARGIN]
        names = "; ".join(_describe(p) for p in tied[:_MAX_CANDIDATES])
        res.warn(
            location,
            f"'{location}' is ambiguous: it could be {names}. "
            "Give the province or choose one of the candidates",
            _candidates(tied),
        )
        return "ambiguous"
    if ctx.admin1_code is not None:
        elsewhere = gaz.lookup(location, country=ctx.country)
        if elsewhere:
            names = "; ".join(_describe(p) for p in elsewhere[:_MAX_CANDIDATES])
            res.warn(
                location,
                f"'{location}' is not known in {ctx.admin1}, the province the row names; "
                f"places of that name elsewhere ({names}) were not taken",
                _candidates(elsewhere),
            )
            return "outside the province"
    return "not found"


def _online(
    online: NominatimFallback, location: str, ctx: _Context, res: PlaceResult
) -> str | None:
    try:
        found = online.lookup(location, country=ctx.country)
    except OnlineGeocodeError as exc:
        res.warn(location, f"online geocoding of '{location}' failed: {exc}")
        return "not found"
    if found is None:
        return "not found"
    res.warn(
        location,
        f"'{location}' is not in the offline gazetteer; placed by Nominatim at {found['name']}",
        [found],
    )
    res.place(found["latitude"], found["longitude"], found["geo_precision"], "nominatim")
    return None


def _fallback(gaz: Gazetteer, location: str, ctx: _Context, reason: str, res: PlaceResult) -> None:
    said = reason == "not found" and bool(location)
    if ctx.district:
        district = _district(gaz, ctx.district, ctx)
        if district is not None:
            if said:
                res.warn(
                    location,
                    f"'{location}' was not found; placed at district level ({_describe(district)})",
                )
            res.place(
                district.latitude,
                district.longitude,
                max(2, district.geo_precision),
                "gazetteer",
                district.admin2,
            )
            return
    province = gaz.province(ctx.admin1_code) if ctx.admin1_code else None
    if province is not None:
        if said:
            res.warn(
                location, f"'{location}' was not found; placed at province level ({province.name})"
            )
        res.place(province.latitude, province.longitude, 3, "admin1-centroid")
        return
    if reason == "ambiguous":
        res.error(
            location,
            f"no coordinates: '{location}' is ambiguous and no province narrows it; "
            "choose one of the candidates",
            res.issues[-1][3],
        )
    elif ctx.foreign:
        res.error(
            location or None,
            f"no coordinates, and the offline gazetteer covers only Afghanistan and Pakistan "
            f"(the row is in {ctx.country}): give coordinates or turn on online geocoding",
        )
    else:
        res.error(location or None, "no coordinates and no place name that could be found")


def resolve_place(
    gaz: Gazetteer,
    location: str,
    admin2: str,
    admin1: str,
    country_code: str,
    country: str,
    online: NominatimFallback | None,
) -> PlaceResult:
    """Geocode one distinct place of a file (the phases of the module docstring).

    Parameters
    ----------
    gaz : Gazetteer
    location, admin2, admin1, country_code, country : str
        What the rows say, stripped; empty where they say nothing.
    online : NominatimFallback or None
        The online fallback, when enabled.

    Returns
    -------
    PlaceResult
        The point, precision, geocode_source and district found (source None
        when the rows stay without coordinates) and the issues to report.
    """
    res = PlaceResult()
    ctx = _context(gaz, admin2, admin1, country_code, country)
    reason = "no name"
    if location and not ctx.foreign:
        reason = _by_name(gaz, location, ctx, res) or ""
        if not reason:
            return res
    if location and reason in ("not found", "no name") and online is not None:
        reason = _online(online, location, ctx, res) or ""
        if not reason:
            return res
    elif location and ctx.foreign:
        reason = "foreign"
    _fallback(gaz, location, ctx, reason, res)
    return res
