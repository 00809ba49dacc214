"""Translate each provider's codes into the canonical vocabulary.

:func:`convert` runs after :func:`geo.ingest.formats.to_canonical` has renamed the
file's columns: the frame it changes holds canonical columns as text, and it
replaces provider codes with canonical values. Nothing is rejected here; a
value that is not a known code passes on as written for :mod:`geo.ingest.validate`
to report with its line.

Provider codes (DESIGN.md §4)
-----------------------------
ACLED
    ``time_precision`` 1/2/3 → day/week/month; ``geo_precision`` 1/2/3 kept;
    ``fatalities`` → killed (ACLED records no injuries: injured stays empty);
    ``iso3`` (or the numeric ``iso``, or the country name) → country_code.
    Event types of the layouts before 2019 ("Remote violence", "Battle-No change
    of territory", …) → today's types (:data:`geo.ingest.layouts.ACLED_OLD_TYPES`).
UCDP GED
    ``id`` → ``UCDP-<id>``; ``date_start`` read by :mod:`geo.ingest.dates` with
    ``date_end`` (the span sets the precision); ``date_prec``
    1 → day, 2–3 → week, 4 → month, 5 → year. ``type_of_violence`` 1
    (state-based) and 2 (non-state) → Battles / Armed clash: both are fighting
    between organised armed sides; 3 (one-sided) → Violence against civilians /
    Attack. ``where_prec`` 1 → 1; 2–3 (near a place, district) → 2; 4–5
    (province, wider area) → 3; 6–7 (country, waters) → 4. best/low/high or best_est/low_est/high_est →
    killed/killed_low/killed_high (a best estimate outside low–high is kept, with
    a warning from validation); deaths_a/deaths_b/deaths_civilians/
    deaths_unknown → a casualty note "UCDP deaths: side A 2, side B 0, …", and
    their sum → killed when the file has no best estimate; source_headline →
    notes.
GTD
    ``eventid`` → ``GTD-<eventid>``; the date is built from iyear/imonth/iday
    where 0 means unknown: day unknown → the 1st of the month with precision
    "month", month unknown → 1 January with precision "year". ``specificity``
    1 → 1, 2–3 → 2, 4 → 3, 5 → 4. ``attacktype1_txt`` → sub_event_type and an
    ACLED event type: Bombing/Explosion → Explosions/Remote violence; Armed
    Assault → Battles against military or police targets, otherwise Violence
    against civilians; Assassination, Hostage Taking, Hijacking and Unarmed
    Assault → Violence against civilians; Facility/Infrastructure Attack →
    Strategic developments; Unknown → empty. ``gname`` → actor1, and also
    claimed_by when ``claimed`` is 1 (without a ``claimed`` column: whenever
    gname is not "Unknown"). A city or provstate of "Unknown" becomes empty. GTD's -9/-99 "unknown" codes in nkill/nwound
    become empty, never 0.
Native
    The canonical names, forgiving case, spaces and punctuation, and the
    synonyms in :data:`NATIVE_SYNONYMS`.

Every format
    Country names → ISO3 with pycountry, plus the providers' own spellings and
    former states (:data:`geo.ingest.layouts.COUNTRY_ALIASES`): Turkey and Türkiye are
    both TUR, the Soviet Union SUN.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping

import pandas as pd

from geo.ingest.layouts import ACLED_OLD_TYPES, COUNTRY_ALIASES, UCDP_DEATHS, normalise_header
from geo.textops import distinct_or_all, is_text, map_codes, strip_or_none, text_is_clean

__all__ = ["convert", "country_code", "text_column"]

_ACLED_TIME = {"1": "day", "2": "week", "3": "month"}
_UCDP_DATE = {"1": "day", "2": "week", "3": "week", "4": "month", "5": "year"}
_UCDP_WHERE = {"1": "1", "2": "2", "3": "2", "4": "3", "5": "3", "6": "4", "7": "4"}
_UCDP_TYPE = {
    "1": ("Battles", "Armed clash"),
    "2": ("Battles", "Armed clash"),
    "3": ("Violence against civilians", "Attack"),
}
_GTD_SPEC = {"1": "1", "2": "2", "3": "2", "4": "3", "5": "4"}
_GTD_ATTACK = {
    "bombing/explosion": "Explosions/Remote violence",
    "assassination": "Violence against civilians",
    "hostage taking (kidnapping)": "Violence against civilians",
    "hostage taking (barricade incident)": "Violence against civilians",
    "hijacking": "Violence against civilians",
    "unarmed assault": "Violence against civilians",
    "facility/infrastructure attack": "Strategic developments",
}
_ARMED_TARGETS = {"military", "police", "terrorists/non-state militia"}
_GTD_UNKNOWN = {"-9", "-99", "-9.0", "-99.0"}

Converter = Callable[[pd.DataFrame, pd.DataFrame, dict[str, str], dict[str, str]], None]


def convert(
    fmt: str,
    out: pd.DataFrame,
    frame: pd.DataFrame,
    mapping: dict[str, str],
    sources: dict[str, str],
) -> None:
    """Translate the codes of format ``fmt`` in ``out``, in place.

    Parameters
    ----------
    fmt : str
        "acled", "ucdp", "gtd" or "native".
    out : pandas.DataFrame
        Canonical columns as text, renamed from the file.
    frame : pandas.DataFrame
        The file as read (for the columns that feed one canonical column together).
    mapping : dict
        ``{file column: canonical column}`` used.
    sources : dict
        ``{canonical column: the file column it was renamed from}``.
    """
    converters: dict[str, Converter] = {
        "acled": _acled,
        "ucdp": _ucdp,
        "gtd": _gtd,
        "native": _native,
    }
    converters[fmt](out, frame, mapping, sources)


def text_column(series: pd.Series) -> pd.Series:
    """Text with surrounding spaces removed; empty → ``None``; object dtype.

    Examples
    --------
    >>> text_column(pd.Series([" a ", "", None, 3])).tolist()
    ['a', None, None, '3']
    """
    seen = distinct_or_all(series.to_numpy(dtype=object))
    if series.dtype == object and is_text(seen) and text_is_clean(seen):
        return series.rename(None)  # as most files are read: the same values, not copied
    values = series.tolist()
    if not is_text(values):
        values = [v if v is None or isinstance(v, str) else _as_text(v) for v in values]
    return pd.Series(strip_or_none(values), index=series.index, dtype=object)


@functools.lru_cache(maxsize=4096)
def country_code(value: object) -> str | None:
    """ISO 3166-1 alpha-3 of an ISO3, numeric ISO code or English country name.

    Former states keep their ISO 3166-3 code; names that are not countries
    ("International") give None.

    Examples
    --------
    >>> [country_code(v) for v in ("Turkey", "Türkiye", "586", "pak", "Soviet Union", "Atlantis")]
    ['TUR', 'TUR', 'PAK', 'PAK', 'SUN', None]
    """
    import pycountry

    if value is None:
        return None
    text = str(value).strip()
    key = text.lower()
    if key in COUNTRY_ALIASES:
        return COUNTRY_ALIASES[key]
    try:
        if text.isdigit():
            found = pycountry.countries.get(numeric=text.zfill(3))
        elif len(text) == 3 and text.isalpha():
            found = pycountry.countries.get(alpha_3=text.upper())
            found = found or pycountry.historic_countries.get(alpha_3=text.upper())
        else:
            found = pycountry.countries.lookup(text)
    except (LookupError, KeyError):
        found = None
    return found.alpha_3 if found is not None else None


def _omap(series: pd.Series, fn: Callable[[object], object]) -> pd.Series:
    """Apply ``fn`` to each value, keeping ``None`` (``Series.map`` turns it into NaN).

    Text columns are mapped once per distinct value.
    """
    values = series.tolist()
    if is_text(values):
        return pd.Series(map_codes(series, fn), index=series.index, dtype=object)
    return pd.Series([fn(v) for v in values], index=series.index, dtype=object)


def _as_text(value: object) -> str | None:
    if value is None or value is pd.NA or (isinstance(value, float) and value != value):
        return None
    return str(value)


def _codes(series: pd.Series, table: Mapping[str, str]) -> pd.Series:
    """Translate provider codes (``"1"``, ``"1.0"``); other values pass unchanged."""

    def one(value: object) -> object:
        if value is None:
            return None
        key = str(value)
        key = key[:-2] if key.endswith(".0") else key
        return table.get(key, value)

    return _omap(series, one)


def _prefix(series: pd.Series, prefix: str) -> pd.Series:
    def one(value: object) -> object:
        if value is None:
            return None
        text = str(value)
        text = text[:-2] if text.endswith(".0") else text
        return text if text.upper().startswith(prefix) else prefix + text

    return _omap(series, one)


def _country_codes(values: pd.Series) -> pd.Series:
    return _omap(values, country_code)


def _fill_country_code(out: pd.DataFrame, sources: Mapping[str, str]) -> None:
    if "country_code" in sources:
        codes = _country_codes(out["country_code"])
        out["country_code"] = codes.where(codes.notna(), out["country_code"])
    elif "country" in sources:
        out["country_code"] = _country_codes(out["country"])


# --------------------------------------------------------------------------- formats


def _acled(
    out: pd.DataFrame, frame: pd.DataFrame, mapping: dict[str, str], sources: dict[str, str]
) -> None:
    out["date_precision"] = _codes(out["date_precision"], _ACLED_TIME)
    kinds = out["event_type"]
    old = _omap(kinds, lambda v: ACLED_OLD_TYPES.get(v.lower()) if isinstance(v, str) else None)
    if old.notna().any():
        out["event_type"] = _omap(old, lambda t: t[0] if t else None).where(old.notna(), kinds)
        sub = _omap(old, lambda t: t[1] if t else None)
        fill = sub.notna() & out["sub_event_type"].isna()
        out["sub_event_type"] = out["sub_event_type"].where(~fill, sub)
    _fill_country_code(out, sources)


def _ucdp(
    out: pd.DataFrame, frame: pd.DataFrame, mapping: dict[str, str], sources: dict[str, str]
) -> None:
    out["incident_id"] = _prefix(out["incident_id"], "UCDP-")
    out["date_precision"] = _codes(out["date_precision"], _UCDP_DATE)
    out["geo_precision"] = _codes(out["geo_precision"], _UCDP_WHERE)
    kinds = out["event_type"]
    out["event_type"] = _codes(kinds, {k: v[0] for k, v in _UCDP_TYPE.items()})
    if "sub_event_type" not in sources:
        subs = _codes(kinds, {k: v[1] for k, v in _UCDP_TYPE.items()})
        out["sub_event_type"] = subs.where(subs != kinds, None)
    _ucdp_deaths(out, frame, mapping)
    _fill_country_code(out, sources)


def _ucdp_deaths(out: pd.DataFrame, frame: pd.DataFrame, mapping: dict[str, str]) -> None:
    """UCDP's deaths by side → a casualty note, and killed where no best estimate is given."""
    sides = {
        normalise_header(c): c
        for c, t in mapping.items()
        if t == "casualty_note" and normalise_header(c) in UCDP_DEATHS
    }
    if not sides:
        return
    order = [k for k in UCDP_DEATHS if k in sides]
    parts = [text_column(frame[sides[k]]).tolist() for k in order]
    words = [UCDP_DEATHS[k] for k in order]
    notes = []
    totals = []
    for values in zip(*parts, strict=True):
        shown = [f"{w} {v}" for w, v in zip(words, values, strict=True) if v is not None]
        notes.append("UCDP deaths: " + ", ".join(shown) if shown else None)
        numbers = [_whole(v) for v in values]
        complete = len(order) == len(UCDP_DEATHS) and None not in numbers
        totals.append(str(sum(numbers)) if complete else None)  # type: ignore[arg-type]
    out["casualty_note"] = pd.Series(notes, index=out.index, dtype=object)
    if out["killed"].isna().all():
        out["killed"] = pd.Series(totals, index=out.index, dtype=object)


