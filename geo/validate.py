"""Check canonical incident rows, reject the bad ones and type the good ones.

:func:`validate` takes the text table of :func:`geo.formats.to_canonical`,
cleans and parses it, and runs one pandera schema in *lazy* mode so every
problem of every row is found in one pass. Each failure becomes an
:class:`~geo.report.Issue` naming the file line, column, value as written and
the reason. A row with any error is rejected; warnings keep the row.

Rules and decisions
-------------------
Dates
    Accepted: ISO ``2025-02-11`` (a time part is ignored; ``/`` or ``.``
    also), ``11 February 2025`` / ``11 Feb 2025`` / ``11-Feb-2025``,
    ``February 11, 2025``, and ``dd/mm/yyyy`` or ``mm/dd/yyyy`` only when the
    order is unambiguous (one part above 12, or both equal); ``03/04/2025`` is
    rejected as ambiguous. Partial dates ``2025-02``, ``February 2025`` and
    ``2025`` become the first day with date_precision month / year. Two-digit
    years and Excel serial numbers are rejected with a hint. Dates after
    ``today`` or before 1900 are rejected. An empty date_precision on a full
    date means "day".
Coordinates
    Decimal degrees (a decimal comma and a trailing ``°`` are accepted), in
    range, both or neither. ``(0, 0)`` means missing: both are cleared with a
    warning. A pair that is out of the region but lands in it when swapped
    (latitude 60–78 and longitude 23–39) is rejected with that hint.
Casualties (killed, injured, killed_low, killed_high)
    Whole numbers ≥ 0 (``12``, ``12.0``, ``1,200``). ``at least 5``, ``5+``,
    ``>5``, ``more than 5`` → 5 with casualty_note "at least"; ``about 5``,
    ``~5``, ``approx. 5`` → 5, "about". A range ``10-15`` in killed fills
    killed_low/killed_high and leaves killed unknown (warning). Words
    (``dozens``, ``several``) stay unknown with a warning and the wording is
    kept in casualty_note; ``unknown``, ``n/a``, ``-`` are silently unknown.
    Text with digits that fits none of these is an error. Notes for columns
    other than killed are prefixed (``"injured: about"``).
    killed_low ≤ killed ≤ killed_high must hold where present.
Vocabularies
    geo_precision 1–4; date_precision day/week/month/year (case ignored). An
    event_type outside ACLED's six is kept as written with a warning.
Identity
    An incident_id seen twice: the first row is kept, later ones rejected.
    Rows without an id get ``"NAT-"`` + the first 16 hex digits of the SHA-256
    of ``date|location|latitude|longitude|event_type|source`` (ISO date,
    coordinates to 6 decimals, text as cleaned), so re-uploading the same
    sheet yields the same ids.
Place
    A row needs coordinates, a location or an admin1; rows with a place name
    but no coordinates pass on to the geocoder.
Text
    Trimmed; kept as written otherwise (escaping is the display's job).
    Control characters (other than tab and newline) are removed with a
    warning; values longer than 10,000 characters (notes, source, source_ref,
    casualty_note) or 1,000 (other text) are cut with a warning.
    cross_border accepts yes/no/true/false/1/0; anything else is left empty
    with a warning.

Warnings are reported only for rows that are kept.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
import pandera.pandas as pa

from geo.parsing import parse_casualty, parse_date
from geo.report import Issue
from geo.schema import DATE_PRECISIONS, EVENT_TYPES, INCIDENT_COLUMNS, normalise_dtypes
from geo.textops import CONTROL_RE, is_text, map_codes, map_unique, text_is_clean

__all__ = ["REGION_BOX", "ValidationResult", "parse_casualty", "parse_date", "validate"]

LINE = "_line"
COUNT_COLUMNS = ["killed", "injured", "killed_low", "killed_high"]
#: Rough Afghanistan + Pakistan box (lat_min, lat_max, lon_min, lon_max) for the swap hint.
REGION_BOX = (23.0, 39.0, 60.0, 78.0)
_LONG_TEXT = {"notes", "source", "source_ref", "casualty_note"}
_CAPS = (10_000, 1_000)
_EARLIEST = pd.Timestamp("1900-01-01")

_TRUE = {"true", "yes", "y", "1", "t"}
_FALSE = {"false", "no", "n", "0", "f"}


@dataclass
class ValidationResult:
    """Rows that passed, and what was wrong.

    Attributes
    ----------
    valid : pandas.DataFrame
        Accepted rows typed by :func:`geo.schema.normalise_dtypes`, with ``_line``.
    errors : list of Issue
        One per failed rule; each rejects its row.
    warnings : list of Issue
        Things changed or worth a look in accepted rows.
    """

    valid: pd.DataFrame
    errors: list[Issue] = field(default_factory=list)
    warnings: list[Issue] = field(default_factory=list)

    @property
    def rejected_lines(self) -> list[int]:
        """File lines of the rejected rows, sorted."""
        return sorted({i.line for i in self.errors if i.line is not None})


# --------------------------------------------------------------------------- parsers


def validate(df: pd.DataFrame, *, today: dt.date | None = None) -> ValidationResult:
    """Validate canonical incident rows.

    Parameters
    ----------
    df : pandas.DataFrame
        Canonical columns (text values) and ``_line``, as from
        :func:`geo.formats.to_canonical`. Missing columns count as empty.
    today : datetime.date, optional
        Dates after this day are rejected. Defaults to the current date.

    Returns
    -------
    ValidationResult
    """
    today = today or dt.date.today()
    work = df.reset_index(drop=True)
    position = pd.Series(range(2, len(work) + 2), dtype="Int64")
    lines = (
        pd.to_numeric(work[LINE], errors="coerce").round().astype("Int64").fillna(position)
        if LINE in work.columns
        else position
    )
    warnings: list[Issue] = []
    text = _clean_text(work, lines, warnings)
    typed, raw, reasons = _parse_values(text, lines, warnings)
    errors = _run_schema(typed, raw, reasons, lines, today)
    bad = {i.line for i in errors}
    keep = ~lines.isin(bad).to_numpy() if bad else pd.Series(True, index=text.index).to_numpy()
    warnings = [w for w in warnings if w.line is None or w.line not in bad]
    out = text.copy()
    for col in ["event_date", "date_precision", "event_type", "incident_id", "casualty_note"]:
        out[col] = typed[col]
    for col in ["latitude", "longitude", "geo_precision", *COUNT_COLUMNS]:
        out[col] = typed[col]
    out["cross_border"] = typed["cross_border"]
    out["event_date"] = typed["event_date"].dt.normalize()
    no_xy = typed["latitude"].isna() | typed["longitude"].isna()
    out.loc[no_xy & (out["geocode_source"] == "provided"), "geocode_source"] = None
    valid = normalise_dtypes(out.loc[keep, INCIDENT_COLUMNS], text_is_clean=True)
    valid[LINE] = lines[keep].astype("int64").to_numpy()
    valid = valid.reset_index(drop=True)
    errors.sort(key=lambda i: (i.line or 0, INCIDENT_COLUMNS.index(i.column or "incident_id")))
    return ValidationResult(valid, errors, warnings)


def _warn(warnings: list[Issue], line: object, column: str, value: object, message: str) -> None:
    warnings.append(
        Issue(None if pd.isna(line) else int(line), column, value, message, level="warning")
    )


def _clean_text(work: pd.DataFrame, lines: pd.Series, warnings: list[Issue]) -> pd.DataFrame:
    """Canonical columns as trimmed text or ``None``; controls removed; long text cut."""
    out: dict[str, Any] = {}
    line_list = lines.tolist()
    for col in INCIDENT_COLUMNS:
        column = work[col].to_numpy(dtype=object) if col in work.columns else None
        values = column.tolist() if column is not None else []
        if values.count(None) == len(values):
            out[col] = np.full(len(work), None, dtype=object)
            continue
        if not is_text(values):
            values = [_as_text(v) for v in values]
            column = None
        cap = _CAPS[0] if col in _LONG_TEXT else _CAPS[1]
        if text_is_clean(values, control=True, cap=cap):
            # already trimmed, short and free of controls: keep the array as it is
            out[col] = column if column is not None else values
            continue
        cache = {v: _clean_cell(v, cap) for v in set(values)}
        out[col] = [cache[v][0] for v in values]
        if not any(problem for _, problem in cache.values()):
            continue
        for n, value in enumerate(values):
            problem = cache[value][1]
            if problem:
                message = (
                    f"Control characters were removed from {col}."
                    if problem == "control"
                    else f"{col} was longer than {cap:,} characters; cut."
                )
                _warn(warnings, line_list[n], col, value, message)
    return pd.DataFrame(out, index=work.index, dtype=object)


def _clean_cell(value: object, cap: int) -> tuple[str | None, str]:
    """Trimmed text (``None`` when empty) and the problem fixed: "", "control" or "long"."""
    if not isinstance(value, str):
        return None, ""
    text, problem = value.strip(), ""
    if CONTROL_RE.search(text):
        text, problem = CONTROL_RE.sub("", text).strip(), "control"
    if len(text) > cap:
        text, problem = text[:cap], problem or "long"
    return text or None, problem


def _as_text(value: object) -> object:
    if value is None or value is pd.NA or (isinstance(value, float) and value != value):
        return None
    return value if isinstance(value, str) else str(value)


def _omap(series: pd.Series, fn: Callable[[Any], Any]) -> pd.Series:
    """Apply ``fn`` to each value (once per distinct value; missing values get ``fn(None)``)."""
    return pd.Series(map_codes(series, fn), index=series.index, dtype=object)


def _unique_map(series: pd.Series, fn: Callable[[Any], Any]) -> pd.Series:
    """``fn`` applied once per distinct non-empty value (text); others give None."""
    return pd.Series(
        map_unique(series, lambda v: fn(v) if isinstance(v, str) else None),
        index=series.index,
        dtype=object,
    )


def _parse_values(
    text: pd.DataFrame, lines: pd.Series, warnings: list[Issue]
) -> tuple[pd.DataFrame, pd.DataFrame, dict[tuple[str, int], str]]:
    """Typed values for the schema, the raw text for messages, and parse reasons."""
    typed = pd.DataFrame(index=text.index)
    reasons: dict[tuple[str, int], str] = {}
    _parse_dates(text, typed, lines, warnings, reasons)
    _parse_coordinates(text, typed, lines, warnings)
    _parse_counts(text, typed, lines, warnings, reasons)
    typed["geo_precision"] = pd.to_numeric(text["geo_precision"], errors="coerce").astype(float)
    etype = text["event_type"]
    canon = {t.lower(): t for t in EVENT_TYPES}
    typed["event_type"] = _omap(etype, lambda v: canon.get(v.lower(), v) if v else None)
    for i in etype.index[etype.notna() & ~etype.str.lower().isin(canon).fillna(False)]:
        _warn(
            warnings,
            lines[i],
            "event_type",
            etype[i],
            f"event_type {etype[i]!r} is not one of ACLED's types ({', '.join(EVENT_TYPES)}); "
            "kept as written.",
        )
    cross = _omap(text["cross_border"], lambda v: v.lower() if v else None)
    typed["cross_border"] = _omap(
        cross, lambda v: True if v in _TRUE else False if v in _FALSE else None
    )
    for i in cross.index[cross.notna() & typed["cross_border"].isna()]:
        _warn(
            warnings,
            lines[i],
            "cross_border",
            text.at[i, "cross_border"],
            "cross_border is not yes/no; left empty.",
        )
    typed["location"] = text["location"]
    typed["admin1"] = text["admin1"]
    typed["incident_id"] = _ids(text, typed)
    return typed, text, reasons


def _parse_dates(
    text: pd.DataFrame,
    typed: pd.DataFrame,
    lines: pd.Series,
    warnings: list[Issue],
    reasons: dict[tuple[str, int], str],
) -> None:
    parsed = _unique_map(text["event_date"], parse_date)
    dates = _omap(parsed, lambda p: p[0] if p else None)
    typed["event_date"] = pd.to_datetime(dates, errors="coerce")
    partial = _omap(parsed, lambda p: p[1] if p else None)
    for i in parsed.index[_omap(parsed, lambda p: bool(p and p[2])).astype(bool)]:
        reasons[("event_date", i)] = parsed[i][2]
    given = _omap(text["date_precision"], lambda v: v.lower() if v else None)
    order = {p: n for n, p in enumerate(DATE_PRECISIONS)}
    prec = given.where(given.notna(), partial)
    coarser = (
        partial.notna()
        & given.notna()
        & (_omap(given, lambda g: order.get(g, -1)) < _omap(partial, lambda p: order.get(p, -1)))
    )
    for i in coarser[coarser].index:
        _warn(
            warnings,
            lines[i],
            "date_precision",
            given[i],
            f"event_date {text.at[i, 'event_date']!r} has no "
            f"{'day' if partial[i] == 'month' else 'month'}: date_precision set to {partial[i]}.",
        )
    prec = prec.where(~coarser, partial)
    typed["date_precision"] = prec.where(prec.notna() | typed["event_date"].isna(), "day")


def _parse_coordinates(
    text: pd.DataFrame, typed: pd.DataFrame, lines: pd.Series, warnings: list[Issue]
) -> None:
    for col in ("latitude", "longitude"):
        s = text[col].astype("string").str.replace(",", ".", regex=False).str.rstrip("°")
        num = pd.to_numeric(
            s.where(s.str.fullmatch(r"[+-]?\d+(?:\.\d*)?|[+-]?\.\d+")), errors="coerce"
        )
        typed[col] = num.astype(float)
    zero = (typed["latitude"] == 0) & (typed["longitude"] == 0)
    for i in zero[zero].index:
        _warn(
            warnings,
            lines[i],
            "latitude",
            "0, 0",
            "Coordinates 0, 0 mean 'missing': cleared; the place name will be geocoded.",
        )
    typed.loc[zero, ["latitude", "longitude"]] = float("nan")
    typed["_zero_xy"] = zero


def _parse_counts(
    text: pd.DataFrame,
    typed: pd.DataFrame,
    lines: pd.Series,
    warnings: list[Issue],
    reasons: dict[tuple[str, int], str],
) -> None:
    notes: dict[int, list[str]] = {}
    ranges: dict[int, tuple[float, float]] = {}
    for col in COUNT_COLUMNS:
        raws = text[col].tolist()
        cache = {v: parse_casualty(v) for v in set(raws) if v is not None}
        typed[col] = pd.Series(
            [cache[v][0] if v is not None else None for v in raws], index=text.index, dtype=float
        )
        plain = {"empty", "number", "unknown"}
        odd = {v for v, p in cache.items() if p[1] not in plain}
        rows = [i for i, v in zip(text.index, raws, strict=True) if v in odd] if odd else []
        for i in rows:
            _, kind, note = cache[raws[i]]
            raw = raws[i]
            label = note if col == "killed" else f"{col}: {note}"
            if kind in ("at least", "about"):
                notes.setdefault(i, []).append(label)
            elif kind == "words":
                notes.setdefault(i, []).append(label)
                _warn(
                    warnings,
                    lines[i],
                    col,
                    raw,
                    f"{col} {raw!r} is not a number: the count is left unknown and the "
                    "wording is kept in casualty_note.",
                )
            elif kind == "range":
                lo, hi = (float(x) for x in note.split("-"))
                if (
                    col == "killed"
                    and pd.isna(text.at[i, "killed_low"])
                    and pd.isna(text.at[i, "killed_high"])
                ):
                    ranges[i] = (lo, hi)
                    msg = "stored as killed_low and killed_high; killed left unknown."
                else:
                    msg = "the count is left unknown and the range kept in casualty_note."
                    notes.setdefault(i, []).append(label)
                _warn(warnings, lines[i], col, raw, f"{col} {raw!r} is a range: {msg}")
            elif kind == "error":
                reasons[(col, i)] = f"{col} {raw[:40]!r} is not a whole number of people."
    for i, (lo, hi) in ranges.items():
        typed.loc[i, ["killed_low", "killed_high"]] = [lo, hi]
    existing = text["casualty_note"]
    merged = existing.copy()
    for i, parts in notes.items():
        base = existing[i]
        extra = "; ".join(p for p in parts if not base or p not in base)
        merged[i] = "; ".join(x for x in (base, extra) if x) or None
    typed["casualty_note"] = merged


def _ids(text: pd.DataFrame, typed: pd.DataFrame) -> pd.Series:
    """Keep given ids; make a stable ``NAT-`` id for rows without one."""
    ids = text["incident_id"].copy()
    missing = ids.isna()
    if not missing.any():
        return ids
    date = typed["event_date"].dt.strftime("%Y-%m-%d")
    for i in ids.index[missing]:
        parts = [
            date[i] if pd.notna(date[i]) else (text.at[i, "event_date"] or ""),
            text.at[i, "location"] or "",
            *(
                "" if pd.isna(typed.at[i, c]) else f"{typed.at[i, c]:.6f}"
                for c in ("latitude", "longitude")
            ),
            typed.at[i, "event_type"] or "",
            text.at[i, "source"] or "",
        ]
        digest = hashlib.sha256("|".join(parts).encode("utf-8")).hexdigest()
        ids[i] = "NAT-" + digest[:16]
    return ids


# --------------------------------------------------------------------------- schema


def _schema(
    raw: pd.DataFrame, zero: pd.Series, reasons: dict[tuple[str, int], str], today: dt.date
) -> pa.DataFrameSchema:
    """The pandera schema over the typed frame; closures see the raw text."""
    lo_lat, hi_lat, lo_lon, hi_lon = REGION_BOX
    given = {c: raw[c].notna() for c in ("event_date", "latitude", "longitude", *COUNT_COLUMNS)}
    given["geo_precision"] = raw["geo_precision"].notna()

    def count(col: str) -> pa.Check:
        bad = [i for (c, i) in reasons if c == col]

        def ok(s: pd.Series) -> pd.Series:
            fine = s.isna() | ((s % 1 == 0) & (s >= 0))
            return fine & ~s.index.isin(bad)

        return pa.Check(ok, name=f"{col}:count", ignore_na=False)

    def number(col: str, limit: float) -> pa.Check:
        def ok(s: pd.Series) -> pd.Series:
            return ~given[col] | zero | (s.abs() <= limit)

        return pa.Check(ok, name=f"{col}:number", ignore_na=False)

    def swapped(d: pd.DataFrame) -> pd.Series:
        lat, lon = d["latitude"], d["longitude"]
        in_box = lat.between(lo_lat, hi_lat) & lon.between(lo_lon, hi_lon)
        flipped = lon.between(lo_lat, hi_lat) & lat.between(lo_lon, hi_lon)
        return ~(flipped & ~in_box)

    def pair(d: pd.DataFrame) -> pd.Series:
        return (given["latitude"] == given["longitude"]) | d["_zero_xy"]

    def place(d: pd.DataFrame) -> pd.Series:
        has_xy = given["latitude"] & given["longitude"] & ~d["_zero_xy"]
        return has_xy | d["location"].notna() | d["admin1"].notna()

    def order(d: pd.DataFrame) -> pd.Series:
        k, lo, hi = d["killed"], d["killed_low"], d["killed_high"]
        return ~((lo > k) | (k > hi) | (lo > hi))

    stamp = pd.Timestamp(today)
    return pa.DataFrameSchema(
        {
            "incident_id": pa.Column(nullable=True, unique=True, report_duplicates="exclude_first"),
            "event_date": pa.Column(
                nullable=True,
                checks=[
                    pa.Check(lambda s: s.notna(), name="event_date:parses", ignore_na=False),
                    pa.Check(lambda s: s <= stamp, name="event_date:future"),
                    pa.Check(lambda s: s >= _EARLIEST, name="event_date:early"),
                ],
            ),
            "date_precision": pa.Column(
                nullable=True, checks=pa.Check(lambda s: s.isin(DATE_PRECISIONS), name="dp:vocab")
            ),
            "latitude": pa.Column(
                nullable=True,
                checks=number("latitude", 90),
            ),
            "longitude": pa.Column(
                nullable=True,
                checks=number("longitude", 180),
            ),
            "geo_precision": pa.Column(
                nullable=True,
                checks=pa.Check(
                    lambda s: ~given["geo_precision"] | s.isin([1, 2, 3, 4]),
                    name="gp:vocab",
                    ignore_na=False,
                ),
            ),
            **{c: pa.Column(nullable=True, checks=count(c)) for c in COUNT_COLUMNS},
        },
        checks=[
            pa.Check(pair, name="xy:pair"),
            pa.Check(swapped, name="xy:swapped"),
            pa.Check(place, name="row:place"),
            pa.Check(order, name="killed:order"),
        ],
        strict=False,
    )


_MESSAGES = {
    "event_date:future": "The date {value} is in the future (today is {today}).",
    "event_date:early": "The date {value} is before 1900: probably a typo.",
    "dp:vocab": "date_precision must be one of day, week, month, year.",
    "gp:vocab": "geo_precision must be 1, 2, 3 or 4.",
    "xy:pair": "Coordinates need both latitude and longitude.",
    "xy:swapped": (
        "Latitude and longitude look swapped: ({value}) is outside the region but lies in "
        "Afghanistan/Pakistan the other way round; swap the two columns."
    ),
    "row:place": "No coordinates and no place name: give latitude/longitude, a location or an admin1.",
    "killed:order": "killed_low ≤ killed ≤ killed_high does not hold ({value}).",
}
_ROW_COLUMNS = {
    "xy:pair": "latitude",
    "xy:swapped": "latitude",
    "row:place": "location",
    "killed:order": "killed",
}


def _run_schema(
    typed: pd.DataFrame,
    raw: pd.DataFrame,
    reasons: dict[tuple[str, int], str],
    lines: pd.Series,
    today: dt.date,
) -> list[Issue]:
    try:
        _schema(raw, typed["_zero_xy"], reasons, today).validate(typed, lazy=True, inplace=True)
        return []
    except pa.errors.SchemaErrors as exc:
        cases = exc.failure_cases
    broken = cases[cases["index"].isna()]
    if len(broken):  # a check that crashed is a bug here, not a problem in the file
        raise RuntimeError(f"validation checks failed to run: {broken.to_dict('records')}")
    seen: set[tuple[int, str, str]] = set()
    first_line = _first_lines(typed["incident_id"], lines)
    errors = []
    for check, column, index in zip(cases["check"], cases["column"], cases["index"], strict=True):
        i = int(index)
        col = _ROW_COLUMNS.get(check, column)
        key = (i, str(check), str(col))
        if key in seen:
            continue
        seen.add(key)
        errors.append(_issue(check, col, i, typed, raw, reasons, lines, first_line, today))
    return errors


def _first_lines(ids: pd.Series, lines: pd.Series) -> dict[str, int]:
    frame = pd.DataFrame({"id": ids, "line": lines}).dropna()
    return frame.groupby("id", sort=False)["line"].first().astype(int).to_dict()


def _issue(
    check: str,
    col: str,
    i: int,
    typed: pd.DataFrame,
    raw: pd.DataFrame,
    reasons: dict[tuple[str, int], str],
    lines: pd.Series,
    first_line: dict[str, int],
    today: dt.date,
) -> Issue:
    line = None if pd.isna(lines[i]) else int(lines[i])
    value = raw.at[i, col] if col in raw.columns else None
    if check == "field_uniqueness":
        ident = typed.at[i, "incident_id"]
        message = (
            f"Duplicate incident_id {ident!r}: first seen on line {first_line.get(ident)}; "
            "this later row was not imported."
        )
        return Issue(line, "incident_id", ident, message)
    if check in ("xy:swapped", "xy:pair"):
        value = f"{raw.at[i, 'latitude'] or ''}, {raw.at[i, 'longitude'] or ''}"
    elif check == "killed:order":
        value = "{} ≤ {} ≤ {}".format(
            *(raw.at[i, c] or "–" for c in ("killed_low", "killed", "killed_high"))
        )
    elif check == "row:place":
        value = None
    if (col, i) in reasons:
        return Issue(line, col, value, reasons[(col, i)])
    number = typed.at[i, col] if col in typed.columns else None
    if check == "event_date:parses":
        template = "event_date is required."
    elif check.endswith(":number"):
        limit, example = (90, "34.0151") if col == "latitude" else (180, "71.5249")
        template = (
            f"{{column}} {{value!r}} is not a number (decimal degrees, e.g. {example})."
            if pd.isna(number)
            else f"{{column}} must be between -{limit} and {limit}."
        )
    elif check.endswith(":count"):
        template = (
            "{column} cannot be negative."
            if number < 0
            else "{column} must be a whole number of people."
        )
    else:
        template = _MESSAGES.get(check, f"{{column}} failed the check {check}.")
    message = template.format(value=value, column=col, today=today.isoformat())
    return Issue(line, col, value, message)
