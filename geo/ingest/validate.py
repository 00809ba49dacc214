"""Check canonical incident rows, reject the bad ones and type the good ones.

:func:`validate` takes the text table of :func:`geo.ingest.formats.to_canonical`,
cleans and parses it, and runs one pandera schema in *lazy* mode so every
problem of every row is found in one pass. Each failure becomes an
:class:`~geo.report.Issue` naming the file line, column, value as written and
the reason. A row with any error is rejected; warnings keep the row.

Rules and decisions
-------------------
Dates
    Read by :func:`geo.ingest.dates.parse_dates` with the file's conventions (day/month
    order, two-digit years, spans); its module lists the forms. Dates after
    ``today`` or before 1900 are rejected. An empty date_precision on a full
    date means "day"; a partial date or a span sets a coarser one. A time
    column (or a time written with the date) fills event_time.
Coordinates
    Decimal degrees (a decimal comma and a trailing ``°`` are accepted), in
    range, both or neither. ``(0, 0)`` means missing: both are cleared with a
    warning. A pair that is out of the region but lands in it when swapped
    (latitude 60–78 and longitude 23–39) is rejected with that hint.
Casualties (killed, injured and their _low/_high ranges)
    Read by :mod:`geo.ingest.casualties`: whole numbers ≥ 0, "at least"/"about"
    qualifiers kept in casualty_note, a range in killed fills the range
    columns, words stay unknown with a warning. low ≤ best ≤ high must hold in
    a native file; a provider's row that breaks it is kept with a warning.
Vocabularies
    geo_precision 1–4; date_precision day/week/month/year (case ignored). An
    event_type outside ACLED's six is kept as written with a warning.
Identity
    An incident_id seen twice: the first row is kept, later ones rejected.
    Rows without an id, or whose id a spreadsheet mangled, get a content id
    (:mod:`geo.ingest.identity`): only rows repeated in every column are duplicates;
    rows sharing day, place and type get a warning naming both lines.
Non-incidents
    A row without date or place that holds only numbers is rejected as a
    totals row, one that holds only text as a note.
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
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from geo.ingest.casualties import parse_counts
from geo.ingest.checks import COUNT_COLUMNS, REGION_BOX, range_warnings, run_checks
from geo.ingest.dates import parse_date, parse_dates
from geo.ingest.decimals import parse_decimals
from geo.ingest.identity import (
    ID_PREFIXES,
    content_ids,
    explain_cut_short,
    legacy_ids,
    likely_duplicates,
    repair_ids,
    tell_apart,
)
from geo.ingest.parsing import parse_casualty, parse_time
from geo.report import Issue
from geo.schema import (
    DATE_PRECISIONS,
    EVENT_TYPES,
    INCIDENT_COLUMNS,
    INPUT_COLUMNS,
    normalise_dtypes,
)
from geo.textops import CONTROL_RE, distinct_or_all, is_text, map_codes, map_unique, text_is_clean

__all__ = [
    "LEGACY_ID",
    "REGION_BOX",
    "ValidationResult",
    "parse_casualty",
    "parse_date",
    "validate",
]

LINE = "_line"
#: Column of ``ValidationResult.valid`` holding the id an older version made (see geo.ingest.identity).
LEGACY_ID = "_legacy_id"
_LONG_TEXT = {"notes", "source", "source_ref", "casualty_note"}
_CAPS = (10_000, 1_000)

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


def validate(
    df: pd.DataFrame,
    *,
    today: dt.date | None = None,
    fmt: str = "native",
    source: pd.DataFrame | None = None,
) -> ValidationResult:
    """Validate canonical incident rows.

    Parameters
    ----------
    df : pandas.DataFrame
        Canonical columns (text values) and ``_line``, as from
        :func:`geo.ingest.formats.to_canonical`, with the input-only helpers
        (``year``, ``date_end``) where the file has them. Missing columns
        count as empty.
    today : datetime.date, optional
        Dates after this day are rejected. Defaults to the current date.
    fmt : str
        The file's format. A provider's row ("acled", "ucdp", "gtd") whose
        ranges disagree is kept with a warning (the record is the
        provider's); a native row is rejected. It also picks the prefix of
        content ids (:data:`geo.ingest.identity.ID_PREFIXES`).
    source : pandas.DataFrame, optional
        The file as read (every column, aligned with ``df``): rows identified
        by content that agree in every mapped column are told apart by the
        columns not imported, and a rejected row that stops short is said to.

    Returns
    -------
    ValidationResult
        ``valid`` also holds ``_legacy_id`` when some ids were made from content
        (the id an older version would have made; see :mod:`geo.ingest.identity`).
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
    src = source.reset_index(drop=True) if source is not None else None
    typed, raw, reasons = _parse_values(text, lines, warnings, fmt, src)
    errors = run_checks(typed, raw, reasons, lines, today, strict=fmt == "native")
    errors, explained = _one_reason_for_non_incidents(errors, reasons, lines)
    if src is not None and errors:
        errors = explain_cut_short(errors, src)
    errors += explained
    if fmt != "native":
        warnings.extend(range_warnings(typed, raw, lines))
    bad = {i.line for i in errors}
    keep = ~lines.isin(bad).to_numpy() if bad else pd.Series(True, index=text.index).to_numpy()
    warnings = [w for w in warnings if w.line is None or w.line not in bad]
    out = text[INCIDENT_COLUMNS].copy(deep=False)  # copy-on-write: changes stay in out
    for col in ["event_date", "date_precision", "event_time", "event_type", "incident_id"]:
        out[col] = typed[col]
    for col in ["casualty_note", "latitude", "longitude", "geo_precision", *COUNT_COLUMNS]:
        out[col] = typed[col]
    out["cross_border"] = typed["cross_border"]
    out["event_date"] = typed["event_date"].dt.normalize()
    no_xy = typed["latitude"].isna() | typed["longitude"].isna()
    out.loc[no_xy & (out["geocode_source"] == "provided"), "geocode_source"] = None
    valid = normalise_dtypes(out.loc[keep, INCIDENT_COLUMNS], text_is_clean=True)
    if LEGACY_ID in typed.columns:
        valid[LEGACY_ID] = typed.loc[keep, LEGACY_ID].to_numpy()
    valid[LINE] = lines[keep].astype("int64").to_numpy()
    valid = valid.reset_index(drop=True)
    errors.sort(key=lambda i: (i.line or 0, _column_order(i.column)))
    return ValidationResult(valid, errors, warnings)


def _column_order(column: str | None) -> int:
    return INCIDENT_COLUMNS.index(column) if column in INCIDENT_COLUMNS else len(INCIDENT_COLUMNS)


def _warn(warnings: list[Issue], line: object, column: str, value: object, message: str) -> None:
    warnings.append(
        Issue(None if pd.isna(line) else int(line), column, value, message, level="warning")
    )


def _clean_text(work: pd.DataFrame, lines: pd.Series, warnings: list[Issue]) -> pd.DataFrame:
    """Canonical columns as trimmed text or ``None``; controls removed; long text cut."""
    out: dict[str, Any] = {}
    for col in [*INCIDENT_COLUMNS, *INPUT_COLUMNS]:
        column = work[col].to_numpy(dtype=object) if col in work.columns else None
        seen = distinct_or_all(column) if column is not None else []
        if seen.count(None) == len(seen):
            out[col] = np.full(len(work), None, dtype=object)
            continue
        values = None  # every value as a list, made only if the column needs mending
        if not is_text(seen):
            values = seen = [_as_text(v) for v in column.tolist()]
            column = None
        cap = _CAPS[0] if col in _LONG_TEXT else _CAPS[1]
        if text_is_clean(seen, control=True, cap=cap):
            # already trimmed, short and free of controls: keep the array as it is
            out[col] = column if column is not None else values
            continue
        if values is None:
            values = column.tolist()
        cache = {v: _clean_cell(v, cap) for v in set(values)}
        out[col] = [cache[v][0] for v in values]
        if not any(problem for _, problem in cache.values()):
            continue
        line_list = lines.tolist()
        for n, value in enumerate(values):
            problem = cache[value][1]
            if problem:
                message = (
                    f"Control characters were removed from {col}."
                    if problem == "control"
                    else f"{col} was longer than {cap:,} characters; cut."
                )
                _warn(warnings, line_list[n], col, value, message)
    return pd.DataFrame(out, index=work.index, dtype=object, copy=False)  # no block copy


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
    text: pd.DataFrame,
    lines: pd.Series,
    warnings: list[Issue],
    fmt: str,
    source: pd.DataFrame | None,
) -> tuple[pd.DataFrame, pd.DataFrame, dict[tuple[str, int], str]]:
    """Typed values for the schema, the raw text for messages, and parse reasons."""
    typed = pd.DataFrame(index=text.index)
    reasons: dict[tuple[str, int], str] = {}
    _parse_dates(text, typed, lines, warnings, reasons)
    _parse_times(text, typed, lines, warnings)
    _parse_coordinates(text, typed, lines, warnings)
    parse_counts(text, typed, lines, warnings, reasons)
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
    for col in ("location", "admin1", "country", "country_code"):
        typed[col] = text[col]
    _ids(text, typed, lines, warnings, fmt, source)
    _explain_non_incidents(text, typed, reasons)
    return typed, text, reasons