def _whole(value: object) -> int | None:
    """A non-negative whole number written as text (``"3"``, ``"3.0"``), else None."""
    try:
        number = float(str(value))
    except (TypeError, ValueError):
        return None
    return int(number) if number >= 0 and number.is_integer() else None


def _gtd(
    out: pd.DataFrame, frame: pd.DataFrame, mapping: dict[str, str], sources: dict[str, str]
) -> None:
    out["incident_id"] = _prefix(out["incident_id"], "GTD-")
    parts = {normalise_header(c): c for c, t in mapping.items() if t == "event_date"}
    if "iyear" in parts:
        year = text_column(frame[parts["iyear"]])
        month = text_column(frame[parts["imonth"]]) if "imonth" in parts else None
        day = text_column(frame[parts["iday"]]) if "iday" in parts else None
        dates = [
            _gtd_date(y, None if month is None else month[i], None if day is None else day[i])
            for i, y in year.items()
        ]
        out["event_date"] = pd.Series([d[0] for d in dates], index=out.index, dtype=object)
        if "date_precision" not in sources:
            out["date_precision"] = pd.Series([d[1] for d in dates], index=out.index, dtype=object)
    out["geo_precision"] = _codes(out["geo_precision"], _GTD_SPEC)
    for col in ("location", "admin1"):
        out[col] = _omap(out[col], lambda v: None if _is_unknown(v) else v)
    for col in ("killed", "injured"):
        out[col] = _omap(out[col], lambda v: None if v in _GTD_UNKNOWN else v)
    if "event_type" not in sources:
        out["event_type"] = [
            _gtd_event_type(a, t) for a, t in zip(out["sub_event_type"], out["actor2"], strict=True)
        ]
        out["event_type"] = out["event_type"].astype(object)
    if "claimed_by" not in sources:
        claimed_col = next((c for c in frame.columns if normalise_header(c) == "claimed"), None)
        actor = out["actor1"]
        named = ~_omap(actor, _is_unknown).astype(bool)
        if claimed_col is not None:
            flag = text_column(frame[claimed_col]).isin(["1", "1.0"])
            named = named & flag
        out["claimed_by"] = actor.where(named, None).astype(object)
    _fill_country_code(out, sources)


