"""Spatial join: the polygons decide where an incident is.

:func:`join` places every row with coordinates in its country and province
(``geo.boundaries.locate``), measures its distance to the Afghanistan–Pakistan
border and flags rows whose file said something else.

Rules
-----
* Where a polygon holds the point, its country, country_code, admin1 and
  admin1_code replace what the file said. Where no polygon says (a point in a
  neighbour country has no province here; a point at sea has nothing), the
  file's values are kept, except a stated Afghan or Pakistani province for a
  point outside those countries, which is cleared.
* ``admin1_mismatch``: the file names a province (name or ISO code, compared
  after folding spelling variants and old names such as N.W.F.P., FATA,
  Northern Areas, Sind, Baluchistan) that is not the point's. The row is kept;
  a warning names both provinces, so the stated one is kept in the upload's
  report.
* ``country_mismatch``: the same for the country.
* ``outside_boundaries``: the point lies in no polygon known to the boundaries.
* ``border_distance_km`` is rounded to the metre (3 decimals) so re-running the
  join on the same point gives the same stored value.

Flags already on a row (``low_confidence_geocode`` from the geocoder, or flags
an earlier ingest wrote) are kept; the three flags above are recomputed.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable

import numpy as np
import pandas as pd
from rapidfuzz import fuzz, process

from geo.report import Issue

__all__ = [
    "ADMIN1_MISMATCH",
    "COUNTRY_MISMATCH",
    "OUTSIDE_BOUNDARIES",
    "SPATIAL_FLAGS",
    "join",
    "resolve_admin1",
    "resolve_country",
]

ADMIN1_MISMATCH = "admin1_mismatch"
COUNTRY_MISMATCH = "country_mismatch"
OUTSIDE_BOUNDARIES = "outside_boundaries"
#: Flags this module owns and recomputes on every join.
SPATIAL_FLAGS: tuple[str, ...] = (ADMIN1_MISMATCH, COUNTRY_MISMATCH, OUTSIDE_BOUNDARIES)

#: Names and abbreviations that spelling rules alone do not bring to a province.
_ADMIN1_ALIASES: dict[str, str] = {
    "nwfp": "PK-KP",
    "n w f p": "PK-KP",
    "north west frontier province": "PK-KP",
    "north west frontier": "PK-KP",
    "fata": "PK-KP",
    "federally administered tribal areas": "PK-KP",
    "kpk": "PK-KP",
    "kp": "PK-KP",
    "pakhtunkhwa": "PK-KP",
    "northern areas": "PK-GB",
    "gilgit": "PK-GB",
    "gb": "PK-GB",
    "fct": "PK-IS",
    "f c t": "PK-IS",
    "federal capital territory": "PK-IS",
    "islamabad": "PK-IS",
    "ict": "PK-IS",
    "sind": "PK-SD",
    "baluchistan": "PK-BA",
    "ajk": "PK-JK",
    "azad kashmir": "PK-JK",
    "azad jammu and kashmir": "PK-JK",
    "azad jammu kashmir": "PK-JK",
    "wardak": "AF-WAR",
    "maidan wardak": "AF-WAR",
    "maydan wardak": "AF-WAR",
    "paktia": "AF-PIA",
    "paktya": "AF-PIA",
    "daikundi": "AF-DAY",
    "dai kundi": "AF-DAY",
    "panjsher": "AF-PAN",
    "sari pul": "AF-SAR",
    "sar i pul": "AF-SAR",
    "sar e pol": "AF-SAR",
    "hilmand": "AF-HEL",
    "hirat": "AF-HER",
    "konar": "AF-KNR",
    "nimruz": "AF-NIM",
    "ningarhar": "AF-NAN",
    "jawzjan": "AF-JOW",
    "kondoz": "AF-KDZ",
    "qunduz": "AF-KDZ",
    "bamian": "AF-BAM",
    "oruzgan": "AF-URU",
    "urozgan": "AF-URU",
}

_COUNTRY_ALIASES: dict[str, str] = {
    "af": "AFG",
    "afg": "AFG",
    "afghanistan": "AFG",
    "islamic emirate of afghanistan": "AFG",
    "islamic republic of afghanistan": "AFG",
    "pk": "PAK",
    "pak": "PAK",
    "pakistan": "PAK",
    "islamic republic of pakistan": "PAK",
    "iran": "IRN",
    "india": "IND",
    "china": "CHN",
}

_PROVINCE_WORDS = re.compile(r"(?i)\b(province|wilayat|vilayat|welayat|velayat|region)\b")
_CODE_RE = re.compile(r"^[A-Za-z]{2}-[A-Za-z0-9]{1,3}$")
_FUZZY_CUTOFF = 85.0


# --------------------------------------------------------------------------- resolution


def _key(text: str) -> str:
    from geo.gazetteer import match_key  # spelling folds only; no gazetteer is loaded

    return match_key(_PROVINCE_WORDS.sub(" ", text))


@functools.lru_cache(maxsize=1)
def _province_table() -> tuple[dict[str, str], dict[str, str], frozenset[str]]:
    """``(match key → code, code → name, known codes)`` from the boundaries."""
    from geo.boundaries import adm1

    provinces = adm1()
    keys: dict[str, str] = {}
    names: dict[str, str] = {}
    for code, name in zip(provinces["admin1_code"], provinces["admin1"], strict=True):
        names[str(code)] = str(name)
        keys.setdefault(_key(str(name)), str(code))
    for alias, code in _ADMIN1_ALIASES.items():
        keys.setdefault(_key(alias), code)
    return keys, names, frozenset(names)


@functools.lru_cache(maxsize=4096)
def resolve_admin1(text: str | None) -> str | None:
    """The ISO 3166-2 code of a stated Afghan or Pakistani province, or None.

    Accepts codes (``AF-BAL``), current and old names and common spelling
    variants (``Paktya``, ``N.W.F.P.``, ``Helmand Province``); a close
    misspelling is matched fuzzily.
    """
    if text is None or not str(text).strip():
        return None
    raw = str(text).strip()
    keys, _names, codes = _province_table()
    if _CODE_RE.match(raw):
        code = raw.upper()
        if code in codes:
            return code
        # PK-NW (N.W.F.P.), PK-TA (FATA), PK-NA (Northern Areas): pre-2018 codes
        return {"PK-NW": "PK-KP", "PK-TA": "PK-KP", "PK-NA": "PK-GB"}.get(code)
    key = _key(raw)
    if not key:
        return None
    if key in keys:
        return keys[key]
    best = process.extractOne(key, list(keys), scorer=fuzz.ratio, score_cutoff=_FUZZY_CUTOFF)
    return keys[best[0]] if best else None


@functools.lru_cache(maxsize=1024)
def resolve_country(text: str | None) -> str | None:
    """ISO 3166-1 alpha-3 of a stated country (name, alpha-2 or alpha-3), or None."""
    if text is None or not str(text).strip():
        return None
    raw = str(text).strip()
    folded = raw.casefold()
    if folded in _COUNTRY_ALIASES:
        return _COUNTRY_ALIASES[folded]
    import pycountry

    try:
        return pycountry.countries.lookup(raw).alpha_3
    except LookupError:
        return None


# --------------------------------------------------------------------------- join


def _text(df: pd.DataFrame, col: str) -> np.ndarray:
    if col not in df.columns:
        return np.full(len(df), None, dtype=object)
    s = df[col].astype(object)
    out = s.where(s.notna(), None).to_numpy(dtype=object, copy=True)
    return out


def _first_resolved(
    first: np.ndarray, second: np.ndarray, fn: Callable[[str], str | None]
) -> np.ndarray:
    """``fn(first)`` or else ``fn(second)``, each computed once per distinct value."""
    out = np.full(len(first), None, dtype=object)
    for values in (second, first):  # the first wins: applied last
        s = pd.Series(values, dtype=object)
        uniques = s.dropna().unique()
        if not len(uniques):
            continue
        mapped = s.map({u: fn(u) for u in uniques}).to_numpy(dtype=object)
        hit = pd.notna(mapped)
        out[hit] = mapped[hit]
    return out


def _line(lines: np.ndarray, pos: int) -> int | None:
    value = lines[pos]
    return None if value is None or pd.isna(value) else int(value)


def _fmt_point(lat: float, lon: float) -> str:
    return f"{lat:.5f}, {lon:.5f}"


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
        parts.extend(f for f in add if f not in parts)
        out[i] = ";".join(parts) or None
    return out


def join(df: pd.DataFrame) -> tuple[pd.DataFrame, list[Issue]]:
    """Set country, province, border distance and spatial qa flags from the polygons.

    Parameters
    ----------
    df : pandas.DataFrame
        Canonical incident rows (typed) with latitude and longitude; ``_line``
        (the file line) is used in the warnings when present.

    Returns
    -------
    (pandas.DataFrame, list of Issue)
        A copy of ``df`` with country, country_code, admin1, admin1_code,
        border_distance_km and qa_flags set; one warning per row whose file
        disagreed with its point or whose point lies outside the boundaries.
    """
    from geo.boundaries import locate

    out = df.copy(deep=False)  # columns are replaced, never written in place (copy-on-write)
    n = len(out)
    lat = pd.to_numeric(out["latitude"], errors="coerce").to_numpy(dtype=float)
    lon = pd.to_numeric(out["longitude"], errors="coerce").to_numpy(dtype=float)
    located = locate(lat, lon).reset_index(drop=True)
    lines = out["_line"].to_numpy(dtype=object) if "_line" in out.columns else np.full(n, None)

    stated_admin1 = _text(out, "admin1")
    stated_code = _text(out, "admin1_code")
    stated_country = _text(out, "country")
    stated_cc = _text(out, "country_code")

    poly_cc = located["country_code"].to_numpy(dtype=object)
    poly_country = located["country"].to_numpy(dtype=object)
    poly_admin1 = located["admin1"].to_numpy(dtype=object)
    poly_code = located["admin1_code"].to_numpy(dtype=object)
    distance = located["border_distance_km"].to_numpy(dtype=float)

    has_point = ~(np.isnan(lat) | np.isnan(lon))
    in_country = pd.notna(poly_cc)
    in_province = pd.notna(poly_code)

    # what the file said, resolved once per distinct value
    said_code = _first_resolved(stated_code, stated_admin1, resolve_admin1)
    said_cc = _first_resolved(stated_cc, stated_country, resolve_country)
    stated_any = pd.notna(stated_admin1) | pd.notna(stated_code)

    differs_cc = pd.notna(said_cc) & (said_cc != poly_cc)
    differs_admin1 = stated_any & (said_code != poly_code)
    attention = np.flatnonzero(has_point & (~in_country | differs_cc | differs_admin1))

    new_flags: list[list[str]] = [[] for _ in range(n)]
    issues: list[Issue] = []
    _, names, _ = _province_table()
    for i in attention:
        line = _line(lines, i)
        if not in_country[i]:
            new_flags[i].append(OUTSIDE_BOUNDARIES)
            issues.append(
                Issue(
                    line,
                    "latitude",
                    _fmt_point(lat[i], lon[i]),
                    "the point lies outside every boundary the atlas knows (Afghanistan, "
                    "Pakistan and their neighbours); the row is kept and flagged "
                    f"{OUTSIDE_BOUNDARIES}",
                    "warning",
                )
            )
            continue
        if said_cc[i] is not None and said_cc[i] != poly_cc[i]:
            new_flags[i].append(COUNTRY_MISMATCH)
            stated = stated_cc[i] or stated_country[i]
            issues.append(
                Issue(
                    line,
                    "country_code" if stated_cc[i] else "country",
                    stated,
                    f"the file says {stated} but the point ({_fmt_point(lat[i], lon[i])}) "
                    f"lies in {poly_country[i]} ({poly_cc[i]}); the boundaries' country is kept",
                    "warning",
                )
            )
        if not stated_any[i]:
            continue
        stated = stated_admin1[i] or stated_code[i]
        if in_province[i]:
            if said_code[i] != poly_code[i]:
                known = (
                    f" ({names.get(said_code[i], said_code[i])})"
                    if said_code[i] and names.get(said_code[i]) != stated
                    else ""
                )
                if said_code[i] is None:
                    known = " (not a province the atlas knows)"
                new_flags[i].append(ADMIN1_MISMATCH)
                issues.append(
                    Issue(
                        line,
                        "admin1" if stated_admin1[i] else "admin1_code",
                        stated,
                        f"the file says province {stated}{known} but the point "
                        f"({_fmt_point(lat[i], lon[i])}) lies in {poly_admin1[i]} "
                        f"({poly_code[i]}); the boundaries' province is kept",
                        "warning",
                    )
                )
        elif said_code[i] is not None:
            # an Afghan or Pakistani province stated for a point in a neighbour country
            new_flags[i].append(ADMIN1_MISMATCH)
            issues.append(
                Issue(
                    line,
                    "admin1" if stated_admin1[i] else "admin1_code",
                    stated,
                    f"the file says province {stated} but the point "
                    f"({_fmt_point(lat[i], lon[i])}) lies in {poly_country[i]}; "
                    "the province is cleared",
                    "warning",
                )
            )

    keep_stated_admin1 = has_point & in_country & ~in_province & pd.isna(said_code)
    keep_all_stated = ~(has_point & in_country)
    keep_admin1 = keep_all_stated | keep_stated_admin1
    picks = {
        "country_code": np.where(keep_all_stated, stated_cc, poly_cc),
        "country": np.where(keep_all_stated, stated_country, poly_country),
        "admin1": np.where(keep_admin1, stated_admin1, poly_admin1),
        "admin1_code": np.where(keep_admin1, stated_code, poly_code),
        "qa_flags": _merge_flags(_text(out, "qa_flags"), new_flags),
    }
    for col, values in picks.items():
        out[col] = pd.Series(values, index=out.index, dtype=object)
    out["border_distance_km"] = np.round(distance, 3)
    return out, issues