def _parse_dates(
    text: pd.DataFrame,
    typed: pd.DataFrame,
    lines: pd.Series,
    warnings: list[Issue],
    reasons: dict[tuple[str, int], str],
) -> None:
    """Dates with the file's conventions (:func:`geo.ingest.dates.parse_dates`), then precision."""
    read = parse_dates(
        text["event_date"],
        lines=lines.tolist(),
        years=text["year"] if text["year"].notna().any() else None,
        ends=text["date_end"] if text["date_end"].notna().any() else None,
    )
    typed["event_date"] = read.dates.to_numpy()
    typed["_date_time"] = read.times.to_numpy()
    warnings.extend(read.warnings)
    for pos, reason in read.errors.items():
        reasons[("event_date", text.index[pos])] = reason
    partial = read.precision
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
            f"event_date {text.at[i, 'event_date']!r} is only known to the {partial[i]}: "
            f"date_precision set to {partial[i]}.",
        )
    prec = prec.where(~coarser, partial)
    typed["date_precision"] = prec.where(prec.notna() | typed["event_date"].isna(), "day")


def _parse_times(
    text: pd.DataFrame, typed: pd.DataFrame, lines: pd.Series, warnings: list[Issue]
) -> None:
    """event_time from its own column (``22:00``, ``9:30 pm``), else from the date text."""
    raw = text["event_time"]
    parsed = _unique_map(raw, parse_time)
    times = _omap(parsed, lambda p: p[0] if p else None)
    for i in parsed.index[_omap(parsed, lambda p: bool(p and p[1])).astype(bool)]:
        _warn(warnings, lines[i], "event_time", raw[i], f"{parsed[i][1]} The time is left empty.")
    from_date = typed.pop("_date_time")
    typed["event_time"] = times.where(times.notna() | raw.notna(), from_date)


