"""What a file's country and province columns mean.

Files name their units in many ways: ISO codes, numeric ISO codes (ACLED's
``iso`` column: ``4`` is Afghanistan, ``586`` Pakistan), current and old
names (N.W.F.P., Sind, Northern Areas), the former tribal agencies of FATA
(merged into Khyber Pakhtunkhwa in 2018) and spelling variants. This module
turns them into codes, always in the context of the row's country, so
India's Punjab never becomes Pakistan's and India's Jammu and Kashmir never
becomes Azad Jammu and Kashmir.

* :func:`resolve_country` — ISO 3166-1 alpha-3 of a stated country.
* :func:`resolve_admin1` — ISO 3166-2 code of a stated Afghan or Pakistani
  province (or None, e.g. for another country's unit).
* :func:`former_agency` — the FATA agency a text names (``"North Waziristan
  Agency"`` → ``"North Waziristan"``), kept as admin2 under Khyber Pakhtunkhwa.
* :func:`foreign_admin1_code` — ISO 3166-2 code of another country's unit
  (``("IND", "Punjab")`` → ``"IN-PB"``), from pycountry.
* :func:`admin1_name` — the current English name of an Afghan or Pakistani code.

>>> from geo.places.admin_names import resolve_admin1, resolve_country
>>> resolve_country("586"), resolve_admin1("Punjab", "IND"), resolve_admin1("FATA")
('PAK', None, 'PK-KP')
"""

from __future__ import annotations

import functools
import re

from rapidfuzz import fuzz, process

from geo.places.names import match_key

__all__ = [
    "HOME_COUNTRIES",
    "admin1_name",
    "foreign_admin1_code",
    "former_agency",
    "resolve_admin1",
    "resolve_country",
]

#: The countries whose provinces the atlas holds (boundaries and gazetteer).
HOME_COUNTRIES: frozenset[str] = frozenset({"AFG", "PAK"})

