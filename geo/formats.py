"""Recognise ACLED, UCDP GED, GTD and native files and map them to canonical columns.

:func:`detect_format` looks at the header only. :func:`default_mapping` says
which file column feeds which canonical column (the Data page shows it as an
editable table). :func:`to_canonical` applies a mapping and each provider's
codes, and returns canonical columns holding *text*: parsing and checking the
values is :mod:`geo.validate`'s job, so this module never rejects a row; a
value it cannot translate is passed on as written and validation reports it
with its line.

Provider codes (DESIGN.md §4)
-----------------------------
ACLED
    ``time_precision`` 1/2/3 → day/week/month; ``geo_precision`` 1/2/3 kept;
    ``fatalities`` → killed (ACLED records no injuries: injured stays empty);
    ``iso3`` (or the numeric ``iso``, or the country name) → country_code.
UCDP GED
    ``id`` → ``UCDP-<id>``; ``date_start`` (time part dropped); ``date_prec``
    1 → day, 2–3 → week, 4 → month, 5 → year. ``type_of_violence`` 1
    (state-based) and 2 (non-state) → Battles / Armed clash: both are fighting
    between organised armed sides; 3 (one-sided) → Violence against civilians /
    Attack. ``where_prec`` 1 → 1; 2–3 (near a place, district) → 2; 4–5
    (province, wider area) → 3; 6–7 (country, waters) → 4. best/low/high →
    killed/killed_low/killed_high; source_headline → notes.
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
    gname is not "Unknown"). A city of "Unknown" becomes empty. GTD's -9/-99 "unknown" codes in nkill/nwound
    become empty, never 0.
Native
    The canonical names, forgiving case, spaces and punctuation, and the
    synonyms in :data:`NATIVE_SYNONYMS`.

Every format: ``geocode_source`` is "provided" on rows with both coordinates
unless the file says otherwise.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping

import numpy as np
import pandas as pd

from geo.report import FileRefused, Issue
from geo.schema import DERIVED_COLUMNS, INCIDENT_COLUMNS
from geo.textops import is_text, map_codes, strip_or_none

__all__ = [
    "FORMATS",
    "FORMAT_LABELS",
    "NATIVE_SYNONYMS",
    "clean_mapping",
    "default_mapping",
    "detect_format",
    "normalise_header",
    "to_canonical",
]

FORMATS: tuple[str, ...] = ("native", "acled", "ucdp", "gtd")

FORMAT_LABELS: dict[str, str] = {
    "native": "Incident Atlas (native)",
    "acled": "ACLED export",
    "ucdp": "UCDP GED",
    "gtd": "Global Terrorism Database",
}

LINE = "_line"

_ACLED = {
    "event_id_cnty": "incident_id",
    "event_date": "event_date",
    "time_precision": "date_precision",
    "event_type": "event_type",
    "sub_event_type": "sub_event_type",
    "actor1": "actor1",
    "actor2": "actor2",
    "country": "country",
    "iso3": "country_code",
    "iso": "country_code",
    "admin1": "admin1",
    "admin2": "admin2",
    "location": "location",
    "latitude": "latitude",
    "longitude": "longitude",
    "geo_precision": "geo_precision",
    "source": "source",
    "notes": "notes",
    "fatalities": "killed",
}

_UCDP = {
    "id": "incident_id",
    "date_start": "event_date",
    "date_prec": "date_precision",
    "type_of_violence": "event_type",
    "side_a": "actor1",
    "side_b": "actor2",
    "country": "country",
    "adm_1": "admin1",
    "adm_2": "admin2",
    "where_coordinates": "location",
    "latitude": "latitude",
    "longitude": "longitude",
    "where_prec": "geo_precision",
    "best": "killed",
    "low": "killed_low",
    "high": "killed_high",
    "source_article": "source",
    "source_headline": "notes",
}

_GTD = {
    "eventid": "incident_id",
    "iyear": "event_date",
    "imonth": "event_date",
    "iday": "event_date",
    "country_txt": "country",
    "provstate": "admin1",
    "city": "location",
    "latitude": "latitude",
    "longitude": "longitude",
    "specificity": "geo_precision",
    "attacktype1_txt": "sub_event_type",
    "targtype1_txt": "actor2",
    "gname": "actor1",
    "nkill": "killed",
    "nwound": "injured",
    "summary": "notes",
    "scite1": "source",
}

#: Native header synonyms (after :func:`normalise_header`) → canonical column.
NATIVE_SYNONYMS: dict[str, str] = {
    "id": "incident_id",
    "event_id": "incident_id",
    "incident": "incident_id",
    "date": "event_date",
    "incident_date": "event_date",
    "event_day": "event_date",
    "lat": "latitude",
    "y": "latitude",
    "lng": "longitude",
    "lon": "longitude",
    "long": "longitude",
    "x": "longitude",
    "fatalities": "killed",
    "deaths": "killed",
    "dead": "killed",
    "killed_total": "killed",
    "wounded": "injured",
    "injuries": "injured",
    "casualties_injured": "injured",
    "place": "location",
    "city": "location",
    "town": "location",
    "village": "location",
    "place_name": "location",
    "province": "admin1",
    "state": "admin1",
    "district": "admin2",
    "iso3": "country_code",
    "type": "event_type",
    "sub_type": "sub_event_type",
    "subtype": "sub_event_type",
    "perpetrator": "actor1",
    "actor_1": "actor1",
    "target": "actor2",
    "actor_2": "actor2",
    "claimed": "claimed_by",
    "claim": "claimed_by",
    "sources": "source",
    "url": "source_ref",
    "link": "source_ref",
    "reference": "source_ref",
    "note": "notes",
    "description": "notes",
    "summary": "notes",
}

_SIGNATURES: dict[str, list[set[str]]] = {
    "acled": [{"event_id_cnty", "fatalities"}, {"event_id_cnty", "event_date"}],
    "ucdp": [{"id", "date_start", "best"}, {"date_start", "where_prec"}],
    "gtd": [{"eventid", "iyear"}, {"iyear", "imonth", "iday", "nkill"}],
}

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


def normalise_header(name: str) -> str:
    """Lower-case a header name and reduce punctuation and spaces to ``_``.

    ``"Event Date"``, ``"event-date"`` and ``" EVENT_DATE "`` all become
    ``"event_date"``; a trailing unit in brackets is dropped (``"Lat (deg)"``).
    """
    text = re.sub(r"\(.*?\)|\[.*?\]", " ", str(name).replace("\ufeff", "")).strip().lower()
    return re.sub(r"[^0-9a-z]+", "_", text).strip("_")


def detect_format(columns: Iterable[str]) -> str:
    """Name the format of a file from its header.

    Parameters
    ----------
    columns : iterable of str
        Header names as in the file.

    Returns
    -------
    str
        One of :data:`FORMATS`. Anything that is not recognisably ACLED, UCDP
        GED or GTD is "native" (whether it has usable columns is decided by
        :func:`to_canonical`).
    """
    names = {normalise_header(c) for c in columns}
    for fmt in ("acled", "ucdp", "gtd"):
        if any(sig <= names for sig in _SIGNATURES[fmt]):
            return fmt
    return "native"


def default_mapping(columns: Iterable[str], fmt: str) -> dict[str, str]:
    """The file column → canonical column mapping proposed for a format.

    Parameters
    ----------
    columns : iterable of str
        Header names as in the file (``_line`` is ignored).
    fmt : str
        One of :data:`FORMATS`.

    Returns
    -------
    dict
        ``{file column: canonical column}``. Each canonical column is fed by at
        most one file column (the first that matches), except GTD's iyear /
        imonth / iday, which together make ``event_date``.
    """
    _check_format(fmt)
    table = {"acled": _ACLED, "ucdp": _UCDP, "gtd": _GTD}.get(fmt, {})
    canonical = set(INCIDENT_COLUMNS) - set(DERIVED_COLUMNS)
    mapping: dict[str, str] = {}
    taken: set[str] = set()
    for col in columns:
        if col == LINE:
            continue
        key = normalise_header(col)
        target = table.get(key)
        if target is None and fmt == "native":
            target = key if key in canonical else NATIVE_SYNONYMS.get(key)
        if target is None:
            continue
        if target in taken and not (fmt == "gtd" and target == "event_date"):
            continue
        mapping[col] = target
        taken.add(target)
    return mapping


def clean_mapping(mapping: Mapping[object, object]) -> dict[str, str]:
    """The pairs of a (possibly edited) mapping that map a column somewhere.

    A cleared cell of an editable table comes back as ``None``, ``""`` or a
    float NaN depending on the pandas version; all of them mean "ignore this
    column", so only pairs whose target is non-blank text are kept. Targets
    are trimmed; they are not checked here (:func:`to_canonical` refuses
    unknown ones with a message).

    Parameters
    ----------
    mapping : mapping
        ``{file column: canonical column or a blank}``.

    Returns
    -------
    dict
        ``{file column: canonical column}``.

    Examples
    --------
    >>> clean_mapping({"lat": "latitude", "x": float("nan"), "y": None, "z": " "})
    {'lat': 'latitude'}
    """
    return {str(k): v.strip() for k, v in mapping.items() if isinstance(v, str) and v.strip()}


def to_canonical(
    frame: pd.DataFrame, fmt: str = "auto", mapping: Mapping[str, str | None] | None = None
) -> tuple[pd.DataFrame, list[Issue]]:
    """Rename and translate a file's columns into the canonical schema.

    Parameters
    ----------
    frame : pandas.DataFrame
        A :class:`geo.reader.ReadResult` frame: text values and ``_line``.
    fmt : str
        ``"auto"`` (detect from the header) or one of :data:`FORMATS`.
    mapping : dict, optional
        ``{file column: canonical column}`` replacing :func:`default_mapping`;
        a blank target (``None``, ``""``, NaN) ignores that column.

    Returns
    -------
    (pandas.DataFrame, list of Issue)
        Every column of :data:`geo.schema.INCIDENT_COLUMNS` (text or ``None``)
        plus ``_line``; warnings about ignored columns.

    Raises
    ------
    FileRefused
        No file column maps to a canonical column, or the file has neither a
        date column nor any place or coordinate column, or the (edited)
        mapping names a column that is not canonical.
    ValueError
        ``fmt`` is not a known format (a programming error, not bad input).
    """
    columns = [c for c in frame.columns if c != LINE]
    if fmt == "auto":
        fmt = detect_format(columns)
    _check_format(fmt)
    if mapping is None:
        mapping = default_mapping(columns, fmt)
    mapping = {k: v for k, v in clean_mapping(mapping).items() if k in frame.columns and k != LINE}
    bad = sorted({v for v in mapping.values() if v not in INCIDENT_COLUMNS})
    if bad:
        raise FileRefused(
            f"The column mapping names {', '.join(repr(b) for b in bad)}, which "
            "Incident Atlas does not know: map each file column to one of the canonical "
            "columns or leave it unmapped."
        )
    _refuse_unusable(columns, mapping, fmt)
    issues = _ignored_columns(columns, mapping, fmt)
    out = pd.DataFrame(index=frame.index)
    sources: dict[str, str] = {}
    for col, target in mapping.items():
        if target in sources:
            continue
        sources[target] = col
        out[target] = _text(frame[col])
    for col in INCIDENT_COLUMNS:
        if col not in out.columns:
            out[col] = pd.Series([None] * len(frame), index=frame.index, dtype=object)
    convert: Callable[[pd.DataFrame, pd.DataFrame, dict[str, str], dict[str, str]], None] = {
        "acled": _acled,
        "ucdp": _ucdp,
        "gtd": _gtd,
        "native": _native,
    }[fmt]
    convert(out, frame, mapping, sources)
    has_xy = out["latitude"].notna() & out["longitude"].notna()
    if "geocode_source" not in sources:
        source = np.full(len(out), None, dtype=object)
        source[has_xy.to_numpy(dtype=bool)] = "provided"
        out["geocode_source"] = pd.Series(source, index=out.index, dtype=object)
    out = out[INCIDENT_COLUMNS].astype(object)
    out[LINE] = frame[LINE] if LINE in frame.columns else range(2, len(frame) + 2)
    return out, issues


# --------------------------------------------------------------------------- helpers


def _omap(series: pd.Series, fn: Callable[[object], object]) -> pd.Series:
    """Apply ``fn`` to each value, keeping ``None`` (``Series.map`` turns it into NaN).

    Text columns are mapped once per distinct value.
    """
    values = series.tolist()
    if is_text(values):
        return pd.Series(map_codes(series, fn), index=series.index, dtype=object)
    return pd.Series([fn(v) for v in values], index=series.index, dtype=object)


def _check_format(fmt: str) -> None:
    if fmt not in FORMATS:
        raise ValueError(f"unknown format {fmt!r}; expected one of {', '.join(FORMATS)}")


def _text(series: pd.Series) -> pd.Series:
    """Text with surrounding spaces removed; empty → ``None``; object dtype."""
    values = series.tolist()
    if not is_text(values):
        values = [v if v is None or isinstance(v, str) else _as_text(v) for v in values]
    return pd.Series(strip_or_none(values), index=series.index, dtype=object)


def _as_text(value: object) -> str | None:
    if value is None or value is pd.NA or (isinstance(value, float) and value != value):
        return None
    return str(value)


def _refuse_unusable(columns: list[str], mapping: Mapping[str, str], fmt: str) -> None:
    targets = set(mapping.values())
    shown = ", ".join(columns[:8]) + (" …" if len(columns) > 8 else "")
    if not targets:
        raise FileRefused(
            f"The file has no usable columns: none of its columns ({shown}) is an incident "
            "column such as event_date, location, latitude or longitude."
        )
    place = {"latitude", "longitude", "location", "admin1", "admin2"}
    if "event_date" not in targets or not targets & place:
        missing = "a date column" if "event_date" not in targets else "a place or coordinates"
        raise FileRefused(
            f"The file has no usable columns for incidents: it lacks {missing} "
            f"(columns found: {shown})."
        )


def _ignored_columns(columns: list[str], mapping: Mapping[str, str], fmt: str) -> list[Issue]:
    if fmt != "native":
        return []
    ignored = [c for c in columns if c not in mapping]
    if not ignored:
        return []
    return [
        Issue(
            None,
            None,
            ", ".join(ignored),
            f"{len(ignored)} column(s) not recognised and not imported: {', '.join(ignored)}.",
            level="warning",
        )
    ]


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
    """ISO3 codes from ISO3, numeric ISO codes or English country names."""
    import pycountry

    cache: dict[object, object] = {}

    def one(value: object) -> object:
        if value is None:
            return None
        if value not in cache:
            text = str(value).strip()
            found = None
            try:
                if text.isdigit():
                    found = pycountry.countries.get(numeric=text.zfill(3))
                elif len(text) == 3 and text.isalpha():
                    found = pycountry.countries.get(alpha_3=text.upper())
                else:
                    found = pycountry.countries.lookup(text)
            except (LookupError, KeyError):
                found = None
            cache[value] = found.alpha_3 if found is not None else None
        return cache[value]

    return _omap(values, one)


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
    _fill_country_code(out, sources)


def _ucdp(
    out: pd.DataFrame, frame: pd.DataFrame, mapping: dict[str, str], sources: dict[str, str]
) -> None:
    out["incident_id"] = _prefix(out["incident_id"], "UCDP-")
    out["event_date"] = _omap(out["event_date"], _drop_time)
    out["date_precision"] = _codes(out["date_precision"], _UCDP_DATE)
    out["geo_precision"] = _codes(out["geo_precision"], _UCDP_WHERE)
    kinds = out["event_type"]
    out["event_type"] = _codes(kinds, {k: v[0] for k, v in _UCDP_TYPE.items()})
    if "sub_event_type" not in sources:
        subs = _codes(kinds, {k: v[1] for k, v in _UCDP_TYPE.items()})
        out["sub_event_type"] = subs.where(subs != kinds, None)
    _fill_country_code(out, sources)


def _drop_time(value: object) -> object:
    """``"2023-01-15 00:00:00.000"`` → ``"2023-01-15"``; anything else unchanged."""
    if isinstance(value, str) and re.match(r"^\d{4}-\d{2}-\d{2}[ T]\d", value):
        return value[:10]
    return value


def _gtd(
    out: pd.DataFrame, frame: pd.DataFrame, mapping: dict[str, str], sources: dict[str, str]
) -> None:
    out["incident_id"] = _prefix(out["incident_id"], "GTD-")
    parts = {normalise_header(c): c for c, t in mapping.items() if t == "event_date"}
    if "iyear" in parts:
        year = _text(frame[parts["iyear"]])
        month = _text(frame[parts["imonth"]]) if "imonth" in parts else None
        day = _text(frame[parts["iday"]]) if "iday" in parts else None
        dates = [
            _gtd_date(y, None if month is None else month[i], None if day is None else day[i])
            for i, y in year.items()
        ]
        out["event_date"] = pd.Series([d[0] for d in dates], index=out.index, dtype=object)
        if "date_precision" not in sources:
            out["date_precision"] = pd.Series([d[1] for d in dates], index=out.index, dtype=object)
    out["geo_precision"] = _codes(out["geo_precision"], _GTD_SPEC)
    out["location"] = _omap(out["location"], lambda v: None if _is_unknown(v) else v)
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
            flag = _text(frame[claimed_col]).isin(["1", "1.0"])
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