def _parse_coordinates(
    text: pd.DataFrame, typed: pd.DataFrame, lines: pd.Series, warnings: list[Issue]
) -> None:
    for col in ("latitude", "longitude"):
        typed[col] = parse_decimals(text[col].to_numpy(dtype=object))
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


def _ids(
    text: pd.DataFrame,
    typed: pd.DataFrame,
    lines: pd.Series,
    warnings: list[Issue],
    fmt: str,
    source: pd.DataFrame | None,
) -> None:
    """Given ids kept (spreadsheet damage undone or flagged); content ids for the others."""
    ids, lost, notes = repair_ids(text["incident_id"])
    warnings.extend(notes)
    ids = ids.where(~lost, None)
    missing = ids.isna().to_numpy()
    typed["_content_id"] = missing
    if not missing.any():
        typed["incident_id"] = ids
        return
    content = typed.copy(deep=False)
    for col in INCIDENT_COLUMNS:
        if col not in content.columns:
            content[col] = text[col]
    made = content_ids(content, missing, ID_PREFIXES.get(fmt, "NAT-"))
    made, repeats = tell_apart(made, lost, source, lines)
    warnings.extend(repeats)
    typed["incident_id"] = ids.where(~missing, made)
    if fmt == "native":
        typed[LEGACY_ID] = legacy_ids(content, missing)
    content["incident_id"] = typed["incident_id"]
    told = {w.line for w in repeats}
    warnings.extend(w for w in likely_duplicates(content, missing, lines) if w.line not in told)


def _one_reason_for_non_incidents(
    errors: list[Issue], reasons: dict[tuple[str, int], str], lines: pd.Series
) -> tuple[list[Issue], list[Issue]]:
    """Errors of ordinary rows, and the one reason of each totals or notes row."""
    marked = {
        int(lines[i])
        for (col, i), why in reasons.items()
        if col == "event_date" and "looks like" in why
    }
    if not marked:
        return errors, []
    rest = [e for e in errors if e.line not in marked]
    return rest, [e for e in errors if e.line in marked and e.column == "event_date"]


def _explain_non_incidents(
    text: pd.DataFrame, typed: pd.DataFrame, reasons: dict[tuple[str, int], str]
) -> None:
    """Why a row without a date or place is no incident: a totals row, or a note."""
    empty_date = text["event_date"].isna()
    if not empty_date.any():
        return
    place = text[["location", "admin1", "admin2", "latitude", "longitude"]].notna().any(axis=1)
    lonely = empty_date & ~place
    if not lonely.any():
        return
    counts = text[COUNT_COLUMNS].notna().any(axis=1)
    other = text.drop(columns=[*COUNT_COLUMNS, "event_date"]).notna()
    for i in lonely[lonely].index:
        if counts[i]:
            reasons[("event_date", i)] = (
                "This line has numbers but no date and no place: it looks like a totals "
                "row, not an incident, and is left out."
            )
        elif other.loc[i].any():
            shown = ", ".join(c for c in other.columns if other.at[i, c])
            reasons[("event_date", i)] = (
                f"This line has no date and no place, only {shown}: it looks like a note, "
                "not an incident, and is left out."
            )