def _is_unknown(value: object) -> bool:
    """GTD writes "Unknown" where it has no city or no perpetrator."""
    return value is None or str(value).strip().lower() == "unknown"


def _gtd_date(year: object, month: object, day: object) -> tuple[object, object]:
    """Date text and precision from GTD parts; odd parts pass through for validation."""
    if year is None:
        return None, None
    try:
        y, m, d = (int(float(str(v))) if v is not None else 0 for v in (year, month, day))
    except ValueError:
        return f"{year}-{month}-{day}", None
    if (not (1 <= m <= 12) and m != 0) or not (0 <= d <= 31):
        return f"{year}-{month}-{day}", None
    if m == 0:
        return f"{y:04d}-01-01", "year"
    if d == 0:
        return f"{y:04d}-{m:02d}-01", "month"
    return f"{y:04d}-{m:02d}-{d:02d}", "day"


def _gtd_event_type(attack: object, target: object) -> object:
    if attack is None:
        return None
    key = str(attack).strip().lower()
    if key == "armed assault":
        armed = target is not None and str(target).strip().lower() in _ARMED_TARGETS
        return "Battles" if armed else "Violence against civilians"
    return _GTD_ATTACK.get(key)


def _native(
    out: pd.DataFrame, frame: pd.DataFrame, mapping: dict[str, str], sources: dict[str, str]
) -> None:
    if "country_code" not in sources and "country" in sources:
        out["country_code"] = _country_codes(out["country"])
