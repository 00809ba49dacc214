"""The answer type of a place-name lookup, and when answers are ambiguous.

:class:`Place` is one candidate (what ``python -m geo geocode`` prints, one
JSON object each); :func:`is_ambiguous` says whether the best candidates of a
lookup are different places. Used by :mod:`geo.places.gazetteer` and
:mod:`geo.places.geocode`.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import Any

from geo.places.names import match_key

__all__ = [
    "AMBIGUITY_DISTANCE_KM",
    "AMBIGUITY_MARGIN",
    "FEATURE_RANK",
    "Place",
    "distance_km",
    "is_ambiguous",
    "offset_point",
]

_EARTH_KM = 6371.0088

#: Candidates with (nearly) the same score further apart than this are
#: different places: the name is ambiguous.
AMBIGUITY_DISTANCE_KM: float = 25.0

#: Candidates within this many points of the best score count as ties.
AMBIGUITY_MARGIN: float = 3.0

#: How specific a feature is; lower sorts first among equal scores.
FEATURE_RANK: dict[str, int] = {
    "city": 0,
    "town": 1,
    "village": 2,
    "neighbourhood": 3,
    "crossing": 4,
    "valley": 5,
    "area": 6,
    "district": 7,
    "province": 8,
}


@dataclass(frozen=True)
class Place:
    """One candidate answer to a place-name lookup.

    Attributes
    ----------
    name : str
        The place's main name.
    matched : str
        The spelling (main or alternate name) that matched the query.
    latitude, longitude : float
        WGS84 degrees.
    admin1, admin1_code : str or None
        Province name and ISO 3166-2 code.
    country_code : str
        ISO 3166-1 alpha-3 (``AFG`` or ``PAK``).
    geo_precision : int
        1 town or site, 2 near a town / district, 3 province, 4 country.
    source : {"geonames", "gazetteer", "province"}
        Where the place comes from.
    score : float
        100 for an exact normalised match, lower for fuzzy matches.
    feature : str
        city, town, village, neighbourhood, crossing, valley, area, district
        or province.
    population : int
        GeoNames population (0 when unknown or not a settlement).
    admin2 : str or None
        District, where the source gives it.
    qualifier : str or None
        How the query was read to find this place, when not as written
        (``"near"``, ``"15 km east of"``, ``"in or near"``): the place is
        near the point, and ``geo_precision`` is 2 at best.
    """

    name: str
    matched: str
    latitude: float
    longitude: float
    admin1: str | None
    admin1_code: str | None
    country_code: str
    geo_precision: int
    source: str
    score: float
    feature: str
    population: int = 0
    admin2: str | None = None
    qualifier: str | None = None

    def to_dict(self) -> dict[str, Any]:
        """The JSON shape of DESIGN.md §5 plus feature, population, admin2 and qualifier."""
        return asdict(self)


def distance_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance in km (haversine on a sphere of the mean Earth radius).

    >>> round(distance_km(34.0, 71.5, 34.0, 72.5))
    92
    """
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * _EARTH_KM * math.asin(math.sqrt(min(1.0, a)))


def _contains(area: Place, place: Place) -> bool:
    """True when ``area`` (a province or district) is where ``place`` lies."""
    if area.feature == "province":
        return area.admin1_code is not None and area.admin1_code == place.admin1_code
    if area.feature == "district":
        if place.admin2 and match_key(place.admin2) == match_key(area.name):
            return True
        return area.admin1_code == place.admin1_code and (
            distance_km(area.latitude, area.longitude, place.latitude, place.longitude) < 60.0
        )
    return False


def is_ambiguous(places: Sequence[Place]) -> bool:
    """Whether the best candidates of a lookup are different places.

    A lookup result is ambiguous when another candidate scores within
    :data:`AMBIGUITY_MARGIN` of the best one, lies more than
    :data:`AMBIGUITY_DISTANCE_KM` away from it, and is not the province or
    district that contains it (``"Kunduz"`` the city and ``"Kunduz"`` the
    province are one answer; ``"Fayzabad"`` in Badakhshan and in Jowzjan are
    two).

    Parameters
    ----------
    places : sequence of Place
        A :meth:`Gazetteer.lookup` result, best first.

    Returns
    -------
    bool
    """
    if len(places) < 2:
        return False
    best = places[0]
    for other in places[1:]:
        if other.score < best.score - AMBIGUITY_MARGIN:
            break
        if _contains(other, best) or _contains(best, other):
            continue
        d = distance_km(best.latitude, best.longitude, other.latitude, other.longitude)
        if d > AMBIGUITY_DISTANCE_KM:
            return True
    return False


def offset_point(lat: float, lon: float, km: float, bearing_deg: float) -> tuple[float, float]:
    """The point ``km`` from (lat, lon) in direction ``bearing_deg`` (on a sphere).

    >>> offset_point(33.0, 70.0, 15.0, 90.0)
    (32.9999, 70.16085)
    """
    d, b = km / _EARTH_KM, math.radians(bearing_deg)
    p1, l1 = math.radians(lat), math.radians(lon)
    p2 = math.asin(math.sin(p1) * math.cos(d) + math.cos(p1) * math.sin(d) * math.cos(b))
    l2 = l1 + math.atan2(
        math.sin(b) * math.sin(d) * math.cos(p1), math.cos(d) - math.sin(p1) * math.sin(p2)
    )
    return round(math.degrees(p2), 5), round(math.degrees(l2), 5)