#: Names and abbreviations that spelling rules alone do not bring to a province.
_ADMIN1_ALIASES: dict[str, str] = {
    "nwfp": "PK-KP",
    "n w f p": "PK-KP",
    "north west frontier province": "PK-KP",
    "north west frontier": "PK-KP",
    "fata": "PK-KP",
    "federally administered tribal areas": "PK-KP",
    "tribal areas": "PK-KP",
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

#: The former Federally Administered Tribal Areas: seven agencies and the
#: frontier regions, all in Khyber Pakhtunkhwa since 2018.
_AGENCIES: tuple[str, ...] = (
    "North Waziristan",
    "South Waziristan",
    "Bajaur",
    "Mohmand",
    "Khyber",
    "Kurram",
    "Orakzai",
)
_AGENCY_WORDS = re.compile(
    r"(?i)\b(tribal\s+agency|tribal\s+district|agency|district|tribal\s+area|"
    r"lower|upper|central)\b"
)
_AGENCY_KEYS: dict[str, str] = {match_key(a): a for a in _AGENCIES}
_AGENCY_KEYS.update({"nwaziristan": "North Waziristan", "swaziristan": "South Waziristan"})
_AGENCY_KEYS.update({"nwa": "North Waziristan", "swa": "South Waziristan"})

#: Unit names that mean a Pakistani province only when the row is Pakistani
#: (or says no country at all): without that, another country's unit.
_CONTEXT_ONLY: dict[str, str] = {
    match_key("Jammu and Kashmir"): "PK-JK",
    match_key("Jammu Kashmir"): "PK-JK",
    match_key("Kashmir"): "PK-JK",
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
#: Pre-2018 codes: N.W.F.P., FATA, Northern Areas.
_OLD_CODES = {"PK-NW": "PK-KP", "PK-TA": "PK-KP", "PK-NA": "PK-GB"}


def _key(text: str) -> str:
    return match_key(_PROVINCE_WORDS.sub(" ", text))


@functools.lru_cache(maxsize=1)
def _province_table() -> tuple[dict[str, str], dict[str, str]]:
    """``(match key → code, code → name)`` from the boundaries."""
    from geo.places.boundaries import adm1

    provinces = adm1()
    keys: dict[str, str] = {}
    names: dict[str, str] = {}
    for code, name in zip(provinces["admin1_code"], provinces["admin1"], strict=True):
        names[str(code)] = str(name)
        keys.setdefault(_key(str(name)), str(code))
    for alias, code in _ADMIN1_ALIASES.items():
        keys.setdefault(_key(alias), code)
    return keys, names


def admin1_name(code: str | None) -> str | None:
    """The current English name of an Afghan or Pakistani ISO 3166-2 code, or None."""
    if not code:
        return None
    return _province_table()[1].get(str(code))


@functools.lru_cache(maxsize=4096)
def former_agency(text: str | None) -> str | None:
    """The former FATA agency that ``text`` names, or None.

    >>> former_agency("North Waziristan Agency"), former_agency("Bajaur  Agency")
    ('North Waziristan', 'Bajaur')
    >>> former_agency("Lower Kurram Agency"), former_agency("Peshawar")
    ('Kurram', None)
    """
    if text is None or not str(text).strip():
        return None
    return _AGENCY_KEYS.get(match_key(_AGENCY_WORDS.sub(" ", str(text))))


@functools.lru_cache(maxsize=8192)
def resolve_admin1(text: str | None, country: str | None = None) -> str | None:
    """The ISO 3166-2 code of a stated Afghan or Pakistani province, or None.

    Accepts codes (``AF-BAL``), current and old names, the former FATA
    agencies (→ ``PK-KP``) and spelling variants (``Paktya``, ``N.W.F.P.``,
    ``Helmand Province``); a close misspelling is matched fuzzily.

    Parameters
    ----------
    text : str or None
        What the file says.
    country : str, optional
        The row's country (ISO3). A row of another country than Afghanistan
        or Pakistan has no Afghan or Pakistani province: None. Names shared
        with another country's unit (``Jammu and Kashmir``) resolve only for
        a Pakistani row.

    Returns
    -------
    str or None
    """
    if text is None or not str(text).strip():
        return None
    if country is not None and country not in HOME_COUNTRIES:
        return None
    raw = str(text).strip()
    keys, names = _province_table()
    if _CODE_RE.match(raw):
        code = raw.upper()
        code = code if code in names else _OLD_CODES.get(code)
        return _in_country(code, country)
    key = _key(raw)
    if not key:
        return None
    if key in _CONTEXT_ONLY:
        return _CONTEXT_ONLY[key] if country == "PAK" else None
    code = keys.get(key)
    if code is None and former_agency(raw) is not None:
        code = "PK-KP"
    if code is None:
        best = process.extractOne(key, list(keys), scorer=fuzz.ratio, score_cutoff=_FUZZY_CUTOFF)
        code = keys[best[0]] if best else None
    return _in_country(code, country)


def _in_country(code: str | None, country: str | None) -> str | None:
    if code is None or country is None:
        return code
    return code if _COUNTRY_OF_PREFIX.get(code[:2]) == country else None


_COUNTRY_OF_PREFIX = {"AF": "AFG", "PK": "PAK"}


@functools.lru_cache(maxsize=1024)
def resolve_country(text: str | None) -> str | None:
    """ISO 3166-1 alpha-3 of a stated country (name, alpha-2, alpha-3 or numeric), or None.

    >>> resolve_country("4"), resolve_country("Pakistan"), resolve_country("IN")
    ('AFG', 'PAK', 'IND')
    """
    if text is None or not str(text).strip():
        return None
    raw = str(text).strip()
    folded = raw.casefold()
    if folded in _COUNTRY_ALIASES:
        return _COUNTRY_ALIASES[folded]
    import pycountry

    if raw.isdigit():  # ACLED's iso column holds the numeric code
        found = pycountry.countries.get(numeric=raw.zfill(3))
        return found.alpha_3 if found is not None else None
    try:
        return pycountry.countries.lookup(raw).alpha_3
    except LookupError:
        return None


@functools.lru_cache(maxsize=4096)
def foreign_admin1_code(country: str | None, name: str | None) -> str | None:
    """ISO 3166-2 code of a unit of another country than Afghanistan or Pakistan.

    Parameters
    ----------
    country : str
        ISO3 of the row's country (``IND``).
    name : str
        The unit as the file names it.

    Returns
    -------
    str or None
        The code when ``name`` is (after spelling folds) the name of exactly
        one of that country's pycountry subdivisions, else None.

    Examples
    --------
    >>> foreign_admin1_code("IND", "Punjab"), foreign_admin1_code("IND", "Atlantis")
    ('IN-PB', None)
    """
    if not country or not name or country in HOME_COUNTRIES:
        return None
    import pycountry

    try:
        alpha2 = pycountry.countries.get(alpha_3=country)
    except (KeyError, LookupError):
        return None
    if alpha2 is None:
        return None
    key = _key(str(name))
    hits = {
        s.code
        for s in pycountry.subdivisions.get(country_code=alpha2.alpha_2) or []
        if _key(s.name) == key
    }
    return hits.pop() if len(hits) == 1 else None
